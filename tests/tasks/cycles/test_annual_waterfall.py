"""The unit dossier's score waterfall: every step's figures, in the order the rules apply them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from schemas.policy import Annual
from tasks.cycles.annual.waterfall import comparison, waterfall

POLICY = Annual()
ROW = {
    "unit_id": "U1", "unit_name": "市政务服务中心", "category": "政府涉企涉民部门",
    "platform_score": np.nan, "platform_cases": 3, "platform_rated_cases": 0,
    "superior_score": 70.0, "superior_evaluations": 1, "service_object_score": 90.0, "service_object_periods": 1,
    "weight_platform": 0.0, "weight_superior": 0.5, "weight_service_object": 0.5,
    "composite": 80.0, "missing_components": "平台评价",
    "deduction_records": 2, "deductions_raw": 11.0, "deductions": 10.0,
    "bonus_records": 1, "bonus_raw": 1.0, "bonus": 1.0, "veto": True, "veto_items": "安全生产",
    "final_score": 71.0, "grade": "不满意", "rank": 7, "excellent": False,
    "measure": "调整主要领导", "last_met": True, "growth": 0.01, "apology": "公开道歉",
    "apology_grounds": "有效投诉2件",
}
HALF_YEARS = [{"period": "2026H1", "score": 90.0, "insufficient": False},
              {"period": "2026H2", "score": 10.0, "insufficient": True}]
DEDUCTIONS = [{"source": "电子监察", "date": pd.Timestamp("2026-03-01"), "points": 6.0, "reason": "超时办结"},
              {"source": "行政过错", "date": pd.Timestamp("2026-05-01"), "points": 5.0, "reason": "错办"}]
BONUSES = [{"record_id": "B1", "reason": "省级表彰", "points": 1.0, "approved": True, "counted_points": 1.0,
            "approved_by": "创先争优活动领导小组", "approved_at": pd.Timestamp("2026-12-01"), "note": ""},
           {"record_id": "B2", "reason": "市级表彰", "points": 4.0, "approved": False, "counted_points": 0.0,
            "approved_by": "市交通局", "approved_at": None,
            "note": "审定单位“市交通局”不是规定的审定单位(创先争优活动领导小组、作风建设领导小组),不计入"}]


def test_waterfall_values_in_rule_order():
    steps = waterfall(ROW, HALF_YEARS, DEDUCTIONS, BONUSES, 7, POLICY)
    assert [(s["what"], s["value"]) for s in steps] == [
        ("平台评价(规定权重80%)", "无数据"),                        # missing component, weight handed on
        ("上级评价(规定权重10%,折算后50.0%)", "70.00 分"),          # 0.1 / (0.1 + 0.1)
        ("服务对象评价(规定权重10%,折算后50.0%)", "90.00 分"),
        ("综合得分", "80.00 分"),
        ("扣分:电子监察(2026年3月1日)", "−6.00"),                  # each record of the year
        ("扣分:行政过错(2026年5月1日)", "−5.00"),
        ("扣分合计", "−10.00"),                                     # 11 capped at 10
        ("加分:省级表彰", "+1.00"),
        ("加分:市级表彰", "不计"),                                  # not approved
        ("加分合计", "+1.00"),
        ("最终得分", "71.00 分"),
        ("一票否决", "否决"),
        ("考核等次", "不满意"),
        ("排名", "第7名"),
        ("评优评先", "否"),
        ("末位淘汰", "调整主要领导"),
        ("一把手道歉", "公开道歉"),
    ]
    assert "2026年上半年90.00分;2026年下半年样本不足,不计入" in steps[2]["how"]
    assert steps[3]["how"] == "50.0% × 70.00 + 50.0% × 90.00(缺少平台评价,其余权重按比例折算)"
    assert "超过上限10.00分" in steps[6]["how"]
    assert steps[7]["how"] == "经创先争优活动领导小组审定(2026年12月1日)"
    assert steps[8]["how"] == "审定单位“市交通局”不是规定的审定单位(创先争优活动领导小组、作风建设领导小组),不计入"
    assert "20% × 7 向下取整,即1个" in steps[14]["how"]


def test_comparison_with_and_without_last_year():
    last = {"final_score": 75.5, "rank": 3, "grade": "基本满意", "measure": "诫勉谈话"}
    rows = {r["item"]: (r["last"], r["this"]) for r in comparison(ROW, last)}
    assert rows["最终得分"] == ("75.50", "71.00")
    assert rows["排名"] == ("3", "7")
    assert rows["平台评价"] == ("—", "—")
    assert all(r["last"] == "—" for r in comparison(ROW, None))


@pytest.mark.parametrize("growth, measure, text", [
    # Exactly 5 % computed as 0.049999999999999926 (60.1 → 63.105): the decision and the words say “not under”.
    ((63.105 - 60.1) / 60.1, "诫勉谈话", "较上年增长5.0%,未低于5%"),
    # 4.96 % is under 5 %: printed with the decimals that show it, never as “5.0%” beside a replacement.
    (0.0496, "调整主要领导", "较上年增长4.96%,低于5%"),
    (0.04999, "调整主要领导", "较上年增长4.999%,低于5%"),
    (0.0512, "诫勉谈话", "较上年增长5.1%,未低于5%"),
    (-0.03, "调整主要领导", "较上年下降3.0%,低于5%"),
])
def test_printed_growth_agrees_with_the_measure(growth, measure, text):
    row = {**ROW, "growth": growth, "measure": measure}
    step = waterfall(row, HALF_YEARS, DEDUCTIONS, BONUSES, 7, POLICY)[-2]
    assert step["how"].endswith("上年度已被列入;" + text)
    assert step["value"] == measure


def test_no_deduction_and_no_bonus_read_as_zero_not_as_a_signed_zero():
    row = ROW | {"deduction_records": 0, "deductions_raw": 0.0, "deductions": 0.0,
                 "bonus_records": 0, "bonus_raw": 0.0, "bonus": 0.0}
    values = {s["what"]: s["value"] for s in waterfall(row, HALF_YEARS, [], [], 7, POLICY)}
    assert (values["扣分合计"], values["加分合计"]) == ("0.00", "0.00")
