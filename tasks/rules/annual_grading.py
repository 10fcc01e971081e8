"""年度考核 grading: ranks, grades, the excellence quota, and the measures of bottom elimination (末位淘汰)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.policy import Annual
from tasks.rules import tolerance
from tasks.rules.ranking import among_lowest, competition_rank

SATISFIED, BASICALLY_SATISFIED, UNSATISFIED = "满意", "基本满意", "不满意"
ADMONISHING_TALK = "诫勉谈话"
REPLACE_LEADER = "调整主要领导"
MEASURES = (ADMONISHING_TALK, REPLACE_LEADER)


def grades(final_score: pd.Series, veto: pd.Series, policy: Annual) -> pd.Series:
    """满意 / 基本满意 / 不满意 by the policy thresholds; a veto makes 不满意; no score and no veto, no grade."""
    score = final_score.astype("float64")
    grade = np.select(
        [veto.astype(bool), tolerance.at_least(score, policy.grade_satisfied),
         tolerance.at_least(score, policy.grade_basically_satisfied), score.notna()],
        [UNSATISFIED, SATISFIED, BASICALLY_SATISFIED, UNSATISFIED], default=None,
    )
    return pd.Series(grade, index=final_score.index, dtype="str")


def ranks(frame: pd.DataFrame, within_category: bool) -> pd.Series:
    """Competition ranks by final score, descending, with every vetoed unit after every non-vetoed one."""
    keys = pd.DataFrame({"vetoed": frame["veto"].astype(int), "final_score": frame["final_score"],
                         "category": frame["category"]}, index=frame.index)
    return competition_rank(keys, [("vetoed", True), ("final_score", False)],
                            group="category" if within_category else None)


def quota_places(category: pd.Series, quota: float) -> pd.Series:
    """⌊quota × units in the category⌋ for each unit's category."""
    size = category.astype(str).map(category.astype(str).value_counts())
    # The tolerance keeps 0.29 × 100 at 29 instead of 28.999….
    return tolerance.floor(size * quota).astype("int64")


def excellent(frame: pd.DataFrame, quota: float) -> pd.Series:
    """先进单位: graded 满意, not vetoed, and ranked within the quota of its category."""
    category_rank = ranks(frame, within_category=True)
    inside = category_rank.le(quota_places(frame["category"], quota)).fillna(False).astype(bool)
    return frame["grade"].eq(SATISFIED).fillna(False).astype(bool) & ~frame["veto"].astype(bool) & inside


def bottom_condition(frame: pd.DataFrame, policy: Annual) -> pd.Series:
    """Graded 基本满意 or below AND among the policy's lowest-ranked units (a tie at the boundary is inside)."""
    group = frame["category"] if policy.rank_within_category else None
    lowest = among_lowest(frame["rank"], policy.bottom_count, group)
    return frame["grade"].isin([BASICALLY_SATISFIED, UNSATISFIED]).fillna(False).astype(bool) & lowest


def growth(final_score: pd.Series, last_score: pd.Series) -> pd.Series:
    """(this − last) / last; empty when there is no final score last year (or it was 0)."""
    last = last_score.astype("float64")
    return (final_score.astype("float64") - last) / last.where(last != 0)


def measures(frame: pd.DataFrame, previous: pd.DataFrame | None, policy: Annual) -> pd.DataFrame:
    """Per unit: the measure (诫勉谈话 / 调整主要领导 / empty), last year's final score and the growth."""
    last = _last_year(frame["unit_id"], previous)
    met_now = bottom_condition(frame, policy)
    ratio = growth(frame["final_score"], last["last_final_score"])
    # A growth of exactly 5 % computed as 0.04999999999999993 is 5 %, not “less than 5 %” (SPEC §2.2).
    escalate = met_now & last["last_met"] & tolerance.below(ratio, policy.escalation_growth)
    measure = np.select([escalate, met_now], [REPLACE_LEADER, ADMONISHING_TALK], default=None)
    return pd.DataFrame({
        "measure": pd.Series(measure, index=frame.index, dtype="str"),
        "last_final_score": last["last_final_score"].to_numpy(),
        "last_met": last["last_met"].to_numpy(),
        "growth": ratio,
    }, index=frame.index)


def _last_year(unit_id: pd.Series, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Last year's final score of each unit, and whether it met the bottom condition (had a measure)."""
    if previous is None or previous.empty:
        return pd.DataFrame({"last_final_score": np.nan, "last_met": False}, index=unit_id.index)
    last = previous.assign(unit_id=previous["unit_id"].astype(str)).set_index("unit_id")
    met = last["measure"].astype("str").isin(MEASURES)
    keys = unit_id.astype(str)
    return pd.DataFrame({
        "last_final_score": keys.map(last["final_score"].astype("float64")).to_numpy(),
        "last_met": keys.map(met).fillna(False).astype(bool).to_numpy(),
    }, index=unit_id.index)


def grade_units(scores: pd.DataFrame, previous: pd.DataFrame | None, policy: Annual) -> pd.DataFrame:
    """`scores` (one row per unit with final score and veto) with rank, grade, excellence, measure and growth."""
    frame = scores.copy()
    frame["grade"] = grades(frame["final_score"], frame["veto"], policy)
    frame["rank"] = ranks(frame, policy.rank_within_category)
    frame["excellent"] = excellent(frame, policy.excellence_quota)
    return pd.concat([frame, measures(frame, previous, policy)], axis=1)
