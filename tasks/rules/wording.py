"""Numbers and reasons in words, built column-wise for the rules that explain their results in Chinese."""

from __future__ import annotations

import pandas as pd


def number(values: pd.Series) -> pd.Series:
    """Each value as a reader writes it: 40 for 40.0, 2.5 for 2.5."""
    return values.map(lambda v: f"{v:g}").astype("str")


def joined(parts: dict[str, pd.Series], index: pd.Index, separator: str) -> pd.Series:
    """The non-empty parts of each row joined in the order given; empty text for a row that has none."""
    # Rows are joined by position, so any index (a MultiIndex, repeated labels) keeps its rows apart.
    frame = pd.DataFrame(parts, index=index).reset_index(drop=True)
    # melt keeps the column order within each row, so the parts always read in the order given.
    text = frame.melt(ignore_index=False)["value"].dropna().groupby(level=0).agg(separator.join)
    return pd.Series(text.reindex(frame.index, fill_value="").to_numpy(), index=index, dtype="str")
