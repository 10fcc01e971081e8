"""Sample appeals: dated around the publication day the sample assumes, so a run publishing then sees each case."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from schemas.policy import Publicity
from tasks.rules.appeals import appeal_status
from tasks.sample.appeals import sample_appeal_decisions, sample_appeals, sample_publication, sample_window

WORST = pd.Series(["U0007", "U0003", "U0011", "U0002", "U0009", "U0005", "U0004"])


@pytest.mark.parametrize(("period", "window"), [
    # The tenth working day after 30 June 2026 is Tuesday 14 July; the window runs Wednesday 15 to Tuesday 21 July.
    ("2026H1", (date(2026, 7, 14), date(2026, 7, 15), date(2026, 7, 21))),
    # After 31 December 2025: New Year's Day off, Sunday 4 January 2026 worked (调休).
    ("2025H2", (date(2026, 1, 15), date(2026, 1, 16), date(2026, 1, 22))),
    # 2027 is outside the State Council table: Monday to Friday, 1 January counted as the policy lists nothing.
    ("2026H2", (date(2027, 1, 14), date(2027, 1, 15), date(2027, 1, 21))),
])
def test_sample_publication_and_window(period, window):
    assert (sample_publication(period), *sample_window(period)) == window


def test_sample_appeals_are_heard_decided_and_late_as_described():
    appeals = sample_appeals(WORST, "2026H1")
    decisions = sample_appeal_decisions(appeals, "2026H1")
    first, last = sample_window("2026H1")
    windows = pd.DataFrame({"cycle": ["half-year"], "period": ["2026H1"], "version": [1],
                            "window_start": [pd.Timestamp(first)], "window_end": [pd.Timestamp(last)]})
    status = appeal_status(appeals.iloc[:3], decisions.iloc[:2], windows, Publicity()).set_index("appeal_id")
    assert status[["unit_id", "filed_at", "status", "decision", "decided_at"]].astype(object).where(
        lambda f: f.notna(), None).reset_index().values.tolist() == [
        # Inside the window, upheld.
        ["FH2026H1001", "U0007", pd.Timestamp("2026-07-16"), "受理", "维持", pd.Timestamp("2026-07-24")],
        # On the window's last day, corrected.
        ["FH2026H1002", "U0003", pd.Timestamp("2026-07-21"), "受理", "更正", pd.Timestamp("2026-07-27")],
        # One working day late, not decided.
        ["FH2026H1003", "U0011", pd.Timestamp("2026-07-22"), "逾期不予受理", None, None],
    ]
