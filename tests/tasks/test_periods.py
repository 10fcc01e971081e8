"""Period forms, bounds and neighbours."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from tasks.errors import InvalidPeriod
from tasks.periods import check_period, last_completed_period, period_bounds, period_end_date, shift_period


@pytest.mark.parametrize(
    ("cycle", "period"),
    [("quarterly", "2026Q5"), ("quarterly", "2026H1"), ("half-year", "2026H3"), ("half-year", "26H1"),
     ("annual", "2026Q1"), ("annual", "../2026"), ("half-year", "2026H1/../../x"), ("annual", "1999")],
)
def test_malformed_periods_are_refused(cycle, period):
    with pytest.raises(InvalidPeriod, match="格式不正确"):
        check_period(cycle, period)


@pytest.mark.parametrize(
    ("cycle", "period", "start", "end"),
    [
        ("quarterly", "2026Q1", "2026-01-01", "2026-04-01"),
        ("quarterly", "2026Q4", "2026-10-01", "2027-01-01"),
        ("half-year", "2026H2", "2026-07-01", "2027-01-01"),
        ("annual", "2026", "2026-01-01", "2027-01-01"),
    ],
)
def test_bounds(cycle, period, start, end):
    assert period_bounds(cycle, period) == (pd.Timestamp(start), pd.Timestamp(end))


def test_end_date_and_shifts():
    assert period_end_date("quarterly", "2026Q1") == date(2026, 3, 31)
    assert shift_period("quarterly", "2026Q1", -1) == "2025Q4"
    assert shift_period("half-year", "2025H2", 1) == "2026H1"
    assert shift_period("annual", "2026", -1) == "2025"


@pytest.mark.parametrize(
    ("cycle", "now", "expected"),
    [
        ("quarterly", datetime(2026, 4, 10, 8, tzinfo=ZoneInfo("Asia/Shanghai")), "2026Q1"),
        ("half-year", datetime(2026, 7, 15, 8, tzinfo=ZoneInfo("Asia/Shanghai")), "2026H1"),
        ("half-year", datetime(2026, 1, 15, 8, tzinfo=ZoneInfo("Asia/Shanghai")), "2025H2"),
        ("annual", datetime(2026, 1, 20, 8, tzinfo=ZoneInfo("Asia/Shanghai")), "2025"),
        # 2026-06-30 20:00 UTC is already 1 July in Shanghai: H1 has ended there.
        ("half-year", datetime(2026, 6, 30, 20, tzinfo=ZoneInfo("UTC")), "2026H1"),
    ],
)
def test_last_completed_period_in_city_time(cycle, now, expected):
    assert last_completed_period(cycle, now) == expected
