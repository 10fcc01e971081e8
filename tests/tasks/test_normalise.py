"""Conversion of delivered text into dates, numbers and booleans."""

from __future__ import annotations

import pandas as pd
import pytest

from tasks.normalise import parse_bools, parse_dates, parse_datetimes, parse_floats, parse_ints

NaT = pd.NaT


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-05", pd.Timestamp("2026-03-05")),            # ISO date
    ("2026/3/5", pd.Timestamp("2026-03-05")),              # slashes, no leading zeros
    ("2026年3月5日", pd.Timestamp("2026-03-05")),           # Chinese date
    ("2026.3.5", pd.Timestamp("2026-03-05")),              # dotted date
    ("46086", pd.Timestamp("2026-03-05")),                 # Excel serial number
    ("46086.5", pd.Timestamp("2026-03-05 12:00")),         # Excel serial with a time of day
    ("2026-03-05 08:30:00", pd.Timestamp("2026-03-05 08:30")),  # calamine's text of a datetime cell
    ("2026-03-05T08:30", pd.Timestamp("2026-03-05 08:30")),     # ISO with a T
    ("2026/3/5 8:30", pd.Timestamp("2026-03-05 08:30")),        # loose date with a loose time
    ("2026-02-30", NaT),                                   # no such day
    ("2026-03-05 24:00", NaT),                             # no such hour
    ("下周一", NaT),                                        # not a date at all
    ("0", NaT),                                            # serial 0 is not a day
    (None, NaT),                                           # empty stays empty
])
def test_parse_datetimes(text, expected):
    parsed = parse_datetimes(pd.Series([text], dtype="str"))
    assert parsed.dtype == "datetime64[us]"
    assert parsed.iloc[0] is NaT if expected is NaT else parsed.iloc[0] == expected


def test_parse_dates_drops_the_time_of_day():
    # Date-only columns are normalised to midnight, whatever time a cell carried.
    parsed = parse_dates(pd.Series(["2026-03-05 08:30", "46086.75", None], dtype="str"))
    expected = pd.Series([pd.Timestamp("2026-03-05"), pd.Timestamp("2026-03-05"), NaT], dtype="datetime64[us]")
    pd.testing.assert_series_equal(parsed, expected)


def test_parse_numbers():
    text = pd.Series(["2026", "2026.0", "2026.5", "1,200", "abc", None], dtype="str")
    # Whole numbers only for int columns; a thousands separator is accepted.
    pd.testing.assert_series_equal(parse_ints(text), pd.Series([2026, 2026, None, 1200, None, None], dtype="Int64"))
    pd.testing.assert_series_equal(parse_floats(text), pd.Series([2026.0, 2026.0, 2026.5, 1200.0, None, None]))


def test_parse_bools():
    text = pd.Series(["是", "否", "Y", "n", "1", "0", "TRUE", "false", "有效", "无效", "也许", None], dtype="str")
    expected = [True, False, True, False, True, False, True, False, True, False, None, None]
    pd.testing.assert_series_equal(parse_bools(text), pd.Series(expected, dtype="boolean"))
