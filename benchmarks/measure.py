"""Wall time and peak memory of a piece of work, rows of the benchmark table, and profiles of slow stages."""

from __future__ import annotations

import cProfile
import io
import pstats
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

SAMPLE_SECONDS = 0.02


def _rss(children_only: bool = False) -> int:
    # Render workers are child processes; their memory counts towards the stage too.
    me = psutil.Process()
    total = 0 if children_only else me.memory_info().rss
    for child in me.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            continue
    return total


@dataclass
class Sample:
    """What one measured piece of work cost: seconds and the peak resident memory seen meanwhile."""

    seconds: float = 0.0
    peak_bytes: int = 0


@contextmanager
def measured(children_only: bool = False):
    """Time the body and sample resident memory (with child processes; of these alone with `children_only`, for
    work the body runs as a child process) in a background thread."""
    sample, done = Sample(peak_bytes=_rss(children_only)), threading.Event()

    def watch() -> None:
        while not done.wait(SAMPLE_SECONDS):
            sample.peak_bytes = max(sample.peak_bytes, _rss(children_only))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    try:
        yield sample
    finally:
        sample.seconds = time.perf_counter() - start
        done.set()
        watcher.join()
        sample.peak_bytes = max(sample.peak_bytes, _rss(children_only))


def timed(work: Callable[[], object]) -> tuple[float, object]:
    """Seconds `work` takes, and what it returns."""
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def best_of(work: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of `repeat` runs of `work`, in seconds: the least disturbed by other work on the machine."""
    return min(timed(work)[0] for _ in range(repeat))


@dataclass
class StageRow:
    """One line of the table: a stage of a cycle, its time, its floor, and its peak memory."""

    cycle: str
    stage: str
    seconds: float
    floor: float
    peak_bytes: int
    note: str = ""

    @property
    def ratio(self) -> float:
        """Stage time over floor time."""
        return self.seconds / self.floor if self.floor > 0 else float("inf")


@dataclass
class Target:
    """A goal the benchmark checks: what was measured against what is wanted."""

    name: str
    measured: float
    wanted: float
    higher_is_better: bool = False
    unit: str = "×"
    profile: str | None = None

    @property
    def met(self) -> bool:
        """Whether the measured value reaches the wanted one."""
        return self.measured >= self.wanted if self.higher_is_better else self.measured <= self.wanted


@dataclass
class Report:
    """Every stage row and every target of one benchmark run."""

    rows: list[StageRow] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)


def profile_to(path: Path, work: Callable[[], object], top: int = 15) -> Path:
    """Run `work` under cProfile and write its `top` functions by cumulative time to `path`."""
    profiler = cProfile.Profile()
    profiler.runcall(work)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.getvalue(), encoding="utf-8")
    return path
