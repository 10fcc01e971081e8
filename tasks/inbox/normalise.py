"""Vectorised conversion of the text cells providers deliver into dates, numbers and booleans."""

from __future__ import annotations

import pandas as pd

from schemas.datasets import ONGOING, Column

_DATE = (
    r"^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*[日号]?"
    r"(?:(?:[ T]+|(?<=[日号])|(?=上午|中午|下午|晚上|凌晨|早上))(?P<noon>上午|中午|下午|晚上|凌晨|早上)?\s*"
    r"(?P<hour>\d{1,2})(?:[:时点](?P<minute>\d{1,2})(?:[:分](?P<second>\d{1,2}(?:\.\d+)?))?[分秒]?|[时点])\s*"
    r"(?P<ampm>am|pm|AM|PM)?)?$"
)
_COMPACT = r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$"
_ISO = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_ISO_ZONED = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_SERIAL = r"^\d{1,7}(?:\.\d+)?$"
_MONTH_END = r"^(?P<year>\d{4})\s*年\s*(?:(?P<month>\d{1,2})\s*月\s*|年)?[底末]前?$"
# Excel's day 0: serials count from 1899-12-30 because of the 1900 leap-year quirk.
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_LAST_SERIAL = 2958465  # 9999-12-31
# Hours after noon: 下午3:00 is 15:00, 晚上8点 is 20:00, 中午12点 stays 12:00.
_AFTERNOON = {"下午": True, "晚上": True, "pm": True, "中午": None, "上午": False, "早上": False, "凌晨": False,
              "am": False}
ONGOING_WORDS = ("长期坚持", "长期", "长期有效", "持续坚持")

# A thousands separator only between groups of three digits after a non-zero lead: 1,234 and 12,345.5, never 0,5.
_NUMBER = r"^(?P<number>[+-]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d*)?|[+-]?\.\d+)\s*(?P<suffix>%|分)?$"
_DECIMAL_COMMA = r"^[+-]?\d+,\d+$"

TRUTHS = {
    "是": True, "否": False, "y": True, "n": False, "yes": True, "no": False, "1": True, "0": False,
    "true": True, "false": False, "t": True, "f": False, "有效": True, "无效": False,
    "对": True, "错": False, "有": True, "无": False,
    "√": True, "×": False, "✓": True, "✔": True, "✗": False, "✘": False,
}
BOOL_HINT = "可填 是/否、Y/N、1/0、true/false、有效/无效、√/×"


def _per_unique(text: pd.Series, convert, dtype: str) -> pd.Series:
    """`convert` applied once to each distinct text of `text`, spread back over the rows."""
    codes, uniques = pd.factorize(text)
    if len(uniques) == 0:
        return pd.Series(None, index=text.index, dtype=dtype)
    # A plain numpy take: much faster than an extension array's take with fill over 100,000 rows.
    parsed = convert(pd.Series(uniques, dtype="str")).to_numpy(dtype=dtype)
    values = parsed.take(codes, mode="clip")
    values[codes < 0] = None
    return pd.Series(values, index=text.index, dtype=dtype)


def parse_datetimes(text: pd.Series, timezone: str = "Asia/Shanghai") -> pd.Series:
    """`text` as naive local datetime64 in `timezone` (NaT where empty or not a date).

    Forms: ISO (with an offset or Z, converted to `timezone`), 2026/3/5, 2026年3月5日/号, 2026.3.5, 20260305,
    a time of day with 上午/下午, and Excel serials.
    """
    # Dates repeat a lot across a file, so each distinct text is parsed once.
    return _per_unique(text, lambda u: _datetimes(u, timezone), "datetime64[us]")


def _datetimes(text: pd.Series, timezone: str) -> pd.Series:
    iso = text.where(text.str.fullmatch(_ISO).fillna(False))
    # Most files use one ISO form throughout; the slower forms below only see what is left.
    stamps = pd.to_datetime(iso, format="ISO8601", errors="coerce").astype("datetime64[us]")
    rest = text[stamps.isna() & text.notna()]
    if rest.empty:
        return stamps
    return stamps.fillna(_loose_datetimes(rest, timezone)).astype("datetime64[us]")


