"""Where a run's dossiers are rendered: a local process pool, or one chunk per worker of a Dask cluster."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.dossiers.render import PdfJob, render_pdfs, shares
from tasks.dossiers.reuse import Reuse, take_unchanged
from tasks.errors import retry_io_only
from tasks.settings import get_settings


@task(name="render-pdfs", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5,
      retry_condition_fn=retry_io_only)
def render_task(jobs: list[PdfJob]) -> list[Path]:
    """Every dossier of the run, rendered in parallel processes."""
    return render_pdfs(jobs, workers=get_settings().render_workers)


@task(name="render-chunk", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5,
      retry_condition_fn=retry_io_only)
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


def render_version(jobs: list[PdfJob], root: Path, earlier: Path | None) -> Reuse:
    """The dossiers of the version in `root`: those unchanged since the published version `earlier` linked from
    it, the others rendered; what was reused, for the manifest."""
    left, reuse = take_unchanged(jobs, root, earlier)
    if reuse.reused:
        from tasks.cycles.common import run_logger

        run_logger().info("%d 份文书的模板与内容与 %s 相同,直接沿用;重新生成 %d 份",
                          len(reuse.reused), reuse.earlier, len(left))
    render_documents(left)
    return reuse


def cycle_task_runner():
    """The flows' task runner: a DaskTaskRunner on the cluster named by ASSESS_DASK_ADDRESS, else Prefect's default."""
    address = get_settings().dask_address
    if not address:
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner()
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)
