"""公示期满发布正式版: which 公示稿 become final on a day, what holds the others back, which plans are overdue.

The rules are tasks/rules/appeals.py and tasks/rules/rectification_clock.py; this module reads what they need
(the runs, appeals, decisions, results and plans stored) and tells the administrator, in the log and in Prefect
artifacts, what the daily finalising flow did not publish and why.
"""

from __future__ import annotations

import json
from functools import reduce
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine

from schemas.outputs import CYCLE_LABELS
from schemas.policy import DEFAULT_POLICY, Policy
from tasks.cycles.common import run_logger
from tasks.errors import AssessError
from tasks.periods import issue_date
from tasks.outputs.publication import DRAFT, Publication, final_publication
from tasks.rules.appeals import appeal_status, draft_readiness, undecided_appeals
from tasks.rules.rectification_clock import CLOCK_COLUMNS, key_management_units, overdue_plans, rectification_clock
from tasks.rules.working_days import chinese_dates
from tasks.store.datasets import load_dataset
from tasks.store.engine import get_engine
from tasks.store.runs import final_versions, load_results, publications

FINAL_REASON = "公示期满,复核申请均已决定,发布正式版"
PUBLISHED_UNITS = {"half-year": "ranking", "annual": "assessment"}  # the result table naming a draft's units
CLOCK_REACH = timedelta(days=366)  # final half-years whose plans the daily run still watches


def as_of(on: str, tz: str) -> date:
    """The day the flow reads: `on` (2027-02-01), or today in the city's time zone when empty."""
    if not on.strip():
        return issue_date(tz)
    try:
        return date.fromisoformat(on.strip())
    except ValueError as exc:
        raise AssessError(f"核定日期“{on}”不是有效日期,应为 2027-02-01 形式") from exc


@dataclass
class Review:
    """The reading of one day: every appeal against a draft still pending, and each such draft's readiness."""

    on: date
    status: pd.DataFrame  # tasks.rules.appeals.appeal_status, with unit_name
    readiness: pd.DataFrame  # tasks.rules.appeals.draft_readiness of the pending drafts, with out_dir

    @property
    def ready(self) -> pd.DataFrame:
        """The drafts to publish as 正式."""
        return self.readiness[self.readiness["can_finalise"]].reset_index(drop=True)

    @property
    def held(self) -> pd.DataFrame:
        """The drafts held back, with why."""
        return self.readiness[~self.readiness["can_finalise"]].reset_index(drop=True)

    def appeals_of(self, cycle: str, period: str) -> pd.DataFrame:
        """Every appeal against the drafts of `cycle` and `period`, heard or not."""
        return self.status[self.status["cycle"].eq(cycle) & self.status["period"].eq(period)].reset_index(drop=True)

    def final(self, draft: dict, published_on: date) -> Publication:
        """The 正式 publication of `draft` (a row of `ready`), published on `published_on`."""
        return final_publication(draft, published_on, self.appeals_of(draft["cycle"], draft["period"]))


def _pending(runs: pd.DataFrame) -> pd.DataFrame:
    """The drafts that are still the newest version of their cycle and period."""
    latest = runs.sort_values("version").drop_duplicates(["cycle", "period"], keep="last")
    return latest[latest["publication"].eq(DRAFT)]


def _of_periods(frame: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    keys = frame[["cycle", "period"]].astype("str")
    inside = keys.merge(periods[["cycle", "period"]].drop_duplicates(), how="left", indicator=True)["_merge"]
    return frame[inside.eq("both").to_numpy()]


def _listed_units(engine: Engine, pending: pd.DataFrame) -> pd.DataFrame:
    """cycle, period, unit_id of every unit each pending draft published."""
    frames = [results[["unit_id"]].assign(cycle=row.cycle, period=row.period)
              for row in pending.itertuples() if row.cycle in PUBLISHED_UNITS
              and (results := load_results(engine, PUBLISHED_UNITS[row.cycle], row.period)) is not None]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["cycle", "period", "unit_id"])


def review_drafts(db_url: str, policy: Policy, on: date) -> Review:
    """Every 公示稿 still pending, read on day `on`: its appeals and whether it may be published as 正式."""
    engine = get_engine(db_url)
    runs = publications(engine)
    pending = _pending(runs)
    windows = runs[runs["publication"].eq(DRAFT)]
    appeals = _of_periods(load_dataset(engine, "appeals"), pending)
    status = appeal_status(appeals, load_dataset(engine, "appeal_decisions"), windows, policy.publicity,
                           _listed_units(engine, pending)) if len(pending) else _empty_status()
    units = load_dataset(engine, "units")
    names = pd.Series(units["unit_name"].astype("str").to_numpy(), index=units["unit_id"].astype("str"))
    status = status.assign(unit_name=status["unit_id"].map(names).fillna(status["unit_id"]))
    readiness = draft_readiness(windows, status, on).merge(
        pending[["cycle", "period", "version", "out_dir"]], on=["cycle", "period", "version"])
    return Review(on, status, readiness)


