"""首问责任制 ladder: one rung per count of valid complaints, dismissal over two years."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from schemas.outputs import INDIVIDUAL_COLUMNS
from tasks.rules.individuals import individual_sanctions, sanction


def complaints(*rows: tuple[str, str, str, bool]) -> pd.DataFrame:
    return pd.DataFrame([
        {"complaint_id": f"T{i:03d}", "date": pd.Timestamp(day), "unit_id": unit, "person_id": person,
         "valid": valid, "channel": "来电", "summary": "推诿"}
        for i, (day, unit, person, valid) in enumerate(rows)
    ])


@pytest.mark.parametrize("this_year, two_years, expected", [
    (1, 1, "诫勉谈话"),                    # first rung
    (2, 2, "不称职、强制培训"),             # second rung
    (3, 4, "不称职、调离岗位、行政警告"),    # third rung (4 over two years is under the dismissal line)
    (4, 4, "不称职、从重处分"),             # four or more: heavier discipline
    (6, 6, "辞退"),                        # six this year alone reaches the two-year line
    (1, 5, "辞退"),                        # one this year, but five over the two years: dismissal
])
def test_ladder_rungs(this_year, two_years, expected):
    assert sanction(pd.Series([this_year]), pd.Series([two_years]), 5).iloc[0] == expected


def test_individual_sanctions_per_person():
    rows = complaints(
        # P1: one valid complaint this year, one invalid: first rung.
        ("2026-03-01", "U1", "P1", True), ("2026-04-01", "U1", "P1", False),
        # P2: two this year and three last year: five together → dismissal.
        ("2026-01-10", "U2", "P2", True), ("2026-11-30", "U2", "P2", True),
        ("2025-02-01", "U2", "P2", True), ("2025-03-01", "U2", "P2", True), ("2025-12-31", "U2", "P2", True),
        # P3: three this year, moved from U1 to U3: listed under the unit of the latest complaint.
        ("2026-02-01", "U1", "P3", True), ("2026-05-01", "U3", "P3", True), ("2026-06-01", "U3", "P3", True),
        # P4: six valid complaints last year but none this year: not listed.
        *[(f"2025-0{m}-01", "U4", "P4", True) for m in range(1, 7)],
        # P5: only an invalid complaint this year; P6: a complaint from two years back does not count.
        ("2026-07-01", "U4", "P5", False), ("2024-07-01", "U4", "P6", True), ("2026-07-01", "U4", "P6", True),
    )
    got = individual_sanctions(rows, 2026, 5)
    expected = pd.DataFrame({
        "person_id": ["P2", "P3", "P1", "P6"],
        "unit_id": ["U2", "U3", "U1", "U4"],
        "valid_complaints": [2, 3, 1, 1],
        "valid_complaints_two_years": [5, 3, 1, 1],
        "sanction": ["辞退", "不称职、调离岗位、行政警告", "诫勉谈话", "诫勉谈话"],
    })
    assert list(got.columns) == list(INDIVIDUAL_COLUMNS)
    assert_frame_equal(got, expected, check_dtype=False)


def test_nobody_listed_without_valid_complaints_this_year():
    got = individual_sanctions(complaints(("2025-05-01", "U1", "P1", True)), 2026, 5)
    assert got.empty and list(got.columns) == list(INDIVIDUAL_COLUMNS)
