"""小样本保护: a breakdown drawn from fewer than a handful of respondents is withheld, so no answer can be read off."""

from __future__ import annotations

import pandas as pd

SUPPRESSED = "—(样本过少)"


def respondents(answers: pd.DataFrame, by: list[str]) -> pd.Series:
    """Distinct respondents behind each combination of `by` (e.g. unit and respondent group)."""
    return answers.groupby(by, observed=True)["respondent_id"].nunique()


def withhold(figures: pd.DataFrame, counts: pd.Series, minimum: int) -> pd.DataFrame:
    """`figures` with every row whose respondent count (`counts`, by row label) is below `minimum` shown as
    “—(样本过少)”; a row with no respondents at all keeps its empty figures."""
    aligned = counts.reindex(figures.index).fillna(0)
    small = (aligned > 0) & (aligned < minimum)
    return figures.astype(object).mask(small, SUPPRESSED)
