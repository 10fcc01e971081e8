"""Rank intervals and p_designated (SPEC §8) on tiny grade counts: widths, certainty, ties, seeds and groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from schemas.policy import HalfYear
from tasks.rules.rank_uncertainty import grade_counts, rank_uncertainty, replicate_ranks
from tasks.rules.ranking import competition_rank, units_below

POLICY = HalfYear(key_management_count=1, key_supervision_count=1)


def _ranking(designations: list[str], category: str = "党群部门") -> pd.DataFrame:
    return pd.DataFrame({"unit_id": [f"U{i}" for i in range(len(designations))], "category": category,
                         "designation": designations})


def _counts(*rows: tuple[int, int, int]) -> np.ndarray:
    """Grade counts (满意, 基本满意, 不满意) per unit, one scoring group."""
    return np.array(rows, dtype="int64")[:, None, :]


def test_few_answers_give_a_wide_interval_and_many_a_narrow_one():
    # Ten units; U0 and U9 both score 86.67 (two thirds 满意, one third 基本满意), U0 on 3 answers, U9 on 3,000.
    # The eight others are spread from 60 to 100 with 400 answers each.
    spread = [(int(400 * s), 400 - int(400 * s), 0) for s in (0.0, 0.125, 0.25, 0.375, 0.625, 0.75, 0.875, 1.0)]
    counts = _counts((2, 1, 0), *spread, (2000, 1000, 0))
    table = rank_uncertainty(counts, _ranking([""] * 10), POLICY, seed=7, replicates=2000)
    few, many = table.iloc[0], table.iloc[9]
    # 3 answers: anything from 60 to 100 points is likely, so the unit may land almost anywhere.
    assert (few["rank_low"], few["rank_high"]) == (1, 9)
    # 3,000 answers: 86.67 ± 0.7 points, close behind the 90-point unit and just ahead of the 85-point one
    # (each ± 0.9 on 400 answers): three places at most.
    assert (many["rank_low"], many["rank_high"]) == (4, 6)


def test_a_unit_certain_to_be_lowest_gets_p_one_and_a_certain_top_unit_p_zero():
    # Answers all of one grade never vary: the ranking of every replicate is the real one.
    counts = _counts((0, 0, 50), (50, 0, 0), (0, 50, 0))
    table = rank_uncertainty(counts, _ranking(["重点管理单位", "", "重点督查单位"]), POLICY, seed=1, replicates=500)
    assert table[["rank_low", "rank_high"]].values.tolist() == [[3, 3], [1, 1], [2, 2]]
    assert table["p_designated"].tolist() == [1.0, 0.0, 1.0]


def test_units_tied_at_the_boundary_share_their_p():
    # U1 and U2 tie exactly (same counts, never varying) at the bottom: both inside “the lowest one”, as the
    # real rule reads a tie at the boundary; a replicate that broke the tie by position would give 1 and 0.
    counts = _counts((50, 0, 0), (0, 0, 40), (0, 0, 40))
    table = rank_uncertainty(counts, _ranking(["", "重点管理单位", "重点管理单位"]), POLICY, seed=3, replicates=300)
    assert table["p_designated"].tolist() == [0.0, 1.0, 1.0]
    assert table["rank_low"].tolist() == [1, 2, 2]


def test_the_same_seed_gives_the_same_table_and_another_seed_a_close_one():
    counts = _counts((20, 10, 5), (18, 12, 5), (25, 5, 5), (10, 10, 10), (30, 3, 2))
    ranking = _ranking(["", "", "", "重点管理单位", "重点督查单位"])
    first = rank_uncertainty(counts, ranking, POLICY, seed=11, replicates=1000)
    pd.testing.assert_frame_equal(first, rank_uncertainty(counts, ranking, POLICY, seed=11, replicates=1000,
                                                          threads=1))
    other = rank_uncertainty(counts, ranking, POLICY, seed=12, replicates=1000)
    assert not first.equals(other)
    assert np.abs(first["p_designated"] - other["p_designated"]).max() < 0.08


def test_group_weights_resample_each_group_on_its_own():
    # U0's 机关 answers are all 满意 and its 社会各界 answers all 不满意; with weights 1 and 0 only the
    # 机关 group scores, so U0 is always 100 and always first, whatever the 社会各界 answers do.
    weights = {"机关": 1.0, "中省直部门": 0.0, "重点项目单位": 0.0, "社会各界": 0.0}
    policy = HalfYear(group_weights=weights, key_management_count=1, key_supervision_count=0)
    answers = pd.DataFrame({
        "period": "2026H1", "respondent_id": [f"R{i}" for i in range(12)],
        "respondent_group": ["机关"] * 3 + ["社会各界"] * 3 + ["机关"] * 6,
        "unit_id": ["U0"] * 6 + ["U1"] * 6, "dimension": "精神状态",
        "grade": ["满意"] * 3 + ["不满意"] * 3 + ["满意", "基本满意"] * 3})
    counts = grade_counts(answers, "2026H1", pd.Series(["U0", "U1"]), policy)
    assert counts.tolist() == [[[3, 0, 0]], [[3, 3, 0]]]  # one scoring group: the 社会各界 answers are not drawn
    table = rank_uncertainty(counts, _ranking(["", "重点管理单位"]), policy, seed=5, replicates=400)
    assert table["rank_low"].tolist()[0] == 1 and table["rank_high"].tolist()[0] == 1


@pytest.mark.parametrize("noise", [0.0, 1e-12])
def test_replicate_ranks_follow_the_real_tie_rules(noise):
    # Scores within the tolerance (float noise) tie and are split by 满意率, then by fewer 不满意, as in the
    # real ranking; this pins the fast path (exact ties) and the chained fallback (noise) alike.
    rng = np.random.default_rng(2)
    score = rng.integers(0, 4, 60).astype(float) * 10 + rng.choice([0.0, noise], 60)
    rate, dissatisfied = rng.integers(0, 3, 60) / 2, rng.integers(0, 3, 60).astype(float)
    pool = rng.integers(0, 2, 60)
    frame = pd.DataFrame({"s": score, "t": rate, "d": dissatisfied, "g": pool})
    want = competition_rank(frame, [("s", False), ("t", False), ("d", True)], group="g").to_numpy(dtype=int)
    below = units_below(pd.Series(want), pd.Series(pool)).to_numpy(dtype=int)
    rank, under = replicate_ranks(score[None], rate[None], dissatisfied[None], pool)
    assert rank[0].tolist() == want.tolist() and under[0].tolist() == below.tolist()
