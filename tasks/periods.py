"""Assessment periods: `2026Q3`, `2026H1`, `2026` — their form, bounds and neighbours.

A cycle whose period is a calendar year (the points systems) is read as the annual assessment's. An on-site
review's period is its review id (`2026-R13`): it has a form and a year, but no bounds and no neighbours,
and it is never "the period that ended last": a run names the review it reports on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pandas as pd

from tasks.errors import InvalidPeriod

_FORMS = {
    "quarterly": (re.compile(r"^(\d{4})Q([1-4])$"), "YYYYQ1 至 YYYYQ4,如 2026Q3"),
    "half-year": (re.compile(r"^(\d{4})H([12])$"), "YYYYH1 或 YYYYH2,如 2026H1"),
    "annual": (re.compile(r"^(\d{4})$"), "四位年份,如 2026"),
    "on-site": (re.compile(r"^(\d{4})-R(\d{1,3})$"), "点评编号(年度-R点评组号),如 2026-R13"),
}
_MONTHS_PER_PART = {"quarterly": 3, "half-year": 6, "annual": 12}
_YEARLY = {"points": "annual"}  # cycles whose period is a calendar year, by the form they share


def _form(cycle: str) -> str:
    return _YEARLY.get(cycle, cycle)


def check_period(cycle: str, period: str) -> str:
    """`period` unchanged when it has the cycle's form and a sane year; else InvalidPeriod."""
    pattern, expected = _FORMS[_form(cycle)]
    match = pattern.match(str(period).strip())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise InvalidPeriod(str(period), expected)
    return match.group(0)


def _year_part(cycle: str, period: str) -> tuple[int, int]:
    cycle = _form(cycle)
    match = _FORMS[cycle][0].match(check_period(cycle, period))
    return int(match.group(1)), int(match.group(2)) if cycle != "annual" else 1


def period_bounds(cycle: str, period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First instant of the period and first instant after it (local, naive timestamps)."""
    year, part = _year_part(cycle, period)
    months = _MONTHS_PER_PART[_form(cycle)]
    start = pd.Timestamp(year=year, month=(part - 1) * months + 1, day=1)
    return start, start + pd.DateOffset(months=months)


def period_end_date(cycle: str, period: str) -> date:
    """The last calendar day of the period."""
    return (period_bounds(cycle, period)[1] - pd.Timedelta(days=1)).date()


def shift_period(cycle: str, period: str, steps: int) -> str:
    """The period `steps` parts after `period` (negative for earlier ones)."""
    year, part = _year_part(cycle, period)
    cycle = _form(cycle)
    parts = 12 // _MONTHS_PER_PART[cycle]
    index = year * parts + (part - 1) + steps
    year, part = divmod(index, parts)
    return {"quarterly": f"{year}Q{part + 1}", "half-year": f"{year}H{part + 1}", "annual": f"{year}"}[cycle]


def last_completed_period(cycle: str, now: datetime | None = None, tz: str = "Asia/Shanghai") -> str:
    """The period of `cycle` that ended most recently before `now` in the city's time zone."""
    local = (now or datetime.now(ZoneInfo(tz))).astimezone(ZoneInfo(tz))
    cycle = _form(cycle)
    if cycle not in _MONTHS_PER_PART:
        raise InvalidPeriod("", _FORMS[cycle][1] + "(现场点评须指明点评编号)")
    current = {"quarterly": f"{local.year}Q{(local.month - 1) // 3 + 1}",
               "half-year": f"{local.year}H{(local.month - 1) // 6 + 1}",
               "annual": f"{local.year}"}[cycle]
    return shift_period(cycle, current, -1)


def year_of(period: str) -> int:
    """The calendar year a period of any cycle belongs to."""
    return int(str(period)[:4])


_PINNED: list[datetime] = []  # the instants `pinned_day` holds, innermost last


def clock() -> datetime:
    """The current instant (UTC); the one place tests pin the time, and `assess demo` its timeline."""
    return _PINNED[-1] if _PINNED else datetime.now(timezone.utc)


@contextmanager
def pinned_day(day: date, tz: str = "Asia/Shanghai") -> Iterator[None]:
    """Within the block, versions are made as on `day` at 10:00 in the city: the demo's days of publication."""
    _PINNED.append(datetime.combine(day, time(10), ZoneInfo(tz)).astimezone(timezone.utc))
    try:
        yield
    finally:
        _PINNED.pop()


def issue_date(tz: str = "Asia/Shanghai") -> date:
    """The date of issue of a version's documents: the day it is made, in the city's time zone."""
    return clock().astimezone(ZoneInfo(tz)).date()
