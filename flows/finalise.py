"""公示期满发布正式版: each day, every 公示稿 whose window has closed and whose appeals are all decided becomes 正式."""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run as current_run

from flows.cycle import run_cycle
from flows.parameters import AsOf, Inbox, Out, PolicyName
from schemas.policy import DEFAULT_POLICY
from tasks.cycles.common import database_url, ingest_task, load_policy_task
from tasks.cycles.finalise import (
    FINAL_REASON, as_of, draft_options, draft_policy, report_held, report_overdue, review_task,
)
from tasks.cycles.registry import SPECS
from tasks.dossiers.common import records
from tasks.dossiers.dispatch import cycle_task_runner
from tasks.outputs.failures import report_failure
from tasks.periods import issue_date


def _run_name() -> str:
    return f"publicity-finalise-{current_run.parameters.get('on') or 'today'}"


@flow(name="publicity-finalise", flow_run_name=_run_name, log_prints=True, on_failure=[report_failure],
      task_runner=cycle_task_runner())
def finalise_publications(on: AsOf = "", policy: PolicyName = DEFAULT_POLICY, inbox: Inbox = "data/inbox",
                          out: Out = "data/out") -> list[Path]:
    """Publish as 正式 every 公示稿 whose window closed before `on` and whose appeals are all decided; say why the
    others wait, and list the rectification plans overdue on `on`. Returns the final version folders.

    Args:
        on: The day read, e.g. 2027-02-01; empty for today in the policy's time zone.
        policy: The policy's name in the deployment's policy folder: its time zone and publicity settings.
        inbox: The folder providers deliver files into (decisions and correction files come in here).
        out: The folder the versions are written under.
    """
    rules = load_policy_task(policy)
    day = as_of(on, rules.timezone)
    db_url = database_url()
    ingest_task(inbox, db_url, rules)  # decisions and correction files delivered since the draft
    review = review_task(db_url, rules, day)
    report_held(review)  # windows still open, appeals still undecided: nothing published for them
    published = [run_cycle(SPECS[draft["cycle"]], draft["period"], FINAL_REASON, draft_policy(draft), inbox, out,
                           final=review.final(draft, issue_date(rules.timezone)), **draft_options(draft))
                 for draft in records(review.ready)]
    report_overdue(db_url, rules, day)
    return published
