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


def test_the_points_cycle_reads_a_year_as_the_annual_assessment_does():
    assert check_period("points", "2026") == "2026"
    assert period_bounds("points", "2026") == period_bounds("annual", "2026")
    assert last_completed_period("points", now=datetime(2027, 1, 25, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))) == "2026"
    with pytest.raises(InvalidPeriod, match="四位年份"):
        check_period("points", "2026H1")


def test_an_on_site_review_is_named_by_its_id_and_never_defaulted():
    from tasks.periods import year_of

    assert check_period("on-site", "2026-R13") == "2026-R13" and year_of("2026-R13") == 2026
    for wrong in ("2026R13", "2026-13", "2026-R1234", "2026"):
        with pytest.raises(InvalidPeriod, match="2026-R13"):
            check_period("on-site", wrong)
    with pytest.raises(InvalidPeriod, match="现场点评须指明点评编号"):
        last_completed_period("on-site")
