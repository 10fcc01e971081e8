"""千分制: the score out of 1,000, grade lines through the tolerance, card problems, and the 优秀 streak."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from schemas.policy import PointSystem
from tasks.rules.scorecards import RESULT_COLUMNS, card_scores, excellence_streaks, grades, scorecard_results

NA = np.nan
POLICY = PointSystem()
ITEMS = (("党建工作", 200), ("经济发展", 200), ("社会稳定", 150), ("为民服务", 150), ("村务公开", 100),
         ("精神文明建设", 100), ("廉洁自律", 100))


def card(year: int, person: str, score: float, unit: str = "U1") -> list[dict]:
    """A full seven-item card whose items share `score` in proportion to their 满分."""
    return [{"year": year, "person_id": person, "unit_id": unit, "item": item, "max_points": float(top),
             "points": score * top / 1000} for item, top in ITEMS]


def cards(*specs: tuple) -> pd.DataFrame:
    return pd.DataFrame([row for spec in specs for row in card(*spec)])


@pytest.mark.parametrize("score, grade", [
    (1000.0, "优秀"),
    (900.0, "优秀"),                  # on the 优秀 line
    (899.9999999996, "优秀"),         # 4 × 10⁻¹⁰ under the line: within the tolerance, on it
    (899.9999999994, "称职"),         # 6 × 10⁻¹⁰ under: beyond the tolerance
    (899.99, "称职"),                 # just under the 优秀 line
    (750.0, "称职"),                  # on the 称职 line
    (749.99, "基本称职"),             # just under it
    (600.0, "基本称职"),              # on the 基本称职 line
    (599.9999999996, "基本称职"),     # within the tolerance of it
    (599.99, "不称职"),               # just under it
    (0.0, "不称职"),                  # the floor
    (NA, NA),                         # no score, no grade
])
def test_grade_lines(score, grade):
    assert_series_equal(grades(pd.Series([score]), POLICY), pd.Series([grade], dtype="str"))


def test_card_scores_sum_the_items_and_report_what_is_wrong():
    frame = pd.concat([
        cards((2026, "A", 905)),
        # B: 党建工作 written as 210 out of 200 counts 200; the card lacks 廉洁自律, so 满分 totals 900.
        pd.DataFrame([{"year": 2026, "person_id": "B", "unit_id": "U2", "item": item, "max_points": float(top),
                       "points": 210.0 if item == "党建工作" else top * 0.8} for item, top in ITEMS[:-1]]),
    ], ignore_index=True)
    expected = pd.DataFrame({
        "year": [2026, 2026], "person_id": ["A", "B"], "unit_id": ["U1", "U2"],
        "score": [905.0, 200 + 0.8 * 700], "max_total": [1000.0, 900.0],
        "problems": ["", "“党建工作”得分 210 超过满分 200,按满分计；各项满分合计 900 分,不是 1000 分"]})
    assert_frame_equal(card_scores(frame), expected, check_dtype=False)


def test_a_total_within_the_tolerance_of_1000_is_a_full_card():
    # 4 × 10⁻¹⁰ short of 1,000 is 1,000: no problem reported; 999.5 is reported.
    frame = pd.DataFrame({"year": 2026, "person_id": ["A", "A", "B", "B"], "unit_id": "U1",
                          "item": ["甲", "乙", "甲", "乙"], "max_points": [0.9999999996, 999.0, 0.5, 999.0],
                          "points": [0.5, 899.5, 0.5, 899.5]})
    assert card_scores(frame)["problems"].tolist() == ["", "各项满分合计 999.5 分,不是 1000 分"]


def streaks(*specs: tuple, year: int = 2026, streak_years: int = 3) -> dict[str, tuple[int, bool, str]]:
    scored = card_scores(cards(*specs))
    scored["grade"] = grades(scored["score"], POLICY)
    got = excellence_streaks(scored, year, streak_years)
    return {p: tuple(row) for p, row in got.iterrows()}


@pytest.mark.parametrize("specs, expected", [
    # Three consecutive 优秀 years ending in the year: eligible for 破格录用/提拔.
    ([(2024, "A", 950), (2025, "A", 920), (2026, "A", 900)],
     (3, True, "2024—2026年连续3年考核优秀,可破格录用或提拔")),
    # Four years: the run is counted in full.
    ([(2023, "A", 990), (2024, "A", 950), (2025, "A", 920), (2026, "A", 900)],
     (4, True, "2023—2026年连续4年考核优秀,可破格录用或提拔")),
    # A year without a card breaks the run, and the reason names it.
    ([(2024, "A", 950), (2026, "A", 960)],
     (1, False, "连续优秀1年(2026年),不足3年;2025年无考核记录,连续优秀中断")),
    # Only two years stored: the run is two years, the year before has no record.
    ([(2025, "A", 910), (2026, "A", 930)],
     (2, False, "连续优秀2年(2025—2026年),不足3年;2024年无考核记录,连续优秀中断")),
    # A lesser grade breaks the run as well.
    ([(2023, "A", 950), (2024, "A", 950), (2025, "A", 800), (2026, "A", 950)],
     (1, False, "连续优秀1年(2026年),不足3年;2025年考核等次为称职,连续优秀中断")),
    # Not 优秀 in the year itself: no run at all.
    ([(2024, "A", 950), (2025, "A", 950), (2026, "A", 600)], (0, False, "2026年考核等次为基本称职,未达优秀")),
    # A score within the tolerance of the line is 优秀 and keeps the run going.
    ([(2024, "A", 950), (2025, "A", 899.9999999996), (2026, "A", 950)],
     (3, True, "2024—2026年连续3年考核优秀,可破格录用或提拔")),
])
def test_excellence_streak(specs, expected):
    assert streaks(*specs) == {"A": expected}


def test_the_streak_ends_at_the_period_year_and_follows_the_policy_length():
    specs = [(2024, "A", 950), (2025, "A", 950), (2026, "A", 950), (2026, "B", 950)]
    # A 2026 card does not count for 2025, and B has no 2025 card: only A is listed for 2025.
    assert streaks(*specs, year=2025) == {
        "A": (2, False, "连续优秀2年(2024—2025年),不足3年;2023年无考核记录,连续优秀中断")}
    assert streaks(*specs, streak_years=2)["A"] == (3, True, "2024—2026年连续3年考核优秀,可破格录用或提拔")


def test_scorecard_results_of_the_year():
    frame = cards((2024, "A", 950), (2025, "A", 920), (2026, "A", 905), (2024, "B", 950), (2026, "B", 700, "U2"),
                  (2025, "C", 980), (2027, "A", 100))
    expected = pd.DataFrame([
        [2026, "A", "U1", 905.0, 1000.0, "优秀", "", 3, True, "2024—2026年连续3年考核优秀,可破格录用或提拔"],
        [2026, "B", "U2", 700.0, 1000.0, "基本称职", "", 0, False, "2026年考核等次为基本称职,未达优秀"],
    ], columns=RESULT_COLUMNS)
    # C has no 2026 card and is not listed; A's 2027 card is after the period and changes nothing.
    assert_frame_equal(scorecard_results(frame, 2026, POLICY), expected, check_dtype=False)
