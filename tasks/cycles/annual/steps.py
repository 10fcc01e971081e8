"""The 年度考核 cycle as a spec: its inputs from other cycles, the assessment, its files, dossiers and artifacts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from schemas.outputs import ASSESSMENT_COLUMNS, INDIVIDUAL_COLUMNS
from schemas.policy import Policy
from tasks.cycles.annual import dossiers
from tasks.cycles.artifacts import publish
from tasks.cycles.annual import report
from tasks.cycles.common import Run, cycle_data, run_logger
from tasks.errors import MissingDataset
from tasks.cycles.spec import CycleRun, CycleSpec
from tasks.rules.changes import Compared
from tasks.store.engine import get_engine
from tasks.store.runs import load_results
from tasks.store.state import DataState
from tasks.dossiers.render import PdfJob
from tasks.rules.accountability import target_attainment
from tasks.rules.annual import assessment, half_year_scores
from tasks.rules.individuals import individual_sanctions


@dataclass
class AnnualResults:
    """The year's results: per unit, per sanctioned person, and creation targets by level."""

    assessment: pd.DataFrame
    individuals: pd.DataFrame
    targets: pd.DataFrame


def half_year_inputs(db_url: str, data: dict[str, pd.DataFrame], year: int, policy: Policy,
                     state: DataState | None = None) -> pd.DataFrame:
    """The year's half-year survey scores: the published rankings (as published before a reproduced run, in
    `state`), or recomputed from the answers."""
    before = None if state is None else state.published_before
    published = {p: load_results(get_engine(db_url), "ranking", p, before) for p in (f"{year}H1", f"{year}H2")}
    return half_year_scores(published, data["survey_responses"], data["units"], policy.half_year)


def previous_year(db_url: str, year: int, policy: Policy, state: DataState | None = None) -> pd.DataFrame | None:
    """Last year's assessment: as published, else recomputed from last year's stored rows (its own period window,
    loaded only then); None when there is nothing. In the data state `state`, when given (a reproduction)."""
    published = load_results(get_engine(db_url), "assessment", str(year - 1),
                             None if state is None else state.published_before)
    if published is not None:
        return published
    try:
        earlier = cycle_data(db_url, "annual", str(year - 1), state).frames
    except MissingDataset:
        return None
    recomputed = assessment(earlier, half_year_inputs(db_url, earlier, year - 1, policy, state), None, year - 1,
                            policy.annual)
    run_logger().info("%s年度无已发布的考核结果,按库存数据重算用于比较", year - 1)
    return recomputed if recomputed["final_score"].notna().any() else None


def year_results(data: dict[str, pd.DataFrame], half_years: pd.DataFrame, previous: pd.DataFrame | None,
                 year: int, policy: Policy) -> AnnualResults:
    """年度考核: units scored, graded, ranked and designated; persons sanctioned; targets counted."""
    return AnnualResults(
        assessment=assessment(data, half_years, previous, year, policy.annual),
        individuals=individual_sanctions(data["complaints"], year, policy.annual.dismissal_two_year_complaints),
        targets=target_attainment(data["targets"], year),
    )


def write_annual_csv(run: Run, results: AnnualResults) -> list[Path]:
    """assessment.csv (and assessment.xlsx for Excel), individuals.csv and publicity.csv in the version."""
    publicity, ranked = report.publicity(results.assessment), report.in_rank_order(results.assessment)
    return [
        run.version.write_csv("assessment.csv", ranked, ASSESSMENT_COLUMNS),
        run.version.write_xlsx("assessment.xlsx", ranked, ASSESSMENT_COLUMNS, "年度考核结果"),
        run.version.write_csv("individuals.csv", results.individuals, INDIVIDUAL_COLUMNS),
        run.version.write_csv("publicity.csv", publicity, list(publicity.columns)),
    ]


def annual_jobs(run: Run, data: dict[str, pd.DataFrame], results: AnnualResults, half_years: pd.DataFrame,
                previous: pd.DataFrame | None, quality: dict, all_units: bool) -> list[PdfJob]:
    """The PDF jobs of the year: summary, publicity list, and the unit dossiers asked for."""
    year, policy, number, path_for = int(run.period), run.policy, run.version.number, run.version.path_for

    def cover(title: str) -> dict:
        return dossiers.cover(policy, year, number, title)

    summary = dossiers.summary_context(cover(f"{year}年度窗口单位考核情况报告"), results.assessment,
                                       results.individuals, results.targets, previous, quality, year, policy,
                                       data["units"])
    units = dossiers.unit_jobs(cover(""), results.assessment, data, half_years, previous, year, policy,
                               path_for, all_units)
    publicity = dossiers.publicity_context(cover(""), results.assessment, year)
    return dossiers.dossier_jobs(path_for, summary, units, publicity)


def publish_artifacts(results: AnnualResults, folder: Path, year: int) -> None:
    """Prefect artifacts: the units with a measure or apology, and where the summary is."""
    frame = results.assessment
    singled = report.in_rank_order(frame[frame["measure"].notna() | frame["apology"].notna()])
    columns = {"unit_id": "单位编码", "unit_name": "单位名称", "category": "单位类别", "final_score": "最终得分",
               "rank": "排名", "grade": "等次", "measure": "处理措施", "apology": "一把手道歉"}
    table = singled[list(columns)].rename(columns=columns).round({"最终得分": 2})
    figures = report.key_figures(frame, results.individuals)
    publish(f"annual-{year}", "measures", table, f"{year}年度考核:末位处理与一把手道歉单位", f"{year}年度考核",
            f"参评单位 {figures['units']} 个,满意 {figures['满意']} 个,基本满意 {figures['基本满意']} 个,不满意 "
            f"{figures['不满意']} 个;先进单位 {figures['excellent']} 个;诫勉谈话 {figures['诫勉谈话']} 个,调整主要领导 "
            f"{figures['调整主要领导']} 个;责任追究人员 {figures['individuals']} 人。", [], folder,
            "assessment.csv")


@dataclass
class AnnualOutcome:
    """The year's results with the inputs its dossiers compare against: half-year scores and last year."""

    results: AnnualResults
    half_years: pd.DataFrame
    previous: pd.DataFrame | None


def assess_year(cycle: CycleRun) -> AnnualOutcome:
    """The year's results, with the half-year scores and last year's assessment they were compared against."""
    year, policy = int(cycle.run.period), cycle.run.policy
    half_years = half_year_inputs(cycle.db_url, cycle.data, year, policy, cycle.run.state)
    previous = previous_year(cycle.db_url, year, policy, cycle.run.state)
    return AnnualOutcome(year_results(cycle.data, half_years, previous, year, policy), half_years, previous)


def _jobs(cycle: CycleRun, outcome: AnnualOutcome, quality: dict) -> list[PdfJob]:
    return annual_jobs(cycle.run, cycle.data, outcome.results, outcome.half_years, outcome.previous, quality,
                       cycle.options["all_units"])


ANNUAL = CycleSpec(
    code="annual",
    compute=assess_year,
    write_files=lambda cycle, outcome: write_annual_csv(cycle.run, outcome.results),
    dossiers=_jobs,
    results=lambda outcome: {"assessment": outcome.results.assessment, "individuals": outcome.results.individuals},
    artifacts=lambda cycle, outcome, folder: publish_artifacts(outcome.results, folder, int(cycle.run.period)),
    manifest=lambda cycle, outcome: {"all_units": cycle.options["all_units"]},
    compared=(Compared("assessment.csv", ("rank", "final_score", "grade", "excellent", "measure", "apology")),),
)
