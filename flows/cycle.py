"""The one order of steps every cycle runs: ingest → validate → store → compute → designate → render → deliver."""

from __future__ import annotations

from pathlib import Path

from tasks.cycles.common import (
    database_url, finish_run, ingest_task, load_cycle_data, load_policy_task, open_run, quality_context,
    resolve_period, run_guard, write_rejected,
)
from tasks.cycles.deliver import deliver_task
from tasks.cycles.spec import (
    CycleRun, CycleSpec, artifacts_step, changes_step, compute_step, dossiers_step, write_files_step,
)
from tasks.outputs.changes import with_changes
from tasks.outputs.publication import Publication, with_publication
from tasks.dossiers.dispatch import render_version
from tasks.settings import policy_file


def run_cycle(spec: CycleSpec, period: str, reason: str, policy: str, inbox: str, out: str,
              final: Publication | None = None, **options) -> Path:
    """Run one cycle for `period` inside a flow; returns the published version folder (a 公示稿 where the cycle has
    a publicity window, or `final`, the 正式 version the finalising flow publishes)."""
    rules = load_policy_task(policy)
    resolved = resolve_period(spec.code, period, rules.timezone)
    db_url = database_url()
    intake = ingest_task(inbox, db_url, rules)  # read, validate and store what providers delivered
    data = load_cycle_data(db_url, spec.code, resolved)
    run = open_run(db_url, out, spec.code, resolved, rules, reason, policy_file(policy), data.state, final,
                   data.window)
    cycle = CycleRun(db_url, data.frames, run, options)
    with run_guard(db_url, run):
        outcome = compute_step(spec, cycle)  # compute and designate
        write_rejected(db_url, run)
        write_files_step(spec, cycle, outcome)
        changes = changes_step(spec, cycle)  # against the version this one replaces
        quality = quality_context(db_url, run)
        jobs = with_changes(dossiers_step(spec, cycle, outcome, quality), changes)
        jobs = with_publication(jobs, run.publication, rules)  # the window, and a final's appeals
        data.keep_only("units")  # no later step reads the other inputs; the delivery reads the units' regions
        earlier = None if run.replaces is None else run.version.folder / f"v{run.replaces}"
        reuse = render_version(jobs, run.version.path, earlier)  # unchanged dossiers linked from `earlier`
        folder = finish_run(db_url, run, spec.results(outcome), intake,
                            extra={**spec.manifest(cycle, outcome), **reuse.manifest()})
        artifacts_step(spec, cycle, outcome, folder)
    deliver_task(run, folder, data.frames.get("units"))  # the units' regions, where the cycle reads the units
    return folder
