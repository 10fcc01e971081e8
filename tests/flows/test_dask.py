"""Scale-out: the half-year flow, unchanged, renders its dossiers on a Dask cluster and publishes the same results."""

from __future__ import annotations

from pathlib import Path

import pytest

# Two runs of the flow with rendering, one of them starting a two-process Dask cluster.
pytestmark = pytest.mark.slow

PERIOD = "2026H1"
# Smaller designation lists than the default keep the rendering short; the counts are policy settings.
POLICY = "half_year:\n  key_management_count: 3\n  key_supervision_count: 2\n"


def _run(root: Path, inbox: Path, task_runner=None) -> Path:
    from flows.half_year_comment import half_year_comment
    from tasks.settings import get_settings

    policy = root / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    flow = half_year_comment if task_runner is None else half_year_comment.with_options(task_runner=task_runner)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSESS_DATA_DIR", str(root / "data"))
        patch.setenv("DATABASE_URL", f"sqlite:///{root / 'assess.db'}")
        patch.setenv("ASSESS_POLICY_DIR", str(root))
        get_settings.cache_clear()
        try:
            return Path(flow(period=PERIOD, reason="测试", inbox=str(inbox), out=str(root / "out"), policy="policy"))
        finally:
            get_settings.cache_clear()


@pytest.fixture(scope="module")
def runs(tmp_path_factory, prefect_harness):
    """The same tiny inbox run once with the default task runner and once on a local Dask cluster."""
    from prefect_dask import DaskTaskRunner

    from tasks.sample.inbox import write_sample_inbox

    inbox = tmp_path_factory.mktemp("inbox")
    write_sample_inbox(inbox, scale="tiny", seed=7, year=2026)
    default = _run(tmp_path_factory.mktemp("default"), inbox)
    dask = _run(tmp_path_factory.mktemp("dask"), inbox, DaskTaskRunner(
        cluster_kwargs={"n_workers": 2, "processes": True, "threads_per_worker": 1}))
    return default, dask


def _chunk_runs() -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName

    with get_client(sync_client=True) as client:
        return len(client.read_task_runs(task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="render-chunk"))))


def test_dask_run_renders_one_chunk_per_worker(runs):
    # Two Dask workers, so the dossiers went out as two render-chunk tasks; the default run used none.
    assert _chunk_runs() == 2


def _pdfs(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf"))


def test_dask_run_publishes_the_same_ranking(runs):
    # The ranking does not depend on where the dossiers were rendered.
    default, dask = runs
    assert (dask / "ranking.csv").read_bytes() == (default / "ranking.csv").read_bytes()


def test_dask_run_renders_every_dossier(runs):
    # Summary, publicity list and one dossier per designated unit, all present and real PDFs.
    default, dask = runs
    assert _pdfs(dask) == _pdfs(default)
    assert {"summary.pdf", "publicity.pdf"} <= set(_pdfs(dask))
    assert any(name.startswith("units/") for name in _pdfs(dask))
    for name in _pdfs(dask):
        assert (dask / name).read_bytes().startswith(b"%PDF-"), name


@pytest.mark.parametrize(("address", "runner"), [
    ("tcp://10.0.0.5:8786", "DaskTaskRunner"),  # a deployment names its Dask scheduler
    (None, "ThreadPoolTaskRunner"),  # without one, Prefect's default runner
])
def test_task_runner_follows_the_dask_address(monkeypatch, address, runner):
    from tasks.dossiers.dispatch import cycle_task_runner
    from tasks.settings import get_settings

    if address:
        monkeypatch.setenv("ASSESS_DASK_ADDRESS", address)
    else:
        monkeypatch.delenv("ASSESS_DASK_ADDRESS", raising=False)
    get_settings.cache_clear()
    try:
        chosen = cycle_task_runner()
    finally:
        get_settings.cache_clear()
    assert type(chosen).__name__ == runner
    assert getattr(chosen, "address", None) == address