def _zoned(text: pd.Series, timezone: str) -> pd.Series:
    """ISO times with an offset, as the wall-clock time in `timezone` (stored naive, like every other time)."""
    zoned = text.where(text.str.fullmatch(_ISO_ZONED).fillna(False))
    if zoned.isna().all():
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    utc = pd.to_datetime(zoned, format="ISO8601", utc=True, errors="coerce")
    return utc.dt.tz_convert(timezone).dt.tz_localize(None).astype("datetime64[us]")


def _clock(parts: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Hour, minute and second of loose times, 下午/PM moved past noon; NaN hour where the clock is impossible."""
    hour = pd.to_numeric(parts["hour"], errors="coerce")
    minute = pd.to_numeric(parts["minute"], errors="coerce").fillna(0)
    second = pd.to_numeric(parts["second"], errors="coerce").fillna(0)
    marker = parts["noon"].fillna(parts["ampm"].str.lower())
    afternoon = marker.map(_AFTERNOON)
    marked = marker.notna()
    # 下午3点 means 15:00; 中午12点 and 中午1点 are 12:00 and 13:00; a marked clock runs 1–12 only.
    shift = afternoon.eq(True) | (marker.eq("中午") & hour.lt(11))
    hour = hour.where(~(marked & ((hour > 12) | (hour < 1))))
    hour = (hour + 12 * shift.astype("int64")).where(~(shift & hour.eq(12)), 12)
    hour = hour.where(~(afternoon.eq(False) & hour.eq(12)), 0)
    bad = (hour > 23) | (minute > 59) | (second >= 60)
    return hour.where(~bad.fillna(False)), minute, second


def _loose_datetimes(text: pd.Series, timezone: str) -> pd.Series:
    parts = text.str.extract(_DATE)
    undated = parts["year"].isna()
    if undated.any():
        parts.loc[undated, ["year", "month", "day"]] = text[undated].str.extract(_COMPACT).to_numpy()
    stamps = _calendar_stamps(parts)
    # Each later form only sees the texts the earlier ones left, so a file of one form pays for one.
    rest = text[stamps.isna()]
    if not rest.empty:
        serial = rest.where(rest.str.fullmatch(_SERIAL).fillna(False))
        days = pd.to_numeric(serial, errors="coerce")
        days = days.where((days >= 1) & (days <= _LAST_SERIAL))
        stamps = stamps.fillna(_EXCEL_EPOCH + pd.to_timedelta((days * 86400).round(), unit="s"))
    rest = text[stamps.isna()]
    if not rest.empty:
        stamps = stamps.fillna(_zoned(rest, timezone))
    return stamps.astype("datetime64[us]")


def _calendar_stamps(parts: pd.DataFrame) -> pd.Series:
    """Datetimes from the year, month, day and clock fields of _DATE; NaT where they name no instant."""
    fields = {k: pd.to_numeric(parts[k], errors="coerce") for k in ("year", "month", "day")}
    timed = parts["hour"].notna()
    if not timed.any():
        return pd.to_datetime(pd.DataFrame(fields), errors="coerce").astype("datetime64[us]")
    hour, minute, second = _clock(parts)
    stamps = pd.to_datetime(
        pd.DataFrame(fields | {"hour": hour.fillna(0), "minute": minute, "second": second.astype("float64")}),
        errors="coerce",
    )
    # Reject 24:00, 25:61 or 下午13点 rather than rolling them over into the next day.
    return stamps.where(~(timed & hour.isna())).astype("datetime64[us]")


def parse_dates(text: pd.Series, timezone: str = "Asia/Shanghai") -> pd.Series:
    """`text` as dates at midnight (datetime64), NaT where empty or not a date."""
    return parse_datetimes(text, timezone).dt.normalize()


def parse_deadlines(text: pd.Series, timezone: str = "Asia/Shanghai") -> pd.Series:
    """完成时限 as dates: a date, 2026年6月底 (the month's last day), 2026年底, or 长期坚持 (ONGOING, never due)."""
    dates = parse_dates(text, timezone)
    rest = text[dates.isna() & text.notna()]
    if rest.empty:
        return dates
    return dates.fillna(_per_unique(rest, _month_ends, "datetime64[us]"))


def _month_ends(text: pd.Series) -> pd.Series:
    parts = text.str.extract(_MONTH_END)
    months = pd.to_numeric(parts["month"], errors="coerce").fillna(12).where(parts["year"].notna())
    firsts = pd.to_datetime(pd.DataFrame({"year": pd.to_numeric(parts["year"], errors="coerce"), "month": months,
                                          "day": 1}), errors="coerce")
    ends = (firsts + pd.offsets.MonthEnd(0)).astype("datetime64[us]")
    return ends.mask(text.isin(ONGOING_WORDS), ONGOING)


def parse_floats(text: pd.Series, percent: str | None = None) -> pd.Series:
    """`text` as float64, NaN where empty or not a number.

    A thousands separator is read only where it is one (1,234; 12,345.5), never as in 0,5; a trailing 分 is
    dropped; a trailing % reads by `percent`: "points" (a 0–100 score: 95% is 95), "fraction" (a rate: 95% is
    0.95), None (refused).
    """
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    rest = text[numbers.isna() & text.notna()]
    if rest.empty:
        return numbers
    return numbers.fillna(_per_unique(rest, lambda u: _written_numbers(u, percent), "float64"))


def _written_numbers(text: pd.Series, percent: str | None) -> pd.Series:
    parts = text.str.extract(_NUMBER)
    numbers = pd.to_numeric(parts["number"].str.replace(",", "", regex=False), errors="coerce")
    per_cent = parts["suffix"].eq("%")
    # Divided, not multiplied by 0.01: 95.5 / 100 is the float nearest 0.955, 95.5 * 0.01 is not.
    divisor = {"points": 1.0, "fraction": 100.0}.get(percent, float("nan"))
    return numbers.where(~per_cent, numbers / divisor).astype("float64")


def number_problems(text: pd.Series, column: Column) -> pd.Series:
    """Why each of `text` (cells that did not convert) is not a number of `column`, in Chinese."""
    whole = column.type == "int"
    problem = pd.Series("不是整数" if whole else "不是数字", index=text.index, dtype="str")
    comma = text.str.fullmatch(_DECIMAL_COMMA).fillna(False)
    problem[comma] = "不是数字:逗号只能用作千位分隔符(如 1,234),小数请写作 " + text[comma].str.replace(",", ".", regex=False)
    refused = text.str.fullmatch(r"[+-]?[\d.,]+\s*%").fillna(False) & (whole or column.percent is None)
    problem[refused] = "是百分数,本列应填写数值本身(不带 %)"
    return problem


def parse_ints(text: pd.Series) -> pd.Series:
    """`text` as Int64, missing where empty, not a number or not a whole number."""
    numbers = parse_floats(text)
    whole = numbers.where(numbers.notna() & (numbers % 1 == 0) & (numbers.abs() < 2**53))
    return whole.astype("Int64")


def parse_bools(text: pd.Series) -> pd.Series:
    """`text` as a nullable boolean: 是/否, Y/N, 1/0, true/false, 有效/无效, √/×, ✓/✗ (any case)."""
    return text.str.lower().map(TRUTHS).astype("boolean")


def parse_values(column: Column, text: pd.Series, timezone: str = "Asia/Shanghai") -> pd.Series:
    """The cells of a typed `column` converted to its type; missing where empty or not convertible."""
    if column.type == "float":
        return parse_floats(text, column.percent)
    if column.type == "int":
        return parse_ints(text)
    if column.type == "bool":
        return parse_bools(text)
    if column.type == "datetime":
        return parse_datetimes(text, timezone)
    return (parse_deadlines if column.deadline else parse_dates)(text, timezone)
