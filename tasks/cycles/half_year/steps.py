"""The 半年点评写实 cycle as a spec: earlier results, the half-year outcome, its files, dossiers and artifacts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from schemas.outputs import RANKING_COLUMNS
from tasks.cycles.artifacts import publish
from tasks.cycles.half_year import dossiers
from tasks.cycles.half_year import report
from tasks.cycles.common import Run
from tasks.cycles.spec import CycleRun, CycleSpec
from tasks.rules.changes import Compared
from tasks.store.engine import get_engine
from tasks.periods import issue_date, shift_period
from tasks.store.runs import final_published_on, load_results
from tasks.dossiers.render import PdfJob


def earlier_rankings(db_url: str, period: str, before: datetime | None = None) -> pd.DataFrame:
    """The published rankings of the half-years before `period` (as published `before`, when given), for the trend
    and the follow-up."""
    engine = get_engine(db_url)
    return report.stack_history({p: load_results(engine, "ranking", p, before) for p in report.earlier_periods(period)})


def rank_half_year(cycle: CycleRun) -> report.HalfYearOutcome:
    """半年点评: scores, ranks, designations, profiles, leader-comment coverage and rectification follow-up, the
    previous half-year's plans read on the day this version is published."""
    run = cycle.run
    history = earlier_rankings(cycle.db_url, run.period, cycle.published_before)
    started = final_published_on(get_engine(cycle.db_url), "half-year", shift_period("half-year", run.period, -1),
                                 cycle.published_before)
    today = run.publication.published_on if run.publication else issue_date(run.policy.timezone)
    return report.half_year_outcome(cycle.data, run.period, run.policy, history, started, today)


def write_half_year_csv(run: Run, outcome: report.HalfYearOutcome) -> list[Path]:
    """ranking.csv (and ranking.xlsx for Excel) and publicity.csv in the version."""
    publicity, ranking = report.publicity(outcome), outcome.results()
    return [
        run.version.write_csv("ranking.csv", ranking, RANKING_COLUMNS),
        run.version.write_xlsx("ranking.xlsx", ranking, RANKING_COLUMNS, "半年点评排名"),
        run.version.write_csv("publicity.csv", publicity, list(publicity.columns)),
    ]


def half_year_jobs(run: Run, outcome: report.HalfYearOutcome, quality: dict) -> list[PdfJob]:
    """The PDF jobs of the half-year: summary, publicity list, and one dossier per designated unit."""
    def cover(title: str) -> dict:
        return dossiers.cover(run.policy, run.period, run.version.number, title)

    return dossiers.dossier_jobs(cover, outcome, quality, run.policy, run.version.path_for, run.publication)


def publish_artifacts(outcome: report.HalfYearOutcome, folder: Path) -> None:
    """Prefect artifacts: the designated units, and the headline figures with where the summary is."""
    columns = {"unit_id": "单位编码", "unit_name": "单位名称", "category": "单位类别", "rank": "名次",
               "score": "得分", "satisfaction_rate": "满意率", "designation": "确定结果"}
    table = outcome.designated[list(columns)].rename(columns=columns).round({"得分": 2, "满意率": 4})
    figures = report.key_figures(outcome)
    publish(f"half-year-{outcome.period.lower()}", "designated", table,
            f"{outcome.period} 半年点评:重点管理单位与重点督查单位", f"{report.period_label(outcome.period)}半年点评写实",
            f"参评单位 {figures['units']} 个,参与排名 {figures['ranked']} 个,样本不足 {figures['insufficient']} 个;"
            f"有效测评票 {figures['valid']:,} 张。\n\n重点管理单位 {figures['key_management']} 个,重点督查单位 "
            f"{figures['key_supervision']} 个。", outcome.notes, folder, "ranking.csv")


HALF_YEAR = CycleSpec(
    code="half-year",
    compute=rank_half_year,
    write_files=lambda cycle, outcome: write_half_year_csv(cycle.run, outcome),
    dossiers=lambda cycle, outcome, quality: half_year_jobs(cycle.run, outcome, quality),
    results=lambda outcome: {"ranking": outcome.results()},
    artifacts=lambda cycle, outcome, folder: publish_artifacts(outcome, folder),
    manifest=lambda cycle, outcome: outcome.manifest(),
    compared=(Compared("ranking.csv", ("rank", "score", "designation")),),
)
