"""Rows rejected only for a unit nobody had registered get in once it is registered, under their own file."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from typer.testing import CliRunner

import tasks.inbox.revalidation as revalidation
from flows.cli import app
from tasks.store.tables import dataset_tables, ingested_files
from tasks.inbox.revalidation import revalidate
from tasks.inbox.ingest import ingest_inbox
from tasks.store.datasets import load_rejected

SURVEY = ("period,respondent_id,respondent_group,unit_id,dimension,grade\n"
          "2026H1,R1,机关,U0001,精神状态,满意\n"
          "2026H1,R1,机关,U0101,精神状态,满意\n"   # U0101 not registered yet: waits for it
          "2026H1,R1,机关,U0101,工作落实,很好\n"    # also a grade nobody allows: no registry can let it in
          "2026H1,R2,机关,U0102,精神状态,不满意\n")  # U0102 will be registered, but as no window unit
UNITS = "unit_id,unit_name,category,region,level,is_window\nU0001,市行政服务中心,政府涉企涉民部门,市直,市级,是\n"
LATE_UNITS = ("unit_id,unit_name,category,region,level,is_window\n"
              "U0101,市公积金中心,政府涉企涉民部门,市直,市级,是\nU0102,市档案馆,党群部门,市直,市级,否\n")


def _deliver(folder, name: str, text: str):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def _survey_state(engine) -> tuple[list, list]:
    table = dataset_tables["survey_responses"]
    with engine.connect() as conn:
        stored = conn.execute(select(ingested_files.c.file_name, table.c._row_number, table.c.unit_id)
                              .join(ingested_files, ingested_files.c.file_id == table.c._file_id)
                              .order_by(table.c._id)).all()
        files = conn.execute(select(ingested_files.c.file_name, ingested_files.c.rows_read,
                                    ingested_files.c.rows_accepted, ingested_files.c.rows_rejected)
                             .order_by(ingested_files.c.file_id)).all()
    return [tuple(r) for r in stored], [tuple(f) for f in files]


def test_rows_waiting_for_a_unit_get_in_at_the_next_ingest(engine, tmp_path):
    first = _deliver(_deliver(tmp_path / "one", "units_2026.csv", UNITS), "survey_responses_2026H1.csv", SURVEY)
    ingest_inbox(first, engine, tmp_path / "archive")
    report = ingest_inbox(_deliver(tmp_path / "two", "units_late.csv", LATE_UNITS), engine, tmp_path / "archive")
    # The row waiting only for U0101 is stored under its own file and row; the report says one got in.
    assert report.revalidated == {"survey_responses": 1}
    assert "重新校验:此前因引用的单位或对象尚未登记而拒收的群众满意度测评数据,本次有 1 行通过并入库" in report.as_text()
    stored, files = _survey_state(engine)
    assert stored == [("survey_responses_2026H1.csv", 2, "U0001"), ("survey_responses_2026H1.csv", 3, "U0101")]
    # accepted + rejected = read still holds for the survey file: one row moved from rejected to accepted.
    assert files == [("units_2026.csv", 1, 1, 0), ("survey_responses_2026H1.csv", 4, 2, 2),
                     ("units_late.csv", 2, 2, 0)]
    rejected = load_rejected(engine, "survey_responses")
    assert rejected[["row_number", "reason"]].values.tolist() == [
        [4, "测评等次“很好”不在允许值(满意、基本满意、不满意、弃权)中;单位编码“U0101”不在窗口单位名册中"],
        # U0102 got registered as no window unit: the row waits no more, and says why.
        [5, "单位编码“U0102”在窗口单位名册中登记为非窗口单位(是否窗口单位=否),其测评答卷不计入测评"]]
    # Nothing waits any more: a second pass finds nothing to let in.
    assert revalidate(engine) == {}


def test_assess_revalidate_lets_waiting_rows_in(data_dir, db_url, tmp_path, monkeypatch):
    from tasks.store.engine import get_engine

    engine = get_engine(db_url)
    first = _deliver(_deliver(tmp_path / "one", "units_2026.csv", UNITS), "survey_responses_2026H1.csv", SURVEY)
    ingest_inbox(first, engine, tmp_path / "archive")
    # Units registered by an intake that did not look at waiting rows (as before this feature existed).
    with monkeypatch.context() as patched:
        patched.setattr(revalidation, "pending_rows", lambda conn, datasets=None: {})
        ingest_inbox(_deliver(tmp_path / "two", "units_late.csv", LATE_UNITS), engine, tmp_path / "archive")
    result = CliRunner().invoke(app, ["revalidate", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["重新校验完成:群众满意度测评(survey_responses)有 1 行通过并入库"]
    assert _survey_state(engine)[0][-1] == ("survey_responses_2026H1.csv", 3, "U0101")
    again = CliRunner().invoke(app, ["revalidate", "--db", db_url])
    assert again.output.splitlines() == ["重新校验完成:没有新通过的行(等待引用的行仍留在拒收清单中)。"]
    assert pd.Series(load_rejected(engine, "survey_responses")["row_number"]).tolist() == [4, 5]


def test_a_chain_of_waiting_rows_gets_in_at_the_next_ingest_even_without_new_files(engine, tmp_path):
    # A subject waits for its unit; the delivery that registers the unit also brings a commitment of that
    # subject, validated before the subject got in: that commitment waits one more ingest, not one more file.
    first = _deliver(_deliver(tmp_path / "one", "units_2026.csv", UNITS), "subjects_2026.csv",
                     "subject_id,subject_type,unit_id,name\nS9,党员,U0101,张三\n")
    ingest_inbox(first, engine, tmp_path / "archive")
    second = _deliver(_deliver(tmp_path / "two", "units_late.csv", LATE_UNITS), "commitments_2026.csv",
                      "commitment_id,year,unit_id,subject_id,content,service_standard,measures,deadline\n"
                      "C1,2026,U0101,S9,承诺,标准,措施,2026-06-30\n")
    report = ingest_inbox(second, engine, tmp_path / "archive")
    assert report.revalidated == {"subjects": 1}
    again = ingest_inbox(second, engine, tmp_path / "archive")  # the same files: nothing new to read
    assert again.revalidated == {"commitments": 1}
    with engine.connect() as conn:
        stored = conn.execute(select(dataset_tables["commitments"].c.commitment_id)).scalars().all()
    assert stored == ["C1"]


def test_assess_ingest_reads_with_the_policy_given(data_dir, db_url, tmp_path):
    # A city's own alias table decides how platform names are read, on the command line as in a run.
    from tasks.store.engine import get_engine

    policy = tmp_path / "city.yaml"
    policy.write_text("aliases:\n  platform:\n    江城热线: 12345政府服务热线\n", encoding="utf-8")
    inbox = _deliver(_deliver(tmp_path / "inbox", "units_2026.csv", UNITS), "platform_cases_2026.csv",
                     "case_id,platform,unit_id,received_at,due_at,closed_at,rating\n"
                     "K1,江城热线,U0001,2026-03-02 09:00,2026-03-09 09:00,2026-03-04 10:00,满意\n")
    result = CliRunner().invoke(app, ["ingest", "--inbox", str(inbox), "--db", db_url, "--policy", str(policy)])
    assert result.exit_code == 0, result.output
    with get_engine(db_url).connect() as conn:
        stored = conn.execute(select(dataset_tables["platform_cases"].c.platform)).scalars().all()
    assert stored == ["12345政府服务热线"]


def test_waiting_rows_are_checked_again_file_by_file_as_they_were_delivered(engine, tmp_path):
    # Two batches each carry the same answer for a unit nobody registered yet: within its own file neither is a
    # duplicate, so both wait for the unit. Checked again together they would look like one batch with a
    # duplicate in it, and a rerun that changed nothing would rewrite their reasons.
    header = "period,respondent_id,respondent_group,unit_id,dimension,grade\n"
    answer = "2026H1,R1,机关,U0101,精神状态,满意\n"
    inbox = _deliver(tmp_path / "one", "units_2026.csv", UNITS)
    _deliver(inbox, "survey_responses_2026H1_第一批.csv", header + answer)
    _deliver(inbox, "survey_responses_2026H1_第二批.csv", header + "2026H1,R2,机关,U0001,精神状态,满意\n" + answer)
    ingest_inbox(inbox, engine, tmp_path / "archive")
    waiting = "单位编码“U0101”不在窗口单位名册中"
    before = load_rejected(engine, "survey_responses")[["file_name", "row_number", "reason"]].values.tolist()
    assert before == [["survey_responses_2026H1_第一批.csv", 2, waiting],
                      ["survey_responses_2026H1_第二批.csv", 3, waiting]]

    assert ingest_inbox(_deliver(tmp_path / "again", "units_2026.csv", UNITS), engine, tmp_path / "archive"
                        ).revalidated == {}
    assert revalidate(engine) == {}
    assert load_rejected(engine, "survey_responses")[["file_name", "row_number", "reason"]].values.tolist() == before

    # Once the unit is registered the first batch's answer gets in, and the second's repeats a stored one.
    report = ingest_inbox(_deliver(tmp_path / "two", "units_late.csv", LATE_UNITS), engine, tmp_path / "archive")
    assert report.revalidated == {"survey_responses": 1}
    assert _survey_state(engine)[0] == [("survey_responses_2026H1_第二批.csv", 2, "U0001"),
                                        ("survey_responses_2026H1_第一批.csv", 2, "U0101")]
    assert load_rejected(engine, "survey_responses")[["file_name", "reason"]].values.tolist() == [
        ["survey_responses_2026H1_第二批.csv",
         "期次、测评人编码、单位编码、测评项目“2026H1、R1、U0101、精神状态”已入库,不能重复提交,"
         "如需修改已入库的数据,请报送文件名中含有更正二字的更正文件"]]


def test_a_recheck_reads_only_the_stored_keys_the_waiting_rows_could_meet(engine, tmp_path, monkeypatch):
    from tasks.inbox.ingest import known_references
    from tasks.inbox.revalidation import pending_rows

    # Stored: two window units and three answers; waiting: one answer, its unit typed in full-width characters
    # (the reader makes it U0101).
    units = UNITS + "U0002,市公安局,政府涉企涉民部门,市直,市级,是\n"
    survey = ("period,respondent_id,respondent_group,unit_id,dimension,grade\n"
              "2026H1,R1,机关,U0001,精神状态,满意\n2026H1,R2,机关,U0002,精神状态,满意\n"
              "2026H1,R3,机关,U0002,精神状态,满意\n2026H1,R3,机关,Ｕ０１０１,精神状态,满意\n")
    ingest_inbox(_deliver(_deliver(tmp_path / "one", "units_2026.csv", units), "survey_responses_2026H1.csv", survey),
                 engine, tmp_path / "archive")
    with engine.connect() as conn:
        known = known_references(conn, set(), pending_rows(conn))
    # Only respondent R3's stored answers and only unit U0101 (not registered) are read, not every key stored.
    assert known["survey_responses.period+respondent_id+unit_id+dimension"].tolist() == [
        "2026H1\x1fR3\x1fU0002\x1f精神状态"]
    assert known["units.unit_id"].tolist() == [] and known["units.unit_id:is_window"].tolist() == []

    # Registered by an intake that did not look at waiting rows: the check searches for U0101 and finds it.
    with monkeypatch.context() as patched:
        patched.setattr(revalidation, "pending_rows", lambda conn, datasets=None: {})
        ingest_inbox(_deliver(tmp_path / "two", "units_late.csv", LATE_UNITS), engine, tmp_path / "archive")
    assert revalidate(engine) == {"survey_responses": 1}
    assert _survey_state(engine)[0][-1] == ("survey_responses_2026H1.csv", 5, "U0101")


def test_the_waiting_rows_search_each_dataset_by_the_values_they_name(monkeypatch):
    import tasks.inbox.ingest as ingest

    def rows(name: str, data: list[dict]) -> pd.DataFrame:
        return pd.DataFrame({"id": range(len(data)), "file_id": 1, "dataset": name, "row_number": 2, "data": data})

    waiting = {"subjects": rows("subjects", [{"subject_id": "S9", "subject_type": "党员", "unit_id": "U0101",
                                               "name": "张三"}]),
               "leader_comments": rows("leader_comments", [{"comment_id": "K1", "date": "2026-03-02", "commenter_id": "L1",
                                                            "subject_id": "S8", "kind": "好"}])}
    lookups = ingest._waiting_lookups(waiting, set(), None)
    # Subjects are searched by their id for both: the subject's own key and the comment's reference.
    assert lookups["subjects"] == {"subject_id": ["S8", "S9"]} and lookups["units"] == {"unit_id": ["U0101"]}
    assert lookups["leader_comments"] == {"comment_id": ["K1"]}
    # A dataset searched by two columns is searched by both (no dataset is, today).
    monkeypatch.setattr(ingest, "lookup_column", lambda dataset: "name" if dataset.name == "subjects"
                        else dataset.key[0])
    assert ingest._waiting_lookups(waiting, set(), None)["subjects"] == {"name": ["张三"], "subject_id": ["S8"]}
    # What is read whole anyway is not searched; nor is a dataset whose waiting rows name too many values.
    assert "subjects" not in ingest._waiting_lookups(waiting, {"subjects"}, None)
    monkeypatch.setattr(ingest, "WAITING_LOOKUP_LIMIT", 1)
    assert ingest._waiting_lookups(waiting, set(), None)["subjects"] is None


def test_waiting_rows_are_checked_again_only_when_what_they_may_wait_for_arrives(engine, tmp_path, monkeypatch):
    """A delivery of survey answers cannot register a unit: the answers waiting for one are not checked again (each
    check of a file's waiting rows hashes every stored key it could clash with, however many years are stored)."""
    ingest_inbox(_deliver(_deliver(tmp_path / "one", "units_2026.csv", UNITS), "survey_responses_2026H1.csv", SURVEY),
                 engine, tmp_path / "archive")
    checked, accept_file = [], revalidation._accept_file

    def recorded(conn, dataset, file_id, rows, known, policy, who):
        checked.append((dataset.name, len(rows)))
        return accept_file(conn, dataset, file_id, rows, known, policy, who)

    monkeypatch.setattr(revalidation, "_accept_file", recorded)
    report = ingest_inbox(_deliver(tmp_path / "two", "survey_responses_2026H2.csv",
                                   "period,respondent_id,respondent_group,unit_id,dimension,grade\n"
                                   "2026H2,R1,机关,U0001,精神状态,满意\n"), engine, tmp_path / "archive")
    assert checked == [] and report.revalidated == {}
    report = ingest_inbox(_deliver(tmp_path / "three", "units_late.csv", LATE_UNITS), engine, tmp_path / "archive")
    assert checked == [("survey_responses", 2)] and report.revalidated == {"survey_responses": 1}


def test_a_registry_restored_lets_the_rows_waiting_for_it_in_at_the_next_intake(engine, tmp_path):
    from tasks.store.withdrawal import restore, withdraw

    ingest_inbox(_deliver(_deliver(tmp_path / "one", "units_2026.csv", UNITS), "units_late.csv", LATE_UNITS),
                 engine, tmp_path / "archive")
    withdraw(engine, "units_late.csv", "名册有误")
    ingest_inbox(_deliver(tmp_path / "two", "survey_responses_2026H1.csv", SURVEY), engine, tmp_path / "archive")
    assert [row[2] for row in _survey_state(engine)[0]] == ["U0001"]  # U0101 and U0102 are not registered now
    restore(engine, "units_late.csv", "名册无误")
    report = ingest_inbox(_deliver(tmp_path / "three", "survey_responses_2026H2.csv",
                                   "period,respondent_id,respondent_group,unit_id,dimension,grade\n"
                                   "2026H2,R1,机关,U0001,精神状态,满意\n"), engine, tmp_path / "archive")
    assert report.revalidated == {"survey_responses": 1}
    assert [row[1:] for row in _survey_state(engine)[0]] == [(2, "U0001"), (2, "U0001"), (3, "U0101")]
    again = ingest_inbox(_deliver(tmp_path / "four", "survey_responses_2027H1.csv",
                                  "period,respondent_id,respondent_group,unit_id,dimension,grade\n"
                                  "2027H1,R1,机关,U0001,精神状态,满意\n"), engine, tmp_path / "archive")
    assert again.revalidated == {}
