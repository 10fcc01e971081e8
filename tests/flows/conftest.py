"""Fixtures of the flow tests: one `assess serve` for the tests that drive the real service."""

from __future__ import annotations

import pytest

from tests.flows.service import serving

# Shorter designation lists than the default 10 + 5 keep a run's rendering short.
SHORT_LIST = "half_year:\n  key_management_count: 3\n  key_supervision_count: 2\n"


@pytest.fixture(scope="session")
def service(tmp_path_factory):
    """`assess serve` on a free port with its own Prefect home (SQLite) and data folder, for the whole session."""
    root = tmp_path_factory.mktemp("service")
    policies = root / "data" / "policies"  # the deployment's policy folder, offered by name in the run form
    policies.mkdir(parents=True)
    (policies / "短名单.yaml").write_text(SHORT_LIST, encoding="utf-8")
    with serving(root) as running:
        yield running
