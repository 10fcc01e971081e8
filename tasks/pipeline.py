"""Prefect tasks every cycle shares: period, policy, intake, loading, runs, rendering and publishing."""

from __future__ import annotations

import json
import smtplib
import traceback
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.context import get_run_context
from prefect.runtime import flow_run as current_run
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff
from sqlalchemy import insert, select, update

from schemas.datasets import CYCLE_DATASETS, DATASETS
from schemas.outputs import CYCLE_LABELS
from schemas.policy import Policy, load_policy, policy_path
from tasks import delivery
from tasks.db import get_engine
from tasks.errors import AssessError, MissingDataset
from tasks.models import ingested_files, result_tables, runs
from tasks.period_window import window_files
from tasks.periods import check_period, last_completed_period
from tasks.publish import Version, start_version, sweep_orphans
from tasks.render import PdfJob, render_pdfs, shares
from tasks.settings import get_settings
from tasks.storage import IngestReport, ingest_inbox, load_dataset, load_rejected, quality_summary, top_reasons


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


def _io_failure(task, task_run, state) -> bool:
    """Retry only what a retry can mend: I/O errors, not bad data or bad settings."""
    try:
        state.result()
    except AssessError:
        return False
    except OSError:
        return True
    except Exception:
        return False
    return False


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


def policy_file(name: str | None) -> str | None:
    """The file of the policy named in a run, inside the deployment's policy folder; None for the defaults."""
    path = policy_path(name, get_settings().policies)
    return None if path is None else str(path)


@task(name="load-policy", cache_policy=NO_CACHE)
def load_policy_task(name: str | None) -> Policy:
    """The policy named in the run, from the deployment's policy folder, or the defaults."""
    return load_policy(policy_file(name))


def database_url() -> str:
    """The deployment's database: DATABASE_URL, else the SQLite file in the data folder."""
    return get_settings().db_url


@task(name="ingest", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[5, 30],
      retry_condition_fn=_io_failure)
def ingest_task(inbox: str, db_url: str, policy: Policy | None = None) -> IngestReport:
    """Read, validate and store every new file of the inbox, with the policy's alias tables."""
    settings = get_settings()
    report = ingest_inbox(Path(inbox), get_engine(db_url), settings.archive_dir, settings.settle_seconds, policy)
    get_run_logger().info("入库完成:\n%s", report.as_text())
    if any(f.notes for f in report.files) or report.revalidated:
        create_markdown_artifact(key="ingest-notes", description="入库说明",
                                 markdown=f"# 入库说明\n\n```\n{report.as_text()}\n```\n")
    return report


@task(name="load-cycle-data", cache_policy=NO_CACHE)
def load_cycle_data(db_url: str, cycle: str) -> dict[str, pd.DataFrame]:
    """Every dataset the cycle reads; a required one without rows fails the run."""
    engine = get_engine(db_url)
    needs = CYCLE_DATASETS[cycle]
    frames = {name: load_dataset(engine, name) for name in needs["required"] + needs["optional"]}
    for name in needs["required"]:
        if frames[name].empty:
            raise MissingDataset(CYCLE_LABELS[cycle], name, DATASETS[name].label)
    return frames


@task(name="open-run", cache_policy=NO_CACHE)
def open_run(db_url: str, out: str, cycle: str, period: str, policy: Policy, reason: str,
             policy_path: str | None = None) -> Run:
    """Record a new run and reserve the next version folder for it."""
    run_id = _current_run_id()
    swept = sweep_orphans(Path(out), cycle, period)
    version = start_version(Path(out), cycle, period)
    run = Run(run_id, cycle, period, policy, policy_path, reason, version)
    with get_engine(db_url).begin() as conn:
        if swept:
            # Runs killed outside Python (SIGKILL, power loss) could not say so themselves.
            killed = [str(version.folder / f"v{number}") for number in swept]
            conn.execute(update(runs).where(runs.c.status == "running", runs.c.out_dir.in_(killed)).values(
                status="failed", finished_at=datetime.now(),
                error=json.dumps({"error": "运行被强行中断(进程终止),未完成的版本已清除"}, ensure_ascii=False)))
            get_run_logger().warning("清除了被中断运行留下的未完成版本:%s", "、".join(f"v{n}" for n in swept))
        conn.execute(insert(runs).values(
            run_id=run_id, cycle=cycle, period=period, version=version.number, status="running",
            reason=reason, policy_hash=policy.digest(), started_at=run.started_at,
            out_dir=str(version.final_path),
        ))
    return run


