"""Ingesting an inbox into SQLite and PostgreSQL: storage, skipping, quarantine, archive and reports."""

from __future__ import annotations

import gc
import os
from pathlib import Path
import threading
import weakref

import pandas as pd
import pytest
from rich.cells import cell_len
from sqlalchemy import func, select
from typer.testing import CliRunner

from flows.cli import app
from schemas.datasets import DATASETS
from tasks.errors import AssessError, UnreadableFile
from tasks.store.tables import dataset_tables, ingested_files, rejected_rows
from tasks.inbox import ingest
from tasks.inbox.ingest import ingest_inbox
from tasks.store.datasets import load_dataset, load_rejected, quality_summary, top_reasons
from tasks.store.state import snapshot
from tests.helpers import sha256, stages_left

UNITS_CSV = ("窗口单位名册(2026年)\n"
             "单位编码,单位名称,单位类别,所属地区,层级,是否窗口单位,主要负责人\n"
             "U0001,市行政服务中心,政府涉企涉民部门,市直,市级,是,张明\n"
             "U0002,市信访局,党群部门,市直,县级,否,\n"
             "U0003,省税务局驻市单位,中央省驻单位,市直,省级,是,王五\n")
CASES_CSV = ("case_id,platform,unit_id,received_at,due_at,closed_at,rating\n"
             "G1,媒体,U0001,2026-01-05 08:00,2026/1/10,2026年1月8日,满意\n"
             "G2,信访局,U0002,46027.5,46032,,未评价\n"
             "G3,媒体,U0001,2026-01-05,2026-01-06,,满意\n"
             "G3,媒体,U0002,2026-01-05,2026-01-06,,满意\n"
             "G4,媒体,U0003,2026-01-05,2026-01-06,,满意\n")


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "units_2026.csv").write_text(UNITS_CSV, encoding="gb18030")
    (folder / "platform_cases_2026Q1.csv").write_text(CASES_CSV, encoding="utf-8-sig")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    return folder


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_ingest_stores_accepted_and_quarantines_rejected(engine, inbox, tmp_path):
    report = ingest_inbox(inbox, engine, tmp_path / "data" / "archive")
    got = [(f.file_name, f.dataset, f.status, f.rows_read, f.rows_accepted, f.rows_rejected, f.reasons)
           for f in report.files]
    # Registries first; U0003's level is not allowed, so its case G4 has no known unit.
    assert got == [
        ("units_2026.csv", "units", "ingested", 3, 2, 1, {"层级不在允许值(市级、县级)中": 1}),
        ("platform_cases_2026Q1.csv", "platform_cases", "ingested", 5, 2, 3,
         {"工单编号在本批数据中重复出现": 2, "单位编码不在窗口单位名册中": 1}),
        # A file browser's own file is no delivery: listed as ignored, after the files read.
        (".DS_Store", "", "ignored", 0, 0, 0, {}),
    ]
    assert report.totals() == {"files_ingested": 2, "files_skipped": 0, "files_passed": 1, "rows_revalidated": 0,
                               "rows_read": 8, "rows_accepted": 4, "rows_rejected": 4}
    cases = load_dataset(engine, "platform_cases")
    expected = pd.DataFrame({
        "case_id": pd.Series(["G1", "G2"], dtype="str"),
        "platform": pd.Categorical(["媒体", "信访局"], categories=DATASETS["platform_cases"].column("platform").allowed),
        "unit_id": pd.Series(["U0001", "U0002"], dtype="str"),
        "received_at": pd.Series(pd.to_datetime(["2026-01-05 08:00", "2026-01-05 12:00"]), dtype="datetime64[us]"),
        "due_at": pd.Series(pd.to_datetime(["2026-01-10 00:00", "2026-01-10 00:00"]), dtype="datetime64[us]"),
        "closed_at": pd.Series(pd.to_datetime(["2026-01-08 00:00", None]), dtype="datetime64[us]"),
        "rating": pd.Categorical(["满意", "未评价"], categories=DATASETS["platform_cases"].column("rating").allowed),
    })
    pd.testing.assert_frame_equal(cases, expected)
    units = load_dataset(engine, "units")
    assert units[["unit_id", "is_window", "leader_name"]].astype(object).where(units.notna(), None).values.tolist() \
        == [["U0001", True, "张明"], ["U0002", False, None]]
    # Streamed a row at a time, every chunk typed on its own, the frames are the same to the dtype.
    pd.testing.assert_frame_equal(load_dataset(engine, "platform_cases", chunk_rows=1), expected)
    pd.testing.assert_frame_equal(load_dataset(engine, "units", chunk_rows=1), units)
    rejected = load_rejected(engine, "platform_cases")
    assert rejected[["file_name", "row_number", "reason", "case_id", "unit_id", "received_at"]].values.tolist() == [
        ["platform_cases_2026Q1.csv", 4, "工单编号“G3”在本批数据中重复出现 2 次", "G3", "U0001", "2026-01-05"],
        ["platform_cases_2026Q1.csv", 5, "工单编号“G3”在本批数据中重复出现 2 次", "G3", "U0002", "2026-01-05"],
        ["platform_cases_2026Q1.csv", 6, "单位编码“U0003”不在窗口单位名册中", "G4", "U0003", "2026-01-05"],
    ]
    assert list(rejected.columns) == ["file_name", "row_number", "reason", *DATASETS["platform_cases"].column_names]


