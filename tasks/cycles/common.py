"""Prefect tasks every cycle shares: period, policy, intake, loading, runs and their versions, data quality."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.context import get_run_context
from prefect.exceptions import MissingContextError
from prefect.runtime import flow_run as current_run
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Connection, Engine

from schemas.datasets import CYCLE_DATASETS, DATASETS
from schemas.outputs import CYCLE_LABELS
from schemas.policy import Policy, load_policy
from tasks.store import runs as stored_runs
from tasks.store.engine import get_engine
from tasks.errors import AssessError, MissingDataset, retry_io_only
from tasks.store.audit import KIND_LABELS, history
from tasks.store.state import DataState, position, snapshot
from tasks.store.window import window_conditions, window_files, wholly_rejected_files
from tasks.periods import check_period, issue_date, last_completed_period
from tasks.outputs.publication import Publication, draft_publication
from tasks.outputs.versions import Version, latest_version, start_version, sweep_orphans
from tasks.settings import get_settings, policy_file
from tasks.inbox.report import IngestReport
from tasks.inbox.ingest import ingest_inbox
from tasks.memory import give_back
from tasks.store.datasets import load_dataset, load_rejected, quality_summary, top_reasons


@dataclass
class Run:
    """One run of a cycle for a period, writing one new version of its outputs."""

    run_id: str
    cycle: str
    period: str
    policy: Policy
    policy_path: str | None
    reason: str
    version: Version
    started_at: datetime = field(default_factory=datetime.now)
    replaces: int | None = None  # the published version this one follows, None for the first
    state: DataState | None = None  # the data state the run read (SPEC §6)
    previous_state: int | None = None  # the audit-log position the replaced version read, where it says
    publication: Publication | None = None  # 公示稿 or 正式 (SPEC §7); None for a cycle without a window
    window: tuple[int, ...] | None = None  # the files of the period window in `state` (CycleData.window), when known

    def window_files(self, source: Engine | Connection) -> list[int]:
        """The files of the period window in the run's data state: as learnt when its data was loaded, else read."""
        if self.window is not None:
            return list(self.window)
        return window_files(source, self.cycle, self.period, self.state)


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    """The logger of the flow or task run, where there is one; the project's logger elsewhere (benchmarks)."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("assess")


def period_of_run(cycle: str, period: str | None, tz: str = "Asia/Shanghai") -> str:
    """The period asked for, checked; or the last period of the cycle that ended before the run was scheduled."""
    if period:
        return check_period(cycle, period)
    return last_completed_period(cycle, now=current_run.scheduled_start_time, tz=tz)


def run_namer(cycle: str) -> Callable[[], str]:
    """A flow-run name such as `half-year-2026H1`, with the period a scheduled run defaults to filled in."""
    def name() -> str:
        period = current_run.parameters.get("period")
        try:
            return f"{cycle}-{period_of_run(cycle, period)}"
        except AssessError:
            return f"{cycle}-{period}"  # the flow itself refuses the period, in words the operator reads
    return name


@task(name="resolve-period", cache_policy=NO_CACHE)
def resolve_period(cycle: str, period: str | None, tz: str = "Asia/Shanghai") -> str:
    """The period asked for, checked; or the last period of the cycle that ended before the run was scheduled."""
    return period_of_run(cycle, period, tz)


@task(name="load-policy", cache_policy=NO_CACHE)
def load_policy_task(name: str | None) -> Policy:
    """The policy named in the run, from the deployment's policy folder, or the defaults."""
    return load_policy(policy_file(name))


def database_url() -> str:
    """The deployment's database: DATABASE_URL, else the SQLite file in the data folder."""
    return get_settings().db_url


@task(name="ingest", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[5, 30],
      retry_condition_fn=retry_io_only)
def ingest_task(inbox: str, db_url: str, policy: Policy | None = None) -> IngestReport:
    """Read, validate and store every new file of the inbox, with the policy's alias tables."""
    settings = get_settings()
    report = ingest_inbox(Path(inbox), get_engine(db_url), settings.archive_dir, settings.settle_seconds, policy)
    give_back()  # what the files took while read, validated and staged
    get_run_logger().info("入库完成:\n%s", report.as_text())
    if any(f.notes for f in report.files) or report.revalidated:
        create_markdown_artifact(key="ingest-notes", description="入库说明",
                                 markdown=f"# 入库说明\n\n```\n{report.as_text()}\n```\n")
    return report


# Datasets whose rules need the delivering file of each row (雷同答卷: identical answers within one file).
WITH_FILE = {"survey_responses"}


