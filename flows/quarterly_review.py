"""季度评议写实: the quarterly review of public commitments and platform cases, from the inbox to the dossiers."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.cycle import run_cycle
from flows.parameters import Inbox, Out, PolicyName, QuarterPeriod, Reason
from schemas.policy import DEFAULT_POLICY
from tasks.cycles.common import run_namer
from tasks.cycles.quarterly.steps import QUARTERLY
from tasks.dossiers.dispatch import cycle_task_runner
from tasks.outputs.failures import report_failure

SPEC = QUARTERLY


@flow(name="quarterly-review", flow_run_name=run_namer(SPEC.code), log_prints=True, on_failure=[report_failure],
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
    return run_cycle(SPEC, period, reason, policy, inbox, out)
