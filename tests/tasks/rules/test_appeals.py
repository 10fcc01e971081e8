"""复核申请: which appeals are heard, why the others are not, and when a 公示稿 may become the final version."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from schemas.policy import Publicity
from tasks.rules.appeals import DRAFT_COLUMNS, STATUS_COLUMNS, appeal_status, draft_readiness, undecided_appeals

T = pd.Timestamp
CYCLES = pd.CategoricalDtype(["quarterly", "half-year", "annual"])  # as stored rows come from the database
WINDOWS = pd.DataFrame({
    "cycle": ["half-year", "annual", "annual", "half-year"],
    "period": ["2026H1", "2026", "2026", "2025H2"],
    "version": [1, 3, 4, 2],
    "window_start": pd.to_datetime(["2026-07-14", "2027-01-21", "2027-02-03", "2026-01-15"]),
    "window_end": pd.to_datetime(["2026-07-20", "2027-01-27", "2027-02-09", "2026-01-21"]),
})
LISTED = pd.DataFrame({"cycle": ["half-year"] * 4 + ["annual"], "period": ["2026H1"] * 4 + ["2026"],
                       "unit_id": ["U1", "U2", "U3", "U4", "U1"]})
APPEALS = pd.DataFrame([
    ("A1", "half-year", "2026H1", "U1", "2026-07-14"),
    ("A2", "half-year", "2026H1", "U2", "2026-07-20"),
    ("A3", "half-year", "2026H1", "U3", "2026-07-21"),
    ("A4", "half-year", "2026H1", "U4", "2026-07-10"),
    ("A5", "half-year", "2026H1", "U9", "2026-07-15"),
    ("A6", "half-year", "2026H1", "U9", "2026-07-22"),
    ("A7", "annual", "2026", "U1", "2027-01-29"),
    ("A8", "annual", "2026", "U1", "2027-02-04"),
    ("A9", "half-year", "2026H2", "U1", "2027-01-15"),
    ("A10", "quarterly", "2026Q4", "U1", "2027-01-15"),
    ("A11", "half-year", "2026Q1", "U1", "2026-07-15"),
], columns=["appeal_id", "cycle", "period", "unit_id", "filed_at"]).assign(
    cycle=lambda f: f["cycle"].astype(CYCLES), filed_at=lambda f: pd.to_datetime(f["filed_at"]),
    item="排名", reason="测评人并非服务对象", contact="李华")
DECISIONS = pd.DataFrame({
    "appeal_id": ["A1", "A2", "A3"],
    "decided_at": pd.to_datetime(["2026-07-23", "2026-07-24", "2026-07-24"]),
    "decision": ["维持", "更正", "维持"],
    "decided_by": "市创先争优活动领导小组办公室",
    "note": ["排名无误", "报送更正文件", "逾期申请,仍予答复"],
})
H1 = (1, T("2026-07-14"), T("2026-07-20"))
OUTSIDE_H1 = "不在公示期(2026年7月14日至2026年7月20日)内"
NO_WINDOW = (None, None, None)


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame[columns].itertuples(index=False)]


def test_each_appeal_is_heard_or_refused_with_the_reason():
    status = appeal_status(APPEALS, DECISIONS, WINDOWS, Publicity(), LISTED)
    assert list(status.columns) == STATUS_COLUMNS
    assert _rows(status, ["appeal_id", "version", "window_start", "window_end", "status", "refusal_reason",
                          "decision"]) == [
        # A later draft of the same period: an appeal answers the draft published last before it was filed, so
        # one filed between two drafts is late for the first (the reason as the administrator reads it).
        ("A7", 3, T("2027-01-21"), T("2027-01-27"), "逾期不予受理",
         "提交日期2027年1月29日不在公示期(2027年1月21日至2027年1月27日)内", None),
        ("A8", 4, T("2027-02-03"), T("2027-02-09"), "受理", "", None),
        # Filed before the draft was published: refused, not late.
        ("A4", *H1, "不予受理", "提交日期2026年7月10日" + OUTSIDE_H1, None),
        # The window includes the day of publication and its last day.
        ("A1", *H1, "受理", "", "维持"),
        ("A5", *H1, "不予受理", "单位编码“U9”不在该期次公示名单中", None),
        ("A2", *H1, "受理", "", "更正"),
        # One working day too late; a decision made anyway is shown, but the appeal stays refused.
        ("A3", *H1, "逾期不予受理", "提交日期2026年7月21日" + OUTSIDE_H1, "维持"),
        # A unit not on the list and late: both reasons, and the list decides the status.
        ("A6", *H1, "不予受理", "单位编码“U9”不在该期次公示名单中;提交日期2026年7月22日" + OUTSIDE_H1, None),
        # No draft of the period has been published.
        ("A9", *NO_WINDOW, "无对应公示", "该期次(半年点评写实 2026H2)无公示稿", None),
        # A half-year period written in a quarter's form: no draft can answer it, and the reason says why.
        ("A11", *NO_WINDOW, "无对应公示", "期次“2026Q1”不是半年点评写实的期次(应为2026H1 或 2026H2 形式)", None),
        # Quarterly results have no publicity window by default.
        ("A10", *NO_WINDOW, "无对应公示", "季度评议写实结果不设公示期,不受理复核申请", None),
    ]


def test_the_unit_list_is_checked_only_when_given_and_the_policy_names_the_cycles_with_a_window():
    policy = Publicity(cycles_with_window=["quarterly", "half-year", "annual"])
    status = appeal_status(APPEALS, DECISIONS, WINDOWS, policy).set_index("appeal_id")
    # Without the published lists, a unit is not checked: only the window refuses A6.
    assert status.loc[["A5", "A6"], "status"].tolist() == ["受理", "逾期不予受理"]
    # A city that publishes quarterly results too: no draft of the quarter yet.
    assert status.loc["A10", "refusal_reason"] == "该期次(季度评议写实 2026Q4)无公示稿"


def test_undecided_appeals_are_the_ones_heard_without_a_decision():
    status = appeal_status(APPEALS, DECISIONS, WINDOWS, Publicity(), LISTED)
    # A3 and A6 lack a decision too, but they were not heard.
    assert undecided_appeals(status)["appeal_id"].tolist() == ["A8"]


@pytest.mark.parametrize(("on", "expected"), [
    # On the last day of the half-year's window it is still open; the annual draft also waits for a decision.
    ("2026-07-20", {"2025H2": (True, True, ""), "2026H1": (False, False, "公示期至2026年7月20日尚未届满"),
                    "2026": (False, False, "公示期至2027年2月9日尚未届满;尚有1件复核申请未作决定")}),
    # The day after: the half-year may be finalised; the annual draft is held by its undecided appeal alone.
    ("2027-02-10", {"2025H2": (True, True, ""), "2026H1": (True, True, ""),
                    "2026": (True, False, "尚有1件复核申请未作决定")}),
])
def test_draft_readiness(on, expected):
    status = appeal_status(APPEALS, DECISIONS, WINDOWS, Publicity(), LISTED)
    ready = draft_readiness(WINDOWS, status, date.fromisoformat(on))
    assert list(ready.columns) == DRAFT_COLUMNS
    counts = {"2025H2": ("half-year", 2, 0, 0, 0, 0, 0), "2026H1": ("half-year", 1, 6, 2, 1, 1, 0),
              "2026": ("annual", 4, 2, 1, 0, 0, 1)}
    # Only the latest draft of a period is a candidate; the counts cover all the period's appeals.
    assert _rows(ready, ["period", "cycle", "version", "appeals", "accepted", "upheld", "corrected", "undecided",
                         "window_closed", "can_finalise", "held_because"]) == [
        (period, *counts[period], *expected[period]) for period in ("2026", "2025H2", "2026H1")]


def test_nothing_published_nothing_appealed():
    empty = appeal_status(APPEALS.iloc[:0], DECISIONS.iloc[:0], WINDOWS.iloc[:0], Publicity())
    assert list(empty.columns) == STATUS_COLUMNS and empty.empty
    assert draft_readiness(WINDOWS.iloc[:0], empty, date(2026, 7, 21)).empty