def _current_run_id() -> str:
    try:
        return str(get_run_context().task_run.flow_run_id or uuid.uuid4())
    except Exception:  # called outside a Prefect run, e.g. from a script
        return str(uuid.uuid4())


def _labelled(rows: list[dict]) -> list[dict]:
    """Rows with their `dataset` named by its Chinese label, as every appendix prints it."""
    return [{**row, "dataset": DATASETS[row["dataset"]].label if row["dataset"] in DATASETS else row["dataset"]}
            for row in rows]


@task(name="quality-context", cache_policy=NO_CACHE)
def quality_context(db_url: str, run: Run) -> dict:
    """Files of the period window, their rows accepted and rejected, and the most common reasons, for the
    data-quality appendix."""
    engine = get_engine(db_url)
    names = CYCLE_DATASETS[run.cycle]["required"] + CYCLE_DATASETS[run.cycle]["optional"]
    window = window_files(engine, run.cycle, run.period)
    files = quality_summary(engine, names, window)
    return {
        "files": _labelled(files.to_dict("records")),
        "reasons": _labelled(top_reasons(engine, names, n=5, files=window).to_dict("records")),
        "totals": {c: int(files[c].sum()) for c in ("rows_read", "rows_accepted", "rows_rejected")},
    }


@task(name="write-rejected", cache_policy=NO_CACHE)
def write_rejected(db_url: str, run: Run, cycle: str) -> dict[str, int]:
    """The quarantined rows of every dataset the cycle reads, from the files of the period window, as
    rejected/<dataset>.csv."""
    engine = get_engine(db_url)
    window = window_files(engine, run.cycle, run.period)
    counts = {}
    for name in CYCLE_DATASETS[cycle]["required"] + CYCLE_DATASETS[cycle]["optional"]:
        rejected = load_rejected(engine, name, window)
        if not rejected.empty:
            run.version.write_csv(f"rejected/{name}.csv", rejected, list(rejected.columns))
        counts[name] = len(rejected)
    return counts


@task(name="render-pdfs", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5,
      retry_condition_fn=_io_failure)
def render_task(jobs: list[PdfJob]) -> list[Path]:
    """Every dossier of the run, rendered in parallel processes."""
    return render_pdfs(jobs, workers=get_settings().render_workers)


@task(name="render-chunk", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5,
      retry_condition_fn=_io_failure)
def render_chunk(jobs: list[PdfJob]) -> list[Path]:
    """One share of the run's dossiers, rendered one after another on one Dask worker."""
    return render_pdfs(jobs, workers=1)


def _dask_client():
    """The Dask client of the current flow run's task runner, or None when the runner is not Dask."""
    from prefect.context import FlowRunContext
    from prefect_dask import DaskTaskRunner

    runner = getattr(FlowRunContext.get(), "task_runner", None)
    return runner.client if isinstance(runner, DaskTaskRunner) else None


def render_documents(jobs: list[PdfJob]) -> list[Path]:
    """Every dossier of the run, in order: one chunk per worker on a Dask cluster, else a local process pool."""
    client = _dask_client() if jobs else None
    if client is None:
        return render_task(jobs)
    dealt = shares(jobs, max(1, min(len(client.nthreads()), len(jobs))))
    futures = [render_chunk.submit([jobs[i] for i in share]) for share in dealt]
    paths: list[Path] = [Path()] * len(jobs)
    for share, future in zip(dealt, futures):
        for i, path in zip(share, future.result()):
            paths[i] = path
    return paths


