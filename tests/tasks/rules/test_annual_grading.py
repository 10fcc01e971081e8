"""年度考核 grading: grade thresholds, veto ordering, excellence quota, bottom elimination and escalation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from schemas.policy import Annual
from tasks.rules import annual_grading as grading

NA = np.nan
POLICY = Annual()
GOV, PARTY = "政府涉企涉民部门", "党群部门"


def scores(final: list[float], veto: list[bool] | None = None, category: str = GOV) -> pd.DataFrame:
    n = len(final)
    return pd.DataFrame({"unit_id": [f"U{i + 1}" for i in range(n)], "category": category,
                         "final_score": final, "veto": veto or [False] * n})


@pytest.mark.parametrize("final, veto, grade", [
    (90.0, False, "满意"),                   # exactly on the 满意 line
    (89.99999999999999, False, "满意"),      # equal to the line to 9 decimals (float noise of 0.8·x + …)
    (89.9999999996, False, "满意"),          # 4 × 10⁻¹⁰ under the line: within the tolerance, on it
    (89.9999999994, False, "基本满意"),       # 6 × 10⁻¹⁰ under: beyond the tolerance
    (89.999999, False, "基本满意"),           # just under the 满意 line
    (75.0, False, "基本满意"),                # exactly on the 基本满意 line
    (74.99, False, "不满意"),                 # just under the 基本满意 line
    (0.0, False, "不满意"),                   # the floor
    (98.0, True, "不满意"),                   # a veto overrides any score
    (NA, False, NA),                         # no score, no veto: not graded
])
def test_grade_thresholds(final, veto, grade):
    got = grading.grades(pd.Series([final]), pd.Series([veto]), POLICY)
    assert_series_equal(got, pd.Series([grade], dtype="str"))


def test_vetoed_units_rank_after_all_others_ordered_by_score():
    frame = scores([95.0, 99.0, 80.0, 80.0, 60.0, 70.0, NA], veto=[False, True, False, False, True, False, False])
    got = grading.ranks(frame, within_category=True)
    # Non-vetoed 95, 80, 80 (tie: "1224"), 70; then the vetoed 99 and 60; no score: unranked.
    assert_series_equal(got, pd.Series([1, 5, 2, 2, 6, 4, pd.NA], dtype="Int64"))


def test_ranks_citywide_or_within_category():
    frame = pd.concat([scores([90.0, 80.0]), scores([85.0], category=PARTY)], ignore_index=True)
    assert grading.ranks(frame, within_category=True).tolist() == [1, 2, 1]
    assert grading.ranks(frame, within_category=False).tolist() == [1, 3, 2]


@pytest.mark.parametrize("units, places", [
    (7, 1),    # ⌊0.2 × 7⌋ = ⌊1.4⌋ = 1
    (5, 1),    # exactly 1
    (4, 0),    # ⌊0.8⌋: nobody
    (10, 2),
    (15, 3),   # 0.2 × 15 is 3.0000000000000004 in floats: still 3
])
def test_quota_places(units, places):
    got = grading.quota_places(pd.Series([GOV] * units), POLICY.excellence_quota)
    assert got.tolist() == [places] * units


def test_quota_rounding_of_a_product_just_under_an_integer():
    # 0.29 × 100 is 28.999999999999996 in floats; the quota is still 29 places.
    assert grading.quota_places(pd.Series([GOV] * 100), 0.29).iloc[0] == 29


def test_excellence_needs_satisfied_no_veto_and_a_place_in_the_quota():
    # 7 units in the category: one place. U1 (vetoed, 99) is not excellent and ranks last;
    # U2 and U3 tie at rank 1 and are both inside the quota; U4 (rank 3) is outside.
    # In the other category, 5 units: one place, but its best is only 基本满意.
    gov = scores([99.0, 96.0, 96.0, 93.0, 92.0, 91.0, 90.0], veto=[True] + [False] * 6)
    party = scores([89.0, 80.0, 70.0, 60.0, 50.0], category=PARTY)
    frame = pd.concat([gov, party], ignore_index=True)
    frame["grade"] = grading.grades(frame["final_score"], frame["veto"], POLICY)
    got = grading.excellent(frame, POLICY.excellence_quota)
    assert got.tolist() == [False, True, True, False, False, False, False] + [False] * 5


def test_bottom_three_includes_units_tied_at_the_boundary():
    frame = scores([95.0, 85.0, 80.0, 80.0, 78.0, 70.0])
    got = grading.grade_units(frame, None, POLICY)
    # Ranks 1 2 3 3 5 6: the two units at rank 3 have only two below them, so both are inside;
    # the unit at rank 2 has four below it. U1 is 满意 and would be spared anyway.
    assert got["rank"].tolist() == [1, 2, 3, 3, 5, 6]
    assert_series_equal(got["measure"], pd.Series([None, None] + ["诫勉谈话"] * 4, dtype="str", name="measure"))


def test_bottom_units_graded_satisfied_are_spared():
    # Every unit 满意: the three lowest get no measure.
    got = grading.grade_units(scores([99.0, 98.0, 97.0, 96.0, 95.0]), None, POLICY)
    assert got["measure"].isna().all()


PREVIOUS = pd.DataFrame({
    "unit_id": ["U1", "U2", "U3", "U4", "U5", "U6"],
    "final_score": [95.0, 80.0, 80.0, 80.0, 88.0, 70.0],
    "measure": [None, "诫勉谈话", "诫勉谈话", "调整主要领导", "诫勉谈话", None],
})


def test_escalation_by_growth_against_last_year():
    frame = scores([96.0, 83.9, 84.1, 84.0, 90.0, 70.0, 97.0],
                   veto=[False, False, False, False, True, False, False])
    got = grading.grade_units(frame, PREVIOUS, POLICY)
    expected = pd.DataFrame({
        "unit_id": [f"U{i}" for i in range(1, 8)],
        # Ranks: 97, 96, then 84.1, 84.0, 83.9, 70, then the vetoed U5 last.
        "rank": pd.array([2, 5, 3, 4, 7, 6, 1], dtype="Int64"),
        "grade": pd.array(["满意", "基本满意", "基本满意", "基本满意", "不满意", "不满意", "满意"], dtype="str"),
        "measure": pd.array([
            None,            # U1: not among the three lowest (and 满意)
            "调整主要领导",   # U2: among the three lowest (rank 5) both years, growth 3.9/80 = 4.875 % < 5 %
            None,            # U3: rank 3 has four below it, outside the bottom 3
            None,            # U4: rank 4 has three below it, outside (its measure last year does not matter)
            "调整主要领导",   # U5: vetoed → 不满意 and last although 90; met last year; growth 2/88 < 5 %
            "诫勉谈话",       # U6: among the three lowest this year only
            None,            # U7: new unit, first
        ], dtype="str"),
        "last_final_score": [95.0, 80.0, 80.0, 80.0, 88.0, 70.0, NA],
        "growth": [1 / 95, 3.9 / 80, 4.1 / 80, 4.0 / 80, 2.0 / 88, 0.0, NA],
    })
    columns = ["unit_id", "rank", "grade", "measure", "last_final_score", "growth"]
    assert_frame_equal(got[columns], expected[columns], check_exact=False)


@pytest.mark.parametrize("last_year, this_year, measure", [
    (80.0, 83.9, "调整主要领导"),   # growth 4.875 %: just under 5 % → the principal leader is replaced
    (80.0, 84.1, "诫勉谈话"),       # growth 5.125 %: just over → only the admonishing talk again
    # Growth of exactly 5 % computed as 0.049999999999999926: on the threshold by tolerance, not under it.
    (60.1, 63.105, "诫勉谈话"),
    (80.0, 84.0, "诫勉谈话"),       # exactly 5 % in floats too
    (80.0, 83.99999, "调整主要领导"),  # 1.25 × 10⁻⁷ under 5 %: far beyond the tolerance, under
])
def test_escalation_threshold(last_year, this_year, measure):
    # U4 is graded 不满意 or 基本满意, in the bottom 3 this year and had a measure last year.
    frame = scores([95.0, 94.0, 93.0, this_year, 60.0, 50.0])
    previous = pd.DataFrame({"unit_id": ["U4"], "final_score": [last_year], "measure": ["诫勉谈话"]})
    got = grading.grade_units(frame, previous, POLICY)
    assert got.loc[3, "measure"] == measure
    assert got.loc[3, "growth"] == (this_year - last_year) / last_year


def test_no_exact_five_percent_growth_replaces_a_leader():
    # Last-year scores 60.00 … 89.99 in steps of 0.01, this year × 1.05 (the decimal product, as a score file
    # states it, e.g. 63.105): every growth is exactly 5 %, so every unit (graded 不满意, bottom 3 both years)
    # gets the admonishing talk and none is replaced. Compared without tolerance, 1,440 of them were.
    last = np.round(np.arange(6000, 9000) / 100, 2)
    this = np.round(last * 1.05, 4)
    units = [f"U{i}" for i in range(len(last))]
    # One category per unit, so each is alone in its ranking and inside its own bottom 3; below 100 is 不满意.
    frame = pd.DataFrame({"unit_id": units, "category": units, "final_score": this, "veto": False})
    previous = pd.DataFrame({"unit_id": units, "final_score": last, "measure": "诫勉谈话"})
    got = grading.grade_units(frame, previous, Annual(grade_satisfied=100, grade_basically_satisfied=100))
    assert got["grade"].eq("不满意").all()
    assert got["measure"].value_counts().to_dict() == {"诫勉谈话": 3000}


def test_growth_is_empty_without_a_score_last_year():
    previous = pd.DataFrame({"unit_id": ["U1", "U2"], "final_score": [NA, 0.0], "measure": [None, None]})
    got = grading.grade_units(scores([80.0, 70.0, 60.0]), previous, POLICY)
    # U1: last year unscored; U2: last year 0 (no ratio); U3: not assessed last year.
    assert got["growth"].isna().all()
