"""半年点评写实: the half-year comment on window units, from the inbox to the published dossiers."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.cycle import run_cycle
from flows.parameters import HalfYearPeriod, Inbox, Out, PolicyName, Reason
from schemas.policy import DEFAULT_POLICY
from tasks.cycles.common import run_namer
from tasks.cycles.half_year.steps import HALF_YEAR
from tasks.dossiers.dispatch import cycle_task_runner
from tasks.outputs.failures import report_failure

SPEC = HALF_YEAR


@flow(name="half-year-comment", flow_run_name=run_namer(SPEC.code), log_prints=True, on_failure=[report_failure],
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
    return run_cycle(SPEC, period, reason, policy, inbox, out)
