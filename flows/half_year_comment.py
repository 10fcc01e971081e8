"""半年点评写实: the half-year comment on window units, from the inbox to the published dossiers."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.parameters import HalfYearPeriod, Inbox, Out, PolicyName, Reason
from schemas.policy import DEFAULT_POLICY
from tasks.cycles.half_year.steps import (
    earlier_rankings, half_year_dossiers, publish_artifacts, rank_half_year, write_half_year_csv,
)
from tasks.dossiers.dispatch import cycle_task_runner, render_documents
from tasks.cycles.common import (
    database_url, deliver_task, finish_run, ingest_task, load_cycle_data, load_policy_task, open_run, quality_context, resolve_period, run_guard, run_namer, write_rejected,
)
from tasks.outputs.failures import report_failure
from tasks.settings import policy_file

CYCLE = "half-year"


@flow(name="half-year-comment", flow_run_name=run_namer("half-year"), log_prints=True, on_failure=[report_failure],
      task_runner=cycle_task_runner())
def half_year_comment(period: HalfYearPeriod = "", *, reason: Reason, policy: PolicyName = DEFAULT_POLICY,
                     inbox: Inbox = "data/inbox", out: Out = "data/out") -> Path:
    """Rank the window units of a half-year (`2026H1`) and designate the lowest; returns the published version folder.

    Args:
        period: The period, e.g. 2026H1; empty for the period that ended last before the scheduled time.
        reason: Why the run is made, recorded in the manifest; scheduled runs carry 定期运行.
        policy: The policy's name in the deployment's policy folder (ASSESS_POLICY_DIR).
        inbox: The folder providers deliver files into.
        out: The folder the versions are written under.
    """
    rules = load_policy_task(policy)
    half_year = resolve_period(CYCLE, period, rules.timezone)
    db_url = database_url()
    intake = ingest_task(inbox, db_url, rules)
    data = load_cycle_data(db_url, CYCLE)
    run = open_run(db_url, out, CYCLE, half_year, rules, reason, policy_file(policy))
    with run_guard(db_url, run):
        history = earlier_rankings(db_url, half_year)
        outcome = rank_half_year(data, half_year, rules, history)
        write_rejected(db_url, run, CYCLE)
        write_half_year_csv(run, outcome)
        quality = quality_context(db_url, run)
        render_documents(half_year_dossiers(run, outcome, quality))
        folder = finish_run(db_url, run, {"ranking": outcome.results()}, intake, extra=outcome.manifest())
        publish_artifacts(outcome, folder)
    deliver_task(run, folder, data["units"])
    return folder