def test_summaries_and_report_page(engine, inbox, tmp_path):
    archive = tmp_path / "data" / "archive"
    report = ingest_inbox(inbox, engine, archive)
    summary = quality_summary(engine, ["units", "platform_cases"])
    assert summary.drop(columns="ingested_at").values.tolist() == [
        ["units_2026.csv", "units", 3, 2, 1], ["platform_cases_2026Q1.csv", "platform_cases", 5, 2, 3]]
    assert top_reasons(engine, ["units", "platform_cases"], n=1).values.tolist() == [
        ["units", "层级不在允许值(市级、县级)中", 1], ["platform_cases", "工单编号在本批数据中重复出现", 2]]
    # Every ingested file is archived unchanged under its SHA-256.
    for f in (f for f in report.files if f.status == "ingested"):
        kept = archive / f.sha256[:2] / f.sha256 / f.file_name
        assert kept.read_bytes() == (inbox / f.file_name).read_bytes()
    (page,) = (tmp_path / "data" / "reports").glob("ingest-*.html")
    html = page.read_text(encoding="utf-8")
    assert "数据入库校验报告" in html and "<td>单位编码不在窗口单位名册中</td>" in html
    assert "读取 8 行,接收 4 行" in html


def test_reingested_file_is_skipped(engine, inbox, tmp_path):
    ingest_inbox(inbox, engine, tmp_path / "archive")
    (inbox / "platform_cases_copy.csv").write_bytes((inbox / "platform_cases_2026Q1.csv").read_bytes())
    again = ingest_inbox(inbox, engine, tmp_path / "archive")
    # Same bytes under another name are the same file.
    assert [(f.file_name, f.status, f.rows_read) for f in again.files] == [
        ("units_2026.csv", "skipped", 0), ("platform_cases_2026Q1.csv", "skipped", 0),
        ("platform_cases_copy.csv", "skipped", 0), (".DS_Store", "ignored", 0)]
    assert _count(engine, dataset_tables["platform_cases"]) == 2
    assert _count(engine, ingested_files) == 2


def test_run_that_loses_the_race_to_store_a_file_starts_again(engine, inbox, tmp_path, monkeypatch):
    import tasks.inbox.ingest as storage

    ingest_inbox(inbox, engine, tmp_path / "archive")
    quarantined = _count(engine, rejected_rows)
    real, calls = storage._stored_digests, []

    def stale_first(*args):
        # The first look happens before the other run committed: it sees nothing stored yet.
        calls.append(args)
        return set() if len(calls) == 1 else real(*args)

    monkeypatch.setattr(storage, "_stored_digests", stale_first)
    again = ingest_inbox(inbox, engine, tmp_path / "archive")
    assert len(calls) == 2
    assert [f.status for f in again.files] == ["skipped", "skipped", "ignored"]
    assert _count(engine, dataset_tables["platform_cases"]) == 2
    assert _count(engine, ingested_files) == 2
    assert _count(engine, rejected_rows) == quarantined == 4


