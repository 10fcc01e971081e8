"""A cycle as a spec: what differs between the cycles, for flows/cycle.py to run in its one order of steps.

A spec's steps are plain functions, so a benchmark or a test calls them as they are; flows/cycle.py runs each
through the one task of its step below, named after the cycle (`half-year-compute`). The steps take whole
tables; hashing them for a cache key would cost more than the work, so no step is cached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from schemas.datasets import CYCLE_DATASETS
from tasks.cycles.common import Run
from tasks.dossiers.render import PdfJob
from tasks.outputs.changes import FileEvents, VersionChanges, compare_versions
from tasks.store.audit import file_events, file_units
from tasks.store.state import state_at
from tasks.store.window import window_conditions, window_files
from tasks.rules.changes import Compared
from tasks.store.engine import get_engine
from tasks.store.runs import input_files


@dataclass
class CycleRun:
    """What a cycle's steps are handed: the database, the cycle's data, the run, and the flow's extra options."""

    db_url: str
    data: dict[str, pd.DataFrame]
    run: Run
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def published_before(self) -> datetime | None:
        """Results of other runs count when published before this moment: None (all) but in a reproduction."""
        return None if self.run.state is None else self.run.state.published_before


@dataclass(frozen=True)
class CycleSpec:
    """One cycle: its code (`quarterly`, `half-year`, …) and the steps that differ; the order of steps is shared."""

    code: str
    compute: Callable[[CycleRun], Any]  # the cycle's outcome: results, designations, what the dossiers show
    write_files: Callable[[CycleRun, Any], list[Path]]  # the CSV files of the version
    dossiers: Callable[[CycleRun, Any, dict], list[PdfJob]]  # the PDF jobs, given the data-quality context
    results: Callable[[Any], dict[str, pd.DataFrame]]  # result tables stored with the run
    artifacts: Callable[[CycleRun, Any, Path], None]  # Prefect artifacts, once the version is published
    manifest: Callable[[CycleRun, Any], dict] = lambda cycle, outcome: {}  # extra fields of manifest.json
    compared: tuple[Compared, ...] = ()  # result files whose fields changes.csv compares with the version before


@task(name="compute", task_run_name="{spec.code}-compute", cache_policy=NO_CACHE)
def compute_step(spec: CycleSpec, cycle: CycleRun) -> Any:
    """The cycle's outcome: results computed and units designated by its rules."""
    return spec.compute(cycle)


@task(name="write-files", task_run_name="{spec.code}-write-files", cache_policy=NO_CACHE)
def write_files_step(spec: CycleSpec, cycle: CycleRun, outcome: Any) -> list[Path]:
    """The cycle's CSV files, written into the version being made."""
    return spec.write_files(cycle, outcome)


@task(name="dossier-jobs", task_run_name="{spec.code}-dossier-jobs", cache_policy=NO_CACHE)
def dossiers_step(spec: CycleSpec, cycle: CycleRun, outcome: Any, quality: dict) -> list[PdfJob]:
    """The cycle's PDF jobs: template, context and path of every dossier."""
    return spec.dossiers(cycle, outcome, quality)


def version_changes(spec: CycleSpec, cycle: CycleRun, published: Path | None = None) -> VersionChanges | None:
    """changes.csv against the version this one replaces (in the folder `published`, else the version's own): the
    compared fields, unit by unit, and why."""
    names = CYCLE_DATASETS[spec.code]["required"] + CYCLE_DATASETS[spec.code]["optional"]
    engine, run = get_engine(cycle.db_url), cycle.run
    with engine.connect() as conn:
        inputs = input_files(conn, names, run.state)
        files = None
        if run.replaces is not None and run.previous_state is not None and run.state is not None:
            files = _file_events(conn, run, names)
    return compare_versions(run.version, run.replaces, spec.compared, inputs, run.policy.digest(), published, files)


def _file_events(conn, run: Run, names: tuple[str, ...]) -> FileEvents:
    """The file events between the replaced version's data state and this run's, of files in the period window
    then or now (a file of another period changes nothing here)."""
    events = file_events(conn, run.previous_state, run.state.position, names)
    changed = [int(f) for f in events["file_id"].unique()]
    if changed:  # of these files alone: the window's every file would cost a read of the period's rows in each state
        before = state_at(conn, run.previous_state, None)
        now = run.window if run.window is not None else \
            window_files(conn, run.cycle, run.period, run.state, among=changed)
        window = set(now) | set(window_files(conn, run.cycle, run.period, before, among=changed))
        events = events[events["file_id"].isin(window)].reset_index(drop=True)
    return FileEvents(events, file_units(conn, events["file_id"].unique().tolist(),
                                         window_conditions(run.cycle, run.period)))


@task(name="changes", task_run_name="{spec.code}-changes", cache_policy=NO_CACHE)
def changes_step(spec: CycleSpec, cycle: CycleRun) -> VersionChanges | None:
    """changes.csv against the version this one replaces: the compared fields, unit by unit, and why."""
    return version_changes(spec, cycle)


@task(name="artifacts", task_run_name="{spec.code}-artifacts", cache_policy=NO_CACHE)
def artifacts_step(spec: CycleSpec, cycle: CycleRun, outcome: Any, folder: Path) -> None:
    """The cycle's Prefect artifacts, pointing at the published version."""
    spec.artifacts(cycle, outcome, folder)
