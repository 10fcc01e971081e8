"""千分制: each cadre's score of a year out of 1,000 and its grade, and the run of 优秀 years that opens
破格录用/提拔 (seed 003: 连续3年以上被评为优秀等次)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.policy import PointSystem
from tasks.rules import tolerance
from tasks.rules.wording import joined, number

FULL_MARKS = 1000
EXCELLENT, COMPETENT, BASICALLY_COMPETENT, INCOMPETENT = "优秀", "称职", "基本称职", "不称职"
CARD_COLUMNS = ["year", "person_id", "unit_id", "score", "max_total", "grade", "problems"]
RESULT_COLUMNS = [*CARD_COLUMNS, "excellent_years", "promotable", "streak_reason"]


def _items(cards: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame({
        "year": cards["year"].astype("int64"), "person_id": cards["person_id"].astype("str"),
        "unit_id": cards["unit_id"].astype("str"), "item": cards["item"].astype("str"),
        "max_points": cards["max_points"].astype("float64"), "points": cards["points"].astype("float64"),
    }).reset_index(drop=True)
    over = pd.Series(tolerance.above(frame["points"], frame["max_points"]), index=frame.index)
    # An item cannot give more than its 满分: the excess is not counted, and the card says so.
    frame["counted"] = frame["points"].where(~over, frame["max_points"])
    frame["problem"] = ("“" + frame["item"] + "”得分 " + number(frame["points"]) + " 超过满分 "
                        + number(frame["max_points"]) + ",按满分计").where(over)
    return frame.sort_values(["year", "person_id", "item"], kind="stable")


def card_scores(cards: pd.DataFrame) -> pd.DataFrame:
    """Per person and year: the 千分制 score (each item's 得分, at most its 满分), the 满分 total, and the card's
    problems in words (an item over its 满分; a 满分 total other than 1,000)."""
    items = _items(cards)
    keys = [items["year"], items["person_id"]]
    card = items.groupby(keys).agg(unit_id=("unit_id", "first"), score=("counted", "sum"),
                                   max_total=("max_points", "sum"))
    item_problems = items["problem"].dropna().groupby([items["year"], items["person_id"]]).agg("；".join)
    total_off = ~pd.Series(tolerance.equal(card["max_total"], FULL_MARKS), index=card.index)
    card["problems"] = joined({
        "items": item_problems.reindex(card.index),
        "total": ("各项满分合计 " + number(card["max_total"]) + f" 分,不是 {FULL_MARKS} 分").where(total_off),
    }, card.index, "；")
    return card.reset_index()


def grades(score: pd.Series, policy: PointSystem) -> pd.Series:
    """优秀 / 称职 / 基本称职 by the policy's lines (a score within the tolerance of a line is on it), else 不称职."""
    lines = policy.scorecard_grades
    grade = np.select(
        [tolerance.at_least(score, lines[EXCELLENT]), tolerance.at_least(score, lines[COMPETENT]),
         tolerance.at_least(score, lines[BASICALLY_COMPETENT]), score.notna()],
        [EXCELLENT, COMPETENT, BASICALLY_COMPETENT, INCOMPETENT], default=None)
    return pd.Series(grade, index=score.index, dtype="str")


def _span(first: pd.Series, last: int) -> pd.Series:
    return pd.Series(np.where(first == last, f"{last}年", first.astype("str") + f"—{last}年"), index=first.index)


def excellence_streaks(graded: pd.DataFrame, year: int, streak_years: int) -> pd.DataFrame:
    """Per person graded in `year`: the consecutive 优秀 years ending in `year` among the stored years, whether they
    reach `streak_years` (eligible for 破格录用/提拔), and why in words, naming the year that broke the run."""
    past = graded[graded["year"] <= year]
    people = pd.Index(past.loc[past["year"] == year, "person_id"].unique(), name="person_id", dtype="str")
    if people.empty:
        return pd.DataFrame({"excellent_years": pd.Series(dtype="int64"), "promotable": pd.Series(dtype="bool"),
                             "streak_reason": pd.Series(dtype="str")}, index=people)
    by_year = past.pivot(index="person_id", columns="year", values="grade").reindex(index=people)
    # A year without a record is a column of gaps: it breaks the run as a lesser grade does.
    by_year = by_year.reindex(columns=range(int(past["year"].min()), year + 1))
    newest_first = by_year.iloc[:, ::-1].eq(EXCELLENT).to_numpy()
    streak = pd.Series(np.cumprod(newest_first, axis=1).sum(axis=1), index=people, dtype="int64")
    broken_in = year - streak
    grade_then = past.set_index(["person_id", "year"])["grade"].reindex(
        pd.MultiIndex.from_arrays([people, broken_in.to_numpy()])).to_numpy()
    cause = pd.Series(np.where(pd.isna(grade_then), broken_in.astype("str") + "年无考核记录",
                               broken_in.astype("str") + "年考核等次为" + pd.Series(grade_then, index=people)
                               .astype("str")), index=people)
    eligible = streak >= streak_years
    years, span = streak.astype("str"), _span(year - streak + 1, year)
    short = "连续优秀" + years + "年(" + span + f"),不足{streak_years}年;" + cause + ",连续优秀中断"
    reason = (span + "连续" + years + "年考核优秀,可破格录用或提拔").where(
        eligible, (cause + ",未达优秀").where(streak == 0, short))
    return pd.DataFrame({"excellent_years": streak, "promotable": eligible, "streak_reason": reason.astype("str")},
                        index=people)


def scorecard_results(cards: pd.DataFrame, year: int, policy: PointSystem) -> pd.DataFrame:
    """The scorecards.csv rows of `year`: per cadre the score, 满分 total, grade, card problems, the 优秀 run and
    破格录用/提拔 eligibility with its reason; `cards` holds every stored year up to `year`."""
    scored = card_scores(cards[cards["year"].astype("int64") <= year])
    scored["grade"] = grades(scored["score"], policy)
    streaks = excellence_streaks(scored, year, policy.streak_years)
    this = scored[scored["year"] == year].set_index("person_id")
    return this.join(streaks).reset_index()[RESULT_COLUMNS].sort_values("person_id", ignore_index=True)
