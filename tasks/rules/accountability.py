"""一把手公开道歉 and 创争目标: which unit leaders apologise, and how far the creation targets were attained."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.datasets import HONOUR_LEVELS
from tasks.rules.individuals import valid_complaints

IN_PERSON = "当面道歉"
PUBLIC = "公开道歉"
APOLOGY_SOURCES = ("电子监察", "明察暗访")


def _count_in_year(frame: pd.DataFrame, year: int, name: str) -> pd.Series:
    rows = frame[pd.to_datetime(frame["date"]).dt.year.eq(year).fillna(False)]
    return rows.groupby(rows["unit_id"].astype(str)).size().rename(name)


def apology_grounds(complaints: pd.DataFrame, deductions: pd.DataFrame, exposures: pd.DataFrame,
                    year: int) -> pd.DataFrame:
    """Per unit with any ground: valid complaints, 电子监察/明察暗访 deduction records and exposures of the year."""
    complaints_year = valid_complaints(complaints, [year])
    inspected = deductions[deductions["source"].astype(str).isin(APOLOGY_SOURCES)]
    counts = pd.concat([
        complaints_year.groupby("unit_id").size().rename("apology_complaints"),
        _count_in_year(inspected, year, "apology_deductions"),
        _count_in_year(exposures, year, "apology_exposures"),
    ], axis=1).fillna(0).astype("int64")
    counts.index = counts.index.rename("unit_id")
    return counts.sort_index().reset_index()


def leader_apologies(complaints: pd.DataFrame, deductions: pd.DataFrame, exposures: pd.DataFrame,
                     year: int) -> pd.DataFrame:
    """Per unit with any ground: the grounds and the apology (当面道歉 for exactly one complaint, else 公开道歉)."""
    grounds = apology_grounds(complaints, deductions, exposures, year)
    public = (grounds["apology_complaints"].ge(2) | grounds["apology_deductions"].gt(0)
              | grounds["apology_exposures"].gt(0))
    in_person = grounds["apology_complaints"].eq(1)
    grounds["apology"] = pd.Series(np.select([public, in_person], [PUBLIC, IN_PERSON], default=None),
                                   index=grounds.index, dtype="str")
    return grounds


def target_attainment(targets: pd.DataFrame, year: int, by: list[str] | None = None) -> pd.DataFrame:
    """创争目标 of the year by honour level (or `by`): declared, achieved, and the rate (empty when none declared)."""
    by = by or ["level"]
    rows = targets[targets["year"].astype("Int64").eq(year).fillna(False)]
    rows = rows.assign(**{c: rows[c].astype(str) for c in by}, achieved=rows["achieved"].astype(bool))
    table = rows.groupby(by, sort=False)["achieved"].agg(declared="size", achieved="sum")
    if by == ["level"]:
        table = table.reindex(list(HONOUR_LEVELS), fill_value=0).rename_axis("level")
    table = table.astype("int64").reset_index()
    table["rate"] = table["achieved"] / table["declared"].where(table["declared"] > 0)
    return table
