"""现场点评问卷: 知晓率, 参与率, 满意率 by respondent type, small cells withheld, stray answers reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal

from schemas.policy import OnSite
from tasks.rules.site_survey import (
    COMPLEMENT, STAT_COLUMNS, SUPPRESSED, questionnaire_notes, survey_statistics,
)

NA = np.nan
POLICY = OnSite()
REVIEW = "2026-R13"


def answers(kind: str, count: int, aware: int, took_part: int, satisfied: tuple[int, int],
            review: str = REVIEW) -> list[tuple]:
    """`count` questionnaires of `kind`: the first `aware` know the campaign, the first `took_part` took part,
    the first satisfied[0] are 满意 and the next satisfied[1] 基本满意 (the rest 不满意)."""
    rows = []
    for i in range(count):
        rid = f"{kind}{i:03d}"
        satisfaction = "满意" if i < satisfied[0] else "基本满意" if i < sum(satisfied) else "不满意"
        rows += [(review, rid, kind, "知晓情况", "知道" if i < aware else "不知道"),
                 (review, rid, kind, "参与情况", "参加过" if i < took_part else "没参加过"),
                 (review, rid, kind, "满意程度", satisfaction)]
    return rows


def frame(*groups: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame([row for group in groups for row in group],
                        columns=["review_id", "respondent_id", "respondent_type", "question", "answer"])


def stats(rows: list[list]) -> pd.DataFrame:
    expected = pd.DataFrame(rows, columns=STAT_COLUMNS)
    expected["favourable"] = expected["favourable"].astype("Int64")
    return expected


def test_rates_by_respondent_type_with_numerators_and_denominators():
    data = frame(answers("党员", 100, 95, 80, (60, 30)), answers("群众", 100, 70, 35, (45, 35)),
                 # Another review's questionnaires are not this review's.
                 answers("群众", 50, 0, 0, (0, 0), review="2026-R12"))
    expected = stats([
        ["党员", "知晓率", 100, 100, 95, 0.95, "95.0%"], ["党员", "参与率", 100, 100, 80, 0.80, "80.0%"],
        ["党员", "满意率", 100, 100, 90, 0.90, "90.0%"],
        ["群众", "知晓率", 100, 100, 70, 0.70, "70.0%"], ["群众", "参与率", 100, 100, 35, 0.35, "35.0%"],
        ["群众", "满意率", 100, 100, 80, 0.80, "80.0%"],
        ["合计", "知晓率", 200, 200, 165, 0.825, "82.5%"], ["合计", "参与率", 200, 200, 115, 0.575, "57.5%"],
        ["合计", "满意率", 200, 200, 170, 0.85, "85.0%"],
    ])
    assert_frame_equal(survey_statistics(data, REVIEW, POLICY), expected)


def test_a_cell_of_fewer_than_five_is_withheld_and_so_is_the_total_that_would_reveal_it():
    # Four 群众 answered: their figures are withheld, only how many answered stays. The total beside them would
    # give their answers away by subtraction from the 党员 figures, so its figures are withheld too.
    data = frame(answers("党员", 10, 9, 10, (5, 0)), answers("群众", 4, 4, 0, (2, 2)))
    expected = stats([
        ["党员", "知晓率", 10, 10, 9, 0.9, "90.0%"], ["党员", "参与率", 10, 10, 10, 1.0, "100.0%"],
        ["党员", "满意率", 10, 10, 5, 0.5, "50.0%"],
        ["群众", "知晓率", 4, 4, pd.NA, NA, SUPPRESSED], ["群众", "参与率", 4, 4, pd.NA, NA, SUPPRESSED],
        ["群众", "满意率", 4, 4, pd.NA, NA, SUPPRESSED],
        ["合计", "知晓率", 14, 14, pd.NA, NA, COMPLEMENT], ["合计", "参与率", 14, 14, pd.NA, NA, COMPLEMENT],
        ["合计", "满意率", 14, 14, pd.NA, NA, COMPLEMENT],
    ])
    assert_frame_equal(survey_statistics(data, REVIEW, POLICY), expected)
    assert SUPPRESSED == "—(样本过少)"


def test_five_answers_are_enough_and_a_type_nobody_answered_reveals_nothing():
    # Five 群众 are on the minimum and shown; with no 党员 at all the total equals the 群众 figures and is shown.
    data = frame(answers("群众", 5, 4, 1, (1, 1)))
    got = survey_statistics(data, REVIEW, POLICY)
    assert got[["respondent_type", "measure", "answered", "display"]].values.tolist() == [
        ["党员", "知晓率", 0, SUPPRESSED], ["党员", "参与率", 0, SUPPRESSED], ["党员", "满意率", 0, SUPPRESSED],
        ["群众", "知晓率", 5, "80.0%"], ["群众", "参与率", 5, "20.0%"], ["群众", "满意率", 5, "40.0%"],
        ["合计", "知晓率", 5, "80.0%"], ["合计", "参与率", 5, "20.0%"], ["合计", "满意率", 5, "40.0%"]]


def test_the_minimum_is_a_policy_setting():
    data = frame(answers("党员", 10, 9, 10, (5, 0)), answers("群众", 4, 4, 0, (2, 2)))
    got = survey_statistics(data, REVIEW, POLICY.model_copy(update={"min_cell_respondents": 4}))
    assert got.loc[got["respondent_type"] == "群众", "display"].tolist() == ["100.0%", "0.0%", "100.0%"]


def test_an_answer_of_another_question_is_left_out_and_noted():
    data = frame(answers("党员", 6, 6, 6, (6, 0)))
    data.loc[1, "answer"] = "满意"  # 参与情况 answered with a satisfaction grade
    got = survey_statistics(data, REVIEW, POLICY)
    assert got.loc[1].tolist() == ["党员", "参与率", 6, 5, 5, 1.0, "100.0%"]
    assert questionnaire_notes(data, REVIEW, POLICY) == [
        "党员问卷 6 份,少于计划的 100 份", "群众问卷 0 份,少于计划的 100 份",
        "有 1 个答案不是所属题目的选项(如“参与情况”答“满意”),未计入统计"]


def test_no_notes_when_the_targets_are_met():
    data = frame(answers("党员", 100, 95, 80, (60, 30)), answers("群众", 100, 70, 35, (45, 35)))
    assert questionnaire_notes(data, REVIEW, POLICY) == []
