"""Migration 0002: stored fulfilment results keep their reasons, and `warning` becomes the flag they imply."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tasks.store.engine import MIGRATIONS_DIR


def _upgrade(engine: sa.Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_results_stored_before_keep_their_reasons(db_url):
    engine = sa.create_engine(db_url)
    _upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO runs (run_id, cycle, period, status, policy_hash, started_at) "
                             "VALUES ('r1', 'quarterly', '2026Q1', 'complete', 'h', '2026-04-10')"))
        conn.execute(sa.text("INSERT INTO result_fulfilment (run_id, period, unit_id, warning) VALUES "
                             "('r1', '2026Q1', 'U1', '有1项承诺逾期未兑现'), ('r1', '2026Q1', 'U2', ''), "
                             "('r1', '2026Q1', 'U3', NULL)"))
    _upgrade(engine, "head")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT unit_id, warning, warning_reasons FROM result_fulfilment "
                                    "ORDER BY unit_id")).all()
        due_at = next(c for c in sa.inspect(conn).get_columns("ds_platform_cases") if c["name"] == "due_at")
    # A unit was warned exactly when it had a reason; no reason reads as an empty text, not a missing one.
    assert [(u, bool(w), r) for u, w, r in rows] == [
        ("U1", True, "有1项承诺逾期未兑现"), ("U2", False, ""), ("U3", False, "")]
    # Migration 0003: a platform case may come without a due date.
    assert due_at["nullable"] is True
    engine.dispose()
