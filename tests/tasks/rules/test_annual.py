"""年度考核 scores: components, composite with renormalised weights, deductions, bonus, veto, final score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from schemas.datasets import CYCLE_DATASETS, DATASETS
from schemas.policy import Annual, HalfYear
from tasks.rules import annual

NA = np.nan
POLICY = Annual()


def frames(**given: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every annual dataset, empty unless given (as the flow passes optional datasets without rows)."""
    names = CYCLE_DATASETS["annual"]["required"] + CYCLE_DATASETS["annual"]["optional"]
    return {n: given.get(n, pd.DataFrame(columns=DATASETS[n].column_names)) for n in names}


def units(*rows: tuple[str, str, bool]) -> pd.DataFrame:
    return pd.DataFrame([
        {"unit_id": u, "unit_name": f"{u}窗口", "category": c, "region": "市直", "level": "市级",
         "is_window": w, "leader_name": "张三"} for u, c, w in rows
    ])


def cases(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([
        {"case_id": f"C{i}", "platform": "民生热线", "unit_id": u, "received_at": pd.Timestamp(at),
         "due_at": pd.Timestamp(at) + pd.Timedelta(days=5), "closed_at": pd.NaT, "rating": r}
        for i, (u, at, r) in enumerate(rows)
    ])


GOV, PARTY, CENTRAL = "政府涉企涉民部门", "党群部门", "中央省驻单位"
REGISTRY = units(("U1", GOV, True), ("U2", GOV, True), ("U3", PARTY, True), ("U4", CENTRAL, True),
                 ("U5", GOV, False))
CASES = cases(("U1", "2026-01-05", "满意"), ("U1", "2026-12-31 23:59", "基本满意"),
              ("U1", "2026-06-01", "未评价"), ("U1", "2025-12-31 23:59", "不满意"),
              ("U3", "2026-03-01", "满意"), ("U4", "2026-03-01", "未评价"))
SUPERIOR = pd.DataFrame({"year": [2026, 2026, 2025, 2026, 2026], "unit_id": ["U1", "U1", "U1", "U2", "U4"],
                         "evaluator": ["甲", "乙", "甲", "甲", "甲"], "score": [90.0, 80.0, 10.0, 70.0, 60.0]})
HALF_YEAR = pd.DataFrame({
    "unit_id": ["U1", "U1", "U1", "U2", "U2", "U3", "U4"],
    "period": ["2026H1", "2026H2", "2025H2", "2026H1", "2026H2", "2026H1", "2026H1"],
    "score": [70.0, 90.0, 10.0, 90.0, 10.0, 99.0, 100.0],
    "insufficient": [False, False, False, False, True, True, False],
})


def test_components_count_only_the_year_and_sufficient_half_years():
    got = annual.components(REGISTRY, CASES, SUPERIOR, HALF_YEAR, 2026, POLICY)
    expected = pd.DataFrame({
        # U5 is not a window unit and is not assessed.
        "unit_id": ["U1", "U2", "U3", "U4"],
        "unit_name": ["U1窗口", "U2窗口", "U3窗口", "U4窗口"],
        "category": [GOV, GOV, PARTY, CENTRAL],
        # Platform: mean of rated 2026 cases (100, 60); 未评价 and the 2025 case do not count;
        # U4 has only an unrated case, so no score rather than 0.
        "platform_score": [80.0, NA, 100.0, NA],
        "platform_rated_cases": [2, 0, 1, 0],
        "platform_cases": [3, 0, 1, 1],
        # Superior: mean of the year's evaluations only.
        "superior_score": [85.0, 70.0, NA, 60.0],
        "superior_evaluations": [2, 1, 0, 1],
        # Service object: H1 and H2 equally; a 样本不足 half-year and last year's do not count.
        "service_object_score": [80.0, 90.0, NA, 100.0],
        "service_object_periods": [2, 1, 0, 1],
    })
    assert_frame_equal(got, expected, check_dtype=False)
    assert got["platform_rated_cases"].dtype == "int64"


def test_composite_renormalises_the_weights_of_present_components():
    parts = annual.components(REGISTRY, CASES, SUPERIOR, HALF_YEAR, 2026, POLICY)
    got = annual.composite_scores(parts, POLICY)[["unit_id", *annual.WEIGHT_COLUMNS, "composite",
                                                  "missing_components"]]
    expected = pd.DataFrame({
        "unit_id": ["U1", "U2", "U3", "U4"],
        "weight_platform": [0.8, 0.0, NA, 0.0],
        "weight_superior": [0.1, 0.5, NA, 0.2],
        "weight_service_object": [0.1, 0.5, NA, 0.8],
        # U1: 0.8·80 + 0.1·85 + 0.1·80; U2 lacks the platform, so superior and service object weigh
        # 0.1/0.2 each: 0.5·70 + 0.5·90; U3 (党群部门) has neither of its components: no composite —
        # its platform score does not count for its category and is not "missing";
        # U4 (中央省驻单位): 0.8·100 + 0.2·60.
        "composite": [80.5, 80.0, NA, 92.0],
        "missing_components": [NA, "平台评价", "上级评价、服务对象评价", NA],
    })
    assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.parametrize("points, expected", [
    # The sum of the year's deductions, capped at 10; records of other years are ignored.
    ({"2026-02-01": 6.0, "2026-12-31": 5.0, "2025-12-31": 3.0}, (2, 11.0, 10.0)),
    # Under the cap the sum stands.
    ({"2026-02-01": 2.5, "2026-03-01": 0.5}, (2, 3.0, 3.0)),
])
def test_deductions_are_summed_and_capped(points, expected):
    deductions = pd.DataFrame({"record_id": [f"D{i}" for i in range(len(points))], "unit_id": "U1",
                               "date": pd.to_datetime(list(points)), "source": "行政过错",
                               "points": list(points.values()), "reason": "迟到"})
    got = annual.deduction_totals(deductions, 2026, POLICY.deduction_cap)
    assert_frame_equal(got, pd.DataFrame({"unit_id": ["U1"], "deduction_records": [expected[0]],
                                          "deductions_raw": [expected[1]], "deductions": [expected[2]]}))


def test_bonus_counts_only_approved_records_of_the_year_and_is_capped():
    approver = POLICY.bonus_approvers[0]
    bonuses = pd.DataFrame([
        # U1: two approved records, 2 + 2 = 4, capped at 3.
        ("B1", "U1", 2026, 2.0, approver, pd.Timestamp("2026-12-01")),
        ("B2", "U1", 2026, 2.0, approver, pd.Timestamp("2026-12-02")),
        # U2: approved by someone else than the leadership group: not counted.
        ("B3", "U2", 2026, 5.0, "市交通局", pd.Timestamp("2026-12-01")),
        # U2: the leadership group named but no approval date: not counted.
        ("B4", "U2", 2026, 5.0, approver, pd.NaT),
        # U2: approved, 1 point.
        ("B5", "U2", 2026, 1.0, approver, pd.Timestamp("2027-01-10")),
        # U3: approved but for last year: not counted.
        ("B6", "U3", 2025, 2.0, approver, pd.Timestamp("2025-12-01")),
        # U4: nobody approved it.
        ("B7", "U4", 2026, 2.0, None, pd.NaT),
    ], columns=["record_id", "unit_id", "year", "points", "approved_by", "approved_at"]).assign(reason="")
    got = annual.bonus_totals(bonuses, 2026, POLICY)
    expected = pd.DataFrame({"unit_id": ["U1", "U2"], "bonus_records": [2, 1], "bonus_raw": [4.0, 1.0],
                             "bonus": [3.0, 1.0]})
    assert_frame_equal(got, expected)


BODIES = "创先争优活动领导小组、作风建设领导小组"


def test_bonus_records_say_what_counts_and_why_not():
    bonuses = pd.DataFrame([
        # U1: approved by both default bodies, filling the cap of 3 in order of approval: 2 counts, then 1 of
        # the 1.5 (0.5 cut), then nothing of the last point (cut whole).
        ("B1", "U1", 2026, 2.0, "创先争优活动领导小组", pd.Timestamp("2026-03-01")),
        ("B2", "U1", 2026, 1.5, "作风建设领导小组", pd.Timestamp("2026-06-01")),
        ("B3", "U1", 2026, 1.0, "作风建设领导小组", pd.Timestamp("2026-09-01")),
        # U2: an approver not on the list; no approver at all; the right approver without a date.
        ("B4", "U2", 2026, 2.0, "市交通局", pd.Timestamp("2026-05-01")),
        ("B5", "U2", 2026, 1.0, None, pd.NaT),
        ("B6", "U2", 2026, 1.0, "作风建设领导小组", pd.NaT),
        # U3: cap already filled by an earlier approval: the later record is cut whole.
        ("B7", "U3", 2026, 3.0, "创先争优活动领导小组", pd.Timestamp("2026-02-01")),
        ("B8", "U3", 2026, 2.0, "作风建设领导小组", pd.Timestamp("2026-04-01")),
        # Another year's record is not this year's business.
        ("B9", "U3", 2025, 2.0, "作风建设领导小组", pd.Timestamp("2025-04-01")),
    ], columns=["record_id", "unit_id", "year", "points", "approved_by", "approved_at"]).assign(reason="表彰")
    got = annual.bonus_records(bonuses, 2026, POLICY)
    expected = pd.DataFrame({
        "record_id": ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8"],
        "approved": [True, True, True, False, False, False, True, True],
        "counted_points": [2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0],
        "cut_points": [0.0, 0.5, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0],
        "note": ["", "超过加分上限3分,核减0.5分", "加分已达上限3分,本项1分全部核减",
                 f"审定单位“市交通局”不是规定的审定单位({BODIES}),不计入", "未注明审定单位,未经审定,不计入",
                 "未注明审定日期,不计入", "", "加分已达上限3分,本项2分全部核减"],
    })
    columns = list(expected.columns)
    assert_frame_equal(got[columns], expected.astype({"note": "str"}))
    totals = annual.bonus_totals(bonuses, 2026, POLICY)
    # Approved records and their sum before the cap, then the capped bonus; U2 has nothing approved.
    assert_frame_equal(totals, pd.DataFrame({"unit_id": ["U1", "U3"], "bonus_records": [3, 2],
                                             "bonus_raw": [4.5, 5.0], "bonus": [3.0, 3.0]}))


def test_bonus_filling_the_cap_exactly_is_not_cut_by_float_noise():
    # 0.1 + 0.2 against a cap of 0.3: room for the second is 0.19999999999999998 in floats, which is 0.2.
    bonuses = pd.DataFrame({"record_id": ["B1", "B2"], "unit_id": "U1", "year": 2026, "points": [0.1, 0.2],
                            "reason": "", "approved_by": "创先争优活动领导小组",
                            "approved_at": [pd.Timestamp("2026-03-01"), pd.Timestamp("2026-04-01")]})
    got = annual.bonus_records(bonuses, 2026, Annual(bonus_cap=0.3))
    assert got[["counted_points", "cut_points", "note"]].values.tolist() == [[0.1, 0.0, ""], [0.2, 0.0, ""]]


def test_bonus_approvers_come_from_the_policy():
    bonuses = pd.DataFrame({"record_id": ["B1"], "unit_id": ["U1"], "year": [2026], "points": [2.0], "reason": [""],
                            "approved_by": ["作风建设领导小组"], "approved_at": [pd.Timestamp("2026-05-01")]})
    # Approved by 作风建设领导小组: counts under the default list, not under a list without it.
    assert annual.bonus_totals(bonuses, 2026, POLICY)["bonus"].tolist() == [2.0]
    only_campaign = Annual(bonus_approvers=["创先争优活动领导小组"])
    assert annual.bonus_totals(bonuses, 2026, only_campaign).empty
    assert annual.bonus_records(bonuses, 2026, only_campaign)["note"].tolist() == [
        "审定单位“作风建设领导小组”不是规定的审定单位(创先争优活动领导小组),不计入"]


def test_vetoes_of_the_year_on_policy_items_only():
    vetoes = pd.DataFrame({
        "record_id": ["V1", "V2", "V3", "V4", "V5"],
        "unit_id": ["U1", "U1", "U2", "U3", "U1"],
        "date": pd.to_datetime(["2026-05-01", "2026-02-01", "2025-05-01", "2026-05-01", "2026-06-01"]),
        # U1 twice on two items and once more on one of them: listed once each, by date;
        # U2's veto is last year's; U3's item is not vetoing under this policy.
        "item": ["安全生产", "党风廉政建设", "安全生产", "计划生育", "安全生产"],
        "reason": "",
    })
    got = annual.vetoed_units(vetoes, 2026, ["安全生产", "党风廉政建设"])
    assert_frame_equal(got, pd.DataFrame({"unit_id": ["U1"], "veto_items": ["党风廉政建设、安全生产"]}))


@pytest.mark.parametrize("composite, deduction, bonus, final", [
    (80.5, 2.0, 1.0, 79.5),   # composite − deductions + bonus
    (5.0, 10.0, 0.0, 0.0),    # clamped at 0
    (99.0, 0.0, 3.0, 100.0),  # clamped at 100
    (NA, 2.0, 1.0, NA),       # no composite, no final score
])
def test_final_score_is_clamped(composite, deduction, bonus, final):
    scored = pd.DataFrame({"unit_id": ["U1"], "composite": [composite]})
    data = frames(
        deductions=pd.DataFrame({"record_id": ["D1"], "unit_id": ["U1"], "date": [pd.Timestamp("2026-03-01")],
                                 "source": ["电子监察"], "points": [deduction], "reason": [""]}),
        bonuses=pd.DataFrame({"record_id": ["B1"], "unit_id": ["U1"], "year": [2026], "points": [bonus],
                              "reason": [""], "approved_by": [POLICY.bonus_approvers[0]],
                              "approved_at": [pd.Timestamp("2026-12-01")]}),
    )
    got = annual.final_scores(scored, data["deductions"], data["bonuses"], data["vetoes"], 2026, POLICY)
    assert got.loc[0, ["deductions", "bonus", "veto"]].tolist() == [deduction, bonus, False]
    assert got.loc[0, "final_score"] == pytest.approx(final, nan_ok=True)


def test_assessment_of_a_unit_without_any_optional_data():
    # Only the registry delivered: every component missing, nothing to grade or rank, no measure.
    got = annual.assessment(frames(units=units(("U1", PARTY, True))), HALF_YEAR.iloc[:0], None, 2026, POLICY)
    row = got.iloc[0]
    assert row["missing_components"] == "上级评价、服务对象评价"
    assert [row["composite"], row["final_score"], row["growth"]] == pytest.approx([NA] * 3, nan_ok=True)
    assert [row["deductions"], row["bonus"], row["veto"], row["excellent"]] == [0.0, 0.0, False, False]
    assert row[["rank", "grade", "measure", "apology"]].isna().all()


def _as_loaded(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """`frame` with the dtypes the store hands back: codes as category, text as str, ints as Int64."""
    dtypes = {"str": "str", "int": "Int64", "float": "float64", "bool": "bool"}
    typed = {}
    for column in DATASETS[name].columns:
        if column.is_code:
            typed[column.name] = pd.Categorical(frame[column.name], categories=column.allowed)
        elif column.type in dtypes:
            typed[column.name] = frame[column.name].astype(dtypes[column.type])
        else:
            typed[column.name] = pd.to_datetime(frame[column.name])
    return pd.DataFrame(typed)


def test_assessment_accepts_the_dtypes_of_the_store():
    given = {"units": REGISTRY, "platform_cases": CASES, "superior_scores": SUPERIOR}
    plain = annual.assessment(frames(**given), HALF_YEAR, None, 2026, POLICY)
    loaded = annual.assessment(frames(**{n: _as_loaded(f, n) for n, f in given.items()}), HALF_YEAR, None,
                               2026, POLICY)
    assert_frame_equal(loaded, plain)
    assert plain["final_score"].tolist() == pytest.approx([80.5, 80.0, NA, 92.0], nan_ok=True)


def test_half_year_scores_from_the_published_ranking_or_the_answers():
    published = pd.DataFrame({"unit_id": ["U1", "U2"], "score": [88.0, 40.0],
                              "designation": ["重点管理单位", "样本不足"]})
    answers = pd.DataFrame({
        "period": "2026H2", "respondent_id": [f"R{i}" for i in range(31)], "respondent_group": "机关",
        "unit_id": "U1", "dimension": "工作效率",
        # 30 满意 + 1 基本满意: 31 valid answers ≥ 30, score (30·100 + 60) / 31.
        "grade": ["满意"] * 30 + ["基本满意"],
    })
    registry = units(("U1", GOV, True), ("U2", GOV, True))
    got = annual.half_year_scores({"2026H1": published, "2026H2": None}, answers, registry, HalfYear())
    expected = pd.DataFrame({
        "unit_id": ["U1", "U2", "U1", "U2"],
        "period": ["2026H1", "2026H1", "2026H2", "2026H2"],
        # H1 as published (U2 marked 样本不足 there); H2 recomputed: U2 has no answers at all.
        "score": [88.0, 40.0, 3060 / 31, NA],
        "insufficient": [False, True, False, True],
    })
    assert_frame_equal(got, expected, check_dtype=False)
