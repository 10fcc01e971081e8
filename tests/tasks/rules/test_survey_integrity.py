"""Survey integrity screening (SPEC §8): each rule fires on its constructed case and not on its near miss."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.datasets import DIMENSIONS
from schemas.policy import Integrity
from tasks.rules.survey_integrity import IDENTICAL_BATCH, OVERQUOTA, STRAIGHT_LINE, flagged_labels, \
    integrity_flags, integrity_summary

POLICY = Integrity()  # 60 units, 10 straight-lined units, 10 identical respondents


def _sheet(respondent: str, unit: str, grades: list[str], file: int = 1) -> list[dict]:
    """One respondent's five answers on one unit."""
    return [{"respondent_id": respondent, "unit_id": unit, "dimension": d, "grade": g, "file": file}
            for d, g in zip(DIMENSIONS, grades)]


MIXED = ["满意", "基本满意", "满意", "满意", "不满意"]


def _answers(*sheets: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([row for sheet in sheets for row in sheet])


def _flagged_respondents(answers: pd.DataFrame, rule: str) -> list[str]:
    flags = integrity_flags(answers, POLICY)
    return sorted(answers.loc[flags[rule], "respondent_id"].unique())


@pytest.mark.parametrize("units, flagged", [(61, ["R1"]), (60, [])])  # more than 60 units; exactly 60 is allowed
def test_overquota(units, flagged):
    answers = _answers(*[_sheet("R1", f"U{u}", MIXED) for u in range(units)], _sheet("R2", "U0", MIXED))
    assert _flagged_respondents(answers, OVERQUOTA) == flagged


@pytest.mark.parametrize("uniform, flagged", [(10, ["R1"]), (9, [])])  # 10 straight-lined units fire, 9 do not
def test_straight_lining(uniform, flagged):
    sheets = [_sheet("R1", f"U{u}", ["满意"] * 5) for u in range(uniform)]
    sheets += [_sheet("R1", f"V{u}", MIXED) for u in range(5)]  # other units answered with care
    answers = _answers(*sheets)
    assert _flagged_respondents(answers, STRAIGHT_LINE) == flagged
    if flagged:  # only the straight-lined units' answers, not the careful ones
        flags = integrity_flags(answers, POLICY)
        assert sorted(answers.loc[flags[STRAIGHT_LINE], "unit_id"].unique()) == [f"U{u}" for u in range(uniform)]


def test_straight_lining_needs_one_and_the_same_grade():
    # 5 units all 满意 and 5 all 基本满意: uniform within each unit, but no grade on 10 units.
    sheets = [_sheet("R1", f"U{u}", ["满意"] * 5) for u in range(5)]
    sheets += [_sheet("R1", f"V{u}", ["基本满意"] * 5) for u in range(5)]
    assert _flagged_respondents(_answers(*sheets), STRAIGHT_LINE) == []


@pytest.mark.parametrize("ids, flagged", [
    ([f"2026H1-{n:06d}" for n in range(100, 110)], 10),  # 10 consecutive ids, same answers, same file: a batch
    ([f"2026H1-{n:06d}" for n in range(100, 109)], 0),   # only 9
    ([f"2026H1-{n:06d}" for n in [*range(100, 105), *range(106, 111)]], 0),  # a gap in the ids breaks the run
    ([f"甲{n}" for n in "ABCDEFGHIJ"], 0),                  # ids without a numeric tail are never consecutive
])
def test_identical_batch(ids, flagged):
    answers = _answers(*[_sheet(r, "U1", MIXED) for r in ids])
    assert len(_flagged_respondents(answers, IDENTICAL_BATCH)) == flagged


def test_identical_batch_is_within_one_file_and_one_answer_pattern():
    ids = [f"R{n:04d}" for n in range(1, 11)]
    split_files = _answers(*[_sheet(r, "U1", MIXED, file=1 + (i >= 5)) for i, r in enumerate(ids)])
    assert _flagged_respondents(split_files, IDENTICAL_BATCH) == []
    one_differs = _answers(*[_sheet(r, "U1", MIXED if i != 4 else ["满意"] * 5) for i, r in enumerate(ids)])
    assert _flagged_respondents(one_differs, IDENTICAL_BATCH) == []


def test_labels_and_summary_count_without_naming_respondents():
    sheets = [_sheet("R1", f"U{u}", ["满意"] * 5) for u in range(61)] + [_sheet("R2", "U0", MIXED)]
    answers = _answers(*sheets)
    flags = integrity_flags(answers, POLICY)
    labels = flagged_labels(flags)
    assert labels[answers["respondent_id"].eq("R1")].unique().tolist() == ["超量测评、一律作答"]
    assert labels[answers["respondent_id"].eq("R2")].unique().tolist() == [""]
    summary = integrity_summary(answers, flags, most_affected=2)
    assert summary["rules"] == [{"rule": OVERQUOTA, "answers": 305, "respondents": 1},
                                {"rule": STRAIGHT_LINE, "answers": 305, "respondents": 1},
                                {"rule": IDENTICAL_BATCH, "answers": 0, "respondents": 0}]
    assert summary["flagged_answers"] == 305 and summary["answers"] == 310
    assert summary["units"] == [{"unit_id": "U1", "flagged": 5, "answers": 5, "share": 1.0},
                                {"unit_id": "U10", "flagged": 5, "answers": 5, "share": 1.0}]
    assert "R1" not in str(summary)
