"""Standard competition ranks (“1224”) and the “among the N lowest” reading shared by every cycle."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tasks.rules.tolerance import tie_starts


def tie_groups(keys: list[np.ndarray], pool: np.ndarray) -> np.ndarray:
    """Tie-group codes, ordered best first within each pool: each key splits the groups of the keys before it.

    Every key is sorted ascending (descending keys arrive negated) inside the groups formed so far, and a new
    group starts where the pool or the group changes or the key moves on by the tolerance; so a tie on the
    score by tolerance is broken by the next key even when the scores differ by float noise.
    """
    codes = pool
    for values in keys:
        order = np.lexsort((values, codes))
        ordered_codes, ordered_values = codes[order], values[order]
        starts = tie_starts(ordered_values)
        starts[1:] |= ordered_codes[1:] != ordered_codes[:-1]
        codes = np.empty_like(codes)
        codes[order] = np.cumsum(starts) - 1
    return codes


def competition_rank(frame: pd.DataFrame, by: list[tuple[str, bool]], group: str | None = None) -> pd.Series:
    """Standard competition ranks of the rows by `by` [(column, ascending)], within `group` if given.

    Values closer than SPEC §2.2's tolerance tie (tasks.rules.tolerance); a row missing any key is not ranked.
    """
    keys = pd.DataFrame({column: pd.to_numeric(frame[column], errors="coerce").astype("float64")
                         for column, _ in by}, index=frame.index)
    ranked = keys.notna().all(axis=1).to_numpy()
    if not ranked.any():
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    pool_labels = frame[group].astype(str).to_numpy()[ranked] if group else np.zeros(ranked.sum(), dtype=int)
    pool = pd.factorize(pool_labels, sort=True)[0].astype("int64")
    values = [keys[column].to_numpy()[ranked] * (1.0 if ascending else -1.0) for column, ascending in by]
    codes = tie_groups(values, pool)
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    # A group's rank is 1 + the rows of its pool ordered before it; pools are contiguous in code order.
    first_of_code = np.searchsorted(ordered, ordered, side="left")
    first_of_pool = np.searchsorted(pool[order], pool[order], side="left")
    rank = np.empty(len(codes), dtype="int64")
    rank[order] = first_of_code - first_of_pool + 1
    result = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    result[ranked] = rank
    return result


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
