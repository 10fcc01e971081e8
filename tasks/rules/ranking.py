"""Standard competition ranks (“1224”) and the “among the N lowest” reading shared by every cycle."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _sort_keys(frame: pd.DataFrame, by: list[tuple[str, bool]], decimals: int) -> pd.DataFrame:
    """The ranking columns as floats rounded to `decimals`, so values equal to that precision tie."""
    keys = {}
    for position, (column, _ascending) in enumerate(by):
        values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        keys[f"k{position}"] = values.round(decimals)
    return pd.DataFrame(keys, index=frame.index)


def competition_rank(frame: pd.DataFrame, by: list[tuple[str, bool]], group: str | None = None,
                     decimals: int = 9) -> pd.Series:
    """Standard competition ranks of the rows by `by` [(column, ascending)], within `group` if given."""
    keys = _sort_keys(frame, by, decimals)
    names = list(keys.columns)
    ranked = keys.notna().all(axis=1)
    keys["_group"] = frame[group].astype(str).to_numpy() if group else ""
    keys = keys[ranked]
    if keys.empty:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    ordered = keys.sort_values(["_group", *names], ascending=[True, *(a for _, a in by)], kind="stable")
    previous = ordered.shift()
    # A row opens a new rank when its group or any rounded key differs from the row before it.
    starts = ordered["_group"].ne(previous["_group"]) | ordered[names].ne(previous[names]).any(axis=1)
    position = ordered.groupby("_group", sort=False).cumcount() + 1
    rank = position.where(starts).ffill().astype("int64")
    return rank.reindex(frame.index).astype("Int64")


def units_below(rank: pd.Series, group: pd.Series | None = None) -> pd.Series:
    """How many ranked units (in the same group) rank strictly below each ranked unit; <NA> for unranked ones."""
    ranks = pd.to_numeric(rank, errors="coerce").astype("float64")
    keys = group.astype(str) if group is not None else pd.Series("", index=rank.index)
    ranked = ranks.notna()
    frame = pd.DataFrame({"rank": ranks[ranked], "group": keys[ranked]})
    below = frame.groupby("group", sort=False)["rank"].transform(_count_strictly_below)
    return below.reindex(rank.index).astype("Int64")


def among_lowest(rank: pd.Series, n: int, group: pd.Series | None = None) -> pd.Series:
    """Whether fewer than `n` ranked units (in the same group) rank strictly below each unit."""
    if n <= 0:
        return pd.Series(False, index=rank.index)
    return units_below(rank, group).lt(n).fillna(False).astype(bool)


def _count_strictly_below(ranks: pd.Series) -> pd.Series:
    """For each rank, how many ranks in the series are strictly greater (worse)."""
    values = np.sort(ranks.to_numpy())
    worse = len(values) - np.searchsorted(values, ranks.to_numpy(), side="right")
    return pd.Series(worse, index=ranks.index)
