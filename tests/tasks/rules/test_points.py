"""积分制管理: item year caps, approval, standard points, the 入党积极分子 line and volunteer reward tiers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from schemas.policy import PointSystem
from tasks.rules.points import EVENT_COLUMNS, PERSON_COLUMNS, event_points, person_points

NA = np.nan
POLICY = PointSystem()
APPROVER = "城关区解放路社区党委"


def events(*rows: tuple) -> pd.DataFrame:
    """(event_id, person_id, date, item, points[, approved_by]) rows as the store returns them, all of unit U1."""
    return pd.DataFrame([
        {"event_id": row[0], "person_id": row[1], "unit_id": "U1", "date": pd.Timestamp(row[2]), "item": row[3],
         "points": row[4], "evidence": "签到表", "approved_by": row[5] if len(row) > 5 else APPROVER}
        for row in rows
    ])


def counted(frame: pd.DataFrame, policy: PointSystem = POLICY) -> list[tuple[str, float, str]]:
    scored = event_points(frame, policy)
    return list(zip(scored["event_id"], scored["points"], scored["note"]))


@pytest.mark.parametrize("rows, expected", [
    # Under the 志愿服务 cap of 40 every event counts in full.
    ([("E1", "P1", "2026-03-01", "志愿服务", 20), ("E2", "P1", "2026-04-01", "志愿服务", 15)],
     [("E1", 20.0, ""), ("E2", 15.0, "")]),
    # The event that crosses the cap counts for what is left, and says how much it claimed.
    ([("E1", "P1", "2026-03-01", "志愿服务", 20), ("E2", "P1", "2026-04-01", "志愿服务", 15),
      ("E3", "P1", "2026-05-01", "志愿服务", 10)],
     [("E1", 20.0, ""), ("E2", 15.0, ""), ("E3", 5.0, "“志愿服务”本年度上限 40 分,只计 5 分(申报 10 分)")]),
    # Once the cap is reached, a later event counts for nothing.
    ([("E1", "P1", "2026-03-01", "志愿服务", 40), ("E2", "P1", "2026-04-01", "志愿服务", 3)],
     [("E1", 40.0, ""), ("E2", 0.0, "“志愿服务”本年度已达上限 40 分,不计分(申报 3 分)")]),
    # The earlier date fills the cap first, whatever the ids say.
    ([("E1", "P1", "2026-09-01", "志愿服务", 30), ("E2", "P1", "2026-02-01", "志愿服务", 30)],
     [("E2", 30.0, ""), ("E1", 10.0, "“志愿服务”本年度上限 40 分,只计 10 分(申报 30 分)")]),
    # Caps are per person, per item and per year (rows come back by person, year and item).
    ([("E1", "P1", "2025-12-31", "志愿服务", 40), ("E2", "P1", "2026-01-01", "志愿服务", 40),
      ("E3", "P1", "2026-01-02", "结对帮扶", 30), ("E4", "P2", "2026-01-03", "志愿服务", 40)],
     [("E1", 40.0, ""), ("E2", 40.0, ""), ("E3", 30.0, ""), ("E4", 40.0, "")]),
    # 为民办实事 has no cap.
    ([("E1", "P1", "2026-03-01", "为民办实事", 100), ("E2", "P1", "2026-04-01", "为民办实事", 100)],
     [("E1", 100.0, ""), ("E2", 100.0, "")]),
    # An empty 分值 takes the item's standard points from the policy.
    ([("E1", "P1", "2026-03-01", "结对帮扶", NA)], [("E1", 3.0, "未填分值,按“结对帮扶”标准分值 3 分计")]),
    # An event nobody approved earns nothing and takes no room under the cap.
    ([("E1", "P1", "2026-03-01", "志愿服务", 30, None), ("E2", "P1", "2026-04-01", "志愿服务", 30, " "),
      ("E3", "P1", "2026-05-01", "志愿服务", 40)],
     [("E1", 0.0, "未经审核(未填审核单位),不计分"), ("E2", 0.0, "未经审核(未填审核单位),不计分"), ("E3", 40.0, "")]),
    # Float noise at the cap: 39.7 + 0.3 leaves 0.30000000000000426, and 0.3 counts in full.
    ([("E1", "P1", "2026-03-01", "志愿服务", 39.7), ("E2", "P1", "2026-04-01", "志愿服务", 0.3)],
     [("E1", 39.7, ""), ("E2", 0.3, "")]),
    # 4 × 10⁻¹⁰ of room is no room: the cap is reached.
    ([("E1", "P1", "2026-03-01", "志愿服务", 39.9999999996), ("E2", "P1", "2026-04-01", "志愿服务", 2)],
     [("E1", 39.9999999996, ""), ("E2", 0.0, "“志愿服务”本年度已达上限 40 分,不计分(申报 2 分)")]),
])
def test_event_points_under_caps_and_approval(rows, expected):
    assert counted(events(*rows)) == expected


def test_without_required_approval_an_unapproved_event_counts():
    policy = POLICY.model_copy(update={"require_approval": False})
    assert counted(events(("E1", "P1", "2026-03-01", "志愿服务", 5, None)), policy) == [("E1", 5.0, "")]


def test_event_points_keep_the_event_facts():
    got = event_points(events(("E1", "P1", "2026-03-01", "清洁家园", 12)), POLICY)
    expected = pd.DataFrame({
        "event_id": ["E1"], "person_id": ["P1"], "unit_id": ["U1"], "year": [2026],
        "date": pd.to_datetime(["2026-03-01"]), "item": ["清洁家园"], "claimed": [12.0], "points": [10.0],
        "note": ["“清洁家园”本年度上限 10 分,只计 10 分(申报 12 分)"]})
    assert_frame_equal(got, expected[EVENT_COLUMNS], check_dtype=False)


def people(frame: pd.DataFrame, year: int = 2026, policy: PointSystem = POLICY) -> pd.DataFrame:
    return person_points(event_points(frame, policy), year, policy)


def test_person_points_year_total_activist_tier_and_cut_events():
    frame = events(
        # P1: 25 last year; this year 40 of volunteering (the 治安联防 cap leaves E3 nothing) and 3 of 结对帮扶.
        ("E0", "P1", "2025-06-01", "为民办实事", 25), ("E1", "P1", "2026-01-05", "志愿服务", 20),
        ("E2", "P1", "2026-02-05", "治安联防", 20), ("E3", "P1", "2026-03-05", "治安联防", 10),
        ("E4", "P1", "2026-04-01", "结对帮扶", NA),
        # P2: exactly 30 this year, 20 of them volunteer points; moved from U1 to U2 in the year.
        ("E5", "P2", "2026-03-01", "志愿服务", 20), ("E6", "P2", "2026-05-01", "为民办实事", 10),
        # P3: 29.5 in all, one event not approved.
        ("E7", "P3", "2026-03-01", "为民办实事", 29.5), ("E8", "P3", "2026-04-01", "政策宣讲", 2, None),
        # P4: points only in an earlier year, and a 2027 event the 2026 run must not see.
        ("E9", "P4", "2024-06-01", "矛盾调解", 3), ("E10", "P1", "2027-01-01", "为民办实事", 50),
    )
    frame.loc[frame["event_id"] == "E6", "unit_id"] = "U2"
    expected = pd.DataFrame([
        ["P1", "U1", 43.0, 68.0, True, "累计积分 68 分,达到入党积极分子确定标准 30 分", 40.0, "免费健康体检",
         "E3:“治安联防”本年度已达上限 20 分,不计分(申报 10 分)"],
        ["P2", "U2", 30.0, 30.0, True, "累计积分 30 分,达到入党积极分子确定标准 30 分", 20.0, "赠阅报纸", ""],
        ["P3", "U1", 29.5, 29.5, False, "累计积分 29.5 分,未达到 30 分(尚差 0.5 分)", 0.0, NA,
         "E8:未经审核(未填审核单位),不计分"],
        ["P4", "U1", 0.0, 3.0, False, "累计积分 3 分,未达到 30 分(尚差 27 分)", 0.0, NA, ""],
    ], columns=PERSON_COLUMNS)
    got = people(frame)
    assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.parametrize("points, activist, reason", [
    (30, True, "累计积分 30 分,达到入党积极分子确定标准 30 分"),                      # on the line
    (29.9999999996, True, "累计积分 30 分,达到入党积极分子确定标准 30 分"),           # 4 × 10⁻¹⁰ under: on it
    (29.9999999994, False, "累计积分 30 分,未达到 30 分(尚差 6e-10 分)"),          # 6 × 10⁻¹⁰ under: below
    (29.5, False, "累计积分 29.5 分,未达到 30 分(尚差 0.5 分)"),                    # just below
])
def test_activist_line_through_the_tolerance(points, activist, reason):
    got = people(events(("E1", "P1", "2026-03-01", "为民办实事", points)))
    assert (got.loc[0, "activist"], got.loc[0, "activist_reason"]) == (activist, reason)


def test_activist_line_on_the_year_alone_when_the_policy_says_so():
    # 20 last year and 20 this year: 40 in all, but only 20 in the year.
    policy = POLICY.model_copy(update={"activist_basis": "year"})
    frame = events(("E1", "P1", "2025-03-01", "为民办实事", 20), ("E2", "P1", "2026-03-01", "为民办实事", 20))
    got = people(frame, policy=policy)
    assert got.loc[0, ["activist", "activist_reason"]].tolist() == [False, "本年度积分 20 分,未达到 30 分(尚差 10 分)"]


@pytest.mark.parametrize("volunteering, tier", [
    (19.5, NA),               # below the first tier
    (20, "赠阅报纸"),          # on the first tier
    (39.9999999996, "免费健康体检"),  # within the tolerance of the second
    (59, "免费健康体检"),       # between the second and the third
    (60, "优秀志愿者表彰"),     # the top tier
])
def test_volunteer_tier_is_the_highest_reached(volunteering, tier):
    # Volunteer points come from the volunteer items only: the 为民办实事 points do not lift the tier.
    policy = POLICY.model_copy(update={"items": POLICY.items | {
        "志愿服务": POLICY.items["志愿服务"].model_copy(update={"year_cap": None})}})
    frame = events(("E1", "P1", "2026-03-01", "志愿服务", volunteering), ("E2", "P1", "2026-03-02", "为民办实事", 50))
    got = people(frame, policy=policy)
    assert got.loc[0, "volunteer_points"] == volunteering
    assert got.loc[0, "volunteer_tier"] is tier or got.loc[0, "volunteer_tier"] == tier
