"""Migration 0005: the tables of the points and on-site datasets, exactly as tasks/models.py builds them."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from tests.migrations.steps import differences, migrate

from schemas.datasets import POINTS_AND_ON_SITE

NEW_TABLES = {f"ds_{name}" for name in POINTS_AND_ON_SITE}


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_head_schema_is_the_models_schema_and_0005_steps_back_cleanly(db_url):
    engine = sa.create_engine(db_url)
    migrate(engine, command.upgrade, "0004")
    # Before 0005 the six tables are exactly what the models hold beyond the database.
    missing = {d[1].name for d in differences(engine) if d[0] == "add_table"}
    assert NEW_TABLES <= missing  # later migrations add tables of their own
    migrate(engine, command.upgrade, "0005")
    assert NEW_TABLES <= _tables(engine)
    migrate(engine, command.upgrade, "head")
    # Columns, types, nullability, keys and constraints all as the dataset declarations build them.
    assert differences(engine) == []
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO ingested_files (file_id, sha256, file_name, dataset, archived_as, "
                             "ingested_at, rows_read, rows_accepted, rows_rejected) VALUES "
                             "(1, 'h', 'site_reviews_2026.xlsx', 'site_reviews', 'a', '2026-09-20', 1, 1, 0)"))
        conn.execute(sa.text("INSERT INTO ds_site_reviews (review_id, team, region, started_on, ended_on, _file_id, "
                             "_row_number, _event_id) VALUES ('2026-R13', '现场点评第十三组', '石门市', '2026-09-14', "
                             "'2026-09-17', 1, 2, 1)"))
        stored = conn.execute(sa.text("SELECT review_id, region FROM ds_site_reviews")).all()
    assert [tuple(r) for r in stored] == [("2026-R13", "石门市")]
    migrate(engine, command.downgrade, "0004")
    assert not NEW_TABLES & _tables(engine) and "ds_units" in _tables(engine)
    engine.dispose()
