"""The date of issue of every cycle's dossiers is the day the version is made, in the city's time zone."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from schemas.policy import Policy
from tasks.cycles.annual import dossiers as annual_dossiers
from tasks.cycles.half_year import dossiers as half_year_dossiers
from tasks.cycles.quarterly import report as quarterly_report
from tasks import periods

COVERS = {
    "quarterly": lambda: quarterly_report.cover(Policy(), "2026Q4", 1, "标题"),
    "half-year": lambda: half_year_dossiers.cover(Policy(), "2026H2", 1, "标题"),
    "annual": lambda: annual_dossiers.cover(Policy(), 2026, 1, "标题"),
}


@pytest.mark.parametrize("cycle", list(COVERS))
@pytest.mark.parametrize("instant, issued", [
    # The annual 2026 version made on 1 December 2026 is issued that day, not on 31 December.
    (datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc), "2026-12-01"),
    # 16:30 UTC is already the next day in Asia/Shanghai (+08:00): the city's calendar day counts.
    (datetime(2026, 12, 1, 16, 30, tzinfo=timezone.utc), "2026-12-02"),
    # A rerun in the next year carries the rerun's day.
    (datetime(2027, 3, 5, 1, 0, tzinfo=timezone.utc), "2027-03-05"),
])
def test_dossiers_are_issued_the_day_the_version_is_made(monkeypatch, cycle, instant, issued):
    monkeypatch.setattr(periods, "clock", lambda: instant)
    assert COVERS[cycle]()["issued_on"] == issued