def test_keys_stored_earlier_are_rejected_later(engine, inbox, tmp_path):
    ingest_inbox(inbox, engine, tmp_path / "archive")
    next_inbox = tmp_path / "next"
    next_inbox.mkdir()
    (next_inbox / "platform_cases_late.csv").write_text(CASES_CSV.splitlines()[0] + "\n" + CASES_CSV.splitlines()[1]
                                                         + "\nG9,媒体,U0002,2026-02-01,2026-02-03,,满意\n")
    report = ingest_inbox(next_inbox, engine, tmp_path / "archive")
    assert (report.files[0].rows_accepted, report.files[0].rows_rejected) == (1, 1)
    assert load_rejected(engine, "platform_cases")["reason"].tolist()[-1] == "工单编号“G1”已入库,不能重复提交,如需修改已入库的数据,请报送文件名中含有更正二字的更正文件"


def test_a_copy_cut_short_in_the_archive_is_made_whole(engine, inbox, tmp_path):
    """An archived copy of another size than the file (a copy cut short by a full disk or a killed process) is
    copied again; no temporary copy is left beside it."""
    units = inbox / "units_2026.csv"
    digest = sha256(units)
    kept = tmp_path / "archive" / digest[:2] / digest / units.name
    kept.parent.mkdir(parents=True)
    kept.write_bytes(units.read_bytes()[:40])
    ingest_inbox(inbox, engine, tmp_path / "archive")
    assert kept.read_bytes() == units.read_bytes()
    assert sorted(p.name for p in kept.parent.iterdir()) == [units.name]


def test_unreadable_file_stores_nothing(engine, inbox, tmp_path):
    (inbox / "survey_responses_2026H1.csv").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UnreadableFile) as caught:
        ingest_inbox(inbox, engine, tmp_path / "archive")
    assert caught.value.file_name == "survey_responses_2026H1.csv"
    assert [_count(engine, t) for t in (ingested_files, rejected_rows, dataset_tables["units"])] == [0, 0, 0]
    assert not (tmp_path / "archive").exists()
    # The two files read before it were staged; their stages are gone with it.
    assert stages_left(engine, tmp_path / "stages") == []


def test_on_postgresql_a_file_is_checked_while_the_one_before_it_is_stored(engine, inbox, tmp_path, monkeypatch):
    """PostgreSQL stores a file's rows by COPY on a core of its own: the next file is read and validated meanwhile.
    SQLite checks every file before the writer attaches their stage file."""
    events, units_begun, second_read = [], threading.Event(), threading.Event()
    read, publish = ingest.read_table, ingest.bulk.publish
    postgresql = engine.dialect.name == "postgresql"

    def reading(path, dataset):
        if events and postgresql:
            units_begun.wait(10)  # the units' store, if it runs beside this check
        events.append(f"读取 {path.name}")
        if len(events) > 1:
            second_read.set()
        return read(path, dataset)

    def publishing(conn, stage, file_id, event_id):
        events.append(f"开始写入 {stage.dataset}")
        if stage.dataset == "units":
            units_begun.set()
            second_read.wait(10)  # the platform file's check, if it runs beside this store
        publish(conn, stage, file_id, event_id)
        events.append(f"写入完毕 {stage.dataset}")

    monkeypatch.setattr(ingest, "read_table", reading)
    monkeypatch.setattr(ingest.bulk, "publish", publishing)
    report = ingest_inbox(inbox, engine, tmp_path / "archive")
    assert [f.rows_accepted for f in report.files if f.status == "ingested"] == [2, 2]
    if postgresql:
        assert events == ["读取 units_2026.csv", "开始写入 units", "读取 platform_cases_2026Q1.csv",
                          "写入完毕 units", "开始写入 platform_cases", "写入完毕 platform_cases"]
    else:
        assert events == ["读取 units_2026.csv", "读取 platform_cases_2026Q1.csv", "开始写入 units",
                          "写入完毕 units", "开始写入 platform_cases", "写入完毕 platform_cases"]
    assert [_count(engine, t) for t in (ingested_files, dataset_tables["units"], dataset_tables["platform_cases"])] \
        == [2, 2, 2]


