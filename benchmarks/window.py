"""Period windows at work (SPEC §6): the annual run of the last year with one year stored and with five.

Both databases are filled by the normal intake (not timed). In the five-year one the year before was assessed and
published, as it is in service (an unpublished year would be recomputed from its own window, which is a second
year's work, not a cost of the years stored). What is timed is the run's own work: loading its window,
computing, writing the CSV files; rendering is left out on both sides (it reads no stored rows).
"""

from __future__ import annotations

import statistics
import time
import uuid
from pathlib import Path

from benchmarks.measure import Target
from schemas.policy import Policy
from tasks.cycles.common import Run, cycle_data
from tasks.cycles.registry import SPECS
from tasks.cycles.spec import CycleRun
from tasks.inbox.ingest import ingest_inbox
from tasks.outputs.versions import start_version
from tasks.sample.inbox import write_sample_inbox
from tasks.store import runs as stored_runs
from tasks.store.engine import get_engine

GOAL_RATIO = 1.2
YEARS = 5


def _stored(root: Path, scale: str, seed: int, year: int, years: int) -> str:
    """A SQLite database holding `years` years of sample data ending in `year`."""
    folder = root / f"window-{scale}-{seed}-{years}y"
    url = f"sqlite:///{folder / 'bench.db'}"
    if not (folder / "stored").exists():
        write_sample_inbox(folder / "inbox", scale=scale, seed=seed, year=year, years=years)
        ingest_inbox(folder / "inbox", get_engine(url), folder / "archive")
        if years > 1:
            _publish(url, folder / "out", year - 1)
        (folder / "stored").touch()
    return url


def _publish(url: str, out: Path, year: int) -> None:
    """The annual results of `year` stored as a complete run, as the annual flow stores them."""
    spec, period, policy, engine = SPECS["annual"], str(year), Policy(), get_engine(url)
    data = cycle_data(url, "annual", period)
    run = Run(str(uuid.uuid4()), "annual", period, policy, None, "性能基准", start_version(out, "annual", period),
              state=data.state)
    results = spec.results(spec.compute(CycleRun(url, data.frames, run, {"all_units": False})))
    stored_runs.record_start(engine, dict(run_id=run.run_id, cycle="annual", period=period, version=1,
                                          reason="性能基准", policy_hash=policy.digest(), started_at=run.started_at))
    with engine.begin() as conn:
        stored_runs.store_results(conn, run.run_id, period, results)
        stored_runs.mark_complete(conn, run.run_id)
    run.version.abandon()


def annual_run_seconds(url: str, out: Path, year: int) -> float:
    """One annual run's window load, computation and CSV files, in seconds."""
    spec, period, policy = SPECS["annual"], str(year), Policy()
    start = time.perf_counter()
    data = cycle_data(url, "annual", period)
    run = Run(str(uuid.uuid4()), "annual", period, policy, None, "性能基准", start_version(out, "annual", period),
              state=data.state)
    cycle = CycleRun(url, data.frames, run, {"all_units": False})
    spec.write_files(cycle, spec.compute(cycle))
    seconds = time.perf_counter() - start
    run.version.abandon()
    return seconds


def measure(root: Path, scale: str = "city", seed: int = 2026, year: int = 2026,
            repeats: int = 3) -> tuple[float, float]:
    """Median seconds of the annual run of `year` with one year stored and with five."""
    one, five = (_stored(root, scale, seed, year, n) for n in (1, YEARS))
    medians = []
    for url in (one, five):
        get_engine(url)  # migrated before timing
        medians.append(statistics.median(annual_run_seconds(url, root / "window-out", year) for _ in range(repeats)))
    return medians[0], medians[1]


def targets(root: Path, scale: str, seed: int) -> list[Target]:
    one, five = measure(root, scale, seed)
    return [Target(f"年度考核运行(不含入库与文书):库存{YEARS}年 {five:.2f} 秒 / 库存1年 {one:.2f} 秒", five / one,
                   GOAL_RATIO)]
