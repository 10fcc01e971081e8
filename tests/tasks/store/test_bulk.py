"""Accepted rows go in through stages (ADBC on SQLite, spooled Arrow and a binary COPY on PostgreSQL): stored
exactly as row-by-row inserts stored them, in one transaction with the file's record, and no stage outlives its
ingest (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from schemas.datasets import DATASETS
from tasks.inbox.ingest import db_frame, ingest_inbox, insert_rows
from tasks.inbox.reader import read_table
from tasks.inbox.validation import validate
from tasks.store import bulk
from tasks.store.audit import writing
from tasks.store.tables import dataset_tables, ingested_files
from tests.helpers import stages_left

UNITS = ("unit_id,unit_name,category,region,level,is_window\n"
         "U0001,市行政服务中心,政府涉企涉民部门,市直,市级,是\nU0002,市税务局,政府涉企涉民部门,市直,市级,是\n")
CASES = ("case_id,platform,unit_id,received_at,due_at,closed_at,rating\n"
         "K1,12345政府服务热线,U0001,2026-03-02 09:00,2026-03-09 09:00,2026-03-04 10:15:30,满意\n"
         "K2,12345政府服务热线,U0002,2026-03-03 23:59:59,2026-03-10 09:00,,未评价\n"
         "K0,12345政府服务热线,U0001,2026/3/1,2026-03-08,2026-03-02 08:00,不满意\n")
STORED = ["case_id", "platform", "unit_id", "received_at", "due_at", "closed_at", "rating", "_row_number",
          "_file_id", "_event_id"]


def _stored_rows(engine, file_id: int) -> list[tuple]:
    table = dataset_tables["platform_cases"]
    columns = ", ".join(f'"{c}"' for c in STORED if c not in ("_file_id", "_event_id"))
    with engine.connect() as conn:  # the values as the driver returns them: SQLite's text exactly as stored
        return conn.exec_driver_sql(f'SELECT {columns} FROM "{table.name}" WHERE "_file_id" = {file_id} '
                                    'ORDER BY "_id"').all()


def _accepted(tmp_path) -> pd.DataFrame:
    path = tmp_path / "platform_cases_2026.csv"
    path.write_text(CASES, encoding="utf-8")
    dataset = DATASETS["platform_cases"]
    result = validate(dataset, read_table(path, dataset), {"units.unit_id": pd.Index(["U0001", "U0002"], dtype="str")})
    assert len(result.accepted) == 3 and result.rejected.empty
    return result.accepted


def test_staged_rows_are_stored_as_row_inserts_stored_them(engine, tmp_path):
    dataset, accepted = DATASETS["platform_cases"], _accepted(tmp_path)
    with writing(engine) as conn:
        files = [conn.execute(ingested_files.insert().returning(ingested_files.c.file_id).values(
            sha256=f"{n}" * 64, file_name=f"f{n}.csv", dataset=dataset.name, archived_as="-", rows_read=3,
            rows_accepted=3, rows_rejected=0, ingested_at=datetime(2026, 12, 5))).scalar_one() for n in (1, 2)]
        insert_rows(conn, dataset_tables[dataset.name], db_frame(dataset, accepted, files[0], 7))
    with bulk.staged(engine, [(dataset, accepted)], tmp_path) as stages, writing(engine, None, stages.attach) as conn:
        bulk.publish(conn, stages.files[0], files[1], 7)
    before, after = _stored_rows(engine, files[0]), _stored_rows(engine, files[1])
    assert after == before
    # In the file's order, with its row numbers; times to the second, an empty closing time empty.
    assert [r[0] for r in after] == ["K1", "K2", "K0"] and [r[7] for r in after] == [2, 3, 4]
    if engine.dialect.name == "sqlite":
        assert [r[3] for r in after] == ["2026-03-02 09:00:00.000000", "2026-03-03 23:59:59.000000",
                                         "2026-03-01 00:00:00.000000"]
    else:
        assert [r[3] for r in after] == [datetime(2026, 3, 2, 9), datetime(2026, 3, 3, 23, 59, 59),
                                         datetime(2026, 3, 1)]
    assert after[1][5] is None
    assert stages_left(engine, tmp_path) == []


def test_a_failed_ingest_leaves_neither_rows_nor_stages(engine, tmp_path):
    dataset, accepted = DATASETS["platform_cases"], _accepted(tmp_path)
    with writing(engine) as conn:
        file_id = conn.execute(ingested_files.insert().returning(ingested_files.c.file_id).values(
            sha256="a" * 64, file_name="f.csv", dataset=dataset.name, archived_as="-", rows_read=3,
            rows_accepted=3, rows_rejected=0, ingested_at=datetime(2026, 12, 5))).scalar_one()
    with pytest.raises(RuntimeError, match="磁盘已满"):
        with bulk.staged(engine, [(dataset, accepted)], tmp_path) as stages, \
                writing(engine, None, stages.attach) as conn:
            bulk.publish(conn, stages.files[0], file_id, 1)
            assert len(stages_left(engine, tmp_path)) == 1
            raise RuntimeError("磁盘已满")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(dataset_tables[dataset.name])).scalar() == 0
    assert stages_left(engine, tmp_path) == []


def test_sweep_removes_only_stages_left_long_ago(engine, tmp_path):
    dataset, accepted = DATASETS["platform_cases"], _accepted(tmp_path)
    with bulk.staged(engine, [(dataset, accepted), (dataset, accepted.iloc[:0])], tmp_path) as stages:
        assert stages.files[1] is None and stages.files[0].rows == 3
        (left,) = stages_left(engine, tmp_path)
        assert bulk.sweep(engine, spool=tmp_path) == [] and stages_left(engine, tmp_path) == [left]
        # Seven hours on, a stage still there was left by a process that died: it goes.
        assert bulk.sweep(engine, now=datetime.now() + timedelta(hours=7), spool=tmp_path) == [left]
        assert stages_left(engine, tmp_path) == []
    assert stages_left(engine, tmp_path) == []


def test_an_ingest_stores_its_rows_and_leaves_no_stage(engine, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "units_2026.csv").write_text(UNITS, encoding="utf-8")
    (inbox / "platform_cases_2026.csv").write_text(CASES, encoding="utf-8")
    spooled, spool = [], bulk._spool_one

    def spooling(path, *args):
        spooled.append(path)
        return spool(path, *args)

    monkeypatch.setattr(bulk, "_spool_one", spooling)
    report = ingest_inbox(inbox, engine, tmp_path / "archive")
    # PostgreSQL's stages are spooled beside the archive, in the data folder (a temporary folder may live in RAM).
    assert [p.parent.parent for p in spooled] == ([] if engine.dialect.name == "sqlite" else [tmp_path / "stages"] * 2)
    assert sorted((f.file_name, f.rows_accepted) for f in report.files) == [("platform_cases_2026.csv", 3),
                                                                        ("units_2026.csv", 2)]
    table = dataset_tables["platform_cases"]
    with engine.connect() as conn:
        assert conn.execute(select(table.c.case_id, table.c.closed_at).order_by(table.c._id)).all() == [
            ("K1", datetime(2026, 3, 4, 10, 15, 30)), ("K2", None), ("K0", datetime(2026, 3, 2, 8))]
    assert stages_left(engine, tmp_path / "stages") == []


def test_a_column_without_any_value_is_stored_with_its_type(engine, tmp_path):
    dataset, accepted = DATASETS["platform_cases"], _accepted(tmp_path)
    accepted = accepted.assign(closed_at=pd.Series([None] * len(accepted), dtype=object, index=accepted.index))
    assert bulk.arrow_rows(dataset, accepted).schema.field("closed_at").type == pa.timestamp("us")
    with writing(engine) as conn:
        file_id = conn.execute(ingested_files.insert().returning(ingested_files.c.file_id).values(
            sha256="b" * 64, file_name="f.csv", dataset=dataset.name, archived_as="-", rows_read=3,
            rows_accepted=3, rows_rejected=0, ingested_at=datetime(2026, 12, 5))).scalar_one()
    with bulk.staged(engine, [(dataset, accepted)], tmp_path) as stages, writing(engine, None, stages.attach) as conn:
        bulk.publish(conn, stages.files[0], file_id, 1)
    assert [r[5] for r in _stored_rows(engine, file_id)] == [None, None, None]


def test_a_row_the_database_refuses_fails_as_sqlalchemy_says_it_on_either_database(engine, tmp_path):
    # The ingest starts again on an IntegrityError (another run stored first): the COPY's must be one too.
    dataset, accepted = DATASETS["platform_cases"], _accepted(tmp_path)
    with pytest.raises(IntegrityError):
        with bulk.staged(engine, [(dataset, accepted)], tmp_path) as stages, \
                writing(engine, None, stages.attach) as conn:
            bulk.publish(conn, stages.files[0], 999, 1)  # no such file: the foreign key refuses every row
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(dataset_tables[dataset.name])).scalar() == 0