def test_a_file_failing_its_check_while_the_one_before_it_is_stored_stores_nothing(engine, inbox, tmp_path,
                                                                                   monkeypatch):
    """The checks run ahead of the writer on PostgreSQL; a later file's failure still rolls the whole ingest back,
    and nothing is archived."""
    publish = ingest.bulk.publish
    stored = []

    def publishing(conn, stage, file_id, event_id):
        publish(conn, stage, file_id, event_id)
        stored.append(stage.dataset)

    (inbox / "survey_responses_2026H1.csv").write_bytes(bytes(range(256)) * 4)
    monkeypatch.setattr(ingest.bulk, "publish", publishing)
    with pytest.raises(UnreadableFile):
        ingest_inbox(inbox, engine, tmp_path / "archive")
    # The survey file is checked second (after the registry, before the platform): on PostgreSQL while the units
    # are stored.
    assert stored == (["units"] if engine.dialect.name == "postgresql" else [])
    assert [_count(engine, t) for t in (ingested_files, rejected_rows, dataset_tables["units"])] == [0, 0, 0]
    assert not (tmp_path / "archive").exists()
    assert stages_left(engine, tmp_path / "stages") == []


def test_an_ingest_holds_one_file_at_a_time(engine, inbox, tmp_path, monkeypatch):
    """A file's rows are staged and let go before the next file is read: an inbox of many large files needs the
    memory of its largest file, not of all of them."""
    held, alive = [], []
    read, check = ingest.read_table, ingest.validate

    def reading(path, dataset):
        gc.collect()
        alive.append([ref() is not None for ref in held])
        frame = read(path, dataset)
        held.append(weakref.ref(frame))
        return frame

    def validating(*args, **kwargs):
        result = check(*args, **kwargs)
        held.append(weakref.ref(result.accepted))
        return result

    monkeypatch.setattr(ingest, "read_table", reading)
    monkeypatch.setattr(ingest, "validate", validating)
    report = ingest_inbox(inbox, engine, tmp_path / "archive")
    # Before the second file is read, the first one's cells and accepted rows are gone (staged).
    assert alive == [[], [False, False]]
    assert [f.rows_accepted for f in report.files if f.status == "ingested"] == [2, 2]
    assert len(load_dataset(engine, "platform_cases")) == 2 and stages_left(engine, tmp_path / "stages") == []


def test_file_of_no_dataset_is_reported_and_left_while_the_others_get_in(engine, inbox, tmp_path):
    (inbox / "名册.csv").write_text("unit_id\n")
    report = ingest_inbox(inbox, engine, tmp_path / "archive")
    (unmatched,) = [f for f in report.files if f.status == "unmatched"]
    assert unmatched.file_name == "名册.csv"
    assert unmatched.notes == ["文件名不以任何数据集名称或中文名称开头,无法确定所属数据集,文件留在收件箱中未入库。"
                               "可用的开头:" + "、".join(DATASETS)]
    assert (inbox / "名册.csv").exists() and _count(engine, ingested_files) == 2


