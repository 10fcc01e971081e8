"""现场点评抽样: the stratified random sample of 基层单位 a review team visits, drawn so that anyone holding the
registry and the seed draws the same units again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from schemas.datasets import ORG_TYPES

SAMPLE_COLUMNS = ["org_type", "draw", "org_id", "name", "region", "township"]
STRATA_COLUMNS = ["org_type", "registered", "quota", "drawn", "note"]


class Draw(NamedTuple):
    """The drawn units (stratum, order of drawing within it, registry row) and, per stratum, what was drawn."""

    sample: pd.DataFrame
    strata: pd.DataFrame


def sampling_frame(organisations: pd.DataFrame, region: str | None = None) -> pd.DataFrame:
    """The registry the draw reads, in one fixed order (by 基层单位编码): the region's units only when given."""
    frame = pd.DataFrame({c: organisations[c].astype("str") for c in SAMPLE_COLUMNS if c != "draw"})
    if region is not None:
        frame = frame[frame["region"] == region]
    # The draw depends on row order, so the order is the key's and never the order rows were delivered in.
    return frame.sort_values("org_id", kind="stable", ignore_index=True)


def _notes(strata: pd.DataFrame) -> pd.Series:
    registered, quota = strata["registered"].astype("str"), strata["quota"].astype("str")
    note = ("名册 " + registered + " 个,随机抽取 " + quota + " 个").where(
        strata["registered"] >= strata["quota"],
        "名册仅 " + registered + " 个,少于应抽的 " + quota + " 个,全部抽取")
    note = note.mask(strata["registered"].eq(0), "名册中没有此类单位,应抽 " + quota + " 个,未能抽取")
    return note.mask(strata["quota"].eq(0), "政策规定此类不抽取")


def draw_sample(organisations: pd.DataFrame, counts: Mapping[str, int], seed: int,
                region: str | None = None) -> Draw:
    """Per organisation type, `counts[type]` units drawn at random without replacement by numpy's PCG64 from
    `seed`; a type with fewer units than its count gives all it has, and its note says so."""
    frame = sampling_frame(organisations, region)
    rng = np.random.Generator(np.random.PCG64(seed))
    # One uniform key per unit, in key order: the lowest keys of each type are a simple random sample of it.
    frame["key"] = rng.random(len(frame))
    frame = frame.sort_values(["org_type", "key"], kind="stable", ignore_index=True)
    frame["draw"] = frame.groupby("org_type").cumcount() + 1
    chosen = frame[frame["draw"] <= frame["org_type"].map(counts).astype("float64").fillna(0)]
    stratum = chosen["org_type"].map({name: rank for rank, name in enumerate(ORG_TYPES)})
    sample = chosen.assign(stratum=stratum).sort_values(["stratum", "draw"], ignore_index=True)[SAMPLE_COLUMNS]
    strata = pd.DataFrame({"org_type": list(ORG_TYPES)})
    strata["registered"] = strata["org_type"].map(frame["org_type"].value_counts()).fillna(0).astype("int64")
    strata["quota"] = strata["org_type"].map(counts).astype("float64").fillna(0).astype("int64")
    strata["drawn"] = np.minimum(strata["registered"], strata["quota"])
    strata["note"] = _notes(strata).astype("str")
    return Draw(sample, strata[STRATA_COLUMNS])
