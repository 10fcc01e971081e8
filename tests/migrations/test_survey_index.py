"""Migration 0012: the survey answers' (period, unit) index dropped; answers stored before it are kept."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from tests.migrations.steps import differences, migrate

INDEX = "ix_ds_survey_responses_period_unit"
FILE = ("INSERT INTO ingested_files (file_id, sha256, file_name, dataset, archived_as, ingested_at, rows_read, "
        "rows_accepted, rows_rejected) VALUES (1, 'a', 'survey_2026H1.csv', 'survey_responses', 'x', "
        "'2026-07-05 09:00:00', 1, 1, 0)")
ANSWER = ("INSERT INTO ds_survey_responses (period, respondent_id, respondent_group, unit_id, dimension, grade, "
          "_file_id, _row_number, _event_id) VALUES ('2026H1', 'R1', '群众', 'U1', '服务态度', '满意', 1, 2, 1)")


def _survey_indexes(engine: sa.Engine) -> set[str]:
    return {i["name"] for i in sa.inspect(engine).get_indexes("ds_survey_responses")}


def test_0012_drops_the_survey_period_unit_index_and_steps_back(db_url):
    engine = sa.create_engine(db_url)
    migrate(engine, command.upgrade, "0011")
    assert INDEX in _survey_indexes(engine)
    with engine.begin() as conn:
        conn.execute(sa.text(FILE))
        conn.execute(sa.text(ANSWER))
    migrate(engine, command.upgrade, "0012")
    assert _survey_indexes(engine) == {"ix_ds_survey_responses_key"}
    assert differences(engine) == []
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT unit_id, grade FROM ds_survey_responses")).all() == [("U1", "满意")]
    migrate(engine, command.downgrade, "0011")
    assert INDEX in _survey_indexes(engine)
    engine.dispose()
