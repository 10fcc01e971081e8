"""Every cycle's spec by its code, for what runs all of them alike (the benchmarks, the contract tests)."""

from __future__ import annotations

from tasks.cycles.annual.steps import ANNUAL
from tasks.cycles.half_year.steps import HALF_YEAR
from tasks.cycles.on_site.steps import ON_SITE
from tasks.cycles.points.steps import POINTS
from tasks.cycles.quarterly.steps import QUARTERLY
from tasks.cycles.spec import CycleSpec

SPECS: dict[str, CycleSpec] = {spec.code: spec for spec in (QUARTERLY, HALF_YEAR, ANNUAL, POINTS, ON_SITE)}
