"""年度考核 report tables: grade counts, apology grounds, trend against last year, publicity list."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal

from tasks.cycles.annual import report

NA = np.nan
GOV, PARTY, CENTRAL = "政府涉企涉民部门", "党群部门", "中央省驻单位"
FRAME = pd.DataFrame({
    "unit_id": ["U1", "U2", "U3", "U4", "U5"],
    "unit_name": ["甲", "乙", "丙", "丁", "戊"],
    "category": [PARTY, GOV, GOV, GOV, CENTRAL],
    "final_score": [95.123, 91.0, 70.0, NA, 80.0],
    "last_final_score": [90.0, NA, 80.0, 60.0, 70.0],
    "rank": pd.array([1, 1, 2, pd.NA, 1], dtype="Int64"),
    "grade": pd.array(["满意", "满意", "不满意", None, "基本满意"], dtype="str"),
    "veto": [False, False, True, False, False],
    "excellent": [True, True, False, False, False],
    "measure": pd.array([None, None, "诫勉谈话", None, None], dtype="str"),
    "apology": pd.array([None, "当面道歉", "公开道歉", None, None], dtype="str"),
    "apology_complaints": [0, 1, 2, 0, 0], "apology_deductions": [0, 0, 1, 0, 0], "apology_exposures": [0, 0, 0, 0, 0],
})


def test_grade_table_per_category_with_total():
    expected = pd.DataFrame({
        "category": [GOV, PARTY, CENTRAL, "合计"],
        "units": [3, 1, 1, 5],
        "满意": [1, 1, 0, 2], "基本满意": [0, 0, 1, 1], "不满意": [1, 0, 0, 1],
        "未评定": [1, 0, 0, 1],  # U4 has no score and no veto
        "excellent": [1, 1, 0, 2], "veto": [1, 0, 0, 1],
    })
    assert_frame_equal(report.grade_table(FRAME), expected, check_names=False)


def test_apology_grounds_in_words():
    assert report.apology_grounds_text(FRAME.iloc[1:3]).tolist() == [
        "有效投诉1件", "有效投诉2件;电子监察、明察暗访扣分1次"]


def test_trend_only_over_units_scored_both_years():
    got = report.trend_table(FRAME)
    # GOV: only U3 has both years (U2 new, U4 unscored this year): 80 → 70.
    expected = pd.DataFrame({
        "category": [GOV, PARTY, CENTRAL, "合计"], "units": [1, 1, 1, 3],
        "last": [80.0, 90.0, 70.0, 80.0], "this": [70.0, 95.123, 80.0, (70.0 + 95.123 + 80.0) / 3],
    })
    expected["change"] = expected["this"] - expected["last"]
    assert_frame_equal(got, expected)


def test_publicity_in_category_order_then_rank():
    got = report.publicity(FRAME)
    assert list(got.columns) == ["单位类别", "排名", "单位名称", "考核得分", "考核等次", "评优", "处理措施"]
    assert got["单位名称"].tolist() == ["乙", "丙", "丁", "甲", "戊"]  # unranked 丁 last in its category
    assert got["考核得分"].tolist()[:1] == [91.0] and got.loc[3, "考核得分"] == 95.12
    assert got["评优"].fillna("").tolist() == ["先进单位", "", "", "先进单位", ""]


def test_measure_table_prints_growth_on_the_side_the_rule_decided():
    frame = pd.DataFrame({
        "unit_id": ["U1", "U2", "U3"], "unit_name": ["甲", "乙", "丙"], "category": GOV,
        "rank": pd.array([8, 9, 10], dtype="Int64"), "final_score": [63.105, 84.0, 50.0],
        # Exactly 5 % in float noise (talk only); 4.96 % (replaced: never shown as 5.0 %); no score last year.
        "growth": [(63.105 - 60.1) / 60.1, 0.0496, NA],
        "measure": pd.array(["诫勉谈话", "调整主要领导", "诫勉谈话"], dtype="str"),
    })
    got = report.measure_units(frame, 0.05)
    assert got[["unit_id", "growth_shown", "measure"]].values.tolist() == [
        ["U1", "5.0%", "诫勉谈话"], ["U2", "4.96%", "调整主要领导"], ["U3", "—", "诫勉谈话"]]


def test_next_steps_state_the_rules_consequence_from_the_policy_and_no_invented_deadline():
    from schemas.policy import Policy
    from tasks.rules.annual_grading import MEASURES

    policy = Policy.model_validate({"annual": {"bottom_count": 5, "escalation_growth": 0.08}})
    talk = report.next_steps({"measure": MEASURES[0], "veto": False, "apology": None,
                                "missing_components": "", "excellent": False}, policy)
    assert talk[0] == ("主要负责人及领导班子接受市委领导诫勉谈话。下一年度考核仍为基本满意及以下、处于倒数5名"
                       "且得分增幅低于8%的,调整主要领导。")
    assert not any("日内" in step for step in talk)
