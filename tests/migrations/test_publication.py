"""Migration 0011: every run may carry its publication (公示稿 / 正式) and the window of a draft."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from tests.migrations.steps import differences, migrate

ADDED = ["publication", "published_on", "window_start", "window_end"]


def _columns(engine: sa.Engine) -> list[str]:
    return [c["name"] for c in sa.inspect(engine).get_columns("runs")]


def test_0011_adds_the_publication_columns_keeps_earlier_runs_and_steps_back(db_url):
    engine = sa.create_engine(db_url)
    migrate(engine, command.upgrade, "0010")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO runs (run_id, cycle, period, version, status, policy_hash, started_at) "
                             "VALUES ('r1', 'half-year', '2026H1', 1, 'complete', 'h', '2026-07-14 08:00:00')"))
    migrate(engine, command.upgrade, "0011")
    assert _columns(engine)[-4:] == ADDED
    assert [d for d in differences(engine) if d[0] == "add_column" and d[2] == "runs"] == []
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT run_id, status, publication, window_end FROM runs")).one()
    assert tuple(row) == ("r1", "complete", None, None)  # a run stored before has no publication
    migrate(engine, command.downgrade, "0010")
    assert not set(ADDED) & set(_columns(engine))
    engine.dispose()
