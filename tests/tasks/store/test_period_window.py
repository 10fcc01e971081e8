"""The period window: rejected/ and the data-quality appendix cover only the files that delivered the period's rows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from schemas.datasets import DATASETS
from tasks.store.engine import get_engine
from schemas.policy import Policy
from tasks.cycles.common import Run, cycle_data, data_quality, rejected_files
from tasks.cycles.spec import _file_events
from tasks.store.state import position
from tasks.store.window import window_files
from tasks.outputs.versions import start_version
from tasks.inbox.ingest import ingest_inbox
from tasks.store.datasets import quality_summary

GOOD = json.loads((Path(__file__).parents[2] / "samples" / "good_rows.json").read_text(encoding="utf-8"))
SURVEY = GOOD["survey_responses"]
FILES = {
    "units_名册.csv": ("units", [GOOD["units"]]),
    # Each half-year's file: one good answer and one with a grade nobody knows.
    "survey_responses_2026H1_第一批.csv": ("survey_responses", [SURVEY, {**SURVEY, "respondent_id": "R9", "grade": "很好"}]),
    "survey_responses_2026H2_第一批.csv": ("survey_responses", [
        {**SURVEY, "period": "2026H2"}, {**SURVEY, "period": "2026H2", "respondent_id": "R8", "grade": "差"}]),
}


@pytest.fixture
def stored(tmp_path):
    """Both half-years' survey files and the registry, ingested into one SQLite database."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, (dataset, rows) in FILES.items():
        pd.DataFrame(rows, columns=DATASETS[dataset].column_names).to_csv(inbox / name, index=False)
    db_url = f"sqlite:///{tmp_path / 'assess.db'}"
    ingest_inbox(inbox, get_engine(db_url), tmp_path / "archive")
    return db_url, tmp_path


@pytest.mark.parametrize(("period", "expected"), [
    # Each half-year sees the registry and its own survey file only.
    ("2026H1", ["units_名册.csv", "survey_responses_2026H1_第一批.csv"]),
    ("2026H2", ["units_名册.csv", "survey_responses_2026H2_第一批.csv"]),
    # A half-year without answers sees only the registry.
    ("2025H2", ["units_名册.csv"]),
])
def test_window_files_of_a_half_year(stored, period, expected):
    engine = get_engine(stored[0])
    names = quality_summary(engine, DATASETS, window_files(engine, "half-year", period))["file_name"]
    assert names.tolist() == expected


def test_appendix_and_rejected_rows_of_a_half_year_run(stored):
    db_url, root = stored
    run = Run("r1", "half-year", "2026H2", Policy(), None, "测试", start_version(root / "out", "half-year", "2026H2"))
    quality = data_quality(db_url, run.cycle, run.period)
    # Only the half-year's file, with the dataset named by its Chinese label.
    assert [(f["file_name"], f["dataset"], f["rows_read"], f["rows_rejected"]) for f in quality["files"]] == [
        ("units_名册.csv", "窗口单位名册", 1, 0), ("survey_responses_2026H2_第一批.csv", "群众满意度测评", 2, 1)]
    # H1's rejected answer (grade 很好) is another period's business; H2's (差) is this one's.
    assert quality["reasons"] == [
        {"dataset": "群众满意度测评", "reason": "测评等次不在允许值(满意、基本满意、不满意、弃权)中", "rows": 1}]
    assert quality["totals"] == {"rows_read": 3, "rows_accepted": 2, "rows_rejected": 1}
    counts = rejected_files(db_url, run)
    assert counts == {"units": 0, "survey_responses": 1, "subjects": 0, "leader_comments": 0, "rectification_plans": 0}
    rejected = pd.read_csv(run.version.path / "rejected" / "survey_responses.csv", encoding="utf-8-sig", dtype=str)
    assert rejected["file_name"].tolist() == ["survey_responses_2026H2_第一批.csv"]
    assert rejected["row_number"].tolist() == ["3"]


def _wholly_rejected(root: Path) -> None:
    """One more survey file of 2026H1 whose only answer has a grade nobody knows."""
    inbox = root / "more"
    inbox.mkdir()
    pd.DataFrame([{**SURVEY, "respondent_id": "R7", "grade": "极好"}], columns=DATASETS["survey_responses"].column_names
                 ).to_csv(inbox / "survey_responses_2026H1_第二批.csv", index=False)
    ingest_inbox(inbox, get_engine(f"sqlite:///{root / 'assess.db'}"), root / "archive")


def _names(engine, files) -> list[str]:
    return quality_summary(engine, DATASETS, list(files))["file_name"].tolist()


@pytest.mark.parametrize("period", ["2026H1", "2026H2"])
def test_a_run_learns_its_window_from_the_rows_it_loads(stored, period):
    # The files the loaded rows came from, and the wholly rejected files: what window_files reads, without its reads.
    db_url, root = stored
    _wholly_rejected(root)
    engine = get_engine(db_url)
    data = cycle_data(db_url, "half-year", period)
    assert _names(engine, data.window) == [
        "units_名册.csv", f"survey_responses_{period}_第一批.csv", "survey_responses_2026H1_第二批.csv"]
    assert list(data.window) == window_files(engine, "half-year", period, data.state)


