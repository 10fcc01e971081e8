"""End to end: the half-year comment of 2025H2 then 2026H1 (twice) on the tiny sample, CSVs and PDFs read back."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.helpers import dossier_fonts_are_sound, file_hashes, pdf_fonts, pdf_text, read_csv, sample_workspace
from pandas.testing import assert_frame_equal

from schemas.outputs import RANKING_COLUMNS
from schemas.policy import PolicyError, load_policy
from tasks.store.engine import get_engine
from tasks.errors import InvalidPeriod
from tasks.cycles.half_year.report import PUBLICITY_COLUMNS
from tasks.rules.rectification import rectification_follow_up
from tasks.cycles.half_year.survey_checks import with_intervals
from tasks.rules.survey import half_year_ranking
from tasks.store.datasets import load_dataset

PERIOD, PREVIOUS = "2026H1", "2025H2"
# Smaller lists than the default 10 + 5 keep the rendering short; the counts are policy settings.
POLICY = "half_year:\n  key_management_count: 3\n  key_supervision_count: 2\n"
# Three runs with ingestion and rendering take well over a minute beside the Prefect harness.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def half_year(tmp_path_factory, prefect_harness):
    """The tiny sample: 2025H2 published first, then 2026H1 as v1 and rerun as v2."""
    from flows.half_year_comment import half_year_comment

    root = tmp_path_factory.mktemp("half-year")
    policy = root / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    with sample_workspace(root) as (inbox, out, db):
        kwargs = {"inbox": str(inbox), "out": str(out), "policy": "policy"}  # policy.yaml in the policy folder
        previous = Path(half_year_comment(period=PREVIOUS, reason="定期运行", **kwargs))
        first = Path(half_year_comment(period=PERIOD, reason="定期运行", **kwargs))
        snapshot = file_hashes(first)
        second = Path(half_year_comment(period=PERIOD, reason="数据更正后复核", **kwargs))
    engine = get_engine(db)
    data = {name: load_dataset(engine, name) for name in ("units", "survey_responses", "rectification_plans")}
    return {"db": db, "out": out, "previous": previous, "v1": first, "v2": second, "snapshot": snapshot,
            "data": data, "policy": load_policy(policy)}


def test_versions_and_latest(half_year):
    folder = half_year["out"] / "half-year" / PERIOD
    assert (half_year["v1"], half_year["v2"]) == (folder / "v1", folder / "v2")
    assert os.readlink(folder / "latest") == "v2"
    # The rerun wrote a new version and left the first exactly as it was.
    assert file_hashes(half_year["v1"]) == half_year["snapshot"]
    assert {"ranking.csv", "publicity.csv", "publicity.pdf", "summary.pdf", "manifest.json", "units",
            "rejected"} <= {p.name for p in half_year["v1"].iterdir()}


def test_ranking_csv_agrees_with_the_rules(half_year):
    data = half_year["data"]
    got = read_csv(half_year["v1"] / "ranking.csv").fillna({"designation": ""})
    assert list(got.columns) == list(RANKING_COLUMNS)
    rules = half_year["policy"].half_year
    expected = half_year_ranking(data["survey_responses"], data["units"], PERIOD, rules)
    # The rank intervals come from the seeded bootstrap: the same seed gives the same columns.
    expected = with_intervals(expected, data["survey_responses"], PERIOD, rules)[list(RANKING_COLUMNS)]
    assert_frame_equal(got, expected, check_dtype=False)
    ranked = got[got["rank"].notna()]
    assert (ranked["rank_low"] <= ranked["rank_high"]).all() and ranked["p_designated"].between(0, 1).all()
    assert got.loc[got["rank"].isna(), ["rank_low", "rank_high", "p_designated"]].isna().all().all()
    # The sample ranks most units, leaves some without enough answers, and designates both lists.
    counts = got["designation"].value_counts()
    assert counts["重点管理单位"] >= 3 and counts["重点督查单位"] >= 1 and counts["样本不足"] >= 1
    assert got["rank"].notna().sum() > 30


def test_publicity_csv_lists_every_unit(half_year):
    got = read_csv(half_year["v1"] / "publicity.csv")
    ranking = read_csv(half_year["v1"] / "ranking.csv")
    assert list(got.columns) == list(PUBLICITY_COLUMNS.values())
    assert got["单位编码"].tolist() == ranking["unit_id"].tolist()
    assert got["确定结果"].fillna("").tolist() == ranking["designation"].fillna("").tolist()


def test_manifest_and_stored_results(half_year):
    from tasks.store.engine import get_engine
    from tasks.store.runs import load_results

    manifest = json.loads((half_year["v2"] / "manifest.json").read_text(encoding="utf-8"))
    ranking = read_csv(half_year["v2"] / "ranking.csv")
    assert manifest["reason"] == "数据更正后复核"
    assert manifest["row_counts"] == {"ranking": len(ranking)}
    assert manifest["policy_sha256"] == half_year["policy"].digest()
    assert manifest["notes"][0].startswith("参与排名")
    stored = load_results(get_engine(half_year["db"]), "ranking", PERIOD)
    stored = stored.set_index("unit_id").loc[ranking["unit_id"]].reset_index()[list(RANKING_COLUMNS)]
    # The database keeps an unlisted unit's designation as an empty string, the CSV as an empty cell.
    assert_frame_equal(stored.fillna({"designation": ""}), ranking.fillna({"designation": ""}), check_dtype=False)


def test_dossiers_name_the_designated_units(half_year):
    ranking = read_csv(half_year["v1"] / "ranking.csv")
    designated = ranking[ranking["designation"].isin(["重点管理单位", "重点督查单位"])]
    # One dossier per designated unit, and no other.
    assert sorted(p.stem for p in (half_year["v1"] / "units").glob("*.pdf")) == sorted(designated["unit_id"])
    summary = pdf_text(half_year["v1"] / "summary.pdf")
    publicity = pdf_text(half_year["v1"] / "publicity.pdf")
    for row in designated.itertuples():
        assert row.unit_name in summary and row.unit_name in publicity
        dossier = pdf_text(half_year["v1"] / "units" / f"{row.unit_id}.pdf")
        assert row.unit_name in dossier and f"第{int(row.rank)}名" in dossier
        # What the unit must do next depends on its list.
        assert ("诫勉谈话" in dossier) == (row.designation == "重点管理单位")
        assert ("重点督查对象" in dossier) == (row.designation == "重点督查单位")
    for name in ranking.loc[ranking["designation"].eq("样本不足"), "unit_name"]:
        assert name in summary and name in publicity
    assert "关于2026年上半年窗口单位半年点评写实情况的通报" in summary and "—1—" in summary
    assert "2026年上半年窗口单位群众满意度测评结果公示" in publicity


def test_summary_follows_up_the_previous_half_year(half_year):
    from tasks.store.engine import get_engine
    from tasks.store.runs import load_results

    data = half_year["data"]
    previous = load_results(get_engine(half_year["db"]), "ranking", PREVIOUS)
    current = read_csv(half_year["v1"] / "ranking.csv").fillna({"designation": ""})
    follow_up = rectification_follow_up(previous, current, data["rectification_plans"], PREVIOUS)
    assert len(follow_up) == previous["designation"].isin(["重点管理单位", "重点督查单位"]).sum() >= 5
    summary = pdf_text(half_year["v1"] / "summary.pdf")
    section = summary[summary.index("六、上期整改跟踪", summary.index("六、上期整改跟踪") + 1):]
    for row in follow_up.itertuples():
        assert row.unit_name in section and row.movement in section
    # The trend compares this half-year with the one before it.
    assert "2025年下半年" in summary[summary.index("历期测评得分"):]


def test_respondents_appear_only_in_rejected_rows(half_year):
    ids = {r for r in half_year["data"]["survey_responses"]["respondent_id"].astype(str) if len(r) >= 6}
    texts = [(p.name, pdf_text(p)) for p in sorted(half_year["v1"].rglob("*.pdf"))]
    texts += [(p.name, p.read_text(encoding="utf-8-sig")) for p in (half_year["v1"] / "ranking.csv",
                                                                      half_year["v1"] / "publicity.csv")]
    for name, text in texts:
        assert "测评人编码" not in text or name == "summary.pdf", name
        assert not any(rid in text for rid in ids), name


def test_every_font_is_embedded_and_one_of_the_stylesheets_faces(half_year):
    for pdf in sorted(half_year["v1"].rglob("*.pdf")):
        assert dossier_fonts_are_sound(pdf), (pdf.name, pdf_fonts(pdf))


def test_a_period_of_another_cycle_is_refused_before_anything_is_written(half_year):
    from flows.half_year_comment import half_year_comment

    with pytest.raises(InvalidPeriod):
        half_year_comment(period="2026Q1", reason="测试", inbox=str(half_year["out"] / "nowhere"),
                          out=str(half_year["out"]))
    assert sorted(p.name for p in (half_year["out"] / "half-year").iterdir()) == [PREVIOUS, PERIOD]


@pytest.mark.parametrize("name", ["../policy", "/etc/passwd", "未登记"])
def test_a_policy_name_outside_the_policy_folder_is_refused_before_anything_is_written(half_year, name):
    from flows.half_year_comment import half_year_comment

    before = file_hashes(half_year["out"])
    with pytest.raises(PolicyError, match="政策"):
        half_year_comment(period=PERIOD, reason="测试", policy=name, inbox=str(half_year["out"] / "nowhere"),
                          out=str(half_year["out"]))
    assert file_hashes(half_year["out"]) == before


def test_cli_refuses_a_period_not_of_the_half_year_form(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["run", "half-year", "--period", "2026", "--inbox", str(tmp_path / "in"),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "YYYYH1 或 YYYYH2" in result.output
    assert not (tmp_path / "out").exists()


def test_rejected_rows_and_appendix_cover_the_half_year_only(half_year):
    # Both years' survey files are stored; 2026H1's version speaks of 2026H1's files only (SPEC §4, §6).
    rejected = read_csv(half_year["v1"] / "rejected" / "survey_responses.csv")
    assert set(rejected["file_name"]) == {"survey_responses_2026H1_第一批.csv", "survey_responses_2026H1_第二批.csv",
                                          "survey_responses_2026H1_第三批.csv"}
    summary = pdf_text(half_year["v1"] / "summary.pdf")
    appendix = summary[summary.rindex("附表1入库文件"):]
    assert "survey_responses_2026H1_第一批.csv" in appendix and "survey_responses_2026H1_第二批.csv" in appendix
    # Other half-years' answers and comments stay out; the plans answering 2025H2's designations are read.
    assert not any(other in appendix for other in (
        "survey_responses_2025", "survey_responses_2026H2", "leader_comments_2025", "leader_comments_2026H2",
        "rectification_plans_2025H1", "rectification_plans_2026H2"))
    assert "leader_comments_2026H1_领导点评.csv" in appendix and "rectification_plans_2025H2_整改方案.xlsx" in appendix
    # Datasets by their Chinese labels, never by their English names.
    assert "群众满意度测评" in appendix and "窗口单位名册" in appendix
    assert not re.search(r"\.(csv|xlsx)(survey_responses|units|subjects|leader_comments|rectification_plans)", appendix)


def test_summary_shows_the_screening_and_the_rank_intervals(half_year):
    # The sample's third batch holds a stuffed batch (雷同答卷) and a straight-liner (一律作答): the appendix
    # counts them as the manifest records them, and the unit whose answers were flagged is told so.
    manifest = json.loads((half_year["v1"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["bootstrap"] == {"seed": 20260101, "replicates": 2000}
    rules = {rule["rule"]: rule for rule in manifest["integrity"]["rules"]}
    assert rules["雷同答卷"]["respondents"] >= 10 and rules["一律作答"]["respondents"] >= 1
    summary = pdf_text(half_year["v1"] / "summary.pdf")
    appendix = summary[summary.rindex("测评完整性筛查"):]
    for name in ("雷同答卷", "一律作答"):
        assert f"{name}{rules[name]['answers']:,}{rules[name]['respondents']}" in appendix, name
    assert "排名最后30个单位的95%排名区间" in summary and "排名区间" in summary
    ranking = read_csv(half_year["v1"] / "ranking.csv")
    for row in ranking[ranking["designation"].isin(["重点管理单位", "重点督查单位"])].itertuples():
        dossier = pdf_text(half_year["v1"] / "units" / f"{row.unit_id}.pdf")
        assert f"第{int(row.rank_low)}—{int(row.rank_high)}名" in dossier
        # A designated unit less likely than not to be designated again is named 边界单位, in plain words.
        assert ("边界单位" in dossier) == (row.p_designated < 0.5), row.unit_id
