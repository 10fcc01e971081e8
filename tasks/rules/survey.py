"""群众满意度测评: half-year survey scores, satisfaction rates with Wilson intervals, and per-dimension profiles."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from schemas.datasets import DIMENSIONS, RESPONDENT_GROUPS
from schemas.outputs import INSUFFICIENT_SAMPLE, KEY_MANAGEMENT, KEY_SUPERVISION
from schemas.policy import HalfYear
from tasks.rules import tolerance
from tasks.rules.ranking import among_lowest, competition_rank, units_below

Z_95 = 1.959963984540054
ABSTAIN = "弃权"
GRADE_COUNTS = {"满意": "satisfied", "基本满意": "basically_satisfied", "不满意": "dissatisfied", ABSTAIN: "abstentions"}
SCORE_COLUMNS = [
    "unit_id", "unit_name", "category", "region", "answers", "valid_responses", "abstentions",
    "abstention_rate", "satisfied", "basically_satisfied", "dissatisfied", "score",
    "satisfaction_rate", "ci_low", "ci_high", "sufficient", "unweighted_answers",
]


def period_answers(responses: pd.DataFrame, period: str, points: Mapping[str, float]) -> pd.DataFrame:
    """The answers of `period` only, with their points (NaN for 弃权, which never scores)."""
    rows = responses[responses["period"].astype(str).eq(period)]
    # Categories keep province-scale groupbys fast; plain text columns from hand-built frames are converted.
    grade = rows["grade"].astype("category")
    return pd.DataFrame({
        "unit_id": rows["unit_id"].astype("category"),
        "group": rows["respondent_group"].astype("category"),
        "dimension": rows["dimension"].astype("category"),
        "grade": grade,
        "points": grade.map(dict(points)).astype("float64"),
    }, index=rows.index)


def _by(frame: pd.DataFrame, keys: list[str]):
    """A groupby over observed category combinations only."""
    return frame.groupby(keys, sort=False, observed=True)


def wilson_interval(successes: pd.Series, trials: pd.Series, z: float = Z_95) -> tuple[pd.Series, pd.Series]:
    """Lower and upper bounds of the Wilson score interval of successes / trials (NaN for no trials)."""
    n = trials.astype("float64").where(trials > 0)
    p = successes.astype("float64") / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At p = 0 or p = 1 one bound is exactly 0 or 1; rounding must not leave 0.9999999999999999.
    low = (centre - spread).clip(lower=0.0).mask(successes.eq(0) & n.notna(), 0.0)
    high = (centre + spread).clip(upper=1.0).mask(successes.eq(trials) & n.notna(), 1.0)
    return low, high


def _grade_counts(answers: pd.DataFrame) -> pd.DataFrame:
    """Answers of each grade per unit, zero where a grade was never given."""
    counts = _by(answers, ["unit_id", "grade"]).size().unstack(fill_value=0)
    counts.index, counts.columns = counts.index.astype(str), counts.columns.astype(str)
    counts = counts.reindex(columns=list(GRADE_COUNTS), fill_value=0).rename(columns=GRADE_COUNTS)
    return counts.astype("int64")


def _weighted_score(answers: pd.DataFrame, weights: Mapping[str, float] | None) -> pd.Series:
    """Mean points of the non-abstaining answers, or Σ w_g·mean_g / Σ w_g over the groups present."""
    valid = answers[answers["points"].notna()]
    if not weights:
        means = _by(valid, ["unit_id"])["points"].mean()
        return means.set_axis(means.index.astype(str))
    by_group = _by(valid, ["unit_id", "group"])["points"].mean().reset_index()
    by_group[["unit_id", "group"]] = by_group[["unit_id", "group"]].astype(str)
    weight = by_group["group"].map(dict(weights)).fillna(0.0).astype("float64")
    weighted = (by_group["points"] * weight).groupby(by_group["unit_id"], sort=False).sum()
    total = weight.groupby(by_group["unit_id"], sort=False).sum()
    return weighted / total.where(total > 0)


def weighted(answers: pd.DataFrame, weights: Mapping[str, float] | None) -> pd.Series:
    """Whether each answer's group carries weight: answers of a group of weight 0 are not valid answers (SPEC §2.2)."""
    if not weights:
        return pd.Series(True, index=answers.index)
    return answers["group"].astype(str).map(dict(weights)).astype("float64").gt(0).fillna(False).astype(bool)


