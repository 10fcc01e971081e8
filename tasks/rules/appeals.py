"""复核申请: which appeals against a 公示稿 are heard, why the others are not, and which drafts may become final.

`windows` holds one row per published 公示稿: cycle, period, version, window_start and window_end
(`publicity_window`: the window opens on the first working day after the day of publication, so a draft
published in the evening, or on a weekend by a schedule, loses no day of it). An appeal answers the latest draft of its cycle and period
published on or before the day it was filed; one filed before any draft of its period answers the first. The
window includes both its first and its last day.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from schemas.datasets import CYCLE_PERIOD_PATTERNS
from schemas.outputs import CYCLE_LABELS
from schemas.policy import Publicity
from tasks.rules.working_days import add_working_days, chinese_dates, window_end

ACCEPTED = "受理"
LATE = "逾期不予受理"
REFUSED = "不予受理"
NO_DRAFT = "无对应公示"
UPHELD, CORRECTED = "维持", "更正"

STATUS_COLUMNS = [
    "appeal_id", "cycle", "period", "version", "unit_id", "filed_at", "item", "reason", "contact", "window_start",
    "window_end", "status", "refusal_reason", "decision", "decided_at", "decided_by", "note",
]
DRAFT_COLUMNS = [
    "cycle", "period", "version", "window_start", "window_end", "appeals", "accepted", "upheld", "corrected",
    "undecided", "window_closed", "can_finalise", "held_because",
]
_FORM_HINTS = {"quarterly": "2026Q1 至 2026Q4 形式", "half-year": "2026H1 或 2026H2 形式", "annual": "2026 形式的年份",
               "points": "2026 形式的年份", "on-site": "2026-R13 形式的点评编号"}
_DECISION_COLUMNS = ["decision", "decided_at", "decided_by", "note"]
_COUNTS = ["appeals", "accepted", "upheld", "corrected", "undecided"]


def publicity_window(published_on: date, policy: Publicity) -> tuple[date, date]:
    """公示期: the first and last day of the window of a 公示稿 published on `published_on`, `publicity_working_days`
    working days from the first working day after it (published Wednesday 20 January 2027: 21 to 27 January)."""
    first = add_working_days(published_on, 1, policy.extra_holidays)
    return first, window_end(first, policy.publicity_working_days, policy.extra_holidays)


def _text(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """`frame` with `columns` as plain text, so codes stored as categories join and compare as strings."""
    return frame.assign(**{c: frame[c].astype("str") for c in columns})


def _answered_drafts(appeals: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """Each appeal beside the draft it answers (the window columns empty when its period has none)."""
    drafts = _text(windows, "cycle", "period").assign(
        window_start=pd.to_datetime(windows["window_start"]).astype("datetime64[us]"),
        window_end=pd.to_datetime(windows["window_end"]).astype("datetime64[us]"),
    ).sort_values("window_start")
    filed = _text(appeals, "cycle", "period", "unit_id").assign(
        filed_at=pd.to_datetime(appeals["filed_at"]).astype("datetime64[us]"), _row=range(len(appeals)))
    latest = pd.merge_asof(filed.sort_values("filed_at"), drafts[["cycle", "period", "version", "window_start"]],
                           left_on="filed_at", right_on="window_start", by=["cycle", "period"])
    first = drafts.drop_duplicates(["cycle", "period"])[["cycle", "period", "version"]]
    early = filed[["cycle", "period", "_row"]].merge(first, on=["cycle", "period"]).set_index("_row")["version"]
    latest = latest.set_index("_row").sort_index()
    latest["version"] = latest["version"].fillna(early).astype("Int64")
    windows_of = drafts[["cycle", "period", "version", "window_start", "window_end"]].astype({"version": "Int64"})
    return latest.drop(columns="window_start").merge(windows_of, on=["cycle", "period", "version"], how="left")


def _no_draft_reasons(table: pd.DataFrame, policy: Publicity) -> pd.Series:
    """Why an appeal has no draft to answer: a cycle without publicity, a period of another form, or no draft yet."""
    label = table["cycle"].map(CYCLE_LABELS).fillna(table["cycle"])
    reason = "该期次(" + label + " " + table["period"] + ")无公示稿"
    for cycle, pattern in CYCLE_PERIOD_PATTERNS.items():
        wrong = table["cycle"].eq(cycle) & ~table["period"].str.fullmatch(pattern)
        reason = reason.mask(wrong, "期次“" + table["period"] + f"”不是{CYCLE_LABELS[cycle]}的期次(应为{_FORM_HINTS[cycle]})")
    without = ~table["cycle"].isin(policy.cycles_with_window)
    return reason.mask(without, label + "结果不设公示期,不受理复核申请")


def _window_text(table: pd.DataFrame) -> pd.Series:
    return "公示期(" + chinese_dates(table["window_start"]) + "至" + chinese_dates(table["window_end"]) + ")"


def appeal_status(appeals: pd.DataFrame, decisions: pd.DataFrame, windows: pd.DataFrame, policy: Publicity,
                  listed: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each appeal with the draft it answers, its status (受理/逾期不予受理/不予受理/无对应公示), the reasons it is
    not heard, and its decision if any; `listed` (cycle, period, unit_id), when given, names the units each
    draft published, and an appeal of any other unit is not heard."""
    table = _answered_drafts(appeals, windows)
    no_draft = table["version"].isna()
    late = ~no_draft & (table["filed_at"] > table["window_end"])
    early = ~no_draft & (table["filed_at"] < table["window_start"])
    outside = "提交日期" + chinese_dates(table["filed_at"]) + "不在" + _window_text(table) + "内"
    stranger = pd.Series(False, index=table.index)
    if listed is not None:
        known = _text(listed, "cycle", "period", "unit_id")[["cycle", "period", "unit_id"]].drop_duplicates()
        found = table[["cycle", "period", "unit_id"]].merge(known, how="left", indicator=True)["_merge"]
        stranger = ~no_draft & found.eq("left_only").to_numpy()
    reasons = (_no_draft_reasons(table, policy).where(no_draft, "") + ";"
               + ("单位编码“" + table["unit_id"] + "”不在该期次公示名单中").where(stranger, "") + ";"
               + outside.where(late | early, ""))
    table["refusal_reason"] = reasons.str.replace(";{2,}", ";", regex=True).str.strip(";").astype("str")
    status = pd.Series(ACCEPTED, index=table.index).mask(early, REFUSED).mask(late, LATE)
    table["status"] = status.mask(stranger, REFUSED).mask(no_draft, NO_DRAFT)
    decided = _text(decisions, "appeal_id", "decision")[["appeal_id", *_DECISION_COLUMNS]]
    table = table.merge(decided.assign(decided_at=pd.to_datetime(decided["decided_at"]).astype("datetime64[us]")),
                        on="appeal_id", how="left")
    order = table.sort_values(["cycle", "period", "filed_at", "appeal_id"]).index
    return table.loc[order, STATUS_COLUMNS].reset_index(drop=True)


