"""Conversion of delivered text into dates, numbers and booleans."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.datasets import DATASETS, ONGOING
from tasks.inbox.normalise import (
    number_problems, parse_bools, parse_dates, parse_datetimes, parse_deadlines, parse_floats, parse_ints,
)

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


SCORE = DATASETS["superior_scores"].column("score")
POINTS = DATASETS["deductions"].column("points")
YEAR = DATASETS["superior_scores"].column("year")


@pytest.mark.parametrize(("text", "points", "fraction", "refused"), [
    ("95", 95.0, 95.0, 95.0),              # a plain number is read alike by every column kind
    ("95%", 95.0, 0.95, None),             # a 0–100 score: 95% is 95; a rate: 0.95; deduction points: refused
    ("95.5 %", 95.5, 0.955, None),         # a space before the sign
    ("95分", 95.0, 95.0, 95.0),             # scores and points written with 分
    ("1,234", 1234.0, 1234.0, 1234.0),     # a thousands separator where it is one
    ("12,345.5", 12345.5, 12345.5, 12345.5),
    ("1,234,567", 1234567.0, 1234567.0, 1234567.0),
    ("0,5", None, None, None),             # a decimal comma is never a thousands separator
    ("1,5", None, None, None),
    ("12,34", None, None, None),           # not groups of three
    ("0,500", None, None, None),           # a group of three after a zero lead is no thousands number either
    ("-2", -2.0, -2.0, -2.0),              # signs stay (the range rule rejects them)
    ("九十", None, None, None),             # words are no numbers
])
def test_parse_floats_by_column_kind(text, points, fraction, refused):
    series = pd.Series([text], dtype="str")
    got = [parse_floats(series, kind).iloc[0] for kind in ("points", "fraction", None)]
    assert [None if pd.isna(v) else v for v in got] == [points, fraction, refused]


@pytest.mark.parametrize(("column", "text", "problem"), [
    # the decimal comma: what was read and how to write it
    (POINTS, "0,5", "不是数字:逗号只能用作千位分隔符(如 1,234),小数请写作 0.5"),
    (SCORE, "92,5", "不是数字:逗号只能用作千位分隔符(如 1,234),小数请写作 92.5"),
    # a percentage where the column takes none
    (POINTS, "5%", "是百分数,本列应填写数值本身(不带 %)"),
    (YEAR, "50%", "是百分数,本列应填写数值本身(不带 %)"),
    # anything else keeps the plain reason
    (POINTS, "两分", "不是数字"),
    (YEAR, "2026.5", "不是整数"),
])
def test_number_problems(column, text, problem):
    assert number_problems(pd.Series([text], dtype="str"), column).tolist() == [problem]


@pytest.mark.parametrize(("text", "expected"), [
    ("20260305", pd.Timestamp("2026-03-05")),                     # compact date
    ("2026年3月5号", pd.Timestamp("2026-03-05")),                  # 号 for 日
    ("2026-03-05T15:00:00+08:00", pd.Timestamp("2026-03-05 15:00")),  # Beijing offset: wall clock kept
    ("2026-03-05T07:00:00Z", pd.Timestamp("2026-03-05 15:00")),   # UTC converted to Asia/Shanghai
    ("2026-03-04T23:30:00-08:00", pd.Timestamp("2026-03-05 15:30")),  # any offset, across midnight
    ("2026/3/5 下午3:00", pd.Timestamp("2026-03-05 15:00")),        # 下午 moves past noon
    ("2026/3/5下午3点", pd.Timestamp("2026-03-05 15:00")),          # no space, 点 for the hour
    ("2026年3月5日上午9时30分", pd.Timestamp("2026-03-05 09:30")),   # 上午 keeps the hour
    ("2026年3月5日中午12点", pd.Timestamp("2026-03-05 12:00")),      # 中午12点 is noon
    ("2026-3-5 3:00 PM", pd.Timestamp("2026-03-05 15:00")),        # English marker
    ("2026/3/5 下午13:00", NaT),                                   # a marked clock runs 1–12
    ("20261305", NaT),                                            # no month 13
])
def test_parse_datetimes_as_offices_write_them(text, expected):
    parsed = parse_datetimes(pd.Series([text], dtype="str"))
    assert parsed.iloc[0] is NaT if expected is NaT else parsed.iloc[0] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2026年6月底", pd.Timestamp("2026-06-30")),     # the month's last day
    ("2026年2月末", pd.Timestamp("2026-02-28")),     # 末 as 底
    ("2026年6月底前", pd.Timestamp("2026-06-30")),   # 前: by then
    ("2026年底", pd.Timestamp("2026-12-31")),       # the year's end
    ("2026年年底前", pd.Timestamp("2026-12-31")),
    ("长期坚持", pd.Timestamp(ONGOING)),             # an ongoing commitment: never due
    ("2026-06-15", pd.Timestamp("2026-06-15")),     # a plain date
    ("2026年6月", NaT),                              # a month without 底 names no day
])
def test_parse_deadlines(text, expected):
    parsed = parse_deadlines(pd.Series([text], dtype="str"))
    assert parsed.iloc[0] is NaT if expected is NaT else parsed.iloc[0] == expected


def test_parse_bools_ticks_and_crosses():
    text = pd.Series(["√", "×", "✓", "✗", "✔", "✘", "x"], dtype="str")
    expected = [True, False, True, False, True, False, None]  # a bare x is ambiguous: some offices tick with it
    pd.testing.assert_series_equal(parse_bools(text), pd.Series(expected, dtype="boolean"))
