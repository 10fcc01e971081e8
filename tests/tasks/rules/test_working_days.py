"""Working days: the State Council table, the Monday–Friday fallback, and the two ways of counting."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tasks.rules.working_days import (
    add_working_days, calendar_warnings, chinese_dates, covered_years, is_working_day, window_end,
    working_days_between,
)

D = date.fromisoformat
NEW_YEAR_2031 = [D("2031-01-01")]


def test_the_package_covers_2004_to_2026():
    # chinese-calendar 1.11.0 holds the State Council schedules up to 2026; 2027 is the first year of the fallback.
    assert covered_years() == list(range(2004, 2027))


@pytest.mark.parametrize(("day", "holidays", "working"), [
    # 2026 Mid-Autumn and National Day (25–27 Sep, 1–7 Oct) with make-up working days Sun 20 Sep and Sat 10 Oct.
    ("2026-09-20", (), True),    # a Sunday worked in lieu (调休)
    ("2026-09-25", (), False),   # a Friday of the Mid-Autumn holiday
    ("2026-10-01", (), False),   # National Day, a Thursday
    ("2026-10-07", (), False),   # the last day of the National Day week, a Wednesday
    ("2026-10-08", (), True),    # back to work on Thursday
    ("2026-10-10", (), True),    # a Saturday worked in lieu
    ("2026-10-11", (), False),   # an ordinary Sunday
    # 2026 Spring Festival (15–23 Feb) with make-up working days Sat 14 Feb and Sat 28 Feb.
    ("2026-02-14", (), True),
    ("2026-02-16", (), False),   # a Monday of the festival
    ("2026-02-23", (), False),   # its last day, a Monday
    ("2026-02-24", (), True),
    ("2026-02-28", (), True),
    ("2026-03-01", (), False),
    # 2031 is not in the table: Monday to Friday, less the holidays the policy lists.
    ("2031-01-01", (), True),
    ("2031-01-01", NEW_YEAR_2031, False),
    ("2031-01-04", (), False),   # a Saturday is never worked outside the table
    # A policy holiday of an uncovered year changes nothing in a covered one.
    ("2026-10-08", (D("2026-10-08"),), True),
])
def test_is_working_day(day, holidays, working):
    assert is_working_day(D(day), holidays) is working


@pytest.mark.parametrize(("start", "n", "holidays", "due"), [
    # A time limit counts from the day after: the National Day week and its make-up Saturday.
    ("2026-09-30", 1, (), "2026-10-08"),
    ("2026-09-30", 3, (), "2026-10-10"),
    ("2026-09-18", 1, (), "2026-09-20"),   # the make-up Sunday is the next working day
    ("2026-02-13", 1, (), "2026-02-14"),   # the Saturday before Spring Festival is worked
    ("2026-02-13", 2, (), "2026-02-24"),   # then nine days off
    ("2026-07-14", 15, (), "2026-08-04"),  # the default rectification limit after a mid-July final version
    # Into the uncovered 2027 and within 2031, with and without listed holidays.
    ("2026-12-31", 15, (), "2027-01-21"),
    ("2026-12-31", 15, (D("2027-01-01"),), "2027-01-22"),
    ("2030-12-31", 1, (), "2031-01-01"),
    ("2030-12-31", 1, NEW_YEAR_2031, "2031-01-02"),
])
def test_add_working_days(start, n, holidays, due):
    assert add_working_days(D(start), n, holidays) == D(due)


@pytest.mark.parametrize(("published", "n", "last"), [
    # 公示期 counts the day of publication: Thursday 21 January 2027 + 5 → Wednesday 27 January (fallback year).
    ("2027-01-21", 5, "2027-01-27"),
    # Published on a Saturday: the window starts counting on Monday.
    ("2027-01-23", 5, "2027-01-29"),
    # Published the day before National Day: 30 Sep, 8, 9, 10 (Saturday worked) and 12 Oct.
    ("2026-09-30", 5, "2026-10-12"),
    ("2026-02-13", 5, "2026-02-26"),
    ("2026-02-13", 1, "2026-02-13"),     # one working day: the day of publication itself
])
def test_window_end(published, n, last):
    assert window_end(D(published), n) == D(last)


@pytest.mark.parametrize(("earlier", "later", "holidays", "count"), [
    ("2026-09-30", "2026-10-12", (), 4),     # 8, 9, 10 and 12 October
    ("2026-10-12", "2026-09-30", (), -4),    # the other way round
    ("2026-02-13", "2026-02-28", (), 6),     # 14, 24–28 February
    ("2026-10-03", "2026-10-03", (), 0),
    ("2030-12-31", "2031-01-03", (), 3),
    ("2030-12-31", "2031-01-03", NEW_YEAR_2031, 2),
])
def test_working_days_between(earlier, later, holidays, count):
    assert working_days_between(D(earlier), D(later), holidays) == count


def test_series_in_series_out_with_missing_dates():
    # The rectification clock hands whole columns over; a missing date stays missing, the index is kept.
    days = pd.Series(pd.to_datetime(["2026-09-30", None, "2030-12-31"]), index=[7, 8, 9])
    expected_dates = pd.Series(pd.to_datetime(["2026-10-08", None, "2031-01-02"]).astype("datetime64[us]"),
                               index=[7, 8, 9])
    pd.testing.assert_series_equal(add_working_days(days, 1, NEW_YEAR_2031), expected_dates)
    pd.testing.assert_series_equal(is_working_day(days), pd.Series([True, False, True], index=[7, 8, 9]))
    later = days + pd.Timedelta(days=12)  # 12 Oct 2026; Sunday 11 Jan 2031 (2, 3, 6–10 January)
    pd.testing.assert_series_equal(working_days_between(days, later, NEW_YEAR_2031),
                                   pd.Series(pd.array([4, None, 7], dtype="Int64"), index=[7, 8, 9]))
    assert add_working_days(None, 3) is None and working_days_between(D("2026-01-05"), None) is None


def test_a_count_of_zero_is_refused():
    with pytest.raises(ValueError):
        window_end(D("2026-01-05"), 0)


@pytest.mark.parametrize(("dates", "holidays", "warnings"), [
    # Within the table: nothing to say.
    (["2026-01-05", "2026-12-31"], (), []),
    # A window running into 2027 says so, and whether the policy listed that year's holidays.
    (["2026-12-28", "2027-01-21"], (), ["2027年法定节假日安排未收录,按周一至周五并扣除政策所列节假日计算(政策未列出该年节假日)"]),
    (["2027-01-21"], (D("2027-01-01"), D("2027-02-11")),
     ["2027年法定节假日安排未收录,按周一至周五并扣除政策所列节假日计算(政策列出该年节假日2天)"]),
    # Every year of the span is named, once.
    (["2030-12-31", "2031-01-02", None], NEW_YEAR_2031, [
        "2030年法定节假日安排未收录,按周一至周五并扣除政策所列节假日计算(政策未列出该年节假日)",
        "2031年法定节假日安排未收录,按周一至周五并扣除政策所列节假日计算(政策列出该年节假日1天)"]),
])
def test_calendar_warnings(dates, holidays, warnings):
    assert calendar_warnings(pd.Series(pd.to_datetime(dates)), holidays=holidays) == warnings


def test_chinese_dates():
    assert chinese_dates(pd.Series(pd.to_datetime(["2027-01-21", None]))).tolist() == ["2027年1月21日", ""]
