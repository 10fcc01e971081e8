"""End to end: the points cycle on the tiny two-year sample, its CSVs checked against the rules, PDFs read back."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from schemas.datasets import CYCLE_DATASETS
from schemas.outputs import POINTS_COLUMNS, SCORECARD_COLUMNS
from schemas.policy import Policy
from tasks.rules.points import event_points, person_points
from tasks.rules.scorecards import scorecard_results
from tasks.store.datasets import load_dataset
from tasks.store.engine import get_engine
from tests.helpers import pdf_fonts, pdf_text, read_csv, sample_workspace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def year(tmp_path_factory, prefect_harness):
    """The tiny sample inbox, its points systems run for 2026."""
    from flows.points_system import points_system

    with sample_workspace(tmp_path_factory.mktemp("points")) as (inbox, out, db):
        folder = points_system(period="2026", reason="定期运行", inbox=str(inbox), out=str(out))
        from tasks.outputs.reproduce import reproduce

        reproduced = reproduce(out, "points", "2026", 1, db)
    engine = get_engine(db)
    names = CYCLE_DATASETS["points"]["required"] + CYCLE_DATASETS["points"]["optional"]
    return {"folder": Path(folder), "out": out, "data": {n: load_dataset(engine, n) for n in names},
            "reproduced": reproduced}


def test_the_version_is_reproduced(year):
    assert (year["reproduced"].version, year["reproduced"].differences) == ("v1", {})
    assert year["reproduced"].compared >= 3  # points.csv, scorecards.csv, publicity.csv


def test_version_files_and_latest(year):
    folder = year["out"] / "points" / "2026"
    assert year["folder"] == folder / "v1" and os.readlink(folder / "latest") == "v1"
    assert {p.name for p in year["folder"].iterdir()} >= {"points.csv", "scorecards.csv", "publicity.csv",
                                                         "summary.pdf", "publicity.pdf", "manifest.json"}
    manifest = json.loads((year["folder"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cycle"] == "points" and manifest["period"] == "2026"


def test_csvs_agree_with_the_rules(year):
    data, policy = year["data"], Policy()
    people = read_csv(year["folder"] / "points.csv")
    cards = read_csv(year["folder"] / "scorecards.csv")
    assert list(people.columns) == list(POINTS_COLUMNS) and list(cards.columns) == list(SCORECARD_COLUMNS)
    scored = event_points(data["point_events"], policy.points)
    expected = person_points(scored[scored["year"] <= 2026], 2026, policy.points)
    assert people["person_id"].tolist() == expected["person_id"].tolist()
    assert people["total_points"].round(6).tolist() == expected["total_points"].round(6).tolist()
    assert people["activist"].tolist() == expected["activist"].tolist()
    graded = scorecard_results(data["scorecards"], 2026, policy.points)
    assert cards["person_id"].tolist() == graded["person_id"].tolist()
    assert cards["grade"].tolist() == graded["grade"].tolist()
    assert cards["promotable"].tolist() == graded["promotable"].tolist()
    names = data["units"].set_index("unit_id")["unit_name"]
    assert people["unit_name"].tolist() == names.reindex(people["unit_id"]).tolist()


def test_summary_and_publicity_read_back(year):
    people = read_csv(year["folder"] / "points.csv")
    cards = read_csv(year["folder"] / "scorecards.csv")
    summary = pdf_text(year["folder"] / "summary.pdf")
    publicity = pdf_text(year["folder"] / "publicity.pdf")
    activists = people[people["activist"]]
    promotable = cards[cards["promotable"]]
    assert len(activists) > 0 and len(promotable) > 0  # the sample has both lists to show
    assert "2026年度积分制管理和千分制考核情况报告" in summary
    # The summary counts the 入党积极分子 by region and names the few cadres; the publicity list names everyone.
    assert f"{len(activists)}积分记录积分人数计入积分入党积极分子人选" in summary
    assert f"的{len(activists)}人列为入党积极分子人选" in summary
    for row in promotable.itertuples():
        assert "".join(f"{row.person_id}{row.unit_name}".split()) in summary
    for row in activists.itertuples():
        assert "".join(f"{row.person_id}{row.unit_name}".split()) in publicity
    for row in promotable.itertuples():
        assert "".join(f"{row.person_id}{row.unit_name}".split()) in publicity
        assert "".join(row.streak_reason.split()) in publicity
    first = activists.iloc[0]
    assert "".join(first["activist_reason"].split()) in publicity
    assert "表1" in summary and "图1" in summary and "附表1入库文件" in summary
    assert {embedded for _, embedded in pdf_fonts(year["folder"] / "summary.pdf")} == {True}


def test_points_csv_people_match_the_stored_events(year):
    events = year["data"]["point_events"]
    stored = set(events.loc[pd.to_datetime(events["date"]).dt.year <= 2026, "person_id"].astype(str))
    assert set(read_csv(year["folder"] / "points.csv")["person_id"]) == stored
