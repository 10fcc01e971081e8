"""The half-year outcome and the tables its dossiers show, on a hand-built city of five units."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.policy import Policy
from tasks.cycles.half_year import report

PERIOD = "2026H1"


def _survey() -> pd.DataFrame:
    """Five units with 2–4 answers each; U5 answers only 弃权 (样本不足 with min_valid_responses = 2)."""
    plan = {
        "U1": [("精神状态", "满意"), ("工作效率", "满意")],
        "U2": [("精神状态", "满意"), ("工作效率", "基本满意")],
        "U3": [("精神状态", "基本满意"), ("工作效率", "基本满意")],
        "U4": [("精神状态", "不满意"), ("工作效率", "基本满意"), ("工作效率", "弃权")],
        "U5": [("精神状态", "弃权"), ("工作效率", "弃权")],
    }
    rows = [{"period": PERIOD, "respondent_id": f"R{unit}{i}", "respondent_group": "社会各界", "unit_id": unit,
             "dimension": dimension, "grade": grade}
            for unit, answers in plan.items() for i, (dimension, grade) in enumerate(answers)]
    return pd.DataFrame(rows)


def _data() -> dict[str, pd.DataFrame]:
    ids = ["U1", "U2", "U3", "U4", "U5"]
    units = pd.DataFrame({"unit_id": ids, "unit_name": [f"{i}局" for i in ids], "category": "党群部门",
                          "region": "市直", "level": "市级", "is_window": True, "leader_name": "李四"})
    empty = {c: pd.Series(dtype="object") for c in ("comment_id", "date", "commenter_id", "subject_id", "kind")}
    return {"units": units, "survey_responses": _survey(),
            "subjects": pd.DataFrame({"subject_id": [], "subject_type": [], "unit_id": [], "name": []}),
            "leader_comments": pd.DataFrame(empty),
            "rectification_plans": pd.DataFrame({"unit_id": ["U4"], "period": ["2025H2"],
                                                 "filed_at": pd.to_datetime(["2026-01-10"]), "summary": ["方案"]})}


def _history() -> pd.DataFrame:
    previous = pd.DataFrame({"unit_id": ["U1", "U4"], "unit_name": ["U1局", "U4局"], "category": "党群部门",
                             "valid_responses": [40, 40], "abstentions": [0, 0], "score": [90.0, 50.0],
                             "satisfaction_rate": [1.0, 0.5], "ci_low": [0.9, 0.3], "ci_high": [1.0, 0.7],
                             "rank": [1, 2], "designation": [None, "重点管理单位"]})
    return report.stack_history({"2025H2": previous, "2025H1": None})


@pytest.fixture
def outcome() -> report.HalfYearOutcome:
    policy = Policy.model_validate({"half_year": {"min_valid_responses": 2, "key_management_count": 1,
                                                  "key_supervision_count": 1}})
    return report.half_year_outcome(_data(), PERIOD, policy, _history())


def test_outcome_ranks_designates_and_follows_up(outcome):
    # Scores: U1 100, U2 80, U3 60, U4 30 (弃权 excluded); U5 has no valid answer.
    rows = [tuple(None if pd.isna(v) else v for v in row) for row in
            outcome.ranking[["unit_id", "score", "rank", "designation"]].itertuples(index=False)]
    assert rows == [("U1", 100.0, 1, ""), ("U2", 80.0, 2, ""), ("U3", 60.0, 3, "重点督查单位"),
                    ("U4", 30.0, 4, "重点管理单位"), ("U5", None, None, "样本不足")]
    assert outcome.designated["unit_id"].tolist() == ["U4", "U3"]
    # U4 was 重点管理单位 in 2025H2 at rank 2, filed its plan, and is now 4th.
    assert outcome.follow_up[["unit_id", "plan_filed", "previous_rank", "current_rank", "movement"]] \
        .astype(object).values.tolist() == [["U4", True, 2, 4, "下降2位"]]
    assert report.follow_up_table(outcome)["plan_filed"].tolist() == ["已报送"]


def test_key_figures(outcome):
    figures = report.key_figures(outcome)
    assert figures == {
        "units": 5, "ranked": 4, "insufficient": 1, "answers": 11, "valid": 8, "abstentions": 3,
        "abstention_rate": 3 / 11, "satisfaction_rate": 7 / 8, "mean_score": 67.5, "median_score": 70.0,
        "key_management": 1, "key_supervision": 1,
    }


def test_profile_against_the_city_median(outcome):
    # City medians over ranked units: 精神状态 of 100, 100, 60, 0 → 80; 工作效率 of 100, 60, 60, 60 → 60.
    table = report.profile_table(outcome, "U4", "dimension").set_index("label")
    assert table.loc["精神状态"].tolist() == [0.0, 80.0, -80.0]
    assert table.loc["工作效率"].tolist() == [60.0, 60.0, 0.0]
    assert table.loc["工作落实"].isna().all()
    comparison = report.dimension_comparison(outcome).set_index("label")
    assert comparison.loc["精神状态"].tolist() == [80.0, 0.0, 60.0]


def test_trend_history_and_neighbours(outcome):
    trend = report.city_trend(outcome)
    # 2025H2: U1 90 and U4 50 (designated); 2026H1: mean of 100, 80, 60, 30, designated U3 and U4.
    assert trend.values.tolist() == [["2025H2", 2, 70.0, 50.0], ["2026H1", 4, 67.5, 45.0]]
    history = report.unit_history(outcome, "U4")
    assert history[["label", "rank", "ranked_units", "designation"]].values.tolist() == [
        ["2025年下半年", 2, 2, "重点管理单位"], ["2026年上半年", 4, 4, "重点管理单位"]]
    near = report.neighbours(outcome, "U4", reach=1)
    assert near[["unit_id", "flagged"]].values.tolist() == [["U3", False], ["U4", True]]


def test_publicity_and_periods(outcome):
    publicity = report.publicity(outcome)
    assert list(publicity.columns) == ["单位编码", "单位名称", "单位类别", "名次", "得分", "满意率", "确定结果"]
    assert publicity["确定结果"].tolist() == ["", "", "重点督查单位", "重点管理单位", "样本不足"]
    assert report.period_label("2025H2") == "2025年下半年"
    assert report.earlier_periods("2026H1", 3) == ["2024H2", "2025H1", "2025H2"]


@pytest.mark.parametrize(("published", "plans", "as_of", "shown", "note"), [
    # No final 2025H2 version yet: the clock has not started and the plan reads as filed.
    (None, True, "2026-07-14", "已报送", "正式版尚未发布,整改时限未起算"),
    # Final on Monday 22 December 2025: fifteen working days (1–3 January off, Sunday 4 January worked) run to
    # 13 January 2026; the plan of 10 January is on time.
    ("2025-12-22", True, "2026-07-14", "按时提交", "应于2026年1月13日前提交,2026年1月10日提交"),
    # Final on 10 December 2025: due 31 December, filed on Saturday 10 January, six working days late.
    ("2025-12-10", True, "2026-07-14", "逾期提交(6个工作日)",
     "应于2025年12月31日前提交,2026年1月10日提交,逾期6个工作日"),
    # No plan: overdue by five working days on 20 January; still running on the day it is due.
    ("2025-12-22", False, "2026-01-20", "逾期未提交(5个工作日)", "应于2026年1月13日前提交,至2026年1月20日逾期5个工作日未提交"),
    ("2025-12-22", False, "2026-01-13", "未到期", "应于2026年1月13日前提交,含当日尚余1个工作日"),
])
def test_the_follow_up_reads_each_key_management_plan_against_its_deadline(published, plans, as_of, shown, note):
    from datetime import date

    data = _data()
    if not plans:
        data["rectification_plans"] = data["rectification_plans"].iloc[:0]
    policy = Policy.model_validate({"half_year": {"min_valid_responses": 2, "key_management_count": 1,
                                                  "key_supervision_count": 1}})
    outcome = report.half_year_outcome(data, PERIOD, policy, _history(),
                                       published and date.fromisoformat(published), date.fromisoformat(as_of))
    table = report.follow_up_table(outcome)
    assert table[["unit_id", "plan_filed", "plan_note"]].values.tolist() == [["U4", shown, note]]