def unit_survey_scores(responses: pd.DataFrame, units: pd.DataFrame, period: str,
                       policy: HalfYear) -> pd.DataFrame:
    """Per window unit: answer counts, abstention rate, score, 满意率 with its 95 % interval, and sample sufficiency.

    Answers of groups the policy weighs 0 are set aside (counted in `unweighted_answers` only), so they neither
    score nor make up the minimum sample.
    """
    every = period_answers(responses, period, policy.grade_points)
    counts_toward = weighted(every, policy.group_weights)
    answers = every[counts_toward]
    window = units[units["is_window"].astype(bool)]
    table = pd.DataFrame({
        column: window[column].astype(str).to_numpy()
        for column in ("unit_id", "unit_name", "category", "region")
    })
    counts = _grade_counts(answers).reindex(table["unit_id"], fill_value=0)
    for column in GRADE_COUNTS.values():
        table[column] = counts[column].to_numpy()
    table["answers"] = counts.sum(axis=1).to_numpy()
    unweighted = _by(every[~counts_toward], ["unit_id"]).size()
    table["unweighted_answers"] = unweighted.set_axis(unweighted.index.astype(str)).reindex(
        table["unit_id"], fill_value=0).to_numpy().astype("int64")
    table["valid_responses"] = table["answers"] - table["abstentions"]
    table["abstention_rate"] = table["abstentions"] / table["answers"].where(table["answers"] > 0)
    table["score"] = _weighted_score(answers, policy.group_weights).reindex(table["unit_id"]).to_numpy()
    agreeing = table["satisfied"] + table["basically_satisfied"]
    table["satisfaction_rate"] = agreeing / table["valid_responses"].where(table["valid_responses"] > 0)
    table["ci_low"], table["ci_high"] = wilson_interval(agreeing, table["valid_responses"])
    enough = tolerance.at_least(table["valid_responses"], policy.min_valid_responses)
    table["sufficient"] = enough & table["score"].notna()
    return table[SCORE_COLUMNS]


def _profile(answers: pd.DataFrame, by: str, labels: tuple[str, ...]) -> pd.DataFrame:
    """Mean points of non-abstaining answers per unit (rows) and `by` value (columns, in `labels` order)."""
    valid = answers[answers["points"].notna()]
    means = _by(valid, ["unit_id", by])["points"].mean().unstack()
    means.index, means.columns = means.index.astype(str), means.columns.astype(str)
    means = means.reindex(columns=list(labels)).astype("float64")
    means.columns.name = None
    return means.sort_index()


def dimension_scores(responses: pd.DataFrame, period: str, points: Mapping[str, float]) -> pd.DataFrame:
    """Score per unit (index) and dimension (columns: 精神状态 … 机关风纪) in `period`."""
    return _profile(period_answers(responses, period, points), "dimension", DIMENSIONS)


def group_scores(responses: pd.DataFrame, period: str, points: Mapping[str, float]) -> pd.DataFrame:
    """Score per unit (index) and respondent group (columns: 机关 … 社会各界) in `period`."""
    return _profile(period_answers(responses, period, points), "group", RESPONDENT_GROUPS)


def city_medians(profile: pd.DataFrame, units: pd.Series) -> pd.Series:
    """The median over `units` of each column of a per-unit profile (the city benchmark)."""
    return profile.reindex(pd.Index(units.astype(str))).median()


def rank_units(scores: pd.DataFrame, policy: HalfYear) -> pd.DataFrame:
    """The scores with `rank`: by score, then 满意率 (higher first), then 不满意 answers (fewer first)."""
    ranked = scores.copy()
    eligible = ranked["sufficient"].astype(bool)
    by = [("score", False), ("satisfaction_rate", False), ("dissatisfied", True)]
    group = "category" if policy.rank_within_category else None
    ranked["rank"] = competition_rank(ranked[eligible], by, group=group).reindex(ranked.index).astype("Int64")
    pool = ranked[eligible].groupby(_pool(ranked, policy)[eligible], sort=False)["unit_id"].transform("size")
    ranked["ranked_units"] = pool.reindex(ranked.index).astype("Int64")
    return ranked


def _pool(frame: pd.DataFrame, policy: HalfYear) -> pd.Series:
    """The ranking pool of every unit: its category, or the whole city."""
    return frame["category"].astype(str) if policy.rank_within_category else pd.Series("全市", index=frame.index)