def test_cli_ingest_prints_the_table(data_dir, db_url, inbox):
    result = CliRunner().invoke(app, ["ingest", "--inbox", str(inbox), "--db", db_url])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["文件", "数据集", "读取", "接收", "拒收", "状态"]
    assert lines[1].split() == ["units_2026.csv", "窗口单位名册", "3", "2", "1", "已入库"]
    assert lines[-1] == "合计:入库 2 个文件,跳过 0 个,未读取 1 个;读取 8 行,接收 4 行,拒收 4 行"
    assert lines[-3:-1] == [".DS_Store" + " " * 18 + "—" + " " * 28 + "0         0         0  已忽略",
                            "    说明:macOS 文件夹设置文件,不是数据文件,已忽略"]
    # The columns line up on a terminal, where a Chinese character takes two cells.
    rows = [line for line in lines[:-1] if not line.startswith(" ")]
    assert len(rows) == 4 and len({cell_len(row.rsplit("  ", 1)[0]) for row in rows}) == 1
    assert list((data_dir / "archive").rglob("units_2026.csv"))
    failed = CliRunner().invoke(app, ["ingest", "--inbox", str(data_dir / "missing"), "--db", db_url])
    assert failed.exit_code == 2
    assert f"收件箱目录“{data_dir / 'missing'}”不存在" in failed.output


def test_rows_read_in_a_snapshot_leave_out_a_file_stored_after_it_began(engine, inbox, tmp_path):
    # PostgreSQL reads through a second connection (Arrow): it must see what the snapshot sees, no more.
    ingest_inbox(inbox, engine, tmp_path / "archive")
    later = tmp_path / "later"
    later.mkdir()
    (later / "platform_cases_2026Q2.csv").write_text(
        "case_id,platform,unit_id,received_at,due_at,closed_at,rating\nG9,媒体,U0002,2026-04-01,2026-04-03,,满意\n",
        encoding="utf-8")
    with snapshot(engine) as conn:
        # The snapshot begins with the connection's first statement (a run reads its data state first); the rows
        # are read after a file has been stored meanwhile, so the second connection must take up the snapshot.
        files = conn.execute(select(func.count()).select_from(ingested_files)).scalar_one()
        assert ingest_inbox(later, engine, tmp_path / "archive").totals()["rows_accepted"] == 1
        assert load_dataset(conn, "platform_cases")["case_id"].tolist() == ["G1", "G2"]
        assert conn.execute(select(func.count()).select_from(ingested_files)).scalar_one() == files
        window = dataset_tables["platform_cases"].c.received_at < pd.Timestamp("2026-01-05 10:00").to_pydatetime()
        assert load_dataset(conn, "platform_cases", where=window)["case_id"].tolist() == ["G1"]
    assert load_dataset(engine, "platform_cases")["case_id"].tolist() == ["G1", "G2", "G9"]


def test_values_as_offices_write_them_survive_the_database(engine, inbox, tmp_path):
    # 长期坚持 is stored as the last day a date holds and read back as such; a UTC time as Beijing time;
    # a platform variant as the platform; in SQLite and PostgreSQL alike.
    (inbox / "platform_cases_2026Q1.csv").write_text(
        "case_id,platform,unit_id,received_at,due_at,closed_at,rating\n"
        "G1,12345热线,U0001,2026-01-05T00:30:00Z,2026/1/10,,非常满意\n", encoding="utf-8")
    (inbox / "commitments_2026.csv").write_text(
        "承诺编码,年度,单位编码,承诺内容,服务标准,具体措施,完成时限\n"
        "C1,2026,U0001,窗口服务好差评全覆盖,评价率100%,每月通报,长期坚持\n"
        "C2,2026,U0001,企业开办一日办结,当日办结,综合受理,2026年6月底\n", encoding="utf-8")
    ingest_inbox(inbox, engine, tmp_path / "archive")
    commitments = load_dataset(engine, "commitments")
    assert commitments["deadline"].tolist() == [pd.Timestamp("9999-12-31"), pd.Timestamp("2026-06-30")]
    cases = load_dataset(engine, "platform_cases")
    assert cases[["platform", "received_at", "rating"]].astype(object).values.tolist() == \
        [["12345政府服务热线", pd.Timestamp("2026-01-05 08:30"), "满意"]]


def _archived(tmp_path) -> list[str]:
    return sorted(str(p.relative_to(tmp_path / "archive")) for p in (tmp_path / "archive").rglob("*"))


