"""Rank intervals at scale: the 2,000-replicate bootstrap of SPEC §8 on grade counts of a city or a province."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd

from benchmarks.measure import Target
from schemas.policy import HalfYear
from tasks.rules.rank_uncertainty import rank_uncertainty

# Units and non-abstaining answers of one half-year (SPEC §1), and the targets of each scale.
SCALES = {"tiny": (60, 6_000, 2.0), "city": (1_200, 100_000, 2.0), "province": (25_000, 5_000_000, 30.0)}
GOAL_MEMORY_GB = 2.0


def grade_counts(units: int, answers: int, seed: int = 2026) -> np.ndarray:
    """Grade counts (满意, 基本满意, 不满意) per unit: answers spread unevenly, shares differing by unit."""
    rng = np.random.default_rng(seed)
    per_unit = rng.multinomial(answers, rng.dirichlet(np.full(units, 4.0)))
    shares = rng.dirichlet([8.0, 3.0, 1.0], units)
    return np.stack([rng.multinomial(n, p) for n, p in zip(per_unit, shares)])[:, None, :]


def measure(scale: str, replicates: int = 2000) -> tuple[float, float]:
    """Seconds and peak extra gigabytes of the rank intervals of `scale`'s ranked units."""
    units, answers, _ = SCALES[scale]
    counts = grade_counts(units, answers)
    ranking = pd.DataFrame({"unit_id": [f"U{i:05d}" for i in range(units)], "category": "全市", "designation": ""})
    tracemalloc.start()
    start = time.perf_counter()
    rank_uncertainty(counts, ranking, HalfYear(), seed=1, replicates=replicates)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**30
    tracemalloc.stop()
    return seconds, peak


def targets(scale: str) -> list[Target]:
    """The time and memory targets of the bootstrap at `scale`."""
    seconds, peak = measure(scale)
    return [Target(f"排名区间(2,000次重抽样,{SCALES[scale][0]:,}个单位)耗时", seconds, SCALES[scale][2], unit=" 秒"),
            Target("排名区间额外内存", peak, GOAL_MEMORY_GB, unit=" GB")]
