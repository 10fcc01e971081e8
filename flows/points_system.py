"""积分制管理: the points systems of a year (积分制 and 千分制), from the inbox to the published dossiers."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.cycle import run_cycle
from flows.parameters import Inbox, Out, PolicyName, Reason, YearPeriod
from schemas.policy import DEFAULT_POLICY
from tasks.cycles.common import run_namer
from tasks.cycles.points.steps import POINTS
from tasks.dossiers.dispatch import cycle_task_runner
from tasks.outputs.failures import report_failure

SPEC = POINTS


@flow(name="points-system", flow_run_name=run_namer(SPEC.code), log_prints=True, on_failure=[report_failure],
      task_runner=cycle_task_runner())
def points_system(period: YearPeriod = "", *, reason: Reason, policy: PolicyName = DEFAULT_POLICY,
                  inbox: Inbox = "data/inbox", out: Out = "data/out") -> Path:
    """Count the points and grade the scorecards of a year (`2026`); returns the published version folder.

    Args:
        period: The period, e.g. 2026; empty for the year that ended last before the scheduled time.
        reason: Why the run is made, recorded in the manifest; scheduled runs carry 定期运行.
        policy: The policy's name in the deployment's policy folder (ASSESS_POLICY_DIR).
        inbox: The folder providers deliver files into.
        out: The folder the versions are written under.
    """
    return run_cycle(SPEC, period, reason, policy, inbox, out)