def test_a_file_replaced_while_it_is_read_is_stored_as_it_is_after(engine, inbox, tmp_path, monkeypatch):
    """A file replaced after it was listed (a second delivery over the first) is not stored under the checksum of
    what was there before: the intake starts again, and the stored rows, the audit trail and the archive are all
    of the file as it is after."""
    cases = inbox / "platform_cases_2026Q1.csv"
    first = sha256(cases)
    read, reads = ingest.read_table, []

    def replaced_after_reading(path, dataset):
        table = read(path, dataset)
        reads.append(path.name)
        if path == cases and reads.count(cases.name) == 1:
            cases.write_text(CASES_CSV.replace("G4,媒体,U0003,2026-01-05,2026-01-06,,满意\n", ""), encoding="utf-8-sig")
        return table

    monkeypatch.setattr(ingest, "read_table", replaced_after_reading)
    report = ingest_inbox(inbox, engine, tmp_path / "archive")
    after = sha256(cases)
    assert after != first and reads.count(cases.name) == 2
    with engine.connect() as conn:
        files = dict(conn.execute(select(ingested_files.c.file_name, ingested_files.c.sha256)).all())
        stored = sorted(conn.execute(select(dataset_tables["platform_cases"].c.case_id)).scalars())
    assert files["platform_cases_2026Q1.csv"] == after
    assert stored == ["G1", "G2"]
    assert {f.file_name: f.rows_read for f in report.files}["platform_cases_2026Q1.csv"] == 4  # five before
    assert f"{after[:2]}/{after}/platform_cases_2026Q1.csv" in _archived(tmp_path)
    assert not any(first in name for name in _archived(tmp_path))


def test_a_file_changed_before_it_is_archived_is_not_archived_under_the_old_checksum(engine, inbox, tmp_path,
                                                                                      monkeypatch):
    """The archive takes the checksum of what it copies: a file rewritten in place after its rows were stored, at its
    old size and with its old modification time (nothing but the bytes tells it apart), is not archived under the
    old checksum; the intake starts again and stores the file as it is."""
    cases = inbox / "platform_cases_2026Q1.csv"
    first, store, stored = sha256(cases), ingest.store_file, []

    def rewritten_once_stored(conn, item, digest, archived, result, who=None):
        file_id = store(conn, item, digest, archived, result, who)
        stored.append(item.name)
        if item.path == cases and stored.count(cases.name) == 1:
            status = cases.stat()
            cases.write_text(CASES_CSV.replace("G1,媒体", "G7,媒体"), encoding="utf-8-sig")
            os.utime(cases, ns=(status.st_atime_ns, status.st_mtime_ns))
            assert cases.stat().st_size == status.st_size
        return file_id

    monkeypatch.setattr(ingest, "store_file", rewritten_once_stored)
    ingest_inbox(inbox, engine, tmp_path / "archive")
    after = sha256(cases)
    assert stored.count(cases.name) == 2
    with engine.connect() as conn:
        files = conn.execute(select(ingested_files.c.file_name, ingested_files.c.sha256)).all()
        cases_stored = sorted(conn.execute(select(dataset_tables["platform_cases"].c.case_id)).scalars())
    assert sorted(files) == sorted([("units_2026.csv", sha256(inbox / "units_2026.csv")),
                                    ("platform_cases_2026Q1.csv", after)])
    assert cases_stored == ["G2", "G7"]
    assert (tmp_path / "archive" / after[:2] / after / cases.name).read_bytes() == cases.read_bytes()
    assert not any(first in name for name in _archived(tmp_path))
    assert not any(name.rpartition("/")[2].startswith(".part-") for name in _archived(tmp_path))


def test_a_file_that_keeps_changing_stops_the_intake_naming_it(engine, inbox, tmp_path, monkeypatch):
    cases = inbox / "platform_cases_2026Q1.csv"
    read = ingest.read_table

    def appended_to_while_read(path, dataset):
        table = read(path, dataset)
        if path == cases:
            with cases.open("a", encoding="utf-8") as handle:
                handle.write("G9,媒体,U0001,2026-01-05,2026-01-06,,满意\n")
        return table

    monkeypatch.setattr(ingest, "read_table", appended_to_while_read)
    with pytest.raises(AssessError) as caught:
        ingest_inbox(inbox, engine, tmp_path / "archive")
    assert "platform_cases_2026Q1.csv" in str(caught.value) and "本次未入库任何文件" in str(caught.value)
    assert [_count(engine, t) for t in (ingested_files, rejected_rows, dataset_tables["units"])] == [0, 0, 0]
    assert _archived(tmp_path) == []