def cycle_task_runner():
    """The flows' task runner: a DaskTaskRunner on the cluster named by ASSESS_DASK_ADDRESS, else Prefect's default."""
    address = get_settings().dask_address
    if not address:
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner()
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)


@task(name="load-results", cache_policy=NO_CACHE)
def load_results(db_url: str, table: str, period: str) -> pd.DataFrame | None:
    """The stored result rows of the newest complete run for `period`, or None when there is none."""
    result = result_tables[table]
    with get_engine(db_url).connect() as conn:
        run_id = conn.execute(
            select(runs.c.run_id)
            .join(result, result.c.run_id == runs.c.run_id)
            .where(runs.c.status == "complete", result.c.period == period)
            .order_by(runs.c.finished_at.desc()).limit(1)
        ).scalar()
        if run_id is None:
            return None
        frame = pd.read_sql(select(result).where(result.c.run_id == run_id), conn)
    return frame.drop(columns=["run_id"])


@task(name="finish-run", cache_policy=NO_CACHE)
def finish_run(db_url: str, run: Run, results: dict[str, pd.DataFrame], report: IngestReport,
               extra: dict | None = None) -> Path:
    """Store the results, write the manifest, and publish the version as `latest`."""
    engine = get_engine(db_url)
    with engine.begin() as conn:
        for table, frame in results.items():
            rows = _result_rows(table, frame, run)
            if rows:
                conn.execute(insert(result_tables[table]), rows)
        manifest = _manifest(conn, run, results, report, extra)
        folder = run.version.commit(manifest)
        conn.execute(update(runs).where(runs.c.run_id == run.run_id)
                     .values(status="complete", finished_at=datetime.now()))
    return folder


def _result_rows(table: str, frame: pd.DataFrame, run: Run) -> list[dict]:
    columns = [c.name for c in result_tables[table].columns if c.name not in ("run_id", "period")]
    clean = frame[columns].astype(object).where(frame[columns].notna(), None)
    return [{"run_id": run.run_id, "period": run.period, **row} for row in clean.to_dict("records")]


def _manifest(conn, run: Run, results: dict[str, pd.DataFrame], report: IngestReport,
              extra: dict | None) -> dict:
    needs = CYCLE_DATASETS[run.cycle]
    files = conn.execute(select(ingested_files.c.file_name, ingested_files.c.dataset,
                                ingested_files.c.sha256, ingested_files.c.rows_read,
                                ingested_files.c.rows_accepted, ingested_files.c.rows_rejected)
                         .where(ingested_files.c.dataset.in_(needs["required"] + needs["optional"]))
                         .order_by(ingested_files.c.file_id)).mappings().all()
    return {
        "run_id": run.run_id,
        "reason": run.reason,
        "policy": run.policy.model_dump(mode="json"),
        "policy_file": run.policy_path,
        "policy_sha256": run.policy.digest(),
        "inputs": [dict(f) for f in files],
        "ingested_this_run": [f.file_name for f in report.files if f.status == "ingested"],
        "row_counts": {name: len(frame) for name, frame in results.items()},
        **(extra or {}),
    }


@task(name="fail-run", cache_policy=NO_CACHE)
def fail_run(db_url: str, run: Run, error: BaseException) -> None:
    """Drop the unfinished version and record why the run failed."""
    run.version.abandon()
    with get_engine(db_url).begin() as conn:
        conn.execute(update(runs).where(runs.c.run_id == run.run_id).values(
            status="failed", finished_at=datetime.now(),
            error=json.dumps({"error": str(error), "trace": traceback.format_exception(error)[-3:]},
                             ensure_ascii=False),
        ))


@contextmanager
def run_guard(db_url: str, run: Run):
    """Abandon the version and mark the run failed when the body raises."""
    try:
        yield run
    except BaseException as exc:
        fail_run(db_url, run, exc)
        raise


