"""季度评议写实: the quarterly review of public commitments and platform cases, from the inbox to the dossiers."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.parameters import Inbox, Out, PolicyName, QuarterPeriod, Reason
from schemas.policy import DEFAULT_POLICY
from tasks.cycles.quarterly.steps import publish_artifacts, quarterly_dossiers, review_quarter, write_quarterly_csv
from tasks.cycles.common import (
    database_url, deliver_task, finish_run, ingest_task, load_cycle_data, load_policy_task, open_run, quality_context, resolve_period, run_guard, run_namer, write_rejected,
)
from tasks.dossiers.dispatch import cycle_task_runner, render_documents
from tasks.outputs.failures import report_failure
from tasks.settings import policy_file

CYCLE = "quarterly"


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
        folder = finish_run(db_url, run, {"fulfilment": review}, intake)
        publish_artifacts(run, review, data["units"])  # after the version is published, as it names its folder
    deliver_task(run, folder, data["units"])
    return folder
