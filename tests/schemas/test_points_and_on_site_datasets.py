"""The points and on-site datasets as validation reads them: Chinese reasons, the questionnaire, the cycles."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from schemas.datasets import CYCLE_DATASETS, DATASETS, POINTS_AND_ON_SITE, SITE_QUESTIONS, dataset_for_file
from tasks.inbox.validation import validate

GOOD = json.loads((Path(__file__).parents[1] / "samples" / "good_rows.json").read_text(encoding="utf-8"))
KNOWN = {"units.unit_id": {"U0001"}, "site_reviews.review_id": {"2026-R13"}}


def reasons(name: str, **changes) -> dict[int, str]:
    raw = pd.DataFrame([GOOD[name] | changes], columns=DATASETS[name].column_names, dtype="str")
    # The registries rows may refer to, less the dataset's own stored keys.
    known = {k: v for k, v in KNOWN.items() if not k.startswith(f"{name}.")}
    rejected = validate(DATASETS[name], raw.assign(_row_number=[2]), known).rejected
    return dict(zip(rejected["_row_number"], rejected["reason"]))


@pytest.mark.parametrize("name, changes, reason", [
    # A review id is the year and the team number.
    ("site_reviews", {"review_id": "2026R13"}, "点评编号“2026R13”格式不正确(年度-R点评组号,如 2026-R13)"),
    ("site_reviews", {"ended_on": "2026-09-10"}, "结束日期“2026-09-10”早于开始日期“2026-09-14”"),
    ("site_questionnaires", {"review_id": "2026-R99"}, "点评编号“2026-R99”不在现场点评中"),
    ("site_findings", {"review_id": "2026-R99"}, "点评编号“2026-R99”不在现场点评中"),
    ("site_questionnaires", {"answer": "很满意"},
     "答案“很满意”不在允许值(知道、不知道、参加过、没参加过、满意、基本满意、不满意)中"),
    ("site_questionnaires", {"respondent_type": "干部"}, "答卷人类别“干部”不在允许值(党员、群众)中"),
    ("site_findings", {"kind": "基本情况"}, "类别“基本情况”不在允许值(特色做法、存在问题、工作建议)中"),
    ("organisations", {"org_type": "乡镇"}, "组织类型“乡镇”不在允许值(村、社区、新社会组织、非公企业、事业单位)中"),
    ("point_events", {"points": "120"}, "分值 120 超出 0–100"),
    ("point_events", {"item": "跳广场舞"},
     "积分项目“跳广场舞”不在允许值(志愿服务、助老济困、清洁家园、治安联防、结对帮扶、矛盾调解、政策宣讲、学习教育、为民办实事)中"),
    ("point_events", {"unit_id": "U9"}, "单位编码“U9”不在窗口单位名册中"),
    ("scorecards", {"points": "1200"}, "得分 1200 超出 0–1000"),
])
def test_reasons_in_chinese(name, changes, reason):
    assert reasons(name, **changes) == {2: reason}


@pytest.mark.parametrize("name, changes", [
    ("point_events", {"points": None, "approved_by": None, "evidence": None}),  # the rules score these
    ("point_events", {"points": "3分"}),                                      # as clerks write points
    ("organisations", {"township": None}),
    ("site_findings", {"title": None}),
])
def test_optional_cells_may_stay_empty(name, changes):
    assert reasons(name, **changes) == {}


def test_each_answer_belongs_to_one_question_and_the_mapping_is_written_for_providers():
    answers = [a for q in SITE_QUESTIONS for a in q.answers]
    assert len(answers) == len(set(answers))
    assert all(set(q.favourable) < set(q.answers) for q in SITE_QUESTIONS)
    assert [q.rate for q in SITE_QUESTIONS] == ["知晓率", "参与率", "满意率"]
    questionnaire = DATASETS["site_questionnaires"]
    assert questionnaire.column("answer").note == (
        "知晓情况:知道/不知道;参与情况:参加过/没参加过;满意程度:满意/基本满意/不满意")
    assert questionnaire.column("question").allowed == ("知晓情况", "参与情况", "满意程度")


def test_the_cycles_read_their_own_datasets_and_the_annual_reads_none_of_them():
    assert CYCLE_DATASETS["points"] == {"required": ("units", "point_events"), "optional": ("scorecards",)}
    assert CYCLE_DATASETS["on-site"] == {"required": ("site_reviews",),
                                         "optional": ("organisations", "site_questionnaires", "site_findings")}
    assert not set(POINTS_AND_ON_SITE) & set(CYCLE_DATASETS["annual"]["optional"])


@pytest.mark.parametrize("file_name, dataset", [
    ("site_reviews_2026_现场点评安排.xlsx", "site_reviews"),
    ("现场点评问卷_2026-R13.csv", "site_questionnaires"),   # by its Chinese label, the longest that fits
    ("现场点评意见_2026.xlsx", "site_findings"),
    ("现场点评_2026.xlsx", "site_reviews"),
    ("千分制考核_2026.csv", "scorecards"),
    ("organisations_名册.xlsx", "organisations"),
])
def test_files_find_their_dataset(file_name, dataset):
    assert dataset_for_file(file_name).name == dataset
