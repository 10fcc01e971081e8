"""The 现场点评 cycle as a spec: one review's sample, statistics and findings, its files, report and artifacts."""

from __future__ import annotations

from pathlib import Path

from schemas.outputs import SITE_RESULT_COLUMNS, SITE_SAMPLE_COLUMNS
from tasks.cycles.artifacts import publish
from tasks.cycles.on_site import report
from tasks.cycles.spec import CycleRun, CycleSpec
from tasks.rules.changes import Compared
from tasks.dossiers import common
from tasks.dossiers.render import PdfJob


def review_site(cycle: CycleRun) -> report.SiteOutcome:
    """The review's sample drawn with its seed, its questionnaire statistics and its findings."""
    return report.site_outcome(cycle.data, cycle.run.period, cycle.run.policy, cycle.options.get("seed"))


def write_site_csv(cycle: CycleRun, outcome: report.SiteOutcome) -> list[Path]:
    """site_results.csv and sample.csv in the version."""
    version = cycle.run.version
    return [version.write_csv("site_results.csv", report.results(outcome), SITE_RESULT_COLUMNS),
            version.write_csv("sample.csv", report.sample_list(outcome), SITE_SAMPLE_COLUMNS)]


def site_jobs(cycle: CycleRun, outcome: report.SiteOutcome, quality: dict) -> list[PdfJob]:
    """The review report: its summary.pdf."""
    run, review = cycle.run, outcome.review
    cover = common.cover(run.policy, run.period[:4], f"点评{run.period[5:]}-{run.version.number}",
                         f"关于{review['region']}创先争优活动的现场点评报告", f"{review['team']} · 现场点评")
    context = report.summary_context(cover, outcome, quality, run.policy)
    return [PdfJob("on_site_summary.html", context, run.version.path_for("summary.pdf"))]


def publish_artifacts(cycle: CycleRun, outcome: report.SiteOutcome, folder: Path) -> None:
    """Prefect artifacts: the sample to visit with its seed, and where the report is."""
    review = outcome.review
    key = f"on-site-{review['review_id'].lower()}"
    columns = {"org_type": "组织类型", "draw": "抽取顺序", "org_id": "基层单位编码", "name": "名称", "region": "所属地区",
               "township": "所属乡镇(街道)"}
    publish(key, "sample", outcome.draw.sample.rename(columns=columns),
            f"{review['team']}现场走访样本(随机种子 {outcome.seed})", f"{review['team']}现场点评({review['region']})",
            f"抽取基层单位 {len(outcome.draw.sample)} 个(随机种子 {outcome.seed}),回收问卷 "
            f"{sum(outcome.questionnaires.values())} 份,点评意见 {len(outcome.findings)} 条。", outcome.notes, folder,
            "sample.csv", report="点评报告")


ON_SITE = CycleSpec(
    code="on-site",
    compute=review_site,
    write_files=write_site_csv,
    dossiers=site_jobs,
    results=lambda outcome: {},  # a review stands alone: no later cycle reads it
    artifacts=publish_artifacts,
    manifest=lambda cycle, outcome: {"sample_seed": outcome.seed, "notes": outcome.notes},
    compared=(Compared("sample.csv", ("draw",), key="org_id", name="name"),),  # a unit drawn or no longer drawn
)
