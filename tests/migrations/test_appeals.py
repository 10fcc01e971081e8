"""Migration 0006: the appeals tables exactly as tasks/models.py builds them from the dataset declarations."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from tests.migrations.steps import differences, migrate

TABLES = {"ds_appeals", "ds_appeal_decisions"}


def test_the_appeals_tables_match_the_models_and_go_away_on_downgrade(db_url):
    engine = sa.create_engine(db_url)
    migrate(engine, command.upgrade, "0005")
    # Before 0006 the two tables are missing; after it they are exactly as the models build them.
    assert TABLES <= {d[1].name for d in differences(engine) if d[0] == "add_table"}
    migrate(engine, command.upgrade, "0006")
    assert [d for d in differences(engine) if d[0] == "add_table" and d[1].name in TABLES] == []
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        keys = {t: [u["column_names"] for u in inspector.get_unique_constraints(t)] for t in TABLES}
    # One row per appeal, and one decision per appeal; from 0010 a changed decision comes as a correction file,
    # whose row supersedes the old one under the same key.
    assert keys == {"ds_appeals": [["appeal_id"]], "ds_appeal_decisions": [["appeal_id"]]}
    migrate(engine, command.upgrade, "head")
    assert differences(engine) == []
    migrate(engine, command.downgrade, "0005")
    with engine.connect() as connection:
        assert TABLES.isdisjoint(sa.inspect(connection).get_table_names())
    engine.dispose()
