"""Leader-comment coverage per subject kind."""

from __future__ import annotations

import pandas as pd
from pandas.testing import assert_frame_equal

from tasks.rules.comments import comment_coverage

START, END = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-07-01")


def test_comment_coverage_per_kind():
    subjects = pd.DataFrame({
        "subject_id": ["S1", "S2", "L1", "L2", "L3", "M1"],
        "subject_type": ["市县书记", "市县书记", "党员领导干部", "党员领导干部", "党员领导干部", "党员"],
        "unit_id": None, "name": ["甲", "乙", "丙", "丁", "戊", "己"],
    })
    comments = pd.DataFrame({
        "comment_id": [f"C{i}" for i in range(6)],
        "date": pd.to_datetime(["2026-01-01", "2026-06-30", "2026-02-01", "2026-03-01",
                                "2025-12-31", "2026-07-01"]),
        "commenter_id": "P1",
        "subject_id": ["S1", "S2", "L1", "L1", "L2", "M1"],
        "kind": "专题",
    })
    expected = pd.DataFrame({
        "subject_type": ["市县书记", "党员领导干部", "基层党组织", "党员"],
        # Both secretaries commented, on the first and the last day of the half-year.
        # L1 commented twice counts once; L2's comment predates the half-year.
        # No 基层党组织 registered: the rate is empty, not 0.
        # M1's comment falls on the first day after the half-year.
        "subjects": [2, 3, 0, 1],
        "commented": [2, 1, 0, 0],
        "coverage_rate": [1.0, 1 / 3, float("nan"), 0.0],
    })
    assert_frame_equal(comment_coverage(comments, subjects, START, END), expected)


def test_comment_coverage_without_comments():
    # An empty comment file leaves every registered kind at 0 %.
    subjects = pd.DataFrame({"subject_id": ["S1"], "subject_type": ["市县书记"], "unit_id": None, "name": ["甲"]})
    comments = pd.DataFrame({c: pd.Series(dtype="object") for c in
                             ("comment_id", "date", "commenter_id", "subject_id", "kind")})
    result = comment_coverage(comments, subjects, START, END)
    assert result[["subjects", "commented"]].to_numpy().tolist() == [[1, 0], [0, 0], [0, 0], [0, 0]]
    assert result.loc[0, "coverage_rate"] == 0.0
