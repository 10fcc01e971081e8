"""现场点评: the on-site review cycle (SPEC §9)."""
