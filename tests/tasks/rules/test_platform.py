"""Platform case figures per unit and month, and the annual platform score, on hand-built cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from schemas.datasets import PLATFORMS, RATINGS
from tasks.periods import period_bounds
from tasks.rules.platform import monthly_case_figures, platform_score, unit_case_figures

NAN = np.nan
POINTS = {"满意": 100.0, "基本满意": 60.0, "不满意": 0.0}
Q1 = period_bounds("quarterly", "2026Q1")


def _cases(rows: list[tuple]) -> pd.DataFrame:
    """Cases as storage loads them, from (case_id, unit_id, received_at, due_at, closed_at, rating)."""
    frame = pd.DataFrame(rows, columns=["case_id", "unit_id", "received_at", "due_at", "closed_at", "rating"])
    frame.insert(1, "platform", pd.Categorical([PLATFORMS[0]] * len(frame), categories=PLATFORMS))
    for column in ("received_at", "due_at", "closed_at"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").astype("datetime64[ns]")
    frame["rating"] = pd.Categorical(frame["rating"], categories=RATINGS)
    return frame


def _figures(rows: list[tuple], keys: list[str]) -> pd.DataFrame:
    """Expected figures from (*keys, received, closed, closed_on_time, closed_with_due, rated, satisfied, rate,
    on-time rate)."""
    frame = pd.DataFrame(rows, columns=[*keys, "received", "closed", "closed_on_time", "closed_with_due", "rated",
                                        "satisfied", "satisfaction_rate", "on_time_rate"])
    counts = ["received", "closed", "closed_on_time", "closed_with_due", "rated", "satisfied"]
    frame[counts] = frame[counts].astype("int64")
    if "unit_id" in keys:
        frame["unit_id"] = frame["unit_id"].astype("str")
    if "month" in keys:
        frame["month"] = frame["month"].astype("int64")
    frame[["satisfaction_rate", "on_time_rate"]] = frame[["satisfaction_rate", "on_time_rate"]].astype("float64")
    return frame


BOUNDARY_CASES = _cases([
    # Quarter boundaries: the last second of the quarter is inside, the first second after it is not.
    ("C1", "U1", "2025-12-31 23:59:59", "2026-01-05", "2026-01-02", "满意"),
    ("C2", "U1", "2026-01-01 00:00:00", "2026-01-05", "2026-01-05 00:00:00", "满意"),
    ("C3", "U1", "2026-03-31 23:59:59", "2026-04-03", None, "未评价"),
    ("C4", "U1", "2026-04-01 00:00:00", "2026-04-03", "2026-04-02", "不满意"),
    # Closed after the deadline: closed, but not on time; 基本满意 counts as satisfied.
    ("C5", "U2", "2026-02-10 09:00", "2026-02-12 18:00", "2026-02-12 18:00:01", "基本满意"),
    ("C6", "U2", "2026-02-11 09:00", "2026-02-12 18:00", "2026-02-13", "不满意"),
    # Only unrated cases: the satisfaction rate is empty, not 0.
    ("C7", "U3", "2026-03-01", "2026-03-04", "2026-03-02", "未评价"),
])


@pytest.mark.parametrize(("bounds", "expected"), [
    # Q1: C2 (on time, the deadline instant itself counts), C3 (open, unrated); C5/C6; C7 unrated only.
    (Q1, _figures([("U1", 2, 1, 1, 1, 1, 1, 1.0, 1.0), ("U2", 2, 2, 0, 2, 2, 1, 0.5, 0.0),
                   ("U3", 1, 1, 1, 1, 0, 0, NAN, 1.0)], ["unit_id"])),
    # Q2 holds only the case received at its first instant.
    (period_bounds("quarterly", "2026Q2"), _figures([("U1", 1, 1, 1, 1, 1, 0, 0.0, 1.0)], ["unit_id"])),
    # A quarter without cases yields no rows at all.
    (period_bounds("quarterly", "2026Q3"), _figures([], ["unit_id"])),
])
def test_unit_case_figures(bounds, expected):
    assert_frame_equal(unit_case_figures(BOUNDARY_CASES, *bounds), expected)


def test_monthly_case_figures_per_unit():
    # Months of the quarter: U1 has a January and a March case, U2 two February cases, U3 a March case.
    expected = _figures([
        ("U1", 1, 1, 1, 1, 1, 1, 1, 1.0, 1.0), ("U1", 3, 1, 0, 0, 0, 0, 0, NAN, NAN),
        ("U2", 2, 2, 2, 0, 2, 2, 1, 0.5, 0.0), ("U3", 3, 1, 1, 1, 1, 0, 0, NAN, 1.0),
    ], ["unit_id", "month"])
    assert_frame_equal(monthly_case_figures(BOUNDARY_CASES, *Q1), expected)


def test_monthly_case_figures_citywide():
    # Citywide months add the units up; March has two cases, neither rated.
    expected = _figures([(1, 1, 1, 1, 1, 1, 1, 1.0, 1.0), (2, 2, 2, 0, 2, 2, 1, 0.5, 0.0),
                         (3, 2, 1, 1, 1, 0, 0, NAN, 1.0)], ["month"])
    assert_frame_equal(monthly_case_figures(BOUNDARY_CASES, *Q1, per_unit=False), expected)


LATE_AND_UNTIMED = _cases([
    # Closed after the quarter's end: open for Q1, so a rerun of Q1 next year gives the same figures.
    ("D1", "U1", "2026-03-20", "2026-03-25", "2026-04-02", "满意"),
    # No due date (a 媒体 case): received and closed, left out of the on-time rate's denominator.
    ("D2", "U1", "2026-03-10", None, "2026-03-12", "不满意"),
    ("D3", "U1", "2026-03-01", "2026-03-05", "2026-03-04", "未评价"),
    # Closed at the last second of the quarter: closed, and on time.
    ("D4", "U1", "2026-03-30", "2026-04-03", "2026-03-31 23:59:59", "基本满意"),
    # Untimed only: closed, but no on-time rate at all (not 0).
    ("D5", "U2", "2026-02-01", None, "2026-02-03", "满意"),
])


@pytest.mark.parametrize(("bounds", "expected"), [
    # Q1: 4 received, 3 closed by 31 March (D1 still open), 2 of the 2 timed closed cases on time; 2 of 3 rated
    # satisfied. U2: its one case closed, untimed.
    (Q1, _figures([("U1", 4, 3, 2, 2, 3, 2, 2 / 3, 1.0), ("U2", 1, 1, 0, 0, 1, 1, 1.0, NAN)], ["unit_id"])),
    # Over the half-year, D1's closure on 2 April falls inside: closed, late.
    (period_bounds("half-year", "2026H1"),
     _figures([("U1", 4, 4, 2, 3, 3, 2, 2 / 3, 2 / 3), ("U2", 1, 1, 0, 0, 1, 1, 1.0, NAN)], ["unit_id"])),
])
def test_closure_by_the_period_end_and_cases_without_due_date(bounds, expected):
    assert_frame_equal(unit_case_figures(LATE_AND_UNTIMED, *bounds), expected)


@pytest.mark.parametrize(("points", "expected_scores"), [
    # Default points over the year 2026 (C2..C7): U1 rated C2 满意, C4 不满意 → 50; U2 基本满意 60 + 不满意 0 → 30;
    # U3 has a case but none rated → empty score.
    (POINTS, [50.0, 30.0, NAN]),
    # Points are policy: 基本满意 worth 80 moves U2 to 40.
    ({"满意": 100.0, "基本满意": 80.0, "不满意": 0.0}, [50.0, 40.0, NAN]),
])
def test_platform_score(points, expected_scores):
    expected = pd.DataFrame({
        "unit_id": pd.Series(["U1", "U2", "U3"], dtype="str"),
        "platform_score": expected_scores,
        "rated_cases": np.array([2, 2, 0], dtype="int64"),
        "cases": np.array([3, 2, 1], dtype="int64"),
    })
    year = period_bounds("annual", "2026")
    assert_frame_equal(platform_score(BOUNDARY_CASES, *year, points), expected)


def test_platform_score_accepts_plain_text_columns():
    # Hand-built frames with object columns and string timestamps give the same score.
    cases = BOUNDARY_CASES.astype({"rating": object, "received_at": str})
    year = period_bounds("annual", "2026")
    assert_frame_equal(platform_score(cases, *year, POINTS), platform_score(BOUNDARY_CASES, *year, POINTS))


def test_a_case_without_due_date_is_accepted_and_untimed():
    # SPEC §2.1: 媒体 cases often have no deadline; such a row is valid, counts as received and closed, not timed.
    from schemas.datasets import DATASETS
    from tasks.inbox.validation import validate

    raw = pd.DataFrame([{"case_id": "M1", "platform": "媒体", "unit_id": "U0001", "received_at": "2026-01-05 08:00",
                         "due_at": None, "closed_at": "2026-01-08 09:30", "rating": "满意"}],
                       columns=DATASETS["platform_cases"].column_names, dtype="str").assign(_row_number=[2])
    checked = validate(DATASETS["platform_cases"], raw, {"units.unit_id": {"U0001"}})
    assert checked.rejected.empty and len(checked.accepted) == 1
    assert_frame_equal(unit_case_figures(checked.accepted, *Q1),
                       _figures([("U0001", 1, 1, 0, 0, 1, 1, 1.0, NAN)], ["unit_id"]))
