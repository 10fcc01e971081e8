"""The 季度评议写实 cycle as a spec: the quarter's review, its files, dossiers and artifacts (plain functions)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from schemas.outputs import FULFILMENT_COLUMNS
from tasks.cycles.artifacts import publish
from tasks.cycles.common import Run
from tasks.cycles.spec import CycleRun, CycleSpec
from tasks.rules.changes import Compared
from tasks.cycles.quarterly import report
from tasks.dossiers.render import PdfJob
from tasks.rules import commitments


def review_quarter(cycle: CycleRun) -> pd.DataFrame:
    """Every unit's commitment fulfilment, platform figures and warning reasons for the quarter."""
    data, policy = cycle.data, cycle.run.policy
    return commitments.quarterly_review(data["units"], data["commitments"], data["commitment_status"],
                                        data["platform_cases"], cycle.run.period, policy.quarterly)


def write_quarterly_csv(run: Run, review: pd.DataFrame, units: pd.DataFrame) -> list[Path]:
    """fulfilment.csv and publicity.csv in the version."""
    publicity = report.publicity(review, units)
    return [run.version.write_csv("fulfilment.csv", review, FULFILMENT_COLUMNS),
            run.version.write_xlsx("fulfilment.xlsx", review, FULFILMENT_COLUMNS, "承诺兑现情况"),
            run.version.write_csv("publicity.csv", publicity, list(publicity.columns))]


def quarterly_jobs(run: Run, data: dict[str, pd.DataFrame], review: pd.DataFrame, quality: dict) -> list[PdfJob]:
    """The PDF jobs of the quarter: summary, publicity list, and one dossier per warned unit."""
    period, policy, path_for = run.period, run.policy, run.version.path_for
    label = report.period_label(period)
    cover = report.cover(policy, period, run.version.number, f"关于{label}公开承诺评议写实情况的通报")
    summary = report.summary_context(cover, data, review, period, policy, quality)
    units = report.unit_jobs(cover, data, review, period, policy, path_for)
    publicity = report.publicity_context(cover, review, data["units"], period)
    return report.dossier_jobs(path_for, summary, publicity, units)


def publish_artifacts(run: Run, review: pd.DataFrame, units: pd.DataFrame, folder: Path) -> None:
    """Prefect artifacts: the warning list with reasons, and where the summary will be."""
    warned = report.warned_units(review, units)
    columns = {"unit_id": "单位编码", "unit_name": "单位名称", "region": "所属地区", "overdue": "逾期未兑现",
               "fulfilment_rate": "承诺兑现率", "platform_satisfaction_rate": "平台满意度", "warning_reasons": "预警原因"}
    table = warned[list(columns)].rename(columns=columns).round({"承诺兑现率": 4, "平台满意度": 4})
    label = f"{report.period_label(run.period)}季度评议写实"
    publish(f"quarterly-{run.period.lower()}", "warnings", table, f"{label}预警单位", label,
            report.artifact_body(review), [], folder, "fulfilment.csv")


QUARTERLY = CycleSpec(
    code="quarterly",
    compute=review_quarter,
    write_files=lambda cycle, review: write_quarterly_csv(cycle.run, review, cycle.data["units"]),
    dossiers=lambda cycle, review, quality: quarterly_jobs(cycle.run, cycle.data, review, quality),
    results=lambda review: {"fulfilment": review},
    artifacts=lambda cycle, review, folder: publish_artifacts(cycle.run, review, cycle.data["units"], folder),
    compared=(Compared("fulfilment.csv", ("warning",)),),
)
