"""The on-site cycle's outcome from tiny frames: the review found or refused, notes for what is missing or short."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.policy import Policy
from tasks.cycles.on_site import report
from tasks.errors import AssessError

POLICY = Policy()
REVIEWS = pd.DataFrame({"review_id": ["2026-R13"], "team": ["现场点评第十三组"], "region": ["石门市"],
                        "started_on": [pd.Timestamp("2026-09-14")], "ended_on": [pd.Timestamp("2026-09-17")]})


def organisations(*counts: tuple[str, int, str]) -> pd.DataFrame:
    """(org_type, how many, region) groups of registry rows."""
    rows = [(kind, region) for kind, n, region in counts for _ in range(n)]
    return pd.DataFrame({"org_id": [f"O{i:05d}" for i in range(len(rows))], "name": [f"单位{i}" for i in range(len(rows))],
                         "org_type": [k for k, _ in rows], "region": [r for _, r in rows], "township": "城关镇"})


def answers(kind: str, people: int, answer: str = "知道") -> pd.DataFrame:
    return pd.DataFrame({"review_id": "2026-R13", "respondent_id": [f"{kind}{i}" for i in range(people)],
                         "respondent_type": kind, "question": "知晓情况", "answer": answer})


REGISTRY = organisations(("村", 20, "石门市"), ("社区", 3, "石门市"), ("新社会组织", 1, "石门市"), ("非公企业", 9, "石门市"),
                         ("事业单位", 4, "石门市"), ("村", 50, "青山县"))


def test_the_sample_is_drawn_in_the_review_region_with_short_strata_named():
    got = report.site_outcome({"site_reviews": REVIEWS, "organisations": REGISTRY,
                               "site_questionnaires": pd.concat([answers("党员", 100), answers("群众", 100)])},
                              "2026-R13", POLICY, seed=None)
    assert got.seed == report.default_seed("2026-R13") == report.default_seed("2026-R13")
    assert set(got.draw.sample["region"]) == {"石门市"}
    assert got.draw.sample.groupby("org_type").size().to_dict() == {"村": 8, "社区": 1, "新社会组织": 1, "非公企业": 6,
                                                                    "事业单位": 2}
    assert got.notes[0] == "新社会组织:名册仅 1 个,少于应抽的 3 个,全部抽取。"
    assert "未收到点评组的点评意见,特色做法、存在问题和工作建议从缺。" in got.notes
    assert got.questionnaires == {"党员": 100, "群众": 100}
    again = report.site_outcome({"site_reviews": REVIEWS, "organisations": REGISTRY}, "2026-R13", POLICY, seed=None)
    assert again.draw.sample["org_id"].tolist() == got.draw.sample["org_id"].tolist()


def test_what_is_missing_is_said():
    got = report.site_outcome({"site_reviews": REVIEWS}, "2026-R13", POLICY, seed=11)
    assert got.seed == 11 and got.draw.sample.empty
    assert got.notes == ["基层单位名册中没有石门市的单位,未能抽取现场走访样本;请报送基层单位名册后重新运行。",
                         "未收到本次点评的问卷,问卷统计从缺。",
                         "未收到点评组的点评意见,特色做法、存在问题和工作建议从缺。"]


def test_few_questionnaires_are_named_and_their_figures_withheld():
    got = report.site_outcome({"site_reviews": REVIEWS, "site_questionnaires": pd.concat(
        [answers("党员", 100), answers("群众", 4)])}, "2026-R13", POLICY, seed=1)
    assert "群众问卷 4 份,少于计划的 100 份。" in got.notes
    shown = got.statistics.set_index(["respondent_type", "measure"])["display"]
    assert shown[("群众", "知晓率")] == "—(样本过少)" and shown[("党员", "知晓率")] == "100.0%"


def test_an_unregistered_review_is_refused_in_words():
    with pytest.raises(AssessError, match="现场点评登记表中没有点评编号“2026-R99”"):
        report.site_outcome({"site_reviews": REVIEWS}, "2026-R99", POLICY, seed=None)


def test_the_report_context_has_the_four_parts_in_order():
    findings = pd.DataFrame({"review_id": "2026-R13", "kind": ["存在问题", "特色做法", "工作建议"],
                             "title": ["氛围不浓", None, "加强宣传"], "text": ["甲", "乙", "丙"]})
    got = report.site_outcome({"site_reviews": REVIEWS, "site_findings": findings}, "2026-R13", POLICY, seed=1)
    context = report.summary_context({"title": "t"}, got, {}, POLICY)
    assert [(p["title"], [i["text"] for i in p["items"]]) for p in context["parts"]] == [
        ("二、特色做法", ["乙"]), ("三、存在问题", ["甲"]), ("四、工作建议", ["丙"])]
    assert context["toc"][0] == ("overview", "一、基本情况") and context["toc"][-1] == ("quality", "附录 数据质量")
