"""Platform cases (六大平台诉求工单): quarterly figures per unit and month, and the annual platform score."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

SATISFIED = ("满意", "基本满意")
UNRATED = "未评价"
FIGURE_COLUMNS = ["received", "closed", "closed_on_time", "rated", "satisfied", "satisfaction_rate"]


def _instants(cases: pd.DataFrame, column: str) -> pd.Series:
    """A timestamp column as datetimes, whether stored as datetimes or written by hand as ISO text."""
    return pd.to_datetime(cases[column], format="ISO8601")


def cases_received(cases: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The cases received in [start, end), local time."""
    received = _instants(cases, "received_at")
    return cases[(received >= start) & (received < end)]


def _flags(cases: pd.DataFrame) -> pd.DataFrame:
    """One row per case with the 0/1 flags the figures count."""
    closed_at = _instants(cases, "closed_at")
    rating = cases["rating"].astype(str)
    return pd.DataFrame({
        "unit_id": cases["unit_id"].astype(str),
        "month": _instants(cases, "received_at").dt.month.astype("int64"),
        "closed": closed_at.notna(),
        # An open case has not been closed on time, whatever its deadline.
        "closed_on_time": closed_at.notna() & (closed_at <= _instants(cases, "due_at")),
        "rated": rating.ne(UNRATED),
        "satisfied": rating.isin(SATISFIED),
    }, index=cases.index)


def case_figures(cases: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Cases received, closed, closed on time, rated and satisfied, and the satisfaction rate, per `by` group."""
    flags = _flags(cases)
    figures = flags.groupby(by, sort=True).agg(
        received=("closed", "size"), closed=("closed", "sum"), closed_on_time=("closed_on_time", "sum"),
        rated=("rated", "sum"), satisfied=("satisfied", "sum"),
    ).astype("int64")
    # None rated means no rate at all, not a rate of 0.
    figures["satisfaction_rate"] = figures["satisfied"] / figures["rated"].where(figures["rated"] > 0)
    return figures.reset_index()


def unit_case_figures(cases: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Per unit, the figures of the cases received in [start, end); units without cases are absent."""
    return case_figures(cases_received(cases, start, end), ["unit_id"])


def monthly_case_figures(cases: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                         per_unit: bool = True) -> pd.DataFrame:
    """Per unit (or citywide) and calendar month, the figures of the cases received in [start, end)."""
    return case_figures(cases_received(cases, start, end), ["unit_id", "month"] if per_unit else ["month"])


def platform_score(cases: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                   points: Mapping[str, float]) -> pd.DataFrame:
    """Per unit with cases in [start, end): mean points of its rated cases, rated cases and all cases."""
    received = cases_received(cases, start, end)
    scored = pd.DataFrame({
        "unit_id": received["unit_id"].astype(str),
        # Ratings without points (未评价) stay NaN, so the mean and the count skip them.
        "points": received["rating"].astype(str).map(dict(points)).astype("float64"),
    })
    score = scored.groupby("unit_id", sort=True)["points"].agg(
        platform_score="mean", rated_cases="count", cases="size",
    )
    score[["rated_cases", "cases"]] = score[["rated_cases", "cases"]].astype("int64")
    return score.reset_index()
