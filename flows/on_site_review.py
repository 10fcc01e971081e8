"""现场点评: one on-site review, from the inbox to its report; run on demand, for the review it names."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.cycle import run_cycle
from flows.parameters import Inbox, Out, PolicyName, Reason, ReviewId, SampleSeed
from schemas.policy import DEFAULT_POLICY
from tasks.cycles.common import run_namer
from tasks.cycles.on_site.steps import ON_SITE
from tasks.dossiers.dispatch import cycle_task_runner
from tasks.outputs.failures import report_failure

SPEC = ON_SITE


@flow(name="on-site-review", flow_run_name=run_namer(SPEC.code), log_prints=True, on_failure=[report_failure],
      task_runner=cycle_task_runner())
def on_site_review(period: ReviewId, *, reason: Reason, policy: PolicyName = DEFAULT_POLICY,
                   inbox: Inbox = "data/inbox", out: Out = "data/out", seed: SampleSeed = "") -> Path:
    """Draw the units to visit, count the questionnaires and write the report of a review (`2026-R13`).

    Args:
        period: The review id, e.g. 2026-R13.
        reason: Why the run is made, recorded in the manifest.
        policy: The policy's name in the deployment's policy folder (ASSESS_POLICY_DIR).
        inbox: The folder providers deliver files into.
        out: The folder the versions are written under.
        seed: The seed of the sample draw, digits; empty for the review's own (the same on every run).
    """
    return run_cycle(SPEC, period, reason, policy, inbox, out, seed=int(seed) if seed.strip() else None)
