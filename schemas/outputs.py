"""Columns of every result file a cycle publishes (SPEC §4), in order."""

from __future__ import annotations

FULFILMENT_COLUMNS = (
    "unit_id", "unit_name", "due", "fulfilled", "in_progress", "adjusted", "overdue",
    "fulfilment_rate", "platform_cases", "platform_satisfaction_rate", "warning", "warning_reasons",
)
RANKING_COLUMNS = (
    "unit_id", "unit_name", "category", "valid_responses", "abstentions", "score",
    "satisfaction_rate", "ci_low", "ci_high", "rank", "designation", "rank_low", "rank_high", "p_designated",
)
ASSESSMENT_COLUMNS = (
    "unit_id", "unit_name", "category", "platform_score", "superior_score", "service_object_score",
    "composite", "deductions", "bonus", "veto", "final_score", "rank", "grade", "excellent",
    "measure", "apology", "growth", "missing_components",
)
INDIVIDUAL_COLUMNS = ("person_id", "unit_id", "valid_complaints", "valid_complaints_two_years", "sanction")
POINTS_COLUMNS = (
    "person_id", "unit_id", "unit_name", "year_points", "total_points", "activist", "activist_reason",
    "volunteer_points", "volunteer_tier", "uncounted",
)
SCORECARD_COLUMNS = (
    "person_id", "unit_id", "unit_name", "year", "score", "max_total", "grade", "problems", "excellent_years",
    "promotable", "streak_reason",
)
SITE_RESULT_COLUMNS = ("review_id", "respondent_type", "measure", "respondents", "answered", "favourable", "rate",
                       "display")
SITE_SAMPLE_COLUMNS = ("review_id", "seed", "org_type", "draw", "org_id", "name", "region", "township")

# Chinese headers of the result workbooks (ranking.xlsx, assessment.xlsx, fulfilment.xlsx) administrators open.
COLUMN_LABELS = {
    "unit_id": "单位编码", "unit_name": "单位名称", "category": "单位类别", "due": "应兑现承诺",
    "fulfilled": "已兑现", "in_progress": "推进中", "adjusted": "已调整", "overdue": "逾期未兑现",
    "fulfilment_rate": "兑现率", "platform_cases": "平台诉求件数", "platform_satisfaction_rate": "平台满意率",
    "warning": "预警", "warning_reasons": "预警原因", "valid_responses": "有效测评票", "abstentions": "弃评票",
    "score": "测评得分", "satisfaction_rate": "满意率", "ci_low": "满意率区间下限", "ci_high": "满意率区间上限",
    "rank": "名次", "designation": "确定结果", "rank_low": "排名区间(高)", "rank_high": "排名区间(低)",
    "p_designated": "被确定为重点单位的可能性", "platform_score": "平台评价得分", "superior_score": "上级评价得分",
    "service_object_score": "服务对象评价得分", "composite": "综合得分", "deductions": "扣分", "bonus": "加分",
    "veto": "一票否决", "final_score": "最终得分", "grade": "等次", "excellent": "先进单位", "measure": "处理措施",
    "apology": "一把手道歉", "growth": "得分增幅", "missing_components": "缺项",
}

KEY_MANAGEMENT = "重点管理单位"
KEY_SUPERVISION = "重点督查单位"
INSUFFICIENT_SAMPLE = "样本不足"
BOUNDARY_UNIT = "边界单位"  # designated, but less likely than not to be on a fresh sample (SPEC §8)

CYCLES = ("quarterly", "half-year", "annual", "points", "on-site")
CYCLE_LABELS = {"quarterly": "季度评议写实", "half-year": "半年点评写实", "annual": "年度考核", "points": "积分制管理",
                "on-site": "现场点评"}
