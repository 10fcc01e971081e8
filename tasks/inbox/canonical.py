"""The variants providers write for periods and coded values, mapped column-wise to the one form the rules read."""

from __future__ import annotations

import pandas as pd

from schemas.datasets import Dataset
from schemas.policy import ALIAS_COLUMNS, Aliases

# 2026h1, 2026-H1, 2026年上半年, 2026年第三季度, 2026年3季度, 2026-Q3 …
_PERIOD = (
    r"^(?P<year>\d{4})\s*[-_/.年]?\s*(?:(?P<kind>[HhQq])\s*(?P<number>[1-4])|(?P<half>[上下])半年(?:度)?"
    r"|第?\s*(?P<quarter>[1-4一二三四])\s*季度)$"
)
_QUARTERS = {"1": "1", "2": "2", "3": "3", "4": "4", "一": "1", "二": "2", "三": "3", "四": "4"}


def canonical_periods(text: pd.Series) -> pd.Series:
    """Periods in the form 2026H1 / 2026Q3; text that is no period is left as it is, for validation to report."""
    codes, uniques = pd.factorize(text)
    if len(uniques) == 0:
        return text
    distinct = pd.Series(uniques, dtype="str")
    parts = distinct.str.extract(_PERIOD)
    kind = parts["kind"].str.upper().mask(parts["half"].notna(), "H").mask(parts["quarter"].notna(), "Q")
    number = parts["number"].fillna(parts["half"].map({"上": "1", "下": "2"})).fillna(parts["quarter"].map(_QUARTERS))
    canonical = (parts["year"] + kind + number).fillna(distinct)
    return pd.Series(canonical.array.take(codes, allow_fill=True), index=text.index, dtype="str")


def apply_aliases(text: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """`text` with every variant in `mapping` replaced by the value it stands for; other cells unchanged."""
    # The membership test is one Arrow kernel; mapping (a Python lookup) runs only over the distinct variants found.
    variant = text.isin(list(mapping))
    if not variant.any():
        return text
    codes, uniques = pd.factorize(text[variant])
    mapped = pd.array([mapping[u] for u in uniques], dtype="str").take(codes)
    return text.mask(variant, pd.Series(mapped, index=text.index[variant], dtype="str"))


def canonical_cells(dataset: Dataset, raw: pd.DataFrame, aliases: Aliases) -> pd.DataFrame:
    """`raw` with its period columns in canonical form and the policy's aliases applied to coded columns."""
    frame = raw.copy()
    for column in dataset.columns:
        if column.is_period:
            frame[column.name] = canonical_periods(frame[column.name])
    for field, (name, column) in ALIAS_COLUMNS.items():
        if name == dataset.name:
            frame[column] = apply_aliases(frame[column], getattr(aliases, field))
    return frame
