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

KEY_MANAGEMENT = "重点管理单位"
KEY_SUPERVISION = "重点督查单位"
INSUFFICIENT_SAMPLE = "样本不足"
BOUNDARY_UNIT = "边界单位"  # designated, but less likely than not to be on a fresh sample (SPEC §8)

CYCLES = ("quarterly", "half-year", "annual", "points", "on-site")
CYCLE_LABELS = {"quarterly": "季度评议写实", "half-year": "半年点评写实", "annual": "年度考核", "points": "积分制管理",
                "on-site": "现场点评"}
