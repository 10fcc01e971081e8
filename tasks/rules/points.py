"""积分制管理: the points each event counts for under its item's year cap, and per person the year's points, the
running total, 入党积极分子 eligibility and the volunteer reward tier."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.policy import PointSystem
from tasks.rules import tolerance
from tasks.rules.wording import joined, number

EVENT_COLUMNS = ["event_id", "person_id", "unit_id", "year", "date", "item", "claimed", "points", "note"]
PERSON_COLUMNS = ["person_id", "unit_id", "year_points", "total_points", "activist", "activist_reason",
                  "volunteer_points", "volunteer_tier", "uncounted"]
_CAP_GROUP = ["person_id", "year", "item"]


def _approved(events: pd.DataFrame, policy: PointSystem) -> pd.Series:
    if not policy.require_approval:
        return pd.Series(True, index=events.index)
    approver = events["approved_by"].astype("str").str.strip()
    return approver.notna() & approver.ne("")


def _events(events: pd.DataFrame, policy: PointSystem) -> pd.DataFrame:
    """The events as plain columns, with the points each claims: its 分值, or the item's standard when empty."""
    frame = pd.DataFrame({
        "event_id": events["event_id"].astype("str"), "person_id": events["person_id"].astype("str"),
        "unit_id": events["unit_id"].astype("str"), "date": pd.to_datetime(events["date"]),
        "item": events["item"].astype("str"),
    }).reset_index(drop=True)
    frame["year"] = frame["date"].dt.year.astype("int64")
    frame["declared"] = pd.to_numeric(events["points"], errors="coerce").astype("float64").to_numpy()
    frame["standard"] = frame["item"].map({item: rule.points for item, rule in policy.items.items()})
    frame["claimed"] = frame["declared"].fillna(frame["standard"])
    frame["approved"] = _approved(events, policy).to_numpy()
    frame["cap"] = frame["item"].map({i: r.year_cap for i, r in policy.items.items()}).astype("float64")
    return frame


def _capped(frame: pd.DataFrame) -> pd.Series:
    """The points each approved event counts for: what its item's year cap leaves after the earlier events."""
    earning = frame["claimed"].where(frame["approved"], 0.0)
    # Earlier events (by date, then id) fill the cap first; a later one gets what is left, or nothing.
    before = earning.groupby([frame[c] for c in _CAP_GROUP], sort=False).cumsum() - earning
    room = frame["cap"] - before
    counted = np.where(frame["cap"].isna() | tolerance.at_least(room, earning), earning,
                       np.where(tolerance.above(room, 0), room, 0.0))
    return pd.Series(counted, index=frame.index, dtype="float64")


def _event_notes(frame: pd.DataFrame) -> pd.Series:
    cut = frame["approved"] & pd.Series(tolerance.below(frame["points"], frame["claimed"]), index=frame.index)
    # Most events count as claimed and say nothing: only the others are worded.
    some = frame[frame["declared"].isna() | ~frame["approved"] | cut]
    item, cap, cut = "“" + some["item"] + "”", number(some["cap"]), cut[some.index]
    nothing = cut & ~pd.Series(tolerance.above(some["points"], 0), index=some.index)
    notes = joined({
        "standard": ("未填分值,按" + item + "标准分值 " + number(some["standard"]) + " 分计")
        .where(some["declared"].isna()),
        "unapproved": pd.Series("未经审核(未填审核单位),不计分", index=some.index).where(~some["approved"]),
        "capped": (item + "本年度上限 " + cap + " 分,只计 " + number(some["points"]) + " 分(申报 "
                   + number(some["claimed"]) + " 分)").where(cut & ~nothing),
        "full": (item + "本年度已达上限 " + cap + " 分,不计分(申报 " + number(some["claimed"]) + " 分)")
        .where(nothing),
    }, some.index, ";")
    return notes.reindex(frame.index, fill_value="").astype("str")


def event_points(events: pd.DataFrame, policy: PointSystem) -> pd.DataFrame:
    """Each 积分记录 with the points it claims and the points it counts for (none unapproved, none beyond the
    item's year cap), and in `note` why the two differ, in words."""
    frame = _events(events, policy).sort_values(["person_id", "year", "item", "date", "event_id"], kind="stable")
    frame["points"] = _capped(frame)
    frame["note"] = _event_notes(frame)
    return frame[EVENT_COLUMNS].reset_index(drop=True)


def _activist(basis: pd.Series, policy: PointSystem) -> tuple[pd.Series, pd.Series]:
    label = "累计积分 " if policy.activist_basis == "total" else "本年度积分 "
    line = f"{policy.activist_threshold:g}"
    reached = pd.Series(tolerance.at_least(basis, policy.activist_threshold), index=basis.index)
    reason = (label + number(basis) + " 分,达到入党积极分子确定标准 " + line + " 分").where(
        reached, label + number(basis) + " 分,未达到 " + line + " 分(尚差 "
        + number(policy.activist_threshold - basis) + " 分)")
    return reached, reason


def _tier(points: pd.Series, policy: PointSystem) -> pd.Series:
    # The highest tier reached wins, so tiers are tested from the top.
    tiers = policy.volunteer_tiers[::-1]
    chosen = np.select([tolerance.at_least(points, t.min_points) for t in tiers], [t.name for t in tiers],
                       default=None) if tiers else None
    return pd.Series(chosen, index=points.index, dtype="str")


def person_points(scored: pd.DataFrame, year: int, policy: PointSystem) -> pd.DataFrame:
    """Per person with events up to `year` (from `event_points`): the year's and the running total of counted
    points, 入党积极分子 eligibility with its reason, volunteer points and reward tier, and the year's events that
    counted less than claimed."""
    upto = scored[scored["year"] <= year]
    this = upto[upto["year"] == year]
    latest = upto.sort_values(["date", "event_id"], kind="stable").groupby("person_id")["unit_id"].last()
    people = pd.DataFrame({"unit_id": latest}).sort_index()
    people["year_points"] = this.groupby("person_id")["points"].sum().reindex(people.index, fill_value=0.0)
    people["total_points"] = upto.groupby("person_id")["points"].sum()
    basis = people["total_points" if policy.activist_basis == "total" else "year_points"]
    people["activist"], people["activist_reason"] = _activist(basis, policy)
    volunteer = this[this["item"].isin(policy.volunteer_items)]
    people["volunteer_points"] = volunteer.groupby("person_id")["points"].sum().reindex(people.index,
                                                                                         fill_value=0.0)
    people["volunteer_tier"] = _tier(people["volunteer_points"], policy)
    short = this[tolerance.below(this["points"], this["claimed"])].sort_values(["date", "event_id"], kind="stable")
    uncounted = (short["event_id"] + ":" + short["note"]).groupby(short["person_id"]).agg("；".join)
    people["uncounted"] = uncounted.reindex(people.index, fill_value="").astype("str")
    return people.rename_axis("person_id").reset_index()[PERSON_COLUMNS]