@dataclass
class CycleData:
    """The rows a cycle reads, the data state they are of, and the files of the period window in that state (those
    the rows came from, and the wholly rejected files of the cycle's datasets: `window.window_files`)."""

    frames: dict[str, pd.DataFrame]
    state: DataState
    window: tuple[int, ...] | None = None  # None: not learnt, read when asked (Run.window_files)

    def keep_only(self, *names: str) -> None:
        """Let go of every frame but `names` (in place: a CycleRun holding the same frames lets go too), once the
        steps that read them are done; what is rendered after needs the memory more."""
        for name in [n for n in self.frames if n not in names]:
            del self.frames[name]
        give_back()


def cycle_data(db_url: str, cycle: str, period: str, state: DataState | None = None) -> CycleData:
    """The rows of every dataset the cycle reads, within its period window (SPEC §6), so that a run's work grows
    with its period and not with the years stored; a required dataset without rows fails the run.

    The rows are those that count now, read in one snapshot (a correction made meanwhile is seen whole or not at
    all), or those that counted in the data state `state`, when it is one of the past.
    """
    files: set[int] = set()
    with snapshot(get_engine(db_url)) as conn:
        state = state if state is not None and state.as_of else DataState(position(conn))
        frames = {name: load_dataset(conn, name, with_file=name in WITH_FILE, where=condition, state=state,
                                     files=files)
                  for name, condition in window_conditions(cycle, period).items()}
        files.update(wholly_rejected_files(conn, cycle, state))
    for name in CYCLE_DATASETS[cycle]["required"]:
        if frames[name].empty:
            raise MissingDataset(CYCLE_LABELS[cycle], name, DATASETS[name].label, period)
    return CycleData(frames, state, tuple(sorted(files)))


@task(name="load-cycle-data", cache_policy=NO_CACHE)
def load_cycle_data(db_url: str, cycle: str, period: str) -> CycleData:
    """The rows of every dataset the cycle reads, within its period window, and their data state."""
    return cycle_data(db_url, cycle, period)


@task(name="open-run", cache_policy=NO_CACHE)
def open_run(db_url: str, out: str, cycle: str, period: str, policy: Policy, reason: str,
             policy_path: str | None = None, state: DataState | None = None,
             final: Publication | None = None, window: tuple[int, ...] | None = None) -> Run:
    """Record a new run of the data in `state` (the files of its period window: `window`, when known) and reserve
    the next version folder for it: published as `final` when given, else as a 公示稿 published today where the
    cycle has a publicity window."""
    swept = sweep_orphans(Path(out), cycle, period)
    previous = latest_version(Path(out), cycle, period)
    version = start_version(Path(out), cycle, period)
    issued = issue_date(policy.timezone)
    publication = final or draft_publication(cycle, issued, policy)
    run = Run(_current_run_id(), cycle, period, policy, policy_path, reason, version,
              replaces=None if previous is None else int(previous.name[1:]), state=state,
              previous_state=None if previous is None else recorded_state(previous), publication=publication,
              window=window)
    killed = [str(version.folder / f"v{number}") for number in swept]
    stored_runs.record_start(get_engine(db_url), dict(
        run_id=run.run_id, cycle=cycle, period=period, version=version.number, reason=reason,
        policy_hash=policy.digest(), started_at=run.started_at, out_dir=str(version.final_path),
        # A cycle without a publicity window publishes its version final on the day it is issued.
        **(publication.columns() if publication else {"published_on": issued})), killed)
    if swept:
        get_run_logger().warning("清除了被中断运行留下的未完成版本:%s", "、".join(f"v{n}" for n in swept))
    return run


def recorded_state(version: Path) -> int | None:
    """The audit-log position a published version read, from its manifest; None where it predates the log."""
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    return (manifest.get("data_state") or {}).get("position")


def _current_run_id() -> str:
    try:
        return str(get_run_context().task_run.flow_run_id or uuid.uuid4())
    except Exception:  # called outside a Prefect run, e.g. from a script
        return str(uuid.uuid4())


def _labelled(rows: list[dict]) -> list[dict]:
    """Rows with their `dataset` named by its Chinese label, as every appendix prints it."""
    return [{**row, "dataset": DATASETS[row["dataset"]].label if row["dataset"] in DATASETS else row["dataset"]}
            for row in rows]


CHANGE_EVENTS = ("correction", "withdraw", "restore")


