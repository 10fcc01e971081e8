"""Migration 0009: an index on every period-window column that no key or earlier index leads with."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from tasks.store.tables import WINDOW_INDEXED
from tests.migrations.steps import differences, migrate

EXPECTED = {f"ix_ds_{name}_{column}" for name, column in WINDOW_INDEXED.items()}


def _indexes(engine: sa.Engine) -> set[str]:
    inspector = sa.inspect(engine)
    return {i["name"] for table in inspector.get_table_names() for i in inspector.get_indexes(table)}


def test_0009_adds_the_window_indexes_and_steps_back(db_url):
    engine = sa.create_engine(db_url)
    migrate(engine, command.upgrade, "0008")
    missing = {d[1].name for d in differences(engine) if d[0] == "add_index"}
    assert EXPECTED <= missing and not EXPECTED & _indexes(engine)  # later migrations add indexes of their own
    migrate(engine, command.upgrade, "0009")
    assert EXPECTED <= _indexes(engine)
    assert [d for d in differences(engine) if d[0] == "add_index" and d[1].name in EXPECTED] == []
    migrate(engine, command.downgrade, "0008")
    assert not EXPECTED & _indexes(engine)
    engine.dispose()