def _worth_retrying(task, task_run, state) -> bool:
    """Retry a mail the server may take later (network trouble, 4xx), never one it refused for good (5xx)."""
    try:
        state.result()
    except smtplib.SMTPResponseException as exc:
        return exc.smtp_code < 500
    except smtplib.SMTPRecipientsRefused as exc:
        return all(code < 500 for code, _ in exc.recipients.values())
    except OSError:
        return True
    except Exception:
        return False
    return False


@task(name="send-mail", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_jitter_factor=0.2, retry_condition_fn=_worth_retrying)
def send_mail_task(message: EmailMessage) -> str:
    """Hand one e-mail to the SMTP server, retried with backoff; returns the server's answer."""
    return delivery.send(message, get_settings())


@task(name="deliver", cache_policy=NO_CACHE)
def deliver_task(run: Run, folder: Path, units: pd.DataFrame | None = None) -> delivery.DeliveryReport:
    """Archive what each leader receives, e-mail it in mails under the size limit, and record every answer."""
    regions = None if units is None else dict(zip(units["unit_id"].astype(str), units["region"]))
    planned = delivery.plan(folder, run.policy, regions)
    archive = delivery.archive_version(folder, Path(folder).parents[2] / "deliveries", run.cycle,
                                       run.period, planned)
    report = delivery.DeliveryReport(archive, planned)
    delivery.deliver(planned, send_mail_task, run.policy, run.cycle, run.period, folder.name)
    delivery.write_report(report, run.cycle, run.period, folder.name)
    if report.failed:
        names = "、".join(d.recipient.name for d in report.failed)
        create_markdown_artifact(
            key=f"delivery-failed-{run.cycle}", description="送达失败",
            markdown=f"# 送达失败\n\n{CYCLE_LABELS[run.cycle]} {run.period} {folder.name} 未能全部发送给:{names}。\n\n"
                     f"结果文件完好,已存于 `{folder}`;送达记录与副本在 `{archive}`(见 index.html)。"
                     "请检查邮件服务器设置后重新发送。")
        get_run_logger().error("送达失败:%s", names)
    return report


def report_failure(flow, flow_run, state) -> None:
    """Flow on_failure hook: a failure report artifact, and a notice to the administrators."""
    error = state.result(raise_on_failure=False)
    step = _failed_step(flow_run.id)
    params = flow_run.parameters or {}
    text = (f"{flow.name} 运行失败(运行编号 {flow_run.id})。\n\n失败步骤:{step}\n原因:{error}\n\n"
            f"参数:期次 {params.get('period') or '(默认)'},收件箱 {params.get('inbox')}\n\n"
            "处理办法:按上述原因修正数据文件或设置后,在 Prefect 管理界面对该部署选择“Custom run”重新运行;"
            "本次运行未发布任何结果,先前版本不受影响。")
    create_markdown_artifact(key="failure-report", markdown=f"# 运行失败报告\n\n{text}",
                             description="运行失败报告")
    try:
        policy = load_policy(policy_file(params.get("policy")))
        for message in delivery.failure_message(policy, _cycle_of(flow.name), params.get("period") or "", text):
            delivery.send(message, get_settings())
    except Exception as exc:  # a notice that cannot be sent must not hide the original failure
        get_run_logger().warning("无法通知管理员:%s", exc)


def _failed_step(flow_run_id) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, TaskRunFilter, TaskRunFilterState, TaskRunFilterStateType
    from prefect.client.schemas.objects import StateType

    try:
        with get_client(sync_client=True) as client:
            failed = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                task_run_filter=TaskRunFilter(state=TaskRunFilterState(
                    type=TaskRunFilterStateType(any_=[StateType.FAILED]))))
        return "、".join(sorted({t.name.rsplit("-", 1)[0] for t in failed})) or "流程本身"
    except Exception:
        return "未知"


def _cycle_of(flow_name: str) -> str:
    return {"quarterly-review": "quarterly", "half-year-comment": "half-year",
            "annual-assessment": "annual"}.get(flow_name, "annual")
