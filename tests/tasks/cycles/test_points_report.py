"""The points cycle's outcome and dossier contexts from tiny frames: names, lists with reasons, notes, figures."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.policy import Policy
from tasks.cycles.points import report

POLICY = Policy()
UNITS = pd.DataFrame({"unit_id": ["U1", "U2"], "unit_name": ["解放路社区", "城东村"], "region": ["城关区", "江北区"]})
APPROVER = "街道党工委"


def events(*rows: tuple) -> pd.DataFrame:
    """(event_id, person_id, unit_id, date, item, points) rows, approved."""
    return pd.DataFrame([{"event_id": r[0], "person_id": r[1], "unit_id": r[2], "date": pd.Timestamp(r[3]),
                          "item": r[4], "points": r[5], "evidence": "", "approved_by": APPROVER} for r in rows])


def cards(*rows: tuple) -> pd.DataFrame:
    """(year, person_id, unit_id, score) rows as one-item cards of 满分 1000."""
    return pd.DataFrame([{"year": r[0], "person_id": r[1], "unit_id": r[2], "item": "综合", "max_points": 1000.0,
                          "points": float(r[3])} for r in rows])


EVENTS = events(
    ("E1", "P1", "U1", "2025-05-01", "为民办实事", 20), ("E2", "P1", "U1", "2026-03-01", "结对帮扶", 12),
    ("E3", "P2", "U2", "2026-04-01", "志愿服务", 30), ("E4", "P2", "U2", "2026-06-01", "志愿服务", 30),
    ("E5", "P3", "U2", "2027-01-05", "为民办实事", 50),  # after the year: not counted in 2026
)
CARDS = cards(
    (2024, "C1", "U1", 950), (2025, "C1", "U1", 920), (2026, "C1", "U1", 905),  # three 优秀 years
    (2024, "C2", "U2", 930), (2026, "C2", "U2", 960),  # 2025 missing: the streak breaks
    (2026, "C3", "U2", 550),
)


@pytest.fixture(scope="module")
def outcome() -> report.PointsOutcome:
    return report.points_outcome({"units": UNITS, "point_events": EVENTS, "scorecards": CARDS}, 2026, POLICY)


def test_people_are_named_with_running_totals_and_reasons(outcome):
    people = outcome.people.set_index("person_id")
    assert list(people.index) == ["P1", "P2"]  # P3's only event is of 2027
    assert people.loc["P1", ["unit_name", "year_points", "total_points"]].tolist() == ["解放路社区", 12.0, 32.0]
    assert people.loc["P1", "activist_reason"] == "累计积分 32 分,达到入党积极分子确定标准 30 分"
    # 志愿服务 is capped at 40 a year: the second event counts 10 of its 30.
    assert people.loc["P2", ["year_points", "volunteer_points", "volunteer_tier"]].tolist() == [40.0, 40.0, "免费健康体检"]
    assert people.loc["P2", "uncounted"] == "E4:“志愿服务”本年度上限 40 分,只计 10 分(申报 30 分)"


def test_cards_grade_and_streak_with_the_gap_year_named(outcome):
    got = outcome.cards.set_index("person_id")
    assert got.loc["C1", ["unit_name", "grade", "excellent_years", "promotable"]].tolist() == ["解放路社区", "优秀", 3, True]
    assert got.loc["C2", "streak_reason"] == "连续优秀1年(2026年),不足3年;2025年无考核记录,连续优秀中断"
    assert got.loc["C3", ["grade", "promotable"]].tolist() == ["不称职", False]
    assert outcome.notes == []  # every year of the streak is stored, for someone: C2's gap is C2's alone


def test_publicity_lists_each_name_with_its_reason(outcome):
    table = report.publicity(outcome)
    assert list(table.columns) == ["名单", "人员编码", "所属单位", "理由"]
    assert table.values.tolist() == [
        ["入党积极分子人选", "P1", "解放路社区", "累计积分 32 分,达到入党积极分子确定标准 30 分"],
        ["入党积极分子人选", "P2", "城东村", "累计积分 40 分,达到入党积极分子确定标准 30 分"],
        ["破格录用或提拔人选", "C1", "解放路社区", "2024—2026年连续3年考核优秀,可破格录用或提拔"],
    ]


def test_key_figures_and_tables(outcome):
    figures = report.key_figures(outcome)
    assert (figures["events"], figures["people"], figures["claimed"], figures["counted"]) == (3, 2, 72.0, 52.0)
    assert (figures["activists"], figures["cadres"], figures["优秀"], figures["不称职"], figures["promotable"]) == (2, 3, 2, 1, 1)
    items = {r["item"]: (r["events"], r["claimed"], r["counted"], r["cap"]) for r in report.item_table(outcome, POLICY)}
    assert items == {"志愿服务": (2, 60.0, 40.0, 40.0), "结对帮扶": (1, 12.0, 12.0, 30.0)}


def test_a_year_without_scorecards_says_so():
    got = report.points_outcome({"units": UNITS, "point_events": EVENTS, "scorecards": CARDS.iloc[:0]}, 2026, POLICY)
    assert got.cards.empty
    assert got.notes == ["未收到2026年度千分制考核数据,本期不评定等次,也无破格录用或提拔人选。"]
    assert report.publicity(got)["名单"].tolist() == ["入党积极分子人选", "入党积极分子人选"]


def test_missing_years_of_the_streak_are_named():
    got = report.points_outcome({"units": UNITS, "point_events": EVENTS, "scorecards": CARDS[CARDS["year"] == 2026]},
                                2026, POLICY)
    assert got.notes == ["库中没有2024年、2025年的千分制考核数据:连续3年优秀须逐年核对,缺少的年度按无考核记录计,"
                         "连续优秀在该年中断。如属漏报,请补报后重新运行。"]


def test_the_summary_counts_by_region_and_by_shortfall(outcome):
    # A leader's summary counts; the names stand in the publicity list and points.csv.
    assert report.region_table(outcome) == [
        {"region": "城关区", "people": 1, "activists": 1, "rewarded": 0},
        {"region": "江北区", "people": 1, "activists": 1, "rewarded": 1},
    ]
    assert report.shortfall_table(outcome) == [
        {"kind": "超过项目年度上限,部分计入", "events": 1, "people": 1, "claimed": 30.0, "counted": 10.0}]


def test_a_region_counts_only_people_with_points_this_year():
    # P4's only event is of 2025: P4 stands in points.csv (running total) but earned nothing in 2026.
    more = pd.concat([EVENTS, events(("E6", "P4", "U1", "2025-06-01", "为民办实事", 10))], ignore_index=True)
    got = report.points_outcome({"units": UNITS, "point_events": more, "scorecards": CARDS}, 2026, POLICY)
    assert "P4" in set(got.people["person_id"])
    assert report.region_table(got)[0] == {"region": "城关区", "people": 1, "activists": 1, "rewarded": 0}
