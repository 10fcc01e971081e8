"""The dossier jobs of one cycle, built the way its flow builds them, for the rendering benchmark."""

from __future__ import annotations

import uuid
from pathlib import Path

from schemas.policy import Policy
from tasks.cycles.common import Run, quality_context
from tasks.outputs.versions import start_version
from tasks.dossiers.render import PdfJob

PERIODS = {"quarterly": "{year}Q4", "half-year": "{year}H1", "annual": "{year}"}


def dossier_jobs(cycle: str, computed: tuple, db_url: str, out: Path, policy: Policy, year: int) -> list[PdfJob]:
    """The PDF jobs `cycle`'s flow would render from `computed` (its loaded data and results)."""
    period = PERIODS[cycle].format(year=year)
    run = Run(str(uuid.uuid4()), cycle, period, policy, None, "性能基准", start_version(out, cycle, period))
    quality = quality_context.fn(db_url, run)
    data, results = computed
    if cycle == "quarterly":
        from flows.quarterly_review import quarterly_dossiers

        return quarterly_dossiers.fn(run, data, results, quality)
    if cycle == "half-year":
        from tasks.cycles.half_year.steps import half_year_dossiers

        return half_year_dossiers.fn(run, results, quality)
    from tasks.cycles.annual.steps import annual_dossiers

    assessed, half_years = results
    # Every unit's dossier, as `assess run annual --all-units` renders them: enough work for the pool to share.
    return annual_dossiers.fn(run, data, assessed, half_years, None, quality, True)
