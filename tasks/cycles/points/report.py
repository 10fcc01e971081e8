"""积分制管理 and 千分制 of a year: the outcome of the rules and what its dossiers and publicity list show."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from schemas.outputs import POINTS_COLUMNS, SCORECARD_COLUMNS
from schemas.policy import Policy
from tasks.dossiers.charts import bar_svg, histogram_svg
from tasks.dossiers.common import records
from tasks.rules.points import event_points, person_points
from tasks.rules.scorecards import BASICALLY_COMPETENT, COMPETENT, EXCELLENT, INCOMPETENT, scorecard_results

GRADES = (EXCELLENT, COMPETENT, BASICALLY_COMPETENT, INCOMPETENT)
PUBLICITY_COLUMNS = {"list": "名单", "person_id": "人员编码", "unit_name": "所属单位", "reason": "理由"}
ACTIVISTS, PROMOTABLE = "入党积极分子人选", "破格录用或提拔人选"


@dataclass
class PointsOutcome:
    """The year's 积分 per event and per person, the 千分制 cards, and what the reader must be told."""

    year: int
    events: pd.DataFrame  # every stored event up to the year, with the points it counts for
    people: pd.DataFrame  # points.csv: per person of the year's stored events and before
    cards: pd.DataFrame  # scorecards.csv: per cadre graded in the year
    notes: list[str] = field(default_factory=list)
    units: pd.DataFrame | None = None  # the registry's unit_id, unit_name and region, for the summary's tables


