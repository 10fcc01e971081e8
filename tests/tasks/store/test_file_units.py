"""The units a changed file concerns, read from its own dataset's rows of the period, by index."""

from __future__ import annotations

from sqlalchemy import event, select

from tasks.inbox.ingest import ingest_inbox
from tasks.store.audit import file_units
from tasks.store.tables import ingested_files
from tasks.store.window import window_conditions
from tests.helpers import deliver

HEADER = "period,respondent_id,respondent_group,unit_id,dimension,grade\n"
UNITS = ("unit_id,unit_name,category,region,level,is_window\n"
         "U0001,市行政服务中心,政府涉企涉民部门,市直,市级,是\nU0002,市公积金中心,政府涉企涉民部门,市直,市级,是\n")


def test_the_units_of_a_correction_are_those_of_its_rows_in_the_period(engine, tmp_path):
    ingest_inbox(deliver(tmp_path / "one", {
        "units_2026.csv": UNITS,
        "survey_responses_2026H1.csv": HEADER + "2026H1,R1,机关,U0001,精神状态,满意\n2026H1,R2,机关,U0002,精神状态,满意\n",
        "survey_responses_2026H2.csv": HEADER + "2026H2,R1,机关,U0002,精神状态,满意\n",
    }), engine, tmp_path / "archive")
    ingest_inbox(deliver(tmp_path / "two", {
        "survey_responses_更正.csv": HEADER + "2026H1,R1,机关,U0001,精神状态,不满意\n2026H2,R1,机关,U0002,精神状态,不满意\n",
    }), engine, tmp_path / "archive")
    with engine.connect() as conn:
        ids = dict(conn.execute(select(ingested_files.c.file_name, ingested_files.c.file_id)).all())
    correction = ids["survey_responses_更正.csv"]
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with engine.connect() as conn:
            first_half = file_units(conn, [correction, ids["units_2026.csv"]], window_conditions("half-year", "2026H1"))
            statement, parameters = statements[-1]
            whole = file_units(conn, [correction])
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all() \
                if engine.dialect.name == "sqlite" else []
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    # Of the correction, the unit of its row of 2026H1 only; of the registry, its units (it has no period).
    assert sorted(first_half.itertuples(index=False, name=None)) == [
        (ids["units_2026.csv"], "U0001"), (ids["units_2026.csv"], "U0002"), (correction, "U0001")]
    assert sorted(whole.itertuples(index=False, name=None)) == [(correction, "U0001"), (correction, "U0002")]
    # Only the tables of the files' datasets are read, the survey answers by the period's part of their key index.
    tables = {word.replace('"', "").split(".")[0] for word in statement.replace(",", " ").split()
              if word.replace('"', "").startswith("ds_")}
    assert tables == {"ds_survey_responses", "ds_units"}
    if plan:
        steps = " | ".join(str(row[-1]) for row in plan)
        assert "ds_survey_responses USING INDEX ix_ds_survey_responses_key (period=?)" in steps, steps
