"""The dossier jobs of one cycle, built the way its flow builds them, for the rendering benchmark."""

from __future__ import annotations

import uuid
from pathlib import Path

from schemas.policy import Policy
from tasks.cycles.annual.steps import annual_jobs
from tasks.cycles.common import Run, data_quality
from tasks.cycles.half_year.steps import half_year_jobs
from tasks.cycles.quarterly.steps import quarterly_jobs
from tasks.outputs.versions import start_version
from tasks.dossiers.render import PdfJob

PERIODS = {"quarterly": "{year}Q4", "half-year": "{year}H1", "annual": "{year}"}


def dossier_jobs(cycle: str, computed: tuple, db_url: str, out: Path, policy: Policy, year: int) -> list[PdfJob]:
    """The PDF jobs `cycle`'s flow would render from `computed` (its loaded data and results)."""
    period = PERIODS[cycle].format(year=year)
    run = Run(str(uuid.uuid4()), cycle, period, policy, None, "性能基准", start_version(out, cycle, period))
    quality = data_quality(db_url, cycle, period)
    data, results = computed
    if cycle == "quarterly":
        return quarterly_jobs(run, data, results, quality)
    if cycle == "half-year":
        return half_year_jobs(run, results, quality)
    assessed, half_years = results
    # Every unit's dossier, as `assess run annual --all-units` renders them: enough work for the pool to share.
    return annual_jobs(run, data, assessed, half_years, None, quality, True)
