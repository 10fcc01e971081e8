"""年度考核: the annual assessment of window units, from the inbox to the published dossiers."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.parameters import AllUnits, Inbox, Out, PolicyName, Reason, YearPeriod
from schemas.policy import DEFAULT_POLICY
from tasks.cycles.annual.steps import (
    annual_dossiers, assess_year, half_year_inputs, previous_year, publish_artifacts, write_annual_csv,
)
from tasks.dossiers.dispatch import cycle_task_runner, render_documents
from tasks.cycles.common import (
    database_url, deliver_task, finish_run, ingest_task, load_cycle_data, load_policy_task, open_run, quality_context, resolve_period, run_guard, run_namer, write_rejected,
)
from tasks.outputs.failures import report_failure
from tasks.settings import policy_file

CYCLE = "annual"


@flow(name="annual-assessment", flow_run_name=run_namer("annual"), log_prints=True, on_failure=[report_failure],
      task_runner=cycle_task_runner())
def annual_assessment(period: YearPeriod = "", *, reason: Reason, policy: PolicyName = DEFAULT_POLICY,
                     inbox: Inbox = "data/inbox", out: Out = "data/out", all_units: AllUnits = False) -> Path:
    """Assess the window units of a year (`2026`); returns the published version folder.

    Args:
        period: The period, e.g. 2026; empty for the period that ended last before the scheduled time.
        reason: Why the run is made, recorded in the manifest; scheduled runs carry 定期运行.
        policy: The policy's name in the deployment's policy folder (ASSESS_POLICY_DIR).
        inbox: The folder providers deliver files into.
        out: The folder the versions are written under.
        all_units: Render a dossier for every unit, not only those with a measure.
    """
    rules = load_policy_task(policy)
    year = resolve_period(CYCLE, period, rules.timezone)
    db_url = database_url()
    intake = ingest_task(inbox, db_url, rules)
    data = load_cycle_data(db_url, CYCLE)
    run = open_run(db_url, out, CYCLE, year, rules, reason, policy_file(policy))
    with run_guard(db_url, run):
        half_years = half_year_inputs(db_url, data, int(year), rules)
        previous = previous_year(db_url, data, int(year), rules)
        results = assess_year(data, half_years, previous, int(year), rules)
        write_rejected(db_url, run, CYCLE)
        write_annual_csv(run, results)
        quality = quality_context(db_url, run)
        render_documents(annual_dossiers(run, data, results, half_years, previous, quality, all_units))
        folder = finish_run(db_url, run, {"assessment": results.assessment, "individuals": results.individuals},
                            intake, extra={"all_units": all_units})
        publish_artifacts(results, folder, int(year))
    deliver_task(run, folder, data["units"])
    return folder