def _named(frame: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    names = units.assign(unit_id=units["unit_id"].astype("str")).set_index("unit_id")["unit_name"].astype("str")
    return frame.assign(unit_name=frame["unit_id"].astype("str").map(names))


def _scorecard_notes(cards: pd.DataFrame, year: int, policy: Policy) -> list[str]:
    streak = policy.points.streak_years
    stored = set(cards["year"].astype("int64"))
    needed = range(year - streak + 1, year + 1)
    missing = [y for y in needed if y not in stored]
    if not missing:
        return []
    return [f"库中没有{'、'.join(f'{y}年' for y in missing)}的千分制考核数据:连续{streak}年优秀须逐年核对,"
            f"缺少的年度按无考核记录计,连续优秀在该年中断。如属漏报,请补报后重新运行。"]


def points_outcome(data: dict[str, pd.DataFrame], year: int, policy: Policy) -> PointsOutcome:
    """积分 of every stored event up to `year`, per person the year's and running totals with eligibility, and the
    千分制 grades and 优秀 streaks of `year`."""
    events = event_points(data["point_events"], policy.points)
    events = events[events["year"] <= year].reset_index(drop=True)
    people = _named(person_points(events, year, policy.points), data["units"])[list(POINTS_COLUMNS)]
    stored = data.get("scorecards", pd.DataFrame(columns=["year"]))
    units = data["units"].reindex(columns=["unit_id", "unit_name", "region"]).astype("str")
    if not stored["year"].astype("int64").eq(year).any():
        cards = pd.DataFrame({c: pd.Series(dtype="object") for c in SCORECARD_COLUMNS})
        return PointsOutcome(year, events, people, cards,
                             [f"未收到{year}年度千分制考核数据,本期不评定等次,也无破格录用或提拔人选。"], units)
    cards = _named(scorecard_results(stored, year, policy.points), data["units"])[list(SCORECARD_COLUMNS)]
    return PointsOutcome(year, events, people, cards, _scorecard_notes(stored, year, policy), units)


def publicity(outcome: PointsOutcome) -> pd.DataFrame:
    """publicity.csv: the 入党积极分子 and 破格录用/提拔 lists, each name with the reason, in Chinese headers."""
    activists, promotable = _lists(outcome)
    frame = pd.concat([
        activists.assign(list=ACTIVISTS, reason=activists["activist_reason"]),
        promotable.assign(list=PROMOTABLE, reason=promotable["streak_reason"]),
    ], ignore_index=True)
    return frame.reindex(columns=list(PUBLICITY_COLUMNS)).rename(columns=PUBLICITY_COLUMNS)


def key_figures(outcome: PointsOutcome) -> dict:
    """The headline numbers of the year."""
    this = outcome.events[outcome.events["year"] == outcome.year]
    grades = outcome.cards["grade"].value_counts()
    return {
        "events": len(this), "people": int(outcome.people["year_points"].gt(0).sum()),
        "claimed": float(this["claimed"].sum()), "counted": float(this["points"].sum()),
        "activists": int(outcome.people["activist"].astype(bool).sum()),
        "rewarded": int(outcome.people["volunteer_tier"].notna().sum()),
        "cadres": len(outcome.cards), "promotable": int(outcome.cards["promotable"].fillna(False).astype(bool).sum()),
        **{grade: int(grades.get(grade, 0)) for grade in GRADES},
    }


def item_table(outcome: PointsOutcome, policy: Policy) -> list[dict]:
    """Per 积分项目 of the year: events, people, points claimed and counted, the standard points and year cap."""
    this = outcome.events[outcome.events["year"] == outcome.year]
    items = this.groupby("item").agg(events=("event_id", "size"), people=("person_id", "nunique"),
                                     claimed=("claimed", "sum"), counted=("points", "sum"))
    rules = policy.points.items
    items = items.reindex([i for i in rules if i in items.index])
    items["standard"] = [rules[i].points for i in items.index]
    items["cap"] = [rules[i].year_cap for i in items.index]
    return records(items.rename_axis("item").reset_index())


def tier_table(outcome: PointsOutcome, policy: Policy) -> list[dict]:
    """Per volunteer reward tier, from the highest: its line and how many reached it."""
    counts = outcome.people["volunteer_tier"].value_counts()
    return [{"tier": t.name, "min_points": t.min_points, "people": int(counts.get(t.name, 0))}
            for t in reversed(policy.points.volunteer_tiers)]


def grade_table(outcome: PointsOutcome, policy: Policy) -> list[dict]:
    """Per 千分制 grade: its line and how many cadres it holds."""
    lines = policy.points.scorecard_grades
    counts = outcome.cards["grade"].value_counts()
    return [{"grade": g, "line": f"{lines[g]:g} 分及以上" if g in lines else f"{lines[BASICALLY_COMPETENT]:g} 分以下",
             "cadres": int(counts.get(g, 0))} for g in GRADES]


def _lists(outcome: PointsOutcome) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 入党积极分子 and 破格录用/提拔 lists, by unit and person."""
    people, cards = outcome.people, outcome.cards
    return (people[people["activist"].astype(bool)].sort_values(["unit_id", "person_id"]),
            cards[cards["promotable"].fillna(False).astype(bool)].sort_values(["unit_id", "person_id"]))


def region_table(outcome: PointsOutcome) -> list[dict]:
    """Per region (the units' 所属地区): people with points this year, 入党积极分子人选 and volunteer rewards."""
    people = outcome.people.assign(region=outcome.people["unit_id"].astype("str").map(
        outcome.units.set_index("unit_id")["region"]).fillna("未登记地区"))
    table = people.groupby("region", sort=True).agg(
        people=("year_points", lambda points: int((points > 0).sum())),
        activists=("activist", lambda flags: int(flags.astype(bool).sum())),
        rewarded=("volunteer_tier", lambda tiers: int(tiers.notna().sum())))
    return records(table.rename_axis("region").reset_index())


# The ways an event counts less than it claims (tasks/rules/points.py words each), most severe first.
SHORTFALLS = (("未经审核", "未经审核(未填审核单位),不计分"), ("已达上限", "项目年度积分已达上限,不计分"),
              ("只计", "超过项目年度上限,部分计入"))


def shortfall_table(outcome: PointsOutcome) -> list[dict]:
    """Per way an event of the year counted less than claimed: events, people, points claimed and counted."""
    this = outcome.events[outcome.events["year"] == outcome.year]
    kind = pd.Series(np.select([this["note"].str.contains(k, regex=False) for k, _ in SHORTFALLS],
                               [label for _, label in SHORTFALLS], default=""), index=this.index)
    short = this[kind.ne("")].assign(kind=kind)
    table = short.groupby("kind").agg(events=("event_id", "size"), people=("person_id", "nunique"),
                                      claimed=("claimed", "sum"), counted=("points", "sum"))
    order = [label for _, label in SHORTFALLS if label in table.index]
    return records(table.reindex(order).rename_axis("kind").reset_index())


def summary_context(cover: dict, outcome: PointsOutcome, quality: dict, policy: Policy) -> dict:
    """Everything points_summary.html shows."""
    cards, grades = outcome.cards, grade_table(outcome, policy)
    _, promotable = _lists(outcome)
    return {
        **cover, "year": outcome.year, "policy": policy.points.model_dump(), "figures": key_figures(outcome),
        "notes": outcome.notes, "items": item_table(outcome, policy), "tiers": tier_table(outcome, policy),
        "grades": grades, "regions": region_table(outcome), "promotable": records(promotable),
        "shortfalls": shortfall_table(outcome), "quality": quality,
        "charts": {
            "grades": bar_svg([r["grade"] for r in grades], [r["cadres"] for r in grades], y_label="人数"),
            "scores": histogram_svg(cards["score"].dropna().astype(float).tolist(), x_label="千分制得分",
                                    y_label="人数", highlight=promotable["score"].astype(float).tolist(),
                                    highlight_label="可破格录用或提拔", all_label="全部人员"),
        },
    }


def publicity_context(cover: dict, outcome: PointsOutcome, policy: Policy) -> dict:
    """Everything points_publicity.html shows: the two lists, each name with its reason."""
    activists, promotable = _lists(outcome)
    return {**cover, "year": outcome.year, "policy": policy.points.model_dump(), "activists": records(activists),
            "promotable": records(promotable), "notes": outcome.notes}
