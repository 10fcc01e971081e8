"""Vectorised conversion of the text cells providers deliver into dates, numbers and booleans."""

from __future__ import annotations

import pandas as pd

_DATE = (
    r"^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?"
    r"(?:(?:[ T]+|(?<=日))(?P<hour>\d{1,2})[:时](?P<minute>\d{1,2})(?:[:分](?P<second>\d{1,2}(?:\.\d+)?))?[分秒]?)?$"
)
_ISO = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_SERIAL = r"^\d{1,7}(?:\.\d+)?$"
# Excel's day 0: serials count from 1899-12-30 because of the 1900 leap-year quirk.
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_LAST_SERIAL = 2958465  # 9999-12-31

TRUTHS = {
    "是": True, "否": False, "y": True, "n": False, "yes": True, "no": False, "1": True, "0": False,
    "true": True, "false": False, "t": True, "f": False, "有效": True, "无效": False,
    "对": True, "错": False, "有": True, "无": False,
}


def parse_datetimes(text: pd.Series) -> pd.Series:
    """`text` as datetime64 (NaT where empty or not a date): ISO, 2026/3/5, 2026年3月5日, 2026.3.5, Excel serials."""
    # Dates repeat a lot across a file, so each distinct text is parsed once.
    codes, uniques = pd.factorize(text)
    if len(uniques) == 0:
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    parsed = _datetimes(pd.Series(uniques, dtype="str")).to_numpy()
    values = parsed.take(codes, mode="clip")
    values[codes < 0] = None
    return pd.Series(values, index=text.index, dtype="datetime64[us]")


def _datetimes(text: pd.Series) -> pd.Series:
    iso = text.where(text.str.fullmatch(_ISO).fillna(False))
    # Most files use one ISO form throughout; the slower forms below only see what is left.
    stamps = pd.to_datetime(iso, format="ISO8601", errors="coerce").astype("datetime64[us]")
    rest = text[stamps.isna() & text.notna()]
    if rest.empty:
        return stamps
    return stamps.fillna(_loose_datetimes(rest)).astype("datetime64[us]")


def _loose_datetimes(text: pd.Series) -> pd.Series:
    parts = text.str.extract(_DATE)
    fields = {k: pd.to_numeric(parts[k], errors="coerce") for k in ("year", "month", "day", "hour", "minute")}
    seconds = pd.to_numeric(parts["second"], errors="coerce")
    stamps = pd.to_datetime(
        pd.DataFrame({k: v.fillna(0) if k in ("hour", "minute") else v for k, v in fields.items()}
                     | {"second": seconds.fillna(0).astype("float64")}),
        errors="coerce",
    )
    # Reject 24:00 or 25:61 rather than rolling them over into the next day.
    bad_clock = (fields["hour"] > 23) | (fields["minute"] > 59) | (seconds >= 60)
    stamps = stamps.where(~bad_clock.fillna(False))
    serial = text.where(text.str.fullmatch(_SERIAL).fillna(False))
    days = pd.to_numeric(serial, errors="coerce")
    days = days.where((days >= 1) & (days <= _LAST_SERIAL))
    from_serial = _EXCEL_EPOCH + pd.to_timedelta((days * 86400).round(), unit="s")
    return stamps.fillna(from_serial).astype("datetime64[us]")


def parse_dates(text: pd.Series) -> pd.Series:
    """`text` as dates at midnight (datetime64), NaT where empty or not a date."""
    return parse_datetimes(text).dt.normalize()


def parse_floats(text: pd.Series) -> pd.Series:
    """`text` as float64, NaN where empty or not a number; thousands separators are allowed."""
    return pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").astype("float64")


def parse_ints(text: pd.Series) -> pd.Series:
    """`text` as Int64, missing where empty, not a number or not a whole number."""
    numbers = parse_floats(text)
    whole = numbers.where(numbers.notna() & (numbers % 1 == 0) & (numbers.abs() < 2**53))
    return whole.astype("Int64")


def parse_bools(text: pd.Series) -> pd.Series:
    """`text` as a nullable boolean: 是/否, Y/N, 1/0, true/false, 有效/无效 (any case)."""
    return text.str.lower().map(TRUTHS).astype("boolean")


PARSERS = {
    "int": parse_ints,
    "float": parse_floats,
    "date": parse_dates,
    "datetime": parse_datetimes,
    "bool": parse_bools,
}