def undecided_appeals(status: pd.DataFrame) -> pd.DataFrame:
    """Appeals heard (受理) but not yet decided: what holds a final version back, for the administrator."""
    return status[status["status"].eq(ACCEPTED) & status["decision"].isna()].reset_index(drop=True)


def draft_readiness(windows: pd.DataFrame, status: pd.DataFrame, on) -> pd.DataFrame:
    """Per cycle and period, its latest 公示稿 and the period's appeals received, heard and decided, and whether
    the draft may be published as final on day `on`: its window closed before `on` and every appeal heard, to
    this draft or an earlier one, has its decision."""
    drafts = _text(windows, "cycle", "period").astype({"version": "Int64"}).sort_values("version")
    latest = drafts.drop_duplicates(["cycle", "period"], keep="last")[
        ["cycle", "period", "version", "window_start", "window_end"]]
    heard = status["status"].eq(ACCEPTED)
    counts = status.assign(
        appeals=1, accepted=heard, upheld=heard & status["decision"].eq(UPHELD),
        corrected=heard & status["decision"].eq(CORRECTED), undecided=heard & status["decision"].isna(),
    ).groupby(["cycle", "period"])[_COUNTS].sum()
    table = latest.merge(counts.reset_index(), on=["cycle", "period"], how="left")
    table[_COUNTS] = table[_COUNTS].fillna(0).astype("int64")
    window_end = pd.to_datetime(table["window_end"])
    table["window_closed"] = window_end < pd.Timestamp(on)
    table["can_finalise"] = table["window_closed"] & table["undecided"].eq(0)
    still_open = ("公示期至" + chinese_dates(window_end) + "尚未届满").where(~table["window_closed"], "")
    waiting = ("尚有" + table["undecided"].astype("str") + "件复核申请未作决定").where(table["undecided"].gt(0), "")
    table["held_because"] = (still_open + ";" + waiting).str.strip(";")
    return table.sort_values(["cycle", "period"])[DRAFT_COLUMNS].reset_index(drop=True)
