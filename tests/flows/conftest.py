"""Fixtures of the flow tests: one `assess serve` for the tests that drive the real service."""

from __future__ import annotations

import pytest

from tests.flows.service import serving


@pytest.fixture(scope="session")
def service(tmp_path_factory):
    """`assess serve` on a free port with its own Prefect home (SQLite) and data folder, for the whole session."""
    with serving(tmp_path_factory.mktemp("service")) as running:
        yield running
