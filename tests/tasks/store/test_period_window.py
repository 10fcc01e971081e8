"""The period window: rejected/ and the data-quality appendix cover only the files that delivered the period's rows."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from schemas.datasets import DATASETS
from tasks.store.engine import get_engine
from tasks.store.window import window_files
from tasks.cycles.common import data_quality, rejected_files
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
    run = SimpleNamespace(cycle="half-year", period="2026H2", state=None, version=start_version(root / "out", "half-year", "2026H2"))
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
