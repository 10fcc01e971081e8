"""整改时限: each 重点管理单位's rectification plan against its deadline, in working days from the final version.

The deadline is the `rectification_working_days`-th working day after the day the final (正式) half-year version
was published, that day not counted (tasks.rules.working_days.add_working_days). A plan counts from the day it
was filed; a plan filed after the day the clock is read (`as_of`) was not there yet, so a past follow-up reads
the same whatever arrived later. Lateness is the number of working days after the deadline up to the day of
filing (or the day read), at least one. `calendar_warnings(clock["published"], clock["due"], as_of)` gives the
warnings for years outside the State Council table.
"""

from __future__ import annotations

import pandas as pd

from schemas.outputs import KEY_MANAGEMENT
from schemas.policy import Publicity
from tasks.rules.working_days import add_working_days, chinese_dates, working_days_between

ON_TIME, LATE, OVERDUE, RUNNING, NOT_STARTED = "按时提交", "逾期提交", "逾期未提交", "未到期", "未起算"
CLOCK_COLUMNS = ["unit_id", "unit_name", "period", "published", "due", "filed_at", "status",
                 "working_days_late", "note"]


def key_management_units(ranking: pd.DataFrame, period: str, published) -> pd.DataFrame:
    """重点管理单位 of one final half-year version, with the day it was published: what the clock runs over."""
    chosen = ranking[ranking["designation"].astype("str").eq(KEY_MANAGEMENT)]
    return pd.DataFrame({"unit_id": chosen["unit_id"].astype("str").to_numpy(),
                         "unit_name": chosen["unit_name"].astype("str").to_numpy(),
                         "period": period, "published": pd.Timestamp(published)})


def _filed(plans: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The first plan each unit filed for each half-year, up to `as_of`."""
    filed = pd.DataFrame({"unit_id": plans["unit_id"].astype("str"), "period": plans["period"].astype("str"),
                          "filed_at": pd.to_datetime(plans["filed_at"]).astype("datetime64[us]")})
    filed = filed[filed["filed_at"] <= as_of]
    return filed.groupby(["unit_id", "period"], as_index=False)["filed_at"].min()


def rectification_clock(designated: pd.DataFrame, plans: pd.DataFrame, as_of, policy: Publicity) -> pd.DataFrame:
    """Per designated unit and half-year (`designated`: unit_id, unit_name, period, published): the plan's
    deadline, when it was filed, and its standing on day `as_of` — 按时提交, 逾期提交, 逾期未提交, 未到期, or
    未起算 while the final version is not published."""
    day = pd.Timestamp(as_of)
    holidays = policy.extra_holidays
    table = designated.assign(unit_id=designated["unit_id"].astype("str"), period=designated["period"].astype("str"),
                              published=pd.to_datetime(designated["published"]).astype("datetime64[us]"))
    table = table.merge(_filed(plans, day), on=["unit_id", "period"], how="left")
    table["due"] = add_working_days(table["published"], policy.rectification_working_days, holidays)
    filed, started = table["filed_at"].notna(), table["published"].notna()
    status = pd.Series(RUNNING, index=table.index).mask(table["due"] < day, OVERDUE)
    status = status.mask(filed, ON_TIME).mask(filed & (table["filed_at"] > table["due"]), LATE)
    table["status"] = status.mask(~started, NOT_STARTED)
    # A plan filed on the Saturday after a Friday deadline is late although no working day has passed: one day.
    late = working_days_between(table["due"], table["filed_at"].fillna(day), holidays).clip(lower=1)
    table["working_days_late"] = late.where(table["status"].isin([LATE, OVERDUE]), 0).where(
        ~table["status"].isin([RUNNING, NOT_STARTED]))
    table["note"] = _notes(table, day, holidays)
    return table.sort_values(["period", "unit_id"])[CLOCK_COLUMNS].reset_index(drop=True)


def _notes(table: pd.DataFrame, day: pd.Timestamp, holidays) -> pd.Series:
    """What each row means in words, e.g. “应于2026年8月4日前提交,2026年8月6日提交,逾期2个工作日”."""
    due = "应于" + chinese_dates(table["due"]) + "前提交,"
    late = table["working_days_late"].astype("str")
    today = pd.Series(day, index=table.index)
    left = working_days_between(today - pd.Timedelta(days=1), table["due"], holidays).astype("str")
    words = {
        ON_TIME: due + chinese_dates(table["filed_at"]) + "提交",
        LATE: due + chinese_dates(table["filed_at"]) + "提交,逾期" + late + "个工作日",
        OVERDUE: due + "至" + chinese_dates(today) + "逾期" + late + "个工作日未提交",
        RUNNING: due + "含当日尚余" + left + "个工作日",
        NOT_STARTED: pd.Series("正式版尚未发布,整改时限未起算", index=table.index),
    }
    note = pd.Series("", index=table.index, dtype="str")
    for status, text in words.items():
        note = note.mask(table["status"].eq(status), text)
    return note


def overdue_plans(clock: pd.DataFrame) -> pd.DataFrame:
    """Plans past their deadline and not filed: the list the daily deployment gives the administrator."""
    return clock[clock["status"].eq(OVERDUE)].reset_index(drop=True)


def follow_up_clock(follow_up: pd.DataFrame, plans: pd.DataFrame, period: str, published, as_of,
                    policy: Publicity) -> pd.DataFrame:
    """The next half-year's follow-up (tasks.rules.rectification) with each 重点管理单位's plan read against its
    deadline on day `as_of`: `plan_status` (按时提交, 逾期提交, 逾期未提交, 未到期, 未起算 while `period` has no
    final version, i.e. `published` is None), `plan_late` (working days late) and `plan_note` in words; empty for
    the 重点督查单位, whose plans run on no clock."""
    managed = follow_up[follow_up["previous_designation"].astype("str").eq(KEY_MANAGEMENT)]
    designated = pd.DataFrame({"unit_id": managed["unit_id"].astype("str"), "unit_name": managed["unit_name"],
                               "period": period, "published": pd.Timestamp(published) if published else pd.NaT})
    clock = rectification_clock(designated, plans, as_of, policy)[["unit_id", "status", "working_days_late", "note"]]
    table = follow_up.merge(clock.rename(columns={"status": "plan_status", "working_days_late": "plan_late",
                                                  "note": "plan_note"}), on="unit_id", how="left")
    return table.assign(plan_status=table["plan_status"].fillna(""), plan_note=table["plan_note"].fillna(""))
