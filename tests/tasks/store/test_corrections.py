"""Correction files, withdrawal and restore, the audit log and past data states (SPEC §6), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import tasks.store.audit as audit
from flows.cli import app
from tasks.errors import AssessError
from tasks.inbox.ingest import WITHDRAWN_NOTE, ingest_inbox
from tasks.store.datasets import load_dataset
from tasks.store.state import position, state_at
from tasks.store.tables import data_events, dataset_tables, ingested_files
from tasks.store.withdrawal import restore, withdraw

UNITS = ("unit_id,unit_name,category,region,level,is_window\n"
         "U0001,市行政服务中心,政府涉企涉民部门,市直,市级,是\nU0002,市税务局,政府涉企涉民部门,市直,市级,是\n")
SURVEY = ("period,respondent_id,respondent_group,unit_id,dimension,grade\n"
          "2026H1,R1,机关,U0001,精神状态,满意\n"
          "2026H1,R1,机关,U0002,精神状态,满意\n"
          "2026H1,R2,社会各界,U0001,精神状态,基本满意\n")
# R1's answer on U0001 was keyed in wrongly; R3's was missed.
CORRECTION = ("period,respondent_id,respondent_group,unit_id,dimension,grade\n"
              "2026H1,R1,机关,U0001,精神状态,不满意\n"
              "2026H1,R3,社会各界,U0002,精神状态,满意\n")
REPEAT = "period,respondent_id,respondent_group,unit_id,dimension,grade\n2026H1,R2,社会各界,U0001,精神状态,满意\n"


def _deliver(folder, name: str, text: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def _grades(source, state=None) -> dict[tuple[str, str], str]:
    frame = load_dataset(source, "survey_responses", state=state)
    return dict(zip(zip(frame["respondent_id"], frame["unit_id"]), frame["grade"].astype("str")))


@pytest.fixture
def stored(engine, tmp_path):
    """Units and the first survey file stored; then the correction file."""
    ingest_inbox(_deliver(_deliver(tmp_path / "one", "units_2026.csv", UNITS), "survey_responses_2026H1.csv", SURVEY),
                 engine, tmp_path / "archive", who="李文")
    report = ingest_inbox(_deliver(tmp_path / "two", "更正_survey_responses_2026H1.csv", CORRECTION), engine,
                          tmp_path / "archive", who="李文")
    return report


def test_a_correction_replaces_the_row_with_its_key_and_keeps_the_old_one_marked(engine, stored):
    assert [(f.file_name, f.status, f.rows_accepted, f.rows_rejected) for f in stored.files] == [
        ("更正_survey_responses_2026H1.csv", "ingested", 2, 0)]
    assert _grades(engine) == {("R1", "U0001"): "不满意", ("R1", "U0002"): "满意", ("R2", "U0001"): "基本满意",
                               ("R3", "U0002"): "满意"}
    table = dataset_tables["survey_responses"]
    with engine.connect() as conn:
        rows = conn.execute(select(table.c._id, table.c.grade, table.c._file_id, table.c._superseded_by,
                                   table.c._superseded_at).where(table.c.respondent_id == "R1",
                                                                 table.c.unit_id == "U0001").order_by(table.c._id)).all()
        files = dict(conn.execute(select(ingested_files.c.file_name, ingested_files.c.file_id)).all())
        event = conn.execute(select(data_events).order_by(data_events.c.event_id.desc()).limit(1)).mappings().one()
    correction = files["更正_survey_responses_2026H1.csv"]
    (old_id, old_grade, old_file, by, at), (_, new_grade, new_file, new_by, _) = rows
    assert (old_grade, old_file, by) == ("满意", files["survey_responses_2026H1.csv"], correction)
    assert (new_grade, new_file, new_by) == ("不满意", correction, None)
    assert at == event["at"]  # superseded when the correction came in
    assert (event["kind"], event["actor"], event["rows"], event["file_id"]) == ("correction", "李文", 2, correction)
    assert event["detail"] == {"replaced": [old_id], "added": 1}


def test_a_plain_file_repeating_a_stored_key_is_told_to_send_a_correction(engine, stored, tmp_path):
    report = ingest_inbox(_deliver(tmp_path / "three", "survey_responses_2026H1_补报.csv", REPEAT), engine,
                          tmp_path / "archive")
    assert report.files[0].rows_rejected == 1
    assert list(report.files[0].reasons) == ["期次、测评人编码、单位编码、测评项目已入库,不能重复提交,"
                                             "如需修改已入库的数据,请报送文件名中含有更正二字的更正文件"]
    assert _grades(engine)[("R2", "U0001")] == "基本满意"


def test_withdraw_and_restore_change_what_counts_and_nothing_is_deleted(engine, stored, tmp_path):
    both = _grades(engine)
    withdrawn = withdraw(engine, "更正_survey_responses_2026H1.csv", "更正依据有误,待核实", by="王芳")
    assert (withdrawn.rows, withdrawn.recounted) == (2, 1)  # R1's first answer counts again
    assert withdrawn.text("撤回").startswith("已撤回文件“更正_survey_responses_2026H1.csv”(群众满意度测评")
    assert _grades(engine) == {("R1", "U0001"): "满意", ("R1", "U0002"): "满意", ("R2", "U0001"): "基本满意"}
    # The same bytes delivered again are skipped, with the way back named.
    again = ingest_inbox(_deliver(tmp_path / "again", "更正_survey_responses_2026H1.csv", CORRECTION), engine,
                         tmp_path / "archive")
    assert [(f.status, f.notes) for f in again.files] == [("skipped", [WITHDRAWN_NOTE])]
    sha = hashlib.sha256(CORRECTION.encode()).hexdigest()
    restored = restore(engine, sha, "核实无误", by="王芳")
    assert (restored.rows, restored.recounted) == (2, 1)
    assert _grades(engine) == both
    withdraw(engine, "survey_responses_2026H1.csv", "整份文件报错了期次")
    assert _grades(engine) == {("R1", "U0001"): "不满意", ("R3", "U0002"): "满意"}
    table = dataset_tables["survey_responses"]
    with engine.connect() as conn:
        assert len(conn.execute(select(table.c._id)).all()) == 5  # every row ever delivered is still stored


def test_past_data_states_read_the_rows_as_they_stood(engine, stored, tmp_path):
    with engine.connect() as conn:
        corrected = position(conn)
    seen = {corrected: _grades(engine)}
    withdraw(engine, "survey_responses_2026H1.csv", "期次报错")
    with engine.connect() as conn:
        seen[position(conn)] = _grades(engine)
    restore(engine, "survey_responses_2026H1.csv", "期次无误")
    with engine.connect() as conn:
        seen[position(conn)] = _grades(engine)
        seen[1] = {}  # the units file only
        seen[2] = {("R1", "U0001"): "满意", ("R1", "U0002"): "满意", ("R2", "U0001"): "基本满意"}
        for at, grades in seen.items():
            assert _grades(conn, state_at(conn, at, None)) == grades, at


def test_a_failed_withdrawal_changes_nothing(engine, stored, monkeypatch):
    before = _grades(engine)

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(OSError):
        withdraw(engine, "更正_survey_responses_2026H1.csv", "测试")
    assert _grades(engine) == before
    with engine.connect() as conn:
        assert not any(conn.execute(select(ingested_files.c.withdrawn)).scalars())


@pytest.mark.parametrize("ref, reason, message", [
    ("nosuch.csv", "原因", "库中没有名为或 SHA-256 为“nosuch.csv”的已入库文件"),
    ("units_2026.csv", " ", "撤回文件须用 --reason 写明原因"),
])
def test_withdrawal_refusals(engine, stored, ref, reason, message):
    with pytest.raises(AssessError, match=message):
        withdraw(engine, ref, reason)


def test_a_file_withdrawn_twice_or_restored_unwithdrawn_is_refused(engine, stored):
    with pytest.raises(AssessError, match="未被撤回,无需恢复"):
        restore(engine, "units_2026.csv", "无")
    withdraw(engine, "units_2026.csv", "名册作废")
    with pytest.raises(AssessError, match="已撤回,无需再次撤回"):
        withdraw(engine, "units_2026.csv", "名册作废")


def test_two_files_of_one_name_are_told_apart_by_sha(engine, stored, tmp_path):
    ingest_inbox(_deliver(tmp_path / "other" / "第二批", "units_2026.csv", UNITS.replace("市税务局", "市税务局(新)")),
                 engine, tmp_path / "archive")
    with pytest.raises(AssessError, match="有 2 个已入库文件名为“units_2026.csv”.*请改用 SHA-256"):
        withdraw(engine, "units_2026.csv", "重复")


def test_assess_history_in_chinese(engine, db_url, stored):
    runner = CliRunner()
    withdrawn = runner.invoke(app, ["withdraw", "更正_survey_responses_2026H1.csv", "--reason", "待核实", "--by", "王芳",
                                    "--db", db_url])
    assert withdrawn.exit_code == 0, withdrawn.output
    result = runner.invoke(app, ["history", "--dataset", "survey_responses", "--db", db_url])
    lines = result.output.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("#2 ") and "入库 survey_responses_2026H1.csv(群众满意度测评,3 行);操作人:李文" in lines[0]
    assert "更正 更正_survey_responses_2026H1.csv(群众满意度测评,2 行,替换已入库记录 1 行,新增 1 行);操作人:李文" \
        in lines[1]
    assert "撤回 更正_survey_responses_2026H1.csv(群众满意度测评,2 行,另有 1 行因此改变是否计入);操作人:王芳;原因:待核实" \
        in lines[2]
    unit = runner.invoke(app, ["history", "--unit", "U0002", "--db", db_url]).output.splitlines()
    assert [line.split()[4] for line in unit] == ["units_2026.csv(窗口单位名册,2", "survey_responses_2026H1.csv(群众满意度测评,3",
                                                  "更正_survey_responses_2026H1.csv(群众满意度测评,2",
                                                  "更正_survey_responses_2026H1.csv(群众满意度测评,2"]
    assert "(其中单位 U0002 的 1 行)" in unit[1]
    refused = runner.invoke(app, ["history", "--dataset", "nosuch", "--db", db_url])
    assert refused.exit_code == 2 and "没有名为“nosuch”的数据集" in refused.output
