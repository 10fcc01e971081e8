"""年度考核: the annual assessment of window units, from the inbox to the published dossiers."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.cycle import run_cycle
from flows.parameters import AllUnits, Inbox, Out, PolicyName, Reason, YearPeriod
from schemas.policy import DEFAULT_POLICY
from tasks.cycles.annual.steps import ANNUAL
from tasks.cycles.common import run_namer
from tasks.dossiers.dispatch import cycle_task_runner
from tasks.outputs.failures import report_failure

SPEC = ANNUAL


@flow(name="annual-assessment", flow_run_name=run_namer(SPEC.code), log_prints=True, on_failure=[report_failure],
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
    return run_cycle(SPEC, period, reason, policy, inbox, out, all_units=all_units)
