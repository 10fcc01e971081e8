"""Sample records of the campaign itself: leader comments, rectification plans and creation targets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.datasets import COMMENT_KINDS, HONOUR_LEVELS, SUBJECT_TYPES
from tasks.sample.registry import rng_for

# Coverage of leader comments by subject kind, as the seeds report it.
COMMENT_COVERAGE = dict(zip(SUBJECT_TYPES, (1.0, 0.968, 0.905, 0.812)))
RECTIFICATION_SUMMARIES = (
    "针对群众满意度测评排名靠后问题,制定整改措施{k}条,明确责任领导和完成时限",
    "召开专题民主生活会,查摆作风问题{k}项,逐项建立整改台账",
    "围绕服务效率和机关风纪,推出整改举措{k}项,接受群众监督",
)


def sample_leader_comments(subjects: pd.DataFrame, seed: int, period: str) -> pd.DataFrame:
    """领导点评记录 of a half-year: each kind of subject covered at about the seeds' rate, some twice."""
    rng = rng_for(seed, "leader_comments", period)
    real = subjects[~subjects["spare"]]
    chosen = [kind.sample(n=round(COMMENT_COVERAGE[name] * len(kind)), random_state=rng.integers(2**31))
              for name, kind in real.groupby("subject_type", sort=False)]
    picked = pd.concat(chosen)["subject_id"].to_numpy()
    picked = np.r_[picked, rng.choice(picked, len(picked) // 5)]
    year, half = int(period[:4]), int(period[-1])
    start = np.datetime64(f"{year}-{6 * half - 5:02d}-01")
    dates = start + rng.integers(0, 181, len(picked)).astype("timedelta64[D]")
    order = np.argsort(dates, kind="stable")
    return pd.DataFrame({
        "comment_id": [f"DP{period}{i:06d}" for i in range(1, len(picked) + 1)],
        "date": dates[order],
        "commenter_id": np.array([f"L{k:03d}" for k in range(1, 21)], dtype=object)[rng.integers(0, 20, len(picked))],
        "subject_id": picked[order],
        "kind": np.array(COMMENT_KINDS, dtype=object)[rng.choice(4, len(picked), p=[0.3, 0.35, 0.2, 0.15])],
    })


def sample_rectification_plans(worst: pd.Series, seed: int, period: str) -> pd.DataFrame:
    """整改方案 answering a half-year: most of its worst units file one within a month or so."""
    rng = rng_for(seed, "rectification_plans", period)
    filed = worst[rng.random(len(worst)) < 0.85].to_numpy()
    year, half = int(period[:4]), int(period[-1])
    first_day = np.datetime64(f"{year + half - 1}-{'07' if half == 1 else '01'}-05")
    templates = np.array(RECTIFICATION_SUMMARIES, dtype=object)[rng.integers(0, 3, len(filed))]
    counts = rng.integers(4, 12, len(filed)).astype(str)
    return pd.DataFrame({
        "unit_id": filed,
        "period": period,
        "filed_at": first_day + rng.integers(0, 40, len(filed)).astype("timedelta64[D]"),
        "summary": [t.replace("{k}", k) for t, k in zip(templates, counts)],
    })


def sample_targets(subjects: pd.DataFrame, seed: int, year: int) -> pd.DataFrame:
    """创争目标 declared at the start of a year; about two in three are achieved, fewer at higher levels."""
    rng = rng_for(seed, "targets", year)
    real = subjects[~subjects["spare"] & (subjects["subject_type"] != "市县书记")]
    declared = real[rng.random(len(real)) < 0.3]
    kind = declared["subject_type"].to_numpy()
    honour = np.where(kind == "基层党组织", "先进基层党组织",
                      np.where(rng.random(len(declared)) < 0.8, "优秀共产党员", "优秀党务工作者"))
    level = rng.choice(len(HONOUR_LEVELS), len(declared), p=[0.5, 0.35, 0.15])
    achieved = rng.random(len(declared)) < np.array([0.75, 0.6, 0.4])[level]
    return pd.DataFrame({
        "target_id": [f"MB{year}{i:05d}" for i in range(1, len(declared) + 1)],
        "year": year,
        "subject_id": declared["subject_id"].to_numpy(),
        "honour": honour,
        "level": np.array(HONOUR_LEVELS, dtype=object)[level],
        "achieved": achieved,
    })
