"""排名区间与被确定可能性: rank intervals and p_designated from a parametric bootstrap of each unit's grade counts.

Every replicate draws each ranked unit's non-abstaining answers anew from its own observed grade shares
(per respondent group when the policy weighs groups), scores them exactly as the real rule does, ranks them
with the same keys and ties (score, then 满意率, then fewer 不满意, values within the tolerance equal; within
category when the policy ranks within category), and designates with the same “among the N lowest” reading.
Replicates run in fixed chunks, each with its own stream spawned from the seed, so the result is the same
whichever thread runs which chunk.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from schemas.outputs import KEY_MANAGEMENT, KEY_SUPERVISION
from schemas.policy import HalfYear
from tasks.rules.ranking import tie_groups
from tasks.rules.survey import period_answers, weighted
from tasks.rules.tolerance import TOLERANCE

GRADES = ("满意", "基本满意", "不满意")
CHUNK = 100  # replicates drawn and ranked together: bounds memory at province scale
SEVERITY = {KEY_MANAGEMENT: 2, KEY_SUPERVISION: 1}
COLUMNS = ["unit_id", "rank_low", "rank_high", "p_designated"]


def grade_counts(responses: pd.DataFrame, period: str, unit_ids: pd.Series, policy: HalfYear) -> np.ndarray:
    """Counts of 满意 / 基本满意 / 不满意 per unit (in `unit_ids` order) and scoring group: shape (units, groups, 3)."""
    answers = period_answers(responses, period, policy.grade_points)
    answers = answers[weighted(answers, policy.group_weights) & answers["grade"].isin(GRADES)]
    groups = _groups(policy)
    by = [answers["unit_id"].astype(str), answers["grade"].astype(str)]
    if policy.group_weights:
        by.insert(1, answers["group"].astype(str))
    counts = answers.groupby(by, observed=True).size()
    index = pd.MultiIndex.from_product([unit_ids.astype(str), *([groups] if policy.group_weights else []), GRADES])
    return counts.reindex(index, fill_value=0).to_numpy(dtype="int64").reshape(len(unit_ids), len(groups), 3)


def _groups(policy: HalfYear) -> list[str]:
    """The scoring groups: those of positive weight, or one pool of every answer."""
    if not policy.group_weights:
        return ["全部"]
    return [group for group, weight in policy.group_weights.items() if weight > 0]


def rank_uncertainty(counts: np.ndarray, ranking: pd.DataFrame, policy: HalfYear, seed: int,
                     replicates: int = 2000, threads: int = 2) -> pd.DataFrame:
    """Per ranked unit of `ranking` (rows in `counts` order): the 95 % rank interval and p_designated.

    p_designated is the share of replicates that single the unit out at least as strictly as the real ranking
    does: for a 重点管理单位 the chance of being 重点管理单位, for a 重点督查单位 of being either, and for any
    other ranked unit of being either.
    """
    pool = _pool_codes(ranking, policy)
    severity = ranking["designation"].map(SEVERITY).fillna(1).to_numpy(dtype="int8")
    streams = np.random.SeedSequence(seed).spawn(-(-replicates // CHUNK))
    sizes = [min(CHUNK, replicates - i * CHUNK) for i in range(len(streams))]
    draw = _Draw(counts, policy)
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool_of_threads:
        parts = list(pool_of_threads.map(lambda job: _replicate(draw, pool, policy, *job), zip(streams, sizes)))
    ranks = np.concatenate([part[0] for part in parts])
    designated = sum((part[1] >= severity).sum(axis=0) for part in parts)
    low, high = np.quantile(ranks, [0.025, 0.975], axis=0, method="inverted_cdf")
    return pd.DataFrame({"unit_id": ranking["unit_id"].astype(str).to_numpy(), "rank_low": low.astype("int64"),
                         "rank_high": high.astype("int64"), "p_designated": designated / replicates})


def _pool_codes(ranking: pd.DataFrame, policy: HalfYear) -> np.ndarray:
    if not policy.rank_within_category:
        return np.zeros(len(ranking), dtype="int64")
    return pd.factorize(ranking["category"].astype(str), sort=True)[0].astype("int64")


class _Draw:
    """A unit's grade shares per group, and the arithmetic that turns drawn counts into the three ranking keys."""

    def __init__(self, counts: np.ndarray, policy: HalfYear) -> None:
        self.n = counts.sum(axis=2)  # (units, groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.p1 = np.where(self.n > 0, counts[..., 0] / self.n, 0.0)
            rest = self.n - counts[..., 0]
            self.p2 = np.where(rest > 0, counts[..., 1] / np.maximum(rest, 1), 0.0)
        points = policy.grade_points
        self.points = np.array([points[g] for g in GRADES], dtype="float64")
        weights = np.array([(policy.group_weights or {}).get(g, 1.0) for g in _groups(policy)], dtype="float64")
        present = self.n > 0
        self.weights = np.where(present, weights, 0.0)
        self.total_weight = self.weights.sum(axis=1)
        self.answers = self.n.sum(axis=1)

    def keys(self, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Score, 满意率 and 不满意 count of every unit in `size` replicates: arrays of shape (size, units)."""
        k1 = rng.binomial(self.n, self.p1, size=(size, *self.n.shape))
        k2 = rng.binomial(self.n - k1, self.p2)
        k3 = self.n - k1 - k2
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (k1 * self.points[0] + k2 * self.points[1] + k3 * self.points[2]) / self.n
            means = np.where(self.n > 0, means, 0.0)
            if means.shape[2] == 1:
                score = means[..., 0]
            else:
                score = (means * self.weights).sum(axis=2) / self.total_weight
        agreeing = (k1 + k2).sum(axis=2)
        return score, agreeing / self.answers, k3.sum(axis=2).astype("float64")


def _replicate(draw: _Draw, pool: np.ndarray, policy: HalfYear, stream: np.random.SeedSequence,
               size: int) -> tuple[np.ndarray, np.ndarray]:
    """Ranks (int32) and designation severities (2 重点管理, 1 重点督查, 0 none) of one chunk of replicates."""
    score, rate, dissatisfied = draw.keys(np.random.default_rng(stream), size)
    rank, below = replicate_ranks(score, rate, dissatisfied, pool)
    managed = policy.key_management_count
    supervised = managed + policy.key_supervision_count
    severity = np.where(below < managed, 2, np.where(below < supervised, 1, 0)).astype("int8")
    return rank.astype("int32"), severity


def replicate_ranks(score: np.ndarray, rate: np.ndarray, dissatisfied: np.ndarray,
                    pool: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Competition ranks and units strictly below, per row of (replicates, units) keys, within `pool` codes.

    Rows are sorted once by the exact keys; only where two neighbours differ by less than the tolerance but
    not exactly (float noise of weighted means) is the chained tolerance order of tasks.rules.ranking needed,
    and those rows are ranked key by key instead.
    """
    keys = (dissatisfied, -rate, -score, np.broadcast_to(pool, score.shape))
    order = np.lexsort(keys, axis=-1)
    ordered = [np.take_along_axis(k, order, axis=-1) for k in keys]
    steps = [np.diff(k, axis=-1) for k in ordered]
    noisy = ((steps[2] != 0) & (np.abs(steps[2]) < TOLERANCE)) | \
            ((steps[2] == 0) & (steps[1] != 0) & (np.abs(steps[1]) < TOLERANCE))
    starts = (steps[3] != 0) | (np.abs(steps[2]) >= TOLERANCE) | (np.abs(steps[1]) >= TOLERANCE) | (steps[0] != 0)
    rank, below = _ranks_from_starts(starts, steps[3] != 0)
    result_rank, result_below = np.empty_like(rank), np.empty_like(below)
    np.put_along_axis(result_rank, order, rank, axis=-1)
    np.put_along_axis(result_below, order, below, axis=-1)
    for row in np.flatnonzero(noisy.any(axis=1)):
        result_rank[row], result_below[row] = _chained(score[row], rate[row], dissatisfied[row], pool)
    return result_rank, result_below


def _ranks_from_starts(starts: np.ndarray, pool_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From tie-group and pool starts between sorted neighbours: each position's rank and count strictly below."""
    rows, width = starts.shape[0], starts.shape[1] + 1
    position = np.broadcast_to(np.arange(width), (rows, width))
    opens = np.concatenate([np.ones((rows, 1), dtype=bool), starts], axis=1)
    pool_opens = np.concatenate([np.ones((rows, 1), dtype=bool), pool_starts], axis=1)
    closes = np.concatenate([starts, np.ones((rows, 1), dtype=bool)], axis=1)
    pool_closes = np.concatenate([pool_starts, np.ones((rows, 1), dtype=bool)], axis=1)
    group_first = np.maximum.accumulate(np.where(opens, position, 0), axis=1)
    pool_first = np.maximum.accumulate(np.where(pool_opens, position, 0), axis=1)
    group_last = _last_accumulate(np.where(closes, position, width), axis=1)
    pool_last = _last_accumulate(np.where(pool_closes, position, width), axis=1)
    return group_first - pool_first + 1, pool_last - group_last


def _last_accumulate(values: np.ndarray, axis: int) -> np.ndarray:
    """Running minimum from the right: for each position, the first closing position at or after it."""
    return np.flip(np.minimum.accumulate(np.flip(values, axis=axis), axis=axis), axis=axis)


def _chained(score: np.ndarray, rate: np.ndarray, dissatisfied: np.ndarray,
             pool: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One replicate ranked key by key with chained tolerance ties, as the real ranking does."""
    codes = tie_groups([-score, -rate, dissatisfied], pool)
    order = np.argsort(codes, kind="stable")
    ordered_codes, ordered_pool = codes[order], pool[order]
    rank, below = _ranks_from_starts((np.diff(ordered_codes) != 0)[None, :], (np.diff(ordered_pool) != 0)[None, :])
    result_rank, result_below = np.empty_like(rank[0]), np.empty_like(below[0])
    result_rank[order], result_below[order] = rank[0], below[0]
    return result_rank, result_below


def uncertainty_table(responses: pd.DataFrame, ranking: pd.DataFrame, period: str, policy: HalfYear,
                      seed: int, replicates: int) -> pd.DataFrame:
    """rank_low, rank_high and p_designated for every unit of the ranking (empty for units not ranked)."""
    ranked = ranking[ranking["rank"].notna()].reset_index(drop=True)
    table = pd.DataFrame(columns=COLUMNS)
    if not ranked.empty:
        counts = grade_counts(responses, period, ranked["unit_id"], policy)
        table = rank_uncertainty(counts, ranked, policy, seed, replicates)
    merged = ranking[["unit_id"]].astype({"unit_id": "str"}).merge(table, on="unit_id", how="left")
    return merged.astype({"rank_low": "Int64", "rank_high": "Int64", "p_designated": "float64"})
