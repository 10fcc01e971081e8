"""季度评议写实: the quarterly review of public commitments and platform cases, from the inbox to the dossiers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.parameters import Inbox, Out, PolicyName, QuarterPeriod, Reason
from schemas.outputs import FULFILMENT_COLUMNS
from schemas.policy import DEFAULT_POLICY, Policy
from tasks import quarterly_report as report
from tasks.pipeline import (
    Run, cycle_task_runner, database_url, deliver_task, finish_run, ingest_task, load_cycle_data, load_policy_task,
    open_run, policy_file, quality_context, render_documents, report_failure, resolve_period, run_guard, run_namer,
    write_rejected,
)
from tasks.render import PdfJob
from tasks.rules import commitments

CYCLE = "quarterly"


@task(name="review-quarter", cache_policy=NO_CACHE)
def review_quarter(data: dict[str, pd.DataFrame], period: str, policy: Policy) -> pd.DataFrame:
    """Every unit's commitment fulfilment, platform figures and warning reasons for the quarter."""
    return commitments.quarterly_review(data["units"], data["commitments"], data["commitment_status"],
                                        data["platform_cases"], period, policy.quarterly)


@task(name="write-quarterly-csv", cache_policy=NO_CACHE)
def write_quarterly_csv(run: Run, review: pd.DataFrame, units: pd.DataFrame) -> list[Path]:
    """fulfilment.csv and publicity.csv in the version."""
    publicity = report.publicity(review, units)
    return [run.version.write_csv("fulfilment.csv", review, FULFILMENT_COLUMNS),
            run.version.write_csv("publicity.csv", publicity, list(publicity.columns))]


@task(name="quarterly-dossiers", cache_policy=NO_CACHE)
def quarterly_dossiers(run: Run, data: dict[str, pd.DataFrame], review: pd.DataFrame, quality: dict) -> list[PdfJob]:
    """The PDF jobs of the quarter: summary, publicity list, and one dossier per warned unit."""
    period, policy, path_for = run.period, run.policy, run.version.path_for
    label = report.period_label(period)
    cover = report.cover(policy, period, run.version.number, f"关于{label}公开承诺评议写实情况的通报")
    summary = report.summary_context(cover, data, review, period, policy, quality)
    units = report.unit_jobs(cover, data, review, period, policy, path_for)
    publicity = report.publicity_context(cover, review, data["units"], period)
    return report.dossier_jobs(path_for, summary, publicity, units)


@task(name="quarterly-artifacts", cache_policy=NO_CACHE)
def publish_artifacts(run: Run, review: pd.DataFrame, units: pd.DataFrame) -> None:
    """Prefect artifacts: the warning list with reasons, and where the summary will be."""
    warned = report.warned_units(review, units)
    columns = {"unit_id": "单位编码", "unit_name": "单位名称", "region": "所属地区", "overdue": "逾期未兑现",
               "fulfilment_rate": "承诺兑现率", "platform_satisfaction_rate": "平台满意度", "warning_reasons": "预警原因"}
    table = warned[list(columns)].rename(columns=columns).round({"承诺兑现率": 4, "平台满意度": 4})
    key = f"quarterly-{run.period.lower()}"
    create_table_artifact(key=f"{key}-warnings", table=report.records(table),
                          description=f"{report.period_label(run.period)}季度评议写实预警单位")
    create_markdown_artifact(key=f"{key}-summary", description=f"{report.period_label(run.period)}季度评议写实结果",
                             markdown=report.artifact_markdown(review, run.period, run.version.final_path))


@flow(name="quarterly-review", flow_run_name=run_namer("quarterly"), log_prints=True, on_failure=[report_failure],
      task_runner=cycle_task_runner())
def quarterly_review(period: QuarterPeriod = "", *, reason: Reason, policy: PolicyName = DEFAULT_POLICY,
                    inbox: Inbox = "data/inbox", out: Out = "data/out") -> Path:
    """Review the commitments and platform cases of a quarter (`2026Q2`); returns the published version folder.

    Args:
        period: The period, e.g. 2026Q3; empty for the period that ended last before the scheduled time.
        reason: Why the run is made, recorded in the manifest; scheduled runs carry 定期运行.
        policy: The policy's name in the deployment's policy folder (ASSESS_POLICY_DIR).
        inbox: The folder providers deliver files into.
        out: The folder the versions are written under.
    """
    rules = load_policy_task(policy)
    quarter = resolve_period(CYCLE, period, rules.timezone)
    db_url = database_url()
    intake = ingest_task(inbox, db_url, rules)
    data = load_cycle_data(db_url, CYCLE)
    run = open_run(db_url, out, CYCLE, quarter, rules, reason, policy_file(policy))
    with run_guard(db_url, run):
        review = review_quarter(data, quarter, rules)
        write_rejected(db_url, run, CYCLE)
        write_quarterly_csv(run, review, data["units"])
        quality = quality_context(db_url, run)
        render_documents(quarterly_dossiers(run, data, review, quality))
        publish_artifacts(run, review, data["units"])
        folder = finish_run(db_url, run, {"fulfilment": review}, intake)
    deliver_task(run, folder, data["units"])
    return folder
