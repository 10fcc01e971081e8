"""A cycle's run and dossier jobs, made from its spec the way its flow makes them, for the benchmark."""

from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd

from schemas.policy import Policy
from tasks.cycles.common import Run, data_quality
from tasks.cycles.spec import CycleRun, CycleSpec
from tasks.dossiers.render import PdfJob
from tasks.outputs.versions import start_version

# The period of each cycle that the benchmark's year of sample data fills.
PERIODS = {"quarterly": "{year}Q4", "half-year": "{year}H1", "annual": "{year}"}


def cycle_run(spec: CycleSpec, data: dict[str, pd.DataFrame], db_url: str, out: Path, policy: Policy,
              year: int) -> CycleRun:
    """What the flow hands the spec's steps, for the benchmark's period of `spec`'s cycle.

    Every unit's dossier is asked for where a cycle offers that (`assess run annual --all-units`): enough work for
    the rendering pool to share.
    """
    period = PERIODS[spec.code].format(year=year)
    run = Run(str(uuid.uuid4()), spec.code, period, policy, None, "性能基准", start_version(out, spec.code, period))
    return CycleRun(db_url, data, run, {"all_units": True})


def dossier_jobs(spec: CycleSpec, cycle: CycleRun, outcome) -> list[PdfJob]:
    """The PDF jobs `spec`'s flow would render from `outcome`."""
    return spec.dossiers(cycle, outcome, data_quality(cycle.db_url, spec.code, cycle.run.period))
