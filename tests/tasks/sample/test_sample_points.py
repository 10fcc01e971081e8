"""The sample data of the points and on-site cycles: every scale writes it, and it exercises every rule."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from schemas.datasets import POINTS_AND_ON_SITE, dataset_for_file
from schemas.policy import Policy
from tasks.rules.points import event_points, person_points
from tasks.rules.scorecards import card_scores, scorecard_results
from tasks.rules.site_sample import draw_sample
from tasks.rules.site_survey import survey_statistics
from tasks.sample.files import bad_row_count
from tasks.sample.points import (
    _regions, sample_findings, sample_organisations, sample_point_events, sample_questionnaires,
    sample_scorecards, sample_site_reviews, write_points_and_on_site,
)
from tasks.sample.registry import SCALES, sample_units

POLICY = Policy()
SEED = 7


def _units(scale: str) -> pd.DataFrame:
    return sample_units(SCALES[scale], SEED, 4)


@pytest.mark.parametrize("scale, orgs, events, reviews", [
    ("tiny", (100, 400), (1_500, 4_000), 8),            # a handful of each, some types short of the quota
    ("city", (800, 2_000), (30_000, 70_000), 8),        # one review per district, R06–R13 (seed 004: team 13)
    ("province", (18_000, 35_000), (600_000, 1_200_000), 179),  # 20 cities, one review per region
])
def test_every_scale_writes_every_dataset_of_the_two_cycles(tmp_path, scale, orgs, events, reviews):
    counts = write_points_and_on_site(tmp_path, _units(scale), SCALES[scale], SEED, 2026, 1)
    by_dataset = {dataset_for_file(name).name: rows for name, rows in counts.items()}
    assert set(by_dataset) == set(POINTS_AND_ON_SITE)
    assert orgs[0] <= by_dataset["organisations"] <= orgs[1]
    assert events[0] <= by_dataset["point_events"] <= events[1]
    # Two rows a clerk got wrong beside the reviews; 600 answers per review, but four 群众 only in the first.
    assert by_dataset["site_reviews"] == reviews + 2
    answers = 600 * reviews - 3 * 96
    # Spoiling copies a few rows (a duplicate key is one of the planted faults).
    assert answers <= by_dataset["site_questionnaires"] <= answers + bad_row_count(answers)
    # 千分制 cards of four years, seven items each.
    assert set(pd.read_csv(tmp_path / "scorecards_2026_村社区干部千分制考核.csv", encoding="gb18030")["年度"]) == {
        2023, 2024, 2025, 2026}


@pytest.fixture(scope="module")
def tiny() -> tuple[pd.DataFrame, pd.DataFrame]:
    units = _units("tiny")
    return units[~units["spare"]], _regions(SCALES["tiny"])


def test_review_13_is_seed_004s_team_with_its_questionnaires_and_four_part_findings(tiny):
    _, regions = tiny
    reviews = sample_site_reviews(regions, SEED, 2026)
    r13 = reviews[reviews["review_id"] == "2026-R13"].iloc[0]
    assert (r13["team"], r13["region"], (r13["ended_on"] - r13["started_on"]).days) == ("现场点评第十三组", "石门市", 3)
    assert r13["started_on"].month == 9 and not r13["spare"]
    visited = reviews[~reviews["spare"]]
    answers = sample_questionnaires(visited, SEED, 2026, thin=True)
    stats = survey_statistics(answers, "2026-R13", POLICY.on_site).set_index(["respondent_type", "measure"])
    assert stats["respondents"].xs("知晓率", level="measure").to_dict() == {"党员": 100, "群众": 100, "合计": 200}
    assert stats["answered"].tolist() == [100] * 6 + [200] * 3
    findings = sample_findings(visited, SEED, 2026)
    kinds = findings[findings["review_id"] == "2026-R13"].groupby("kind", sort=False).size().to_dict()
    assert kinds == {"特色做法": 5, "存在问题": 3, "工作建议": 3}
    assert findings["finding_id"].is_unique and "石门市" in " ".join(findings["text"])


def test_the_first_review_of_the_latest_year_got_too_few_questionnaires_from_the_public(tiny):
    _, regions = tiny
    visited = sample_site_reviews(regions, SEED, 2026).iloc[:8]
    thin = survey_statistics(sample_questionnaires(visited, SEED, 2026, thin=True), "2026-R06", POLICY.on_site)
    assert thin.loc[thin["respondent_type"] == "群众", ["respondents", "display"]].values.tolist() == [
        [4, "—(样本过少)"]] * 3
    full = survey_statistics(sample_questionnaires(visited, SEED, 2026, thin=False), "2026-R06", POLICY.on_site)
    assert full.loc[full["respondent_type"] == "群众", "respondents"].tolist() == [100] * 3


def test_scorecards_hold_a_streak_a_gap_year_and_faulty_cards(tiny):
    real, _ = tiny
    cards = sample_scorecards(real, SEED, 2023, 2026)
    results = scorecard_results(cards, 2026, POLICY.points)
    assert results["streak_reason"].str.contains("2023—2026年连续4年考核优秀,可破格录用或提拔").any()
    assert results["streak_reason"].str.endswith("2025年无考核记录,连续优秀中断").any()
    assert {"优秀", "称职"} <= set(results["grade"])
    problems = " ".join(card_scores(cards)["problems"])
    assert "超过满分" in problems and "各项满分合计 900 分,不是 1000 分" in problems


def test_point_events_meet_caps_missing_approvals_and_empty_points(tiny):
    real, _ = tiny
    scored = event_points(pd.concat([sample_point_events(real, SEED, y) for y in (2025, 2026)]), POLICY.points)
    notes = " ".join(scored["note"])
    for words in ("本年度上限", "本年度已达上限", "未经审核", "未填分值"):
        assert words in notes, words
    people = person_points(scored, 2026, POLICY.points)
    assert set(people["activist"]) == {True, False}
    tiers = people["volunteer_tier"]
    assert {"赠阅报纸", "免费健康体检"} <= set(tiers.dropna()) and tiers.isna().any()


def test_the_registry_leaves_some_strata_short_of_their_quota(tiny):
    _, regions = tiny
    orgs = sample_organisations(regions, SCALES["tiny"], SEED)
    real = orgs[~orgs["spare"]]
    notes = pd.concat([draw_sample(real, POLICY.on_site.sample_counts, 1, region=r).strata
                       for r in regions["region"]])["note"]
    assert notes.str.endswith("全部抽取").any() and notes.str.startswith("名册中没有此类单位").any()
    assert notes.str.startswith("名册 ").any()
    # Every region holds units of the review it receives; villages are mostly in the counties.
    assert set(real["region"]) == set(regions["region"])
    rural = real["region"].isin(regions.loc[regions["rural"], "region"])
    assert (real.loc[rural, "org_type"] == "村").sum() > (real.loc[~rural, "org_type"] == "村").sum()


def test_the_inbox_carries_the_new_files(tmp_path):
    from tasks.sample.inbox import write_sample_inbox

    counts = write_sample_inbox(tmp_path, scale="tiny", seed=SEED, year=2026, years=2)
    names = sorted(n for n in counts if dataset_for_file(n).name in POINTS_AND_ON_SITE)
    assert names == ["organisations_名册.xlsx", "point_events_2025_积分记录.csv", "point_events_2026_积分记录.csv",
                     "scorecards_2026_村社区干部千分制考核.csv", "site_findings_2025_现场点评意见.xlsx",
                     "site_findings_2026_现场点评意见.xlsx", "site_questionnaires_2025_现场点评问卷.csv",
                     "site_questionnaires_2026_现场点评问卷.csv", "site_reviews_2025_现场点评安排.xlsx",
                     "site_reviews_2026_现场点评安排.xlsx"]
    assert all(Path(tmp_path / n).exists() for n in names)


def test_the_registry_depends_on_the_seed_not_on_the_year(tmp_path):
    for folder, seed, year in (("a", SEED, 2026), ("b", SEED, 2031), ("c", SEED + 1, 2026)):
        (tmp_path / folder).mkdir()
        units = sample_units(SCALES["tiny"], seed, 4)
        write_points_and_on_site(tmp_path / folder, units, SCALES["tiny"], seed, year, 1)
    roster = "organisations_名册.xlsx"
    assert (tmp_path / "a" / roster).read_bytes() == (tmp_path / "b" / roster).read_bytes()
    assert (tmp_path / "a" / roster).read_bytes() != (tmp_path / "c" / roster).read_bytes()
