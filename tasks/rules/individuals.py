"""首问责任制: the sanction ladder for persons with valid complaints."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.outputs import INDIVIDUAL_COLUMNS

LADDER = {1: "诫勉谈话", 2: "不称职、强制培训", 3: "不称职、调离岗位、行政警告"}
HEAVIER_DISCIPLINE = "不称职、从重处分"
DISMISSAL = "辞退"


def valid_complaints(complaints: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """The valid complaints dated in any of `years`, with unit and person ids as plain strings."""
    dates = pd.to_datetime(complaints["date"])
    rows = complaints[complaints["valid"].astype(bool) & dates.dt.year.isin(years).fillna(False)]
    return rows.assign(unit_id=rows["unit_id"].astype(str), person_id=rows["person_id"].astype(str),
                       date=pd.to_datetime(rows["date"]))


def sanction(this_year: pd.Series, two_years: pd.Series, dismissal_threshold: int) -> pd.Series:
    """The ladder's rung for a count of valid complaints; dismissal over two years overrides it."""
    rung = np.select(
        [two_years >= dismissal_threshold, this_year >= 4, this_year == 3, this_year == 2, this_year == 1],
        [DISMISSAL, HEAVIER_DISCIPLINE, LADDER[3], LADDER[2], LADDER[1]], default=None,
    )
    return pd.Series(rung, index=this_year.index, dtype="str")


def individual_sanctions(complaints: pd.DataFrame, year: int, dismissal_threshold: int) -> pd.DataFrame:
    """Per person with a valid complaint in `year`: unit, counts this year and over two years, and sanction."""
    rows = valid_complaints(complaints, [year - 1, year])
    current = rows[rows["date"].dt.year == year].sort_values(["date", "complaint_id"])
    if current.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if "complaints" in c else "str")
                             for c in INDIVIDUAL_COLUMNS})
    people = current.groupby("person_id", sort=True).agg(
        # A person who moved is listed under the unit of their latest complaint.
        unit_id=("unit_id", "last"), valid_complaints=("complaint_id", "size"))
    people["valid_complaints_two_years"] = rows.groupby("person_id").size().reindex(people.index)
    people = people.reset_index().astype({"valid_complaints": "int64", "valid_complaints_two_years": "int64"})
    people["sanction"] = sanction(people["valid_complaints"], people["valid_complaints_two_years"],
                                  dismissal_threshold)
    ordered = people.sort_values(["valid_complaints_two_years", "valid_complaints", "person_id"],
                                 ascending=[False, False, True], ignore_index=True)
    return ordered[list(INDIVIDUAL_COLUMNS)]
