"""Migration 0010: the audit log, correction and withdrawal marks, keys no longer unique; stored data carried over."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from tests.migrations.steps import differences, migrate

FILES = ("INSERT INTO ingested_files (file_id, sha256, file_name, dataset, archived_as, ingested_at, rows_read, "
         "rows_accepted, rows_rejected) VALUES (1, 'a', 'units_2026.csv', 'units', 'x', '2026-01-05 09:00:00', 2, 2, 0),"
         " (2, 'b', 'complaints_2026.csv', 'complaints', 'y', '2026-03-01 10:00:00', 2, 1, 1)")
UNITS = ("INSERT INTO ds_units (unit_id, unit_name, category, region, level, is_window, _file_id, _row_number) "
         "VALUES ('U1', '市政务服务中心', '窗口单位', '石门市', '市级', true, 1, 2), "
         "('U2', '市税务局', '窗口单位', '石门市', '市级', true, 1, 3)")
COMPLAINTS = ("INSERT INTO ds_complaints (complaint_id, unit_id, person_id, date, valid, _file_id, _row_number) "
              "VALUES ('C1', 'U1', 'P1', '2026-02-11', true, 2, 2)")
REJECTED = ("INSERT INTO rejected_rows (file_id, dataset, row_number, reason, data, awaiting_reference, accepted_at) "
            "VALUES (2, 'complaints', 3, '单位编码“U9”不在窗口单位名册中', '{}', false, '2026-03-02 08:00:00')")


def test_0010_logs_the_stored_files_and_marks_every_row_with_its_event(db_url):
    engine = sa.create_engine(db_url)
    migrate(engine, command.upgrade, "0009")
    with engine.begin() as conn:
        for statement in (FILES, UNITS, COMPLAINTS, REJECTED):
            conn.execute(sa.text(statement))
    migrate(engine, command.upgrade, "head")
    assert differences(engine) == []
    with engine.connect() as conn:
        events = conn.execute(sa.text("SELECT event_id, kind, file_id, dataset, rows FROM data_events "
                                      "ORDER BY event_id")).all()
        units = conn.execute(sa.text("SELECT unit_id, _event_id, _superseded_by FROM ds_units ORDER BY unit_id")).all()
        complaint = conn.execute(sa.text("SELECT _event_id FROM ds_complaints")).scalar()
        accepted = conn.execute(sa.text("SELECT accepted_event FROM rejected_rows")).scalar()
        files = conn.execute(sa.text("SELECT kind, withdrawn FROM ingested_files ORDER BY file_id")).all()
    # One ingest event per stored file, in the order the files came in, with the rows each stored.
    assert [tuple(e) for e in events] == [(1, "ingest", 1, "units", 2), (2, "ingest", 2, "complaints", 1)]
    assert [tuple(u) for u in units] == [("U1", 1, None), ("U2", 1, None)]
    assert complaint == 2 and accepted == 2  # the row let in on 2 March: by the last event before then
    assert [(k, bool(w)) for k, w in files] == [("plain", False), ("plain", False)]
    with engine.begin() as conn:  # a corrected key keeps its old row
        conn.execute(sa.text("INSERT INTO ds_units (unit_id, unit_name, category, region, level, is_window, "
                             "_file_id, _row_number, _event_id) VALUES ('U1', '市政务服务中心(更名)', '窗口单位', "
                             "'石门市', '市级', true, 2, 2, 2)"))
        conn.execute(sa.text("UPDATE ds_units SET _superseded_by = 2 WHERE unit_id = 'U1' AND _file_id = 1"))
    # Back to unique keys: only the rows that count stay.
    migrate(engine, command.downgrade, "0009")
    with engine.connect() as conn:
        names = conn.execute(sa.text("SELECT unit_name FROM ds_units ORDER BY unit_id")).scalars().all()
        tables = set(sa.inspect(conn).get_table_names())
    assert names == ["市政务服务中心(更名)", "市税务局"] and "data_events" not in tables
    engine.dispose()
