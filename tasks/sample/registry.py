"""The sample registries: scale settings, window units with a latent service quality, and assessed subjects."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tasks.sample.names import (
    CITY_LEVEL_REGION, GENERIC_DISTRICTS, HOME_CITY, HOME_DISTRICTS, PARTY_BODY, PROVINCE_CITIES,
    person_names, region_unit_pool,
)


@dataclass(frozen=True)
class Scale:
    """How much a sample inbox holds."""

    name: str
    cities: int
    units_per_city: int
    respondents_per_unit: int
    cases_per_year: int
    commitments_per_unit: int
    chunk_units: int
    thin_units: int  # units surveyed by too few respondents (样本不足)


SCALES = {
    "tiny": Scale("tiny", 1, 60, 10, 6_000, 8, 30, 2),
    "city": Scale("city", 1, 1_200, 20, 500_000, 46, 400, 5),
    "province": Scale("province", 20, 1_250, 40, 10_000_000, 46, 1_250, 40),
}


def rng_for(seed: int, *parts: object) -> np.random.Generator:
    """A generator that depends only on the seed and the named stream, so streams stay independent."""
    keys = [zlib.crc32(str(p).encode()) for p in parts]
    return np.random.default_rng(np.random.SeedSequence([seed, *keys]))


def _city_regions(city: str) -> list[str | None]:
    districts = HOME_DISTRICTS if city == HOME_CITY else GENERIC_DISTRICTS
    return [None, *districts]


def _roster_pool(scale: Scale) -> pd.DataFrame:
    frames = []
    for city in PROVINCE_CITIES[: scale.cities]:
        for district in _city_regions(city):
            pool = region_unit_pool(city, district, qualify=scale.cities > 1)
            region = district or CITY_LEVEL_REGION
            pool["region"] = region if scale.cities == 1 else f"{city}{region}"
            pool["level"] = "市级" if district is None else "县级"
            pool["city"] = city
            frames.append(pool)
    return pd.concat(frames, ignore_index=True)


def sample_units(scale: Scale, seed: int, spare: int) -> pd.DataFrame:
    """窗口单位名册: the units (plus `spare` extra rows kept out of every other dataset), with latent quality."""
    rng = rng_for(seed, "units", scale.name)
    pool = _roster_pool(scale)
    per_city = pool.groupby("city", sort=False).size().to_numpy()
    wanted = np.minimum(per_city, scale.units_per_city)
    wanted[-1] = min(per_city[-1], wanted[-1] + spare)
    picks = [np.sort(rng.choice(n, k, replace=False)) + start
             for n, k, start in zip(per_city, wanted, np.r_[0, np.cumsum(per_city)[:-1]])]
    units = pool.iloc[np.concatenate(picks)].reset_index(drop=True)
    width = max(4, len(str(len(units))))
    units.insert(0, "unit_id", [f"U{i:0{width}d}" for i in range(1, len(units) + 1)])
    units["is_window"] = rng.random(len(units)) > 0.02
    units["leader_name"] = person_names(rng, len(units))
    # A skewed quality: most units serve well, a tail serves clearly worse and will be singled out.
    quality = rng.normal(0, 1, len(units)) - np.where(rng.random(len(units)) < 0.025, 1.6, 0.0)
    units["quality"] = quality
    units["spare"] = False
    units.loc[units.index[-spare:], "spare"] = True
    return units


def unit_quality(units: pd.DataFrame, seed: int, year: int) -> pd.Series:
    """The year's latent service quality of each unit: its lasting quality plus a yearly drift."""
    drift = rng_for(seed, "quality", year).normal(0, 0.35, len(units))
    return pd.Series(units["quality"].to_numpy() + drift, index=units["unit_id"])


def sample_subjects(units: pd.DataFrame, seed: int, spare: int) -> pd.DataFrame:
    """点评对象名册: secretaries, each unit's party organisation, its leading cadres and some members."""
    rng = rng_for(seed, "subjects")
    real = units[~units["spare"]]
    regions = real.drop_duplicates("region")
    secretaries = pd.DataFrame({
        "subject_type": "市县书记", "unit_id": None,
        "name": person_names(rng, len(regions)) + "(" + np.where(
            regions["region"].str.endswith("市直"), regions["city"], regions["region"]) + "委书记)",
    })
    body = rng.choice(np.array(PARTY_BODY), len(real), p=[0.55, 0.2, 0.15, 0.1])
    orgs = pd.DataFrame({"subject_type": "基层党组织", "unit_id": real["unit_id"].to_numpy(),
                         "name": real["unit_name"].to_numpy() + body})
    leaders = _people(real, rng, "党员领导干部", 1 + (rng.random(len(real)) < 0.3))
    members = _people(real, rng, "党员", rng.poisson(1.45, len(real)) + 1)
    subjects = pd.concat([secretaries, orgs, leaders, members], ignore_index=True)
    subjects = pd.concat([subjects, subjects.sample(spare, random_state=rng.integers(2**31))], ignore_index=True)
    subjects.insert(0, "subject_id", [f"S{i:07d}" for i in range(1, len(subjects) + 1)])
    subjects["spare"] = subjects.index >= len(subjects) - spare
    return subjects


def _people(units: pd.DataFrame, rng: np.random.Generator, kind: str, counts: np.ndarray) -> pd.DataFrame:
    unit_ids = np.repeat(units["unit_id"].to_numpy(), counts)
    return pd.DataFrame({"subject_type": kind, "unit_id": unit_ids, "name": person_names(rng, len(unit_ids))})
