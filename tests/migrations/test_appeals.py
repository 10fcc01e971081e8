"""Migration 0006: the appeals tables exactly as tasks/models.py builds them from the dataset declarations."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from tasks.store.engine import MIGRATIONS_DIR
from tasks.store.tables import metadata

TABLES = {"ds_appeals", "ds_appeal_decisions"}


def _migrate(engine: sa.Engine, action, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)


def _differences(engine: sa.Engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), metadata)


def test_the_appeals_tables_match_the_models_and_go_away_on_downgrade(db_url):
    engine = sa.create_engine(db_url)
    _migrate(engine, command.upgrade, "0005")
    # Before 0006 the two tables are missing; after it they are exactly as the models build them.
    assert TABLES <= {d[1].name for d in _differences(engine) if d[0] == "add_table"}
    _migrate(engine, command.upgrade, "0006")
    assert [d for d in _differences(engine) if d[0] == "add_table" and d[1].name in TABLES] == []
    _migrate(engine, command.upgrade, "head")
    assert _differences(engine) == []
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        keys = {t: [u["column_names"] for u in inspector.get_unique_constraints(t)] for t in TABLES}
    # One row per appeal, and one decision per appeal (a changed decision comes as a correction file).
    assert keys == {"ds_appeals": [["appeal_id"]], "ds_appeal_decisions": [["appeal_id"]]}
    _migrate(engine, command.downgrade, "0005")
    with engine.connect() as connection:
        assert TABLES.isdisjoint(sa.inspect(connection).get_table_names())
    engine.dispose()
