"""End to end: an on-site review on the tiny sample — the sample drawn and reproducible, statistics, the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.outputs import SITE_RESULT_COLUMNS, SITE_SAMPLE_COLUMNS
from schemas.policy import Policy
from tasks.cycles.on_site.report import default_seed
from tasks.rules.site_sample import draw_sample
from tasks.rules.site_survey import survey_statistics
from tasks.store.datasets import load_dataset
from tasks.store.engine import get_engine
from tests.helpers import pdf_text, read_csv, sample_workspace

pytestmark = pytest.mark.slow
REVIEW = "2026-R13"


@pytest.fixture(scope="module")
def review(tmp_path_factory, prefect_harness):
    """Review 2026-R13 of the tiny sample, run twice with its own seed and once with another."""
    from flows.on_site_review import on_site_review

    with sample_workspace(tmp_path_factory.mktemp("on-site")) as (inbox, out, db):
        kwargs = {"inbox": str(inbox), "out": str(out)}
        first = on_site_review(REVIEW, reason="现场点评结束", **kwargs)
        again = on_site_review(REVIEW, reason="补报问卷后重跑", **kwargs)
        other = on_site_review(REVIEW, reason="另行抽样", seed="7", **kwargs)
        from tasks.outputs.reproduce import reproduce

        reproduced = [reproduce(out, "on-site", REVIEW, n, db) for n in (1, 3)]
    engine = get_engine(db)
    data = {n: load_dataset(engine, n) for n in ("organisations", "site_reviews", "site_questionnaires",
                                                 "site_findings")}
    return {"v1": Path(first), "v2": Path(again), "v3": Path(other), "data": data, "reproduced": reproduced}


def test_both_draws_are_reproduced_with_their_own_seeds(review):
    assert [(r.version, r.differences) for r in review["reproduced"]] == [("v1", {}), ("v3", {})]
    assert all(r.compared >= 2 for r in review["reproduced"])


def test_the_sample_is_the_policy_draw_and_the_same_on_a_rerun(review):
    sample = read_csv(review["v1"] / "sample.csv")
    assert list(sample.columns) == list(SITE_SAMPLE_COLUMNS)
    policy = Policy().on_site
    expected = draw_sample(review["data"]["organisations"], policy.sample_counts, default_seed(REVIEW), "石门市")
    assert sample["org_id"].tolist() == expected.sample["org_id"].tolist()
    assert set(sample["region"]) == {"石门市"} and set(sample["seed"]) == {default_seed(REVIEW)}
    assert sample.groupby("org_type").size().to_dict() == {
        t: n for t, n in expected.strata.set_index("org_type")["drawn"].items() if n}
    assert read_csv(review["v2"] / "sample.csv").equals(sample)
    # Another seed, recorded in the manifest, draws another sample of the same sizes.
    other = read_csv(review["v3"] / "sample.csv")
    assert other["org_id"].tolist() != sample["org_id"].tolist() and len(other) == len(sample)
    assert json.loads((review["v3"] / "manifest.json").read_text(encoding="utf-8"))["sample_seed"] == 7


def test_statistics_agree_with_the_rule(review):
    got = read_csv(review["v1"] / "site_results.csv")
    assert list(got.columns) == list(SITE_RESULT_COLUMNS)
    expected = survey_statistics(review["data"]["site_questionnaires"], REVIEW, Policy().on_site)
    assert got["display"].tolist() == expected["display"].tolist()
    assert got["answered"].tolist() == expected["answered"].tolist()
    assert (got["respondents"] == 100).any()


def test_report_in_the_seed_form_read_back(review):
    text = pdf_text(review["v1"] / "summary.pdf")
    sample = read_csv(review["v1"] / "sample.csv")
    findings = review["data"]["site_findings"]
    mine = findings[findings["review_id"] == REVIEW]
    for part in ("一、基本情况", "二、特色做法", "三、存在问题", "四、工作建议", "附件现场走访单位名单"):
        assert part in text
    assert "关于石门市创先争优活动的现场点评报告" in text and "现场点评第十三组" in text
    assert f"随机种子{default_seed(REVIEW)}" in text
    for row in sample.itertuples():
        assert "".join(str(row.name).split()) in text
    for row in mine.itertuples():
        assert "".join(str(row.text).split())[:40] in text
    statistics = read_csv(review["v1"] / "site_results.csv")
    shown = statistics[statistics["display"].str.endswith("%")]
    assert all(value in text for value in shown["display"])
