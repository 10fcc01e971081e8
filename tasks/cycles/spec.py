"""A cycle as a spec: what differs between the cycles, for flows/cycle.py to run in its one order of steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tasks.cycles.common import Run
from tasks.dossiers.render import PdfJob


@dataclass
class CycleRun:
    """What a cycle's steps are handed: the database, the cycle's data, the run, and the flow's extra options."""

    db_url: str
    data: dict[str, pd.DataFrame]
    run: Run
    options: dict[str, Any] = field(default_factory=dict)


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