def designate_units(ranked: pd.DataFrame, policy: HalfYear) -> pd.DataFrame:
    """The ranking with `designation` (重点管理单位 / 重点督查单位 / 样本不足 / empty) and `from_bottom`."""
    result = ranked.copy()
    pool = _pool(result, policy)
    managed = among_lowest(result["rank"], policy.key_management_count, pool)
    supervised = among_lowest(result["rank"], policy.key_management_count + policy.key_supervision_count, pool)
    designation = np.select([~result["sufficient"].astype(bool), managed, supervised],
                            [INSUFFICIENT_SAMPLE, KEY_MANAGEMENT, KEY_SUPERVISION], default="")
    result["designation"] = pd.Series(designation, index=result.index, dtype="str")
    # Position counted from the bottom as the designation rule reads it: 1 + units ranked strictly below.
    result["from_bottom"] = units_below(result["rank"], pool) + 1
    order = result.assign(_pool=pool, _unranked=result["rank"].isna())
    order = order.sort_values(["_unranked", "_pool", "rank", "unit_id"], kind="stable")
    return result.loc[order.index].reset_index(drop=True)


def half_year_ranking(responses: pd.DataFrame, units: pd.DataFrame, period: str, policy: HalfYear) -> pd.DataFrame:
    """The half-year ranking of every window unit: scores, ranks and designations, ranked units first."""
    return designate_units(rank_units(unit_survey_scores(responses, units, period, policy), policy), policy)


def designation_notes(ranking: pd.DataFrame, policy: HalfYear) -> list[str]:
    """Chinese sentences saying how each designation list was drawn, and why one is longer or shorter than set."""
    ranked = ranking[ranking["rank"].notna()]
    notes = []
    for name, pool in ranked.groupby(_pool(ranked, policy), sort=True):
        prefix = f"{name}:" if policy.rank_within_category else ""
        notes += [prefix + note for note in _pool_notes(pool, policy)]
    short = int((~ranking["sufficient"].astype(bool)).sum())
    if short:
        notes.append(f"{short}个单位有效测评票少于{policy.min_valid_responses}张,标为“{INSUFFICIENT_SAMPLE}”,"
                     "不参与排名,另行列出。")
    unweighted = int(ranking["unweighted_answers"].sum()) if "unweighted_answers" in ranking else 0
    if unweighted:
        groups = "、".join(g for g, w in (policy.group_weights or {}).items() if w == 0)
        notes.append(f"{groups}的权重为0,其{unweighted}张测评票不计分,也不计为有效测评票。")
    return notes


def _boundary_tie(pool: pd.DataFrame, designation: str) -> tuple[int, int]:
    """The best rank on a designation list and how many units of the pool share it."""
    boundary = int(pool.loc[pool["designation"].eq(designation), "rank"].min())
    return boundary, int(pool["rank"].eq(boundary).sum())


def _pool_notes(pool: pd.DataFrame, policy: HalfYear) -> list[str]:
    """The notes of one ranking pool."""
    managed_set, supervised_set = policy.key_management_count, policy.key_supervision_count
    managed = int(pool["designation"].eq(KEY_MANAGEMENT).sum())
    supervised = int(pool["designation"].eq(KEY_SUPERVISION).sum())
    notes = [f"参与排名{len(pool)}个单位,{KEY_MANAGEMENT}{managed}个,{KEY_SUPERVISION}{supervised}个。"]
    if managed > managed_set:
        rank, tied = _boundary_tie(pool, KEY_MANAGEMENT)
        notes.append(f"{KEY_MANAGEMENT}按规定为排名最后的{managed_set}个单位;第{rank}名有{tied}个单位得分、满意率和"
                     f"不满意票数均相同,并列于界线上,依“与界内单位并列者一并列入”的规定全部列入,名单增至{managed}个。")
    elif managed < managed_set and managed == len(pool):
        notes.append(f"参与排名的单位少于{managed_set}个,全部列为{KEY_MANAGEMENT}。")
    if managed + supervised > managed_set + supervised_set and supervised:
        rank, tied = _boundary_tie(pool, KEY_SUPERVISION)
        notes.append(f"{KEY_SUPERVISION}按规定为倒数第{managed_set + 1}至第{managed_set + supervised_set}位的单位;"
                     f"第{rank}名有{tied}个单位并列于界线上,一并列入,名单为{supervised}个。")
    if managed > managed_set and supervised_set:
        notes.append(f"因{KEY_MANAGEMENT}名单增加{managed - managed_set}个,{KEY_SUPERVISION}相应从倒数第{managed + 1}位起计。")
    return notes
