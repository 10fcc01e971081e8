"""The 积分制管理 cycle as a spec: the year's points and 千分制 grades, their files, dossiers and artifacts."""

from __future__ import annotations

from pathlib import Path

from schemas.outputs import POINTS_COLUMNS, SCORECARD_COLUMNS
from tasks.cycles.artifacts import publish
from tasks.cycles.points import report
from tasks.cycles.spec import CycleRun, CycleSpec
from tasks.rules.changes import Compared
from tasks.dossiers import common
from tasks.dossiers.render import PdfJob


def score_year(cycle: CycleRun) -> report.PointsOutcome:
    """积分 per event and person, 入党积极分子 and reward tiers, 千分制 grades and 优秀 streaks of the year."""
    return report.points_outcome(cycle.data, int(cycle.run.period), cycle.run.policy)


def write_points_csv(cycle: CycleRun, outcome: report.PointsOutcome) -> list[Path]:
    """points.csv, scorecards.csv and publicity.csv in the version."""
    version, publicity = cycle.run.version, report.publicity(outcome)
    return [version.write_csv("points.csv", outcome.people, POINTS_COLUMNS),
            version.write_csv("scorecards.csv", outcome.cards, SCORECARD_COLUMNS),
            version.write_csv("publicity.csv", publicity, list(publicity.columns))]


def points_jobs(cycle: CycleRun, outcome: report.PointsOutcome, quality: dict) -> list[PdfJob]:
    """The summary and the publicity list of the year."""
    run, year = cycle.run, outcome.year

    def cover(title: str) -> dict:
        return common.cover(run.policy, year, f"积分{run.version.number}", title, f"{year}年度 · 积分制管理")

    summary = report.summary_context(cover(f"{year}年度积分制管理和千分制考核情况报告"), outcome, quality, run.policy)
    publicity = report.publicity_context(cover(f"{year}年度入党积极分子和破格录用提拔人选公示"), outcome,
                                         run.policy)
    return [PdfJob("points_summary.html", summary, run.version.path_for("summary.pdf")),
            PdfJob("points_publicity.html", publicity, run.version.path_for("publicity.pdf"))]


def publish_artifacts(cycle: CycleRun, outcome: report.PointsOutcome, folder: Path) -> None:
    """Prefect artifacts: the two lists with their reasons, and the headline figures with where the summary is."""
    year, figures = outcome.year, report.key_figures(outcome)
    publish(f"points-{year}", "lists", report.publicity(outcome), f"{year}年度 入党积极分子人选与破格录用或提拔人选",
            f"{year}年度积分制管理",
            f"积分记录 {figures['events']} 条,计入积分 {figures['counted']:g} 分(申报 {figures['claimed']:g} 分);"
            f"达到入党积极分子标准 {figures['activists']} 人,获志愿服务奖励 {figures['rewarded']} 人。\n\n"
            f"千分制考核 {figures['cadres']} 人,优秀 {figures['优秀']} 人;可破格录用或提拔 {figures['promotable']} 人。",
            outcome.notes, folder, "publicity.csv")


POINTS = CycleSpec(
    code="points",
    compute=score_year,
    write_files=write_points_csv,
    dossiers=points_jobs,
    results=lambda outcome: {},  # nothing later cycles read: the streak reads the stored scorecards
    artifacts=publish_artifacts,
    manifest=lambda cycle, outcome: {"notes": outcome.notes},
    compared=(Compared("points.csv", ("activist",), key="person_id", person=True),
              Compared("scorecards.csv", ("grade", "promotable"), key="person_id", person=True)),
)