def data_quality(db_url: str, cycle: str, period: str, state: DataState | None = None,
                 since: int | None = None, window: list[int] | None = None) -> dict:
    """Files of the period window (`window`, read when not given), their rows accepted and rejected, and the most
    common reasons, for the data-quality appendix; with `since` (the position the replaced version read), the
    corrections, withdrawals and restores made after it, up to the data state `state`."""
    engine = get_engine(db_url)
    names = CYCLE_DATASETS[cycle]["required"] + CYCLE_DATASETS[cycle]["optional"]
    window = window if window is not None else window_files(engine, cycle, period, state)
    files = quality_summary(engine, names, window)
    return {
        "files": _labelled(files.to_dict("records")),
        "reasons": _labelled(top_reasons(engine, names, n=5, files=window).to_dict("records")),
        "totals": {c: int(files[c].sum()) for c in ("rows_read", "rows_accepted", "rows_rejected")},
        "data_changes": [] if since is None else data_changes(engine, names, since, state),
    }


def data_changes(engine, datasets, since: int, state: DataState | None) -> list[dict]:
    """The corrections, withdrawals and restores of `datasets` after position `since` (up to `state`'s)."""
    events = history(engine, since=since, datasets=tuple(datasets))
    if state is not None:
        events = events[events["event_id"] <= state.position]
    events = events[events["kind"].isin(CHANGE_EVENTS)]
    return _labelled([{"at": e.at.strftime("%Y-%m-%d %H:%M"), "kind": KIND_LABELS[e.kind], "file_name": e.file_name,
                       "dataset": e.dataset, "rows": int(e.rows), "actor": e.actor, "reason": e.reason or ""}
                      for e in events.itertuples(index=False)])


@task(name="quality-context", cache_policy=NO_CACHE)
def quality_context(db_url: str, run: Run) -> dict:
    """The data-quality appendix of the run's cycle and period."""
    return data_quality(db_url, run.cycle, run.period, run.state, run.previous_state,
                        run.window_files(get_engine(db_url)))


def rejected_files(db_url: str, run: Run) -> dict[str, int]:
    """The quarantined rows of every dataset the run's cycle reads, from the files of the period window, as
    rejected/<dataset>.csv; rows per dataset."""
    engine = get_engine(db_url)
    window = run.window_files(engine)
    counts = {}
    for name in CYCLE_DATASETS[run.cycle]["required"] + CYCLE_DATASETS[run.cycle]["optional"]:
        rejected = load_rejected(engine, name, window, run.state)
        if not rejected.empty:
            run.version.write_csv(f"rejected/{name}.csv", rejected, list(rejected.columns))
        counts[name] = len(rejected)
    return counts


@task(name="write-rejected", cache_policy=NO_CACHE)
def write_rejected(db_url: str, run: Run) -> dict[str, int]:
    """rejected/<dataset>.csv of the run's version."""
    return rejected_files(db_url, run)


@task(name="finish-run", cache_policy=NO_CACHE)
def finish_run(db_url: str, run: Run, results: dict[str, pd.DataFrame], report: IngestReport,
               extra: dict | None = None) -> Path:
    """Store the results, write the manifest, and publish the version as `latest`, in one transaction."""
    with get_engine(db_url).begin() as conn:
        stored_runs.store_results(conn, run.run_id, run.period, results)
        folder = run.version.commit(_manifest(conn, run, results, report, extra))
        stored_runs.mark_complete(conn, run.run_id)
    return folder


def _manifest(conn, run: Run, results: dict[str, pd.DataFrame], report: IngestReport,
              extra: dict | None) -> dict:
    needs = CYCLE_DATASETS[run.cycle]
    return {
        "run_id": run.run_id,
        "reason": run.reason,
        "policy": run.policy.model_dump(mode="json"),
        "policy_file": run.policy_path,
        "policy_sha256": run.policy.digest(),
        "inputs": stored_runs.input_files(conn, needs["required"] + needs["optional"], run.state),
        "data_state": None if run.state is None else {"position": run.state.position},
        "ingested_this_run": [f.file_name for f in report.files if f.status == "ingested"],
        "row_counts": {name: len(frame) for name, frame in results.items()},
        "replaces": None if run.replaces is None else f"v{run.replaces}",
        **({} if run.publication is None else {"publication": run.publication.manifest()}),
        **(extra or {}),
    }


@task(name="fail-run", cache_policy=NO_CACHE)
def fail_run(db_url: str, run: Run, error: BaseException) -> None:
    """Drop the unfinished version and record why the run failed."""
    run.version.abandon()
    stored_runs.record_failure(get_engine(db_url), run.run_id, error)


@contextmanager
def run_guard(db_url: str, run: Run):
    """Abandon the version and mark the run failed when the body raises."""
    try:
        yield run
    except BaseException as exc:
        fail_run(db_url, run, exc)
        raise