def _empty_status() -> pd.DataFrame:
    from tasks.rules.appeals import STATUS_COLUMNS

    return pd.DataFrame({c: pd.Series(dtype="object") for c in STATUS_COLUMNS})


@task(name="review-drafts", cache_policy=NO_CACHE)
def review_task(db_url: str, policy: Policy, on: date) -> Review:
    """Every 公示稿 still pending, read on day `on`, its appeals, and whether it may be published as 正式."""
    return review_drafts(db_url, policy, on)


def draft_policy(draft: dict) -> str:
    """The name of the policy the draft was made with: the final is made with the same one."""
    manifest = json.loads((Path(draft["out_dir"]) / "manifest.json").read_text(encoding="utf-8"))
    return Path(manifest["policy_file"]).stem if manifest.get("policy_file") else DEFAULT_POLICY


def draft_options(draft: dict) -> dict:
    """The cycle's own options the draft was made with (the annual `all_units`)."""
    manifest = json.loads((Path(draft["out_dir"]) / "manifest.json").read_text(encoding="utf-8"))
    return {name: manifest[name] for name in ("all_units",) if name in manifest}


def _label(frame: pd.DataFrame) -> pd.Series:
    return frame["cycle"].map(CYCLE_LABELS) + " " + frame["period"] + " v" + frame["version"].astype("str")


def held_text(review: Review) -> str:
    """Markdown for the administrator: each draft held back and why, and the appeals still to be decided."""
    held = review.held
    lines = [f"# 暂缓发布正式版({review.on:%Y-%m-%d})\n"]
    lines += ("- " + _label(held) + "(公示期" + chinese_dates(held["window_start"]) + "至"
              + chinese_dates(held["window_end"]) + "):" + held["held_because"]).tolist()
    waiting = _of_periods(undecided_appeals(review.status), held)
    if len(waiting):
        table = pd.DataFrame({"申请编号": waiting["appeal_id"], "周期": waiting["cycle"].map(CYCLE_LABELS),
                              "期次": waiting["period"], "单位": waiting["unit_name"],
                              "提交日期": chinese_dates(waiting["filed_at"]), "事项": waiting["item"],
                              "联系人": waiting["contact"]})
        lines += ["", "## 待作出决定的复核申请", "", "请报送复核决定(appeal_decisions)后,次日自动发布正式版。", "",
                  markdown_table(table)]
    return "\n".join(lines) + "\n"


@task(name="report-held", cache_policy=NO_CACHE)
def report_held(review: Review) -> None:
    """Say in the log, and in an artifact for the administrator, which drafts are held back and why."""
    logger = run_logger()
    if review.readiness.empty:
        logger.info("没有待发布正式版的公示稿")
        return
    held = review.held
    for line in (_label(held) + ":暂缓发布正式版," + held["held_because"]).tolist():
        logger.warning("%s", line)
    if len(held):
        create_markdown_artifact(key="publicity-held", description="暂缓发布正式版", markdown=held_text(review))


def overdue_rectification(db_url: str, policy: Policy, on: date) -> pd.DataFrame:
    """Plans of 重点管理单位 now overdue (逾期未提交), of the half-years made final within a year before `on`."""
    engine = get_engine(db_url)
    finals = final_versions(engine, "half-year")
    finals = finals[finals["published_on"].between(pd.Timestamp(on - CLOCK_REACH), pd.Timestamp(on))]
    designated = [key_management_units(ranking, row.period, row.published_on) for row in finals.itertuples()
                  if (ranking := load_results(engine, "ranking", row.period)) is not None]
    if not designated:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in CLOCK_COLUMNS})
    clock = rectification_clock(pd.concat(designated, ignore_index=True), load_dataset(engine, "rectification_plans"),
                                on, policy.publicity)
    return overdue_plans(clock)


def markdown_table(table: pd.DataFrame) -> str:
    """`table` as a Markdown table, its headers as they are."""
    cells = table.astype("str").apply(lambda column: column.str.replace("|", "\\|", regex=False))
    rows = reduce(lambda line, name: line + " | " + cells[name], cells.columns[1:], "| " + cells[cells.columns[0]])
    head = "| " + " | ".join(table.columns) + " |\n|" + "---|" * len(table.columns)
    return "\n".join([head, *(rows + " |")])


@task(name="report-overdue-plans", cache_policy=NO_CACHE)
def report_overdue(db_url: str, policy: Policy, on: date) -> pd.DataFrame:
    """List the rectification plans now overdue, in the log and in an artifact for the administrator."""
    overdue = overdue_rectification(db_url, policy, on)
    logger = run_logger()
    if overdue.empty:
        logger.info("没有逾期未提交的整改方案")
        return overdue
    table = pd.DataFrame({"单位编码": overdue["unit_id"], "单位名称": overdue["unit_name"],
                          "期次": overdue["period"], "情况": overdue["note"]})
    logger.warning("逾期未提交整改方案的重点管理单位 %d 个", len(overdue))
    create_markdown_artifact(key="rectification-overdue", description="整改方案逾期未提交", markdown=(
        f"# 整改方案逾期未提交({on:%Y-%m-%d})\n\n{markdown_table(table)}\n"))
    return overdue
