"""Generated commitments and their quarterly status records, drawn from each unit's latent quality."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.datasets import STATUSES
from tasks.sample.names import (
    COMMIT_VERBS, EVIDENCE_ADJUSTED, EVIDENCE_DONE, EVIDENCE_FAILED, EVIDENCE_PENDING, MEASURES, PRACTICES,
    SERVICES,
)
from tasks.sample.registry import Scale, rng_for

FULFILLED, IN_PROGRESS, ADJUSTED, NOT_FULFILLED = STATUSES


def _pick(rng: np.random.Generator, phrases: tuple[str, ...], n: int) -> pd.Series:
    return pd.Series(np.array(phrases, dtype=object)[rng.integers(0, len(phrases), n)], dtype="str")


def _standards(rng: np.random.Generator, services: pd.Series) -> pd.Series:
    n = len(services)
    before = rng.integers(5, 21, n)
    # Each template is filled for every row, then one is chosen per row: whole-column string work only.
    options = np.stack([
        (services + "办理时限由" + pd.Series(before).astype(str) + "个工作日压缩至"
         + pd.Series(np.maximum(1, before // rng.integers(2, 5, n))).astype(str) + "个工作日").to_numpy(),
        (services + "群众满意率达到" + pd.Series(rng.choice([90, 95, 98], n)).astype(str) + "%以上").to_numpy(),
        (services + "咨询电话" + pd.Series(rng.choice([2, 4, 24], n)).astype(str) + "小时内答复").to_numpy(),
        (services + "窗口服务做到“零差错、零投诉”").to_numpy(),
        (services + "材料一次性告知率达到100%,办结率达到" + pd.Series(rng.choice([95, 98, 99], n)).astype(str)
         + "%以上").to_numpy(),
    ])
    return pd.Series(options[rng.integers(0, len(options), n), np.arange(n)], dtype="str")


def sample_commitments(units: pd.DataFrame, subjects: pd.DataFrame, scale: Scale, seed: int,
                       year: int) -> pd.DataFrame:
    """公开承诺 of one year: content, service standard, measures and a deadline for each (“三个明确”)."""
    rng = rng_for(seed, "commitments", year)
    real = units[~units["spare"]]
    counts = rng.poisson(scale.commitments_per_unit, len(real))
    unit_ids = np.repeat(real["unit_id"].to_numpy(), counts)
    n = len(unit_ids)
    services = _pick(rng, SERVICES, n)
    deadline = pd.Timestamp(year=year, month=1, day=1) + pd.to_timedelta(rng.integers(40, 365, n), unit="D")
    # Deadlines cluster at month ends, as leaders set them in annual plans.
    deadline = pd.Series(deadline).where(rng.random(n) < 0.6, pd.Series(deadline) + pd.offsets.MonthEnd(0))
    deadline = deadline.where(deadline.dt.year == year, pd.Timestamp(year=year, month=12, day=31))
    return pd.DataFrame({
        "commitment_id": "CN" + str(year) + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(7),
        "year": year,
        "unit_id": unit_ids,
        "subject_id": _subjects_for(unit_ids, subjects, rng),
        "content": _pick(rng, COMMIT_VERBS, n) + _pick(rng, PRACTICES, n) + "制度,做好" + services + "工作",
        "service_standard": _standards(rng, services),
        "measures": _pick(rng, MEASURES, n) + ";" + _pick(rng, MEASURES, n),
        "deadline": deadline.dt.normalize().to_numpy(),
    })


def _subjects_for(unit_ids: np.ndarray, subjects: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    owned = subjects[subjects["unit_id"].notna() & ~subjects["spare"]].sort_values("unit_id", kind="stable")
    first = owned.groupby("unit_id", sort=True).cumcount() == 0
    starts = pd.Series(np.flatnonzero(first.to_numpy()), index=owned.loc[first, "unit_id"].to_numpy())
    sizes = owned.groupby("unit_id", sort=True).size()
    at = starts.reindex(unit_ids).to_numpy() + np.floor(rng.random(len(unit_ids)) * sizes.reindex(unit_ids).to_numpy())
    chosen = pd.Series(owned["subject_id"].to_numpy()[at.astype(int)], dtype="str")
    # Many commitments are made by members who are not in the subject registry.
    return chosen.where(rng.random(len(unit_ids)) < 0.6, None)


def _quarter(dates: pd.Series, year: int) -> np.ndarray:
    return np.where(dates.dt.year > year, 5, (dates.dt.month.to_numpy() - 1) // 3 + 1)


def sample_commitment_status(commitments: pd.DataFrame, quality: pd.Series, seed: int, year: int) -> pd.DataFrame:
    """承诺兑现情况: one record per commitment and quarter until it settles, with some records missing."""
    rng = rng_for(seed, "commitment_status", year)
    n = len(commitments)
    z = quality.reindex(commitments["unit_id"]).to_numpy()
    deadline = pd.Series(pd.to_datetime(commitments["deadline"]).to_numpy())
    # Failures concentrate in the weak tail: most units keep every promise, a few miss several.
    weakness = np.exp(-2.5 * z)
    p_bad = np.minimum(0.5, 0.0003 * weakness)
    draw = rng.random(n)
    final = np.select([draw < p_bad / 2, draw < p_bad, draw < p_bad + 0.02], [NOT_FULFILLED, IN_PROGRESS, ADJUSTED],
                      FULFILLED)
    late = (final == FULFILLED) & (rng.random(n) < np.minimum(0.4, 0.0008 * weakness))
    shift = np.where(late, rng.integers(1, 60, n), -rng.integers(0, 60, n))
    settle = (deadline + pd.to_timedelta(shift, unit="D")).clip(lower=pd.Timestamp(year=year, month=1, day=20))
    settle_q = np.where(final == IN_PROGRESS, 5, _quarter(settle, year))
    frames = []
    for q in range(1, 5):
        has = (q <= settle_q) & (rng.random(n) > 0.00005 * q)
        status = np.where(q == settle_q, final, IN_PROGRESS)[has]
        reviewed = pd.Timestamp(year=year, month=3 * q, day=1) + pd.offsets.MonthEnd(0)
        frames.append(pd.DataFrame({
            "commitment_id": commitments["commitment_id"].to_numpy()[has],
            "period": f"{year}Q{q}",
            "status": status,
            "evidence": _evidence(rng, status),
            "reviewed_at": reviewed + pd.to_timedelta(rng.integers(3, 21, has.sum()), unit="D"),
        }))
    return pd.concat(frames, ignore_index=True)


def _evidence(rng: np.random.Generator, status: np.ndarray) -> np.ndarray:
    n = len(status)
    phrases = {FULFILLED: EVIDENCE_DONE, IN_PROGRESS: EVIDENCE_PENDING, ADJUSTED: EVIDENCE_ADJUSTED,
               NOT_FULFILLED: EVIDENCE_FAILED}
    out = np.empty(n, dtype=object)
    for value, options in phrases.items():
        mask = status == value
        out[mask] = np.array(options, dtype=object)[rng.integers(0, len(options), mask.sum())]
    return out
