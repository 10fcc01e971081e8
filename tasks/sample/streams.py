"""The two large sample datasets, survey answers and platform cases, generated chunk by chunk of units."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from schemas.datasets import DIMENSIONS, PLATFORMS, RATINGS, RESPONDENT_GROUPS, SURVEY_GRADES
from tasks.sample.registry import Scale, rng_for

PLATFORM_SHARES = np.array([0.55, 0.15, 0.05, 0.07, 0.15, 0.03])
PLATFORM_PREFIXES = ("RX", "MS", "XF", "TS", "ZW", "MT")
PLATFORM_FILE_LABELS = ("12345热线", "民生热线", "信访局", "投诉中心", "行政服务中心", "媒体")
UNITS_PER_RESPONDENT = 30


def _categorical(values: tuple[str, ...], codes: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(values))


def _chunks(units: pd.DataFrame, scale: Scale) -> list[pd.DataFrame]:
    real = units[~units["spare"]].reset_index(drop=True)
    return [real.iloc[i:i + scale.chunk_units] for i in range(0, len(real), scale.chunk_units)]


def respondents_per_unit(units: pd.DataFrame, scale: Scale, seed: int, period: str) -> np.ndarray:
    """How many respondents grade each real unit in a half-year; a few units get too few (样本不足)."""
    rng = rng_for(seed, "respondents", period)
    n = int((~units["spare"]).sum())
    counts = np.maximum(8, rng.poisson(scale.respondents_per_unit, n))
    counts[rng.choice(n, scale.thin_units, replace=False)] = rng.integers(3, 6, scale.thin_units)
    return counts


def survey_chunks(units: pd.DataFrame, quality: pd.Series, scale: Scale, seed: int,
                  period: str) -> Iterator[pd.DataFrame]:
    """群众满意度测评 answers of one half-year: every respondent grades a unit on all five dimensions."""
    counts = respondents_per_unit(units, scale, seed, period)
    pool = max(int(counts.sum()) // UNITS_PER_RESPONDENT, int(counts.max()))
    setup = rng_for(seed, "respondent-pool", period)
    group_of = setup.choice(len(RESPONDENT_GROUPS), pool, p=[0.3, 0.2, 0.2, 0.3])
    leniency = setup.normal(0, 0.5, pool)
    abstains = setup.uniform(0.0, 0.06, pool)
    ids = np.array([f"{period}-{i:06d}" for i in range(1, pool + 1)], dtype=object)
    start = 0
    for number, chunk in enumerate(_chunks(units, scale)):
        rng = rng_for(seed, "survey", period, number)
        n_u = counts[start:start + len(chunk)]
        start += len(chunk)
        unit_at = np.repeat(np.arange(len(chunk)), n_u)
        offsets = np.arange(len(unit_at)) - np.repeat(np.cumsum(n_u) - n_u, n_u)
        who = (np.repeat(rng.integers(0, pool, len(chunk)), n_u) + offsets) % pool
        yield _answers(rng, chunk, quality, period, unit_at, who, ids, group_of, leniency, abstains)


def _answers(rng, chunk, quality, period, unit_at, who, ids, group_of, leniency, abstains) -> pd.DataFrame:
    dims = len(DIMENSIONS)
    unit_at, who = np.repeat(unit_at, dims), np.repeat(who, dims)
    dim = np.tile(np.arange(dims), len(unit_at) // dims)
    z = quality.reindex(chunk["unit_id"]).to_numpy()[unit_at]
    group = group_of[who]
    latent = (2.0 + 1.0 * z + leniency[who] + np.array([0.2, 0.0, -0.2, 0.1, 0.1])[dim]
              + np.array([0.2, 0.1, 0.0, -0.3])[group] + rng.logistic(0, 1, len(who)))
    grade = np.select([latent > 0, latent > -2.2], [0, 1], 2)
    grade = np.where(rng.random(len(who)) < abstains[who], 3, grade)
    return pd.DataFrame({
        "period": period,
        "respondent_id": ids[who],
        "respondent_group": _categorical(RESPONDENT_GROUPS, group),
        "unit_id": chunk["unit_id"].to_numpy()[unit_at],
        "dimension": _categorical(DIMENSIONS, dim),
        "grade": _categorical(SURVEY_GRADES, grade),
    })


def case_volumes(units: pd.DataFrame, scale: Scale, seed: int, year: int) -> np.ndarray:
    """Cases each real unit receives in a year: heavy for government windows, light for party bodies."""
    rng = rng_for(seed, "case-volumes", year)
    real = units[~units["spare"]]
    weight = real["category"].map({"政府涉企涉民部门": 1.0, "党群部门": 0.12, "中央省驻单位": 0.5}).to_numpy()
    share = weight * rng.lognormal(0, 0.9, len(real))
    return rng.multinomial(scale.cases_per_year, share / share.sum())


def _received(rng: np.random.Generator, year: int, n: int) -> np.ndarray:
    days = np.arange(f"{year}-01-01", f"{year + 1}-01-01", dtype="datetime64[D]")
    weight = np.where(np.is_busday(days), 1.0, 0.3)
    day = rng.choice(days, n, p=weight / weight.sum())
    office = rng.random(n) < 0.8
    seconds = np.where(office, rng.integers(8 * 3600 + 1800, 17 * 3600 + 1800, n), rng.integers(0, 86400, n))
    return day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def case_chunks(units: pd.DataFrame, quality: pd.Series, scale: Scale, seed: int,
                year: int) -> Iterator[pd.DataFrame]:
    """六大平台诉求工单 of one year: received, due 3–15 working days later, closed mostly on time, rated."""
    volumes = case_volumes(units, scale, seed, year)
    start, serial = 0, 0
    for number, chunk in enumerate(_chunks(units, scale)):
        rng = rng_for(seed, "cases", year, number)
        per_unit = volumes[start:start + len(chunk)]
        start += len(chunk)
        unit_at = np.repeat(np.arange(len(chunk)), per_unit)
        yield _cases(rng, chunk, quality, year, unit_at, serial)
        serial += len(unit_at)


def _cases(rng, chunk, quality, year, unit_at, serial) -> pd.DataFrame:
    n = len(unit_at)
    z = quality.reindex(chunk["unit_id"]).to_numpy()[unit_at]
    platform = rng.choice(len(PLATFORMS), n, p=PLATFORM_SHARES)
    received = _received(rng, year, n)
    due_day = np.busday_offset(received.astype("datetime64[D]"), rng.choice([3, 5, 7, 10, 15], n), roll="forward")
    due = due_day.astype("datetime64[s]") + np.timedelta64(17 * 3600 + 1800, "s")
    span = (due - received).astype(np.int64)
    late = rng.random(n) > 1 / (1 + np.exp(-(2.6 + 0.9 * z)))
    lateness = (rng.exponential(3 * 86400, n) + 3600).astype(np.int64)
    closed = np.where(late, due + lateness.astype("timedelta64[s]"),
                      received + (span * rng.uniform(0.05, 1, n)).astype("timedelta64[s]"))
    year_end = np.datetime64(f"{year}-12-31T23:59:59")
    still_open = (rng.random(n) < 0.01) | (closed > year_end)
    latent = 2.0 + 0.9 * z - 1.5 * late + rng.logistic(0, 1, n)
    rating = np.select([still_open | (rng.random(n) < 0.2), latent > 0, latent > -2.0], [3, 0, 1], 2)
    return pd.DataFrame({
        "case_id": (pd.Series(np.array(PLATFORM_PREFIXES, dtype=object)[platform], dtype="str") + str(year)
                    + pd.Series(np.arange(serial + 1, serial + n + 1)).astype("str").str.zfill(8)),
        "platform": _categorical(PLATFORMS, platform),
        "unit_id": chunk["unit_id"].to_numpy()[unit_at],
        "received_at": received,
        "due_at": due,
        "closed_at": np.where(still_open, np.datetime64("NaT"), closed),
        "rating": _categorical(RATINGS, rating),
    })
