"""工作日: the State Council's working days (statutory holidays, 调休 make-up days) and counting in them.

Years in the holiday table of the chinese-calendar package follow it; any other year counts Monday to Friday
less the holidays the policy lists for it (`publicity.extra_holidays`), and `calendar_warnings` says so in words
for the log and the dossier. Two ways of counting are used, each as Chinese practice reads its deadline:

- a publicity window of n working days counts its first day itself when it is a working day: opening on
  Thursday 21 January 2027, five working days run to Wednesday 27 January (`window_end`); a window opens on the
  first working day after the day of publication (tasks.rules.appeals.publicity_window);
- a time limit “within n working days of” an event counts from the day after it, as periods under the Civil
  Code do (民法典第二百零一条: 开始的当日不计入): `add_working_days`.

Every function takes one date or a Series of dates and answers in kind; a missing date gives a missing answer
(False for `is_working_day`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache

import chinese_calendar
import numpy as np
import pandas as pd

_HOLIDAYS = np.array(sorted(chinese_calendar.holidays), dtype="datetime64[D]")
_MAKE_UP_DAYS = np.array(sorted(chinese_calendar.workdays), dtype="datetime64[D]")  # 调休: weekend days worked
_FIRST_YEAR = min(chinese_calendar.holidays).year
_LAST_YEAR = max(chinese_calendar.holidays).year


def covered_years() -> list[int]:
    """The years whose holidays and make-up working days the State Council table holds."""
    return list(range(_FIRST_YEAR, _LAST_YEAR + 1))


def _years(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[Y]").astype("int64") + 1970


@lru_cache(maxsize=16)
def _calendar(first_year: int, last_year: int, holidays: tuple[date, ...]) -> np.ndarray:
    """Every working day of the years `first_year`…`last_year`, ascending."""
    days = np.arange(f"{first_year}-01-01", f"{last_year + 1}-01-01", dtype="datetime64[D]")
    weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    years = _years(days)
    table = (years >= _FIRST_YEAR) & (years <= _LAST_YEAR)
    listed = np.array(holidays, dtype="datetime64[D]")
    rest = np.where(table, np.isin(days, _HOLIDAYS), np.isin(days, listed))
    working = days[((weekday < 5) & ~rest) | (table & np.isin(days, _MAKE_UP_DAYS))]
    working.flags.writeable = False
    return working


def _as_days(values) -> tuple[np.ndarray, pd.Index | None]:
    """`values` as datetime64[D], and the index to answer a Series on (None for a single date)."""
    if isinstance(values, pd.Series):
        return pd.to_datetime(values).to_numpy(dtype="datetime64[D]"), values.index
    one = np.datetime64("NaT") if pd.isna(values) else pd.Timestamp(values).to_datetime64()
    return np.array([one], dtype="datetime64[D]"), None


def _answer(values, index: pd.Index | None, single: Callable):
    return pd.Series(values, index=index) if index is not None else single(values[0])


def _one_date(value) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _one_count(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _working_days(days: np.ndarray, holidays: Iterable[date], reach: int = 0) -> np.ndarray:
    """The working days of every year `days` touch, and of the years `reach` working days may run on into."""
    present = days[~np.isnat(days)]
    first, last = (int(y) for y in (_years(present).min(), _years(present).max())) if present.size else (2000, 2000)
    return _calendar(first, last + 1 + reach // 200, tuple(sorted(set(holidays))))


def is_working_day(dates, holidays: Iterable[date] = ()):
    """Whether each date is a working day (工作日)."""
    days, index = _as_days(dates)
    return _answer(np.isin(days, _working_days(days, holidays)), index, bool)


def _nth(dates, n: int, holidays: Iterable[date], side: str):
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    days, index = _as_days(dates)
    calendar = _working_days(days, holidays, reach=n)
    missing = np.isnat(days)
    found = calendar[np.searchsorted(calendar, np.where(missing, calendar[0], days), side=side) + n - 1]
    return _answer(np.where(missing, np.datetime64("NaT"), found).astype("datetime64[us]"), index, _one_date)


def add_working_days(start, n: int, holidays: Iterable[date] = ()):
    """The n-th working day after `start`, the day of `start` not counted (a time limit of n working days)."""
    return _nth(start, n, holidays, "right")


def window_end(start, n: int, holidays: Iterable[date] = ()):
    """公示期的最后一天: the n-th working day counted from `start`, which counts itself when it is a working day."""
    return _nth(start, n, holidays, "left")


def working_days_between(earlier, later, holidays: Iterable[date] = ()):
    """Working days after `earlier` up to and including `later`; negative when `later` comes first."""
    first, index = _as_days(earlier)
    second, _ = _as_days(later)
    calendar = _working_days(np.concatenate([first, second]), holidays)
    counts = np.searchsorted(calendar, second, side="right") - np.searchsorted(calendar, first, side="right")
    counts = pd.array(counts, dtype="Int64")
    counts[np.isnat(first) | np.isnat(second)] = pd.NA
    return _answer(counts, index, _one_count)


def calendar_warnings(*dates, holidays: Iterable[date] = ()) -> list[str]:
    """One sentence per year between the earliest and latest of `dates` that the State Council table lacks."""
    days = np.concatenate([_as_days(d)[0] for d in dates]) if dates else np.array([], dtype="datetime64[D]")
    present = days[~np.isnat(days)]
    if present.size == 0:
        return []
    years = _years(present)
    listed = pd.Series([d.year for d in holidays], dtype="int64").value_counts()
    warnings = []
    for year in range(int(years.min()), int(years.max()) + 1):
        if _FIRST_YEAR <= year <= _LAST_YEAR:
            continue
        count = int(listed.get(year, 0))
        listing = f"政策列出该年节假日{count}天" if count else "政策未列出该年节假日"
        warnings.append(f"{year}年法定节假日安排未收录,按周一至周五并扣除政策所列节假日计算({listing})")
    return warnings


def chinese_dates(dates: pd.Series) -> pd.Series:
    """Each date written as 2027年1月21日 (empty when missing), as notices and reasons print dates."""
    stamps = pd.to_datetime(dates)
    parts = [stamps.dt.year, stamps.dt.month, stamps.dt.day]
    year, month, day = (p.astype("Int64").astype("str") for p in parts)
    return (year + "年" + month + "月" + day + "日").fillna("").astype("str")
