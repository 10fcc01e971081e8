"""半年点评写实: the half-year comment on window units, from the inbox to the published dossiers."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from tasks.half_year_steps import (
    earlier_rankings, half_year_dossiers, publish_artifacts, rank_half_year, write_half_year_csv,
)
from tasks.pipeline import (
    cycle_task_runner, database_url, deliver_task, finish_run, ingest_task, load_cycle_data, load_policy_task,
    open_run, quality_context, render_documents, report_failure, resolve_period, run_guard, run_namer, write_rejected,
)

CYCLE = "half-year"


@flow(name="half-year-comment", flow_run_name=run_namer("half-year"), log_prints=True, on_failure=[report_failure],
      task_runner=cycle_task_runner())
def half_year_comment(period: str | None = None, inbox: str = "data/inbox", out: str = "data/out",
                      db: str | None = None, policy: str | None = None, reason: str = "定期运行") -> Path:
    """Rank the window units of a half-year (`2026H1`) and designate the lowest; returns the published version folder."""
    rules = load_policy_task(policy)
    half_year = resolve_period(CYCLE, period, rules.timezone)
    db_url = database_url(db)
    intake = ingest_task(inbox, db_url)
    data = load_cycle_data(db_url, CYCLE)
    run = open_run(db_url, out, CYCLE, half_year, rules, reason, policy)
    with run_guard(db_url, run):
        history = earlier_rankings(db_url, half_year)
        outcome = rank_half_year(data, half_year, rules, history)
        write_rejected(db_url, run, CYCLE)
        write_half_year_csv(run, outcome)
        quality = quality_context(db_url, CYCLE)
        render_documents(half_year_dossiers(run, outcome, quality))
        folder = finish_run(db_url, run, {"ranking": outcome.results()}, intake, extra={"notes": outcome.notes})
        publish_artifacts(outcome, folder)
    deliver_task(run, folder, data["units"])
    return folder
