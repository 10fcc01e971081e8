"""End to end: the annual assessment of a fresh inbox run as an administrator runs it (`assess run annual`), then
the same run again with no data changed.

Each run is a child process, timed with its whole process tree's peak resident memory (the flow, its Prefect
server, its render workers; not the benchmark's own process, which holds the sample inbox it generated): intake of
every file, validation, storage, computation, the summary, publicity list and the dossiers of every unit with a
measure. The rerun finds nothing new in the inbox and every dossier's content unchanged, so it renders no PDF
(tasks/dossiers/reuse.py) and its time is what a rerun costs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import Sample, Target, measured

GOAL_MINUTES, GOAL_PEAK_GB, GOAL_RERUN = 15.0, 6.0, 0.25


@dataclass(frozen=True)
class Pass:
    """One `assess run annual`: its cost, and the PDFs its version holds and rendered (not reused)."""

    sample: Sample
    pdfs: int
    rendered: int


def _run(folder: Path, db_url: str, year: int, reason: str) -> Pass:
    command = [sys.executable, "-m", "flows.cli", "run", "annual", "--period", str(year), "--inbox",
               str(folder / "inbox"), "--out", str(folder / "out"), "--db", db_url, "--reason", reason]
    env = os.environ | {"PREFECT_HOME": str(folder / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                        "ASSESS_DATA_DIR": str(folder)}
    with measured(children_only=True) as sample, open(folder / f"{reason}.log", "w", encoding="utf-8") as log:
        subprocess.run(command, check=True, stdout=log, stderr=subprocess.STDOUT, env=env,
                       cwd=Path(__file__).resolve().parents[1])
    version = (folder / "out" / "annual" / str(year) / "latest").resolve()
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    pdfs = sum(1 for _ in version.rglob("*.pdf"))
    return Pass(sample, pdfs, pdfs - len(manifest.get("reused", {}).get("files", [])))


def measure(inbox: Path, folder: Path, db_url: str | None, year: int) -> tuple[Pass, Pass]:
    """The first run of a fresh copy of `inbox` into an empty database, and a rerun with no change."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(inbox, folder / "inbox", copy_function=os.link)  # intake moves files out; the cache stays
    url = db_url or f"sqlite:///{folder / 'assess.db'}"
    return _run(folder, url, year, "首次运行"), _run(folder, url, year, "数据未变重新运行")


def targets(first: Pass, again: Pass, scale: str) -> list[Target]:
    """End-to-end time and peak memory of the first run, and the rerun's share of its time and its renders."""
    return [
        Target(f"年度考核端到端({scale},全新收件箱,{first.pdfs} 份 PDF)", first.sample.seconds / 60, GOAL_MINUTES,
               unit=" 分钟"),
        Target("年度考核端到端峰值内存(进程树)", first.sample.peak_bytes / 2**30, GOAL_PEAK_GB, unit=" GB"),
        Target(f"数据未变重新运行 vs 首次运行(重新生成 {again.rendered} 份 PDF)",
               again.sample.seconds / first.sample.seconds, GOAL_RERUN),
        Target("数据未变重新运行生成的 PDF 份数", again.rendered, 0, unit=" 份"),
    ]