def test_a_file_that_keeps_changing_after_it_is_stored_leaves_no_file_in_the_archive(engine, inbox, tmp_path,
                                                                                      monkeypatch):
    """The archive takes all of an intake's files or none: the registry, copied before the cases' copy finds them
    changed, is not left in the archive of an intake that stored nothing."""
    cases, store = inbox / "platform_cases_2026Q1.csv", ingest.store_file

    def rewritten_each_time_stored(conn, item, digest, archived, result, who=None):
        file_id = store(conn, item, digest, archived, result, who)
        if item.path == cases:
            status, text = cases.stat(), cases.read_text(encoding="utf-8-sig")
            cases.write_text(text.replace("G1,", "G7,") if "G1," in text else text.replace("G7,", "G1,"),
                             encoding="utf-8-sig")
            os.utime(cases, ns=(status.st_atime_ns, status.st_mtime_ns))
        return file_id

    monkeypatch.setattr(ingest, "store_file", rewritten_each_time_stored)
    with pytest.raises(AssessError) as caught:
        ingest_inbox(inbox, engine, tmp_path / "archive")
    assert "platform_cases_2026Q1.csv" in str(caught.value)
    assert [_count(engine, t) for t in (ingested_files, rejected_rows, dataset_tables["units"])] == [0, 0, 0]
    assert _archived(tmp_path) == []


def test_a_copy_that_cannot_be_renamed_into_the_archive_leaves_nothing_there(engine, inbox, tmp_path, monkeypatch):
    """The archive takes all of an intake's files or none, also when renaming a copy into place fails (an error of
    the disk): the copy renamed before it is taken out again, no temporary copy is left, nothing is stored."""
    replace, renamed, archive = os.replace, [], tmp_path / "archive"

    def failing_second(source, target):
        into_archive = Path(target).is_relative_to(archive)
        if into_archive and len(renamed) == 1:
            raise OSError(5, "Input/output error")
        replace(source, target)
        if into_archive:
            renamed.append(target)

    monkeypatch.setattr(ingest.os, "replace", failing_second)
    with pytest.raises(OSError):
        ingest_inbox(inbox, engine, tmp_path / "archive")
    assert len(renamed) == 1 and not os.path.exists(renamed[0])
    assert _archived(tmp_path) == []
    assert [_count(engine, t) for t in (ingested_files, rejected_rows, dataset_tables["units"])] == [0, 0, 0]


def test_a_file_read_while_another_stood_in_its_place_is_read_again(engine, inbox, tmp_path, monkeypatch):
    """The file is back as it was listed by the time it is archived (its checksum as listed): only its fingerprint
    tells that the rows read came from another file, which stood in its place while it was read."""
    cases = inbox / "platform_cases_2026Q1.csv"
    read, reads = ingest.read_table, []

    def read_while_replaced(path, dataset):
        reads.append(path.name)
        if path != cases or reads.count(cases.name) > 1:
            return read(path, dataset)
        listed = cases.read_bytes()
        cases.write_text(CASES_CSV.replace("G1,媒体", "G7,媒体"), encoding="utf-8-sig")
        table = read(path, dataset)
        cases.write_bytes(listed)
        return table

    monkeypatch.setattr(ingest, "read_table", read_while_replaced)
    ingest_inbox(inbox, engine, tmp_path / "archive")
    assert reads.count(cases.name) == 2
    with engine.connect() as conn:
        stored = sorted(conn.execute(select(dataset_tables["platform_cases"].c.case_id)).scalars())
        files = dict(conn.execute(select(ingested_files.c.file_name, ingested_files.c.sha256)).all())
    assert stored == ["G1", "G2"] and files[cases.name] == sha256(cases)