def test_the_window_learnt_follows_withdrawals_and_corrections_and_the_past(stored):
    from tasks.store.state import state_at
    from tasks.store.withdrawal import withdraw

    db_url, root = stored
    engine = get_engine(db_url)
    with engine.connect() as conn:
        first = position(conn)
    # A correction replaces H1's only good answer; the file it corrected has no row that counts left in H1.
    fix = root / "fix"
    fix.mkdir()
    pd.DataFrame([{**SURVEY, "grade": "基本满意"}], columns=DATASETS["survey_responses"].column_names).to_csv(
        fix / "survey_responses_2026H1_更正.csv", index=False)
    ingest_inbox(fix, engine, root / "archive")
    _wholly_rejected(root)
    withdraw(engine, "survey_responses_2026H1_第二批.csv", "报送单位撤回")
    now = cycle_data(db_url, "half-year", "2026H1")
    assert _names(engine, now.window) == ["units_名册.csv", "survey_responses_2026H1_更正.csv"]
    assert list(now.window) == window_files(engine, "half-year", "2026H1", now.state)
    with engine.connect() as conn:
        then = state_at(conn, first, None)
    past = cycle_data(db_url, "half-year", "2026H1", then)  # as a reproduction of the first version reads it
    assert _names(engine, past.window) == ["units_名册.csv", "survey_responses_2026H1_第一批.csv"]
    assert list(past.window) == window_files(engine, "half-year", "2026H1", then)


def test_window_files_among_some_files(stored):
    engine = get_engine(stored[0])
    every = window_files(engine, "half-year", "2026H1")
    assert len(every) == 2
    assert window_files(engine, "half-year", "2026H1", among=every[1:] + [999]) == every[1:]
    assert window_files(engine, "half-year", "2026H2", among=every[1:]) == []  # H1's answers are not H2's


def test_a_rerun_reads_only_the_tables_of_the_files_that_came_since(stored):
    from sqlalchemy import event

    db_url, root = stored
    engine = get_engine(db_url)
    with engine.connect() as conn:
        before = position(conn)
    _wholly_rejected(root)
    data = cycle_data(db_url, "half-year", "2026H1")
    version = start_version(root / "out", "half-year", "2026H1")

    def events_since(previous: int) -> tuple[list[str], list[str]]:
        """The file names of the events since `previous`, and the dataset tables read to place them."""
        run = Run("r2", "half-year", "2026H1", Policy(), None, "测试", version, state=data.state,
                  previous_state=previous, window=data.window)
        statements = []

        def seen(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", seen)
        try:
            with engine.connect() as conn:
                events = _file_events(conn, run, ("units", "survey_responses", "subjects", "leader_comments",
                                                  "rectification_plans"))
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        tables = sorted({t for s in statements for t in re.findall(r"\bds_\w+", s)} & {f"ds_{n}" for n in DATASETS})
        return events.events["file_name"].tolist(), tables

    assert events_since(before) == (["survey_responses_2026H1_第二批.csv"], ["ds_survey_responses"])
    assert events_since(data.state.position) == ([], [])  # nothing came: no table of rows is read


def test_a_file_withdrawn_since_the_version_replaced_is_a_cause(stored):
    # Out of the window now, in it as the replaced version read the data: only the state before places it.
    from tasks.store.withdrawal import withdraw

    db_url, root = stored
    engine = get_engine(db_url)
    with engine.connect() as conn:
        before = position(conn)
    withdraw(engine, "survey_responses_2026H1_第一批.csv", "报送单位撤回")
    more = root / "more"
    more.mkdir()
    pd.DataFrame([{**SURVEY, "respondent_id": "R6"}], columns=DATASETS["survey_responses"].column_names).to_csv(
        more / "survey_responses_2026H1_第二批.csv", index=False)  # H1 keeps answers, so that its run has rows to read
    ingest_inbox(more, engine, root / "archive")
    data = cycle_data(db_url, "half-year", "2026H1")
    assert "survey_responses_2026H1_第一批.csv" not in _names(engine, data.window)
    run = Run("r3", "half-year", "2026H1", Policy(), None, "测试", start_version(root / "out", "half-year", "2026H1"),
              state=data.state, previous_state=before, window=data.window)
    with engine.connect() as conn:
        events = _file_events(conn, run, ("units", "survey_responses", "subjects", "leader_comments",
                                          "rectification_plans")).events
    assert events[["kind", "file_name"]].values.tolist() == [
        ["withdraw", "survey_responses_2026H1_第一批.csv"], ["ingest", "survey_responses_2026H1_第二批.csv"]]


@pytest.mark.parametrize(("cycle", "period"), [("quarterly", "2026Q2"), ("half-year", "2026H1"), ("annual", "2026"),
                                               ("points", "2026"), ("on-site", "2026-R13")])
def test_every_window_is_found_by_an_index(cycle, period):
    # SQLite's plan for each window query: a SEARCH by index, never a SCAN of the table, however many years stored.
    import sqlalchemy as sa

    from tasks.store.tables import dataset_tables, metadata
    from tasks.store.window import window_conditions

    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.connect() as conn:
        for name, condition in window_conditions(cycle, period).items():
            if condition is None:  # a registry, read whole
                continue
            query = sa.select(dataset_tables[name].c._id).where(condition)
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            plan = " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert plan.startswith(f"SEARCH ds_{name} USING"), (name, plan)
