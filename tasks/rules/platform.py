"""Platform cases (六大平台诉求工单): quarterly figures per unit and month, and the annual platform score."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

SATISFIED = ("满意", "基本满意")
UNRATED = "未评价"
FIGURE_COLUMNS = ["received", "closed", "closed_on_time", "closed_with_due", "rated", "satisfied",
                  "satisfaction_rate", "on_time_rate"]


def _instants(cases: pd.DataFrame, column: str) -> pd.Series:
    """A timestamp column as datetimes, whether stored as datetimes or written by hand as ISO text."""
    return pd.to_datetime(cases[column], format="ISO8601")


def cases_received(cases: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The cases received in [start, end), local time."""
    received = _instants(cases, "received_at")
    return cases[(received >= start) & (received < end)]


def _flags(cases: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """One row per case with the 0/1 flags the figures count, as the cases stood at `end`."""
    closed_at = _instants(cases, "closed_at")
    due_at = _instants(cases, "due_at")
    rating = cases["rating"].astype(str)
    # Closed means closed before the period ended: a rerun of a past quarter must not see later closures.
    closed = closed_at.notna() & (closed_at < end)
    with_due = closed & due_at.notna()
    return pd.DataFrame({
        "unit_id": cases["unit_id"].astype(str),
        "month": _instants(cases, "received_at").dt.month.astype("int64"),
        "closed": closed,
        # An open case has not been closed on time, whatever its deadline; one without a deadline is not timed.
        "closed_on_time": with_due & (closed_at <= due_at),
        "closed_with_due": with_due,
        "rated": rating.ne(UNRATED),
        "satisfied": rating.isin(SATISFIED),
    }, index=cases.index)


def case_figures(cases: pd.DataFrame, by: list[str], end: pd.Timestamp) -> pd.DataFrame:
    """Cases received, closed (by `end`), closed on time, rated and satisfied, and both rates, per `by` group.

    The on-time rate is over the closed cases that have a due date (SPEC §2.1: 媒体 cases often have none).
    """
    flags = _flags(cases, end)
    figures = flags.groupby(by, sort=True).agg(
        received=("closed", "size"), closed=("closed", "sum"), closed_on_time=("closed_on_time", "sum"),
        closed_with_due=("closed_with_due", "sum"), rated=("rated", "sum"), satisfied=("satisfied", "sum"),
    ).astype("int64")
    # None rated (or none timed) means no rate at all, not a rate of 0.
    figures["satisfaction_rate"] = figures["satisfied"] / figures["rated"].where(figures["rated"] > 0)
    figures["on_time_rate"] = figures["closed_on_time"] / figures["closed_with_due"].where(
        figures["closed_with_due"] > 0)
    return figures.reset_index()


def unit_case_figures(cases: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Per unit, the figures of the cases received in [start, end) as at `end`; units without cases are absent."""
    return case_figures(cases_received(cases, start, end), ["unit_id"], end)


def monthly_case_figures(cases: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                         per_unit: bool = True) -> pd.DataFrame:
    """Per unit (or citywide) and calendar month, the figures of the cases received in [start, end), as at `end`."""
    return case_figures(cases_received(cases, start, end), ["unit_id", "month"] if per_unit else ["month"], end)


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
