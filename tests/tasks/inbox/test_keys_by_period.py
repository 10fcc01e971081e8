"""The stored keys of survey answers (a key leading with the period) are read for the periods a file names only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tasks.inbox import ingest
from tasks.inbox.ingest import ingest_inbox
from tasks.inbox.keys import KeysByPeriod
from tasks.store.datasets import load_rejected
from tasks.store.tables import dataset_tables
from tests.helpers import deliver

HEADER = "period,respondent_id,respondent_group,unit_id,dimension,grade\n"
UNITS = "unit_id,unit_name,category,region,level,is_window\nU0001,市行政服务中心,政府涉企涉民部门,市直,市级,是\n"
REPEATED = "已入库,不能重复提交,如需修改已入库的数据,请报送文件名中含有更正二字的更正文件"


def _key_reads(monkeypatch) -> list[tuple[str, dict | None, list[str]]]:
    """Every read of stored keys from now on: dataset, the values it narrows by (None: every key; the periods and,
    for a few rows, the values of the lookup column), the keys read."""
    reads, stored_keys = [], ingest._stored_keys

    def recorded(conn, dataset, only=None, within=None):
        keys = stored_keys(conn, dataset, only, within)
        reads.append((dataset.name, {**(only or {}), **(within or {})} or None, sorted(keys)))
        return keys

    monkeypatch.setattr(ingest, "_stored_keys", recorded)
    return reads


R1_2026H1 = "2026H1\x1fR1\x1fU0001\x1f精神状态"
# What the checks read, per batch of rows, with a file of few rows read as a large one (whole periods, once each) and
# as itself (of its periods not read whole, only the keys of its answer sheets).
READS = {
    "whole": ([({"period": ["2026H1"]}, [R1_2026H1])], [({"period": ["2025H1", "2026H2"]}, 2)]),
    # (R3 of 2026H1 is looked up once, for the first file: the second finds it looked up)
    "narrow": ([({"period": ["2026H1"], "respondent_id": ["R1", "R3"]}, [R1_2026H1])],
               [({"period": ["2025H1", "2026H2"], "respondent_id": ["R2"]}, 1)]),
}


@pytest.mark.parametrize("reading", ["whole", "narrow"])
def test_a_survey_file_is_checked_against_the_keys_of_its_own_periods(engine, tmp_path, monkeypatch, reading):
    if reading == "whole":
        monkeypatch.setattr(KeysByPeriod, "NARROW_ROWS", 0)
    ingest_inbox(deliver(tmp_path / "one", {
        "units_2026.csv": UNITS,
        "survey_responses_2025H1.csv": HEADER + "2025H1,R1,机关,U0001,精神状态,满意\n2025H1,R2,机关,U0001,精神状态,满意\n",
        "survey_responses_2026H1.csv": HEADER + "2026H1,R1,机关,U0001,精神状态,满意\n",
    }), engine, tmp_path / "archive")
    reads = _key_reads(monkeypatch)
    ingest_inbox(deliver(tmp_path / "two", {
        # The first of these answers was stored before; the second is new, the third its repetition a file later.
        "survey_responses_2026H1_补报.csv": HEADER + "2026H1,R1,机关,U0001,精神状态,满意\n"
                                                     "2026H1,R3,机关,U0001,精神状态,满意\n",
        "survey_responses_2026H1_补报二.csv": HEADER + "2026H1,R3,机关,U0001,精神状态,基本满意\n",
    }), engine, tmp_path / "archive")
    survey = [(only, keys) for name, only, keys in reads if name == "survey_responses"]
    # Of 2026H1's one key: nothing of 2025H1, however many years are stored.
    assert survey == READS[reading][0]
    rejected = load_rejected(engine, "survey_responses")
    assert sorted(zip(rejected["file_name"], rejected["reason"])) == [
        ("survey_responses_2026H1_补报.csv", "期次、测评人编码、单位编码、测评项目“2026H1、R1、U0001、精神状态”" + REPEATED),
        ("survey_responses_2026H1_补报二.csv", "期次、测评人编码、单位编码、测评项目“2026H1、R3、U0001、精神状态”" + REPEATED)]

    reads.clear()
    ingest_inbox(deliver(tmp_path / "three", {
        "survey_responses_补报.csv": HEADER + "2025H1,R2,机关,U0001,精神状态,满意\n"
                                              "2026H2,R2,机关,U0001,精神状态,满意\n"}), engine, tmp_path / "archive")
    assert [(only, len(keys)) for name, only, keys in reads if name == "survey_responses"] == READS[reading][1]
    table = dataset_tables["survey_responses"]
    with engine.connect() as conn:
        answers = sorted(conn.execute(select(table.c.period, table.c.respondent_id)).all())
    # The repeated answer of 2025H1 was refused, the new one of 2026H2 stored.
    assert answers == [("2025H1", "R1"), ("2025H1", "R2"), ("2026H1", "R1"), ("2026H1", "R3"), ("2026H2", "R2")]


def test_periods_no_row_could_hold_are_not_looked_for(engine, tmp_path, monkeypatch):
    """A year of ten digits is refused by the file's rules, not sent to the database as an integer it cannot hold;
    a file naming more periods than are worth one query each has every stored key read once."""
    ingest_inbox(deliver(tmp_path / "one", {
        "units_2026.csv": UNITS,
        "superior_scores_2025.csv": "year,unit_id,evaluator,score\n2025,U0001,市委办,95\n",
        "survey_responses_2026H1.csv": HEADER + "2026H1,R1,机关,U0001,精神状态,满意\n",
    }), engine, tmp_path / "archive")
    reads = _key_reads(monkeypatch)
    many = "".join(f"{year}H1,R{year},机关,U0001,精神状态,满意\n" for year in range(1000, 1000 + 1001)) + \
        "2026H1,R1,机关,U0001,精神状态,满意\n2026H3,R5,机关,U0001,精神状态,满意\n"
    report = ingest_inbox(deliver(tmp_path / "two", {
        "superior_scores_2026.csv": "year,unit_id,evaluator,score\n9999999999,U0001,市委办,90\n2025,U0001,市委办,95\n"
                                    "2026,U0001,市委办,96\n",
        "survey_responses_补报.csv": HEADER + many,
    }), engine, tmp_path / "archive")
    assert sorted((name, str(only), len(keys)) for name, only, keys in reads
                  if name in ("superior_scores", "survey_responses")) \
        == [("superior_scores", str({"year": [2025, 2026], "unit_id": ["U0001"]}), 1), ("survey_responses", "None", 1)]
    rejected = load_rejected(engine, "superior_scores")
    assert sorted(rejected["row_number"].tolist()) == [2, 3]  # the year of ten digits, the repeated score of 2025
    counts = {f.file_name: (f.rows_accepted, f.rows_rejected) for f in report.files}
    assert counts["superior_scores_2026.csv"] == (1, 2)
    # The answer of 2026H1 repeats a stored one; 2026H3 is no period.
    assert counts["survey_responses_补报.csv"] == (1001, 2)


def test_a_waiting_answer_repeating_one_delivered_with_its_unit_is_refused_as_stored(engine, tmp_path):
    """A registry and survey answers arrive together: the answers waiting for the unit the registry brings are
    checked against the keys of their period as stored and as delivered by this intake's files."""
    ingest_inbox(deliver(tmp_path / "one", {
        "units_2026.csv": UNITS,
        "survey_responses_2026H1.csv": HEADER + "2026H1,R1,机关,U0001,精神状态,满意\n2026H1,R9,机关,U0101,精神状态,满意\n",
    }), engine, tmp_path / "archive")
    report = ingest_inbox(deliver(tmp_path / "two", {
        "units_late.csv": "unit_id,unit_name,category,region,level,is_window\nU0101,市公积金中心,政府涉企涉民部门,市直,市级,是\n",
        "survey_responses_2026H1_补报.csv": HEADER + "2026H1,R9,机关,U0101,精神状态,不满意\n",
    }), engine, tmp_path / "archive")
    assert report.revalidated == {}
    table = dataset_tables["survey_responses"]
    with engine.connect() as conn:
        answers = sorted(conn.execute(select(table.c.respondent_id, table.c.grade)).all())
    assert answers == [("R1", "满意"), ("R9", "不满意")]
    rejected = load_rejected(engine, "survey_responses")
    assert rejected[["file_name", "reason"]].values.tolist() == [
        ["survey_responses_2026H1.csv", "期次、测评人编码、单位编码、测评项目“2026H1、R9、U0101、精神状态”" + REPEATED]]
