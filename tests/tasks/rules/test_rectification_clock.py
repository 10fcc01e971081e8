"""整改时限: each 重点管理单位's plan against a deadline in working days from the final half-year version."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from schemas.policy import Publicity
from tasks.rules.rectification_clock import CLOCK_COLUMNS, key_management_units, overdue_plans, rectification_clock

T = pd.Timestamp
RANKING = pd.DataFrame({
    "unit_id": ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"],
    "unit_name": ["一局", "二局", "三局", "四局", "五局", "六局", "七局", "八局"],
    "designation": ["重点管理单位"] * 7 + ["重点督查单位"],
})
# The final 2026H1 version went out on Monday 27 July 2026: 15 working days run to Monday 17 August.
DESIGNATED = pd.concat([key_management_units(RANKING, "2026H1", date(2026, 7, 27)),
                        key_management_units(RANKING.iloc[:1], "2026H2", None)], ignore_index=True)
PLANS = pd.DataFrame({
    "unit_id": ["U1", "U2", "U3", "U4", "U6", "U7", "U1"],
    "period": ["2026H1", "2026H1", "2026H1", "2026H1", "2026H1", "2025H2", "2026H1"],
    "filed_at": pd.to_datetime(["2026-08-17", "2026-07-20", "2026-08-22", "2026-08-18", "2026-09-01",
                                "2026-01-20", "2026-08-20"]),
})
DUE = T("2026-08-17")
BY_DUE = "应于2026年8月17日前提交,"


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]


def test_the_clock_read_after_the_deadline():
    clock = rectification_clock(DESIGNATED, PLANS, date(2026, 8, 24), Publicity())
    assert list(clock.columns) == CLOCK_COLUMNS
    published = T("2026-07-27")
    assert _rows(clock) == [
        # Filed on the deadline itself: on time (a second, later plan does not change the first filing).
        ("U1", "一局", "2026H1", published, DUE, T("2026-08-17"), "按时提交", 0, BY_DUE + "2026年8月17日提交"),
        # Filed before the final version was out (after the draft): on time as well.
        ("U2", "二局", "2026H1", published, DUE, T("2026-07-20"), "按时提交", 0, BY_DUE + "2026年7月20日提交"),
        # Filed on a Saturday: 18–21 August passed, four working days late.
        ("U3", "三局", "2026H1", published, DUE, T("2026-08-22"), "逾期提交", 4,
         BY_DUE + "2026年8月22日提交,逾期4个工作日"),
        ("U4", "四局", "2026H1", published, DUE, T("2026-08-18"), "逾期提交", 1,
         BY_DUE + "2026年8月18日提交,逾期1个工作日"),
        # Nothing filed by Monday 24 August: five working days overdue.
        ("U5", "五局", "2026H1", published, DUE, None, "逾期未提交", 5, BY_DUE + "至2026年8月24日逾期5个工作日未提交"),
        # A plan filed after the day read was not there yet.
        ("U6", "六局", "2026H1", published, DUE, None, "逾期未提交", 5, BY_DUE + "至2026年8月24日逾期5个工作日未提交"),
        # A plan answering another half-year does not answer this one.
        ("U7", "七局", "2026H1", published, DUE, None, "逾期未提交", 5, BY_DUE + "至2026年8月24日逾期5个工作日未提交"),
        # The next half-year's final version is not out: its clock has not started.
        ("U1", "一局", "2026H2", None, None, None, "未起算", None, "正式版尚未发布,整改时限未起算"),
    ]
    # The daily list for the administrator: the plans now overdue.
    assert overdue_plans(clock)["unit_id"].tolist() == ["U5", "U6", "U7"]


def test_the_clock_read_before_the_deadline_is_still_running():
    clock = rectification_clock(DESIGNATED, PLANS, date(2026, 8, 14), Publicity())
    # Friday 14 August: that day and Monday 17 remain; U3's and U4's later plans are not there yet.
    assert clock.loc[clock["period"].eq("2026H1"), ["unit_id", "status", "working_days_late", "note"]].astype(
        object).where(lambda f: f.notna(), None).values.tolist() == [
        ["U1", "未到期", None, BY_DUE + "含当日尚余2个工作日"],
        ["U2", "按时提交", 0, BY_DUE + "2026年7月20日提交"],
        *[[u, "未到期", None, BY_DUE + "含当日尚余2个工作日"] for u in ("U3", "U4", "U5", "U6", "U7")],
    ]
    assert overdue_plans(clock).empty


@pytest.mark.parametrize(("published", "policy", "filed", "due", "status", "late"), [
    # 14 working days end on Friday 14 August; a plan filed the next day, a Saturday, is one day late.
    ("2026-07-27", Publicity(rectification_working_days=14), "2026-08-15", "2026-08-14", "逾期提交", 1),
    # The fallback year 2027: a week the policy lists as holidays moves the deadline by five working days.
    ("2027-01-25", Publicity(), "2027-02-19", "2027-02-15", "逾期提交", 4),
    ("2027-01-25", Publicity(extra_holidays=[date(2027, 2, d) for d in range(8, 13)]), "2027-02-19",
     "2027-02-22", "按时提交", 0),
])
def test_the_deadline_follows_the_policy(published, policy, filed, due, status, late):
    designated = key_management_units(RANKING.iloc[:1], "2026H1", date.fromisoformat(published))
    plans = pd.DataFrame({"unit_id": ["U1"], "period": ["2026H1"], "filed_at": [T(filed)]})
    row = rectification_clock(designated, plans, date(2027, 6, 30), policy).iloc[0]
    assert (row["due"], row["status"], row["working_days_late"]) == (T(due), status, late)


def test_on_the_deadline_day_the_plan_is_not_yet_overdue():
    clock = rectification_clock(DESIGNATED, PLANS, date(2026, 8, 17), Publicity()).set_index(["period", "unit_id"])
    # The deadline day is the last day to file, not the first day overdue.
    assert clock.loc[("2026H1", "U5"), ["status", "note"]].tolist() == ["未到期", BY_DUE + "含当日尚余1个工作日"]
