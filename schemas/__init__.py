"""Dataset definitions, their validation suites and the policy model: the project's single source of truth."""
