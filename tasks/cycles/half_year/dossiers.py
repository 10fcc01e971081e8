"""半年点评写实 dossiers to render: the summary, one dossier per designated unit and the publicity list, as PDF jobs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from schemas.datasets import DIMENSIONS
from schemas.outputs import INSUFFICIENT_SAMPLE, KEY_MANAGEMENT
from schemas.policy import Policy
from tasks.cycles.half_year import report
from tasks.cycles.half_year.survey_checks import boundary_sentence
from tasks.dossiers.charts import bar_svg, histogram_svg, interval_svg, profile_svg, trend_svg
from tasks.dossiers import common
from tasks.dossiers.render import PdfJob
from tasks.outputs.publication import DRAFT, Publication
from tasks.rules.working_days import add_working_days


def cover(policy: Policy, period: str, version: int, title: str, today: date | None = None) -> dict:
    """The cover fields every half-year dossier shares; the document number carries the version."""
    label = report.period_label(period)
    return {**common.cover(policy, period[:4], f"点评{version}", title, f"{label} · 半年点评写实", today),
            "period": period, "period_label": label, "city": policy.city}


def _split(ranking: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ranked units (flagged when designated) and the 样本不足 units."""
    ranked = ranking[ranking["rank"].notna()]
    ranked = ranked.assign(flagged=ranked["designation"].isin(report.DESIGNATED),
                           interval=_intervals(ranked["ci_low"], ranked["ci_high"]),
                           rank_interval=ranked["rank_low"].astype("str") + "—" + ranked["rank_high"].astype("str"))
    return ranked, ranking[ranking["designation"].eq(INSUFFICIENT_SAMPLE)]


def _intervals(low: pd.Series, high: pd.Series) -> pd.Series:
    """Each 95 % interval as text such as "88.6%–100.0%"."""
    return (low * 100).map("{:.1f}%".format) + "–" + (high * 100).map("{:.1f}%".format)


def summary_context(base: dict, outcome: report.HalfYearOutcome, quality: dict, policy: Policy) -> dict:
    """Everything the half-year summary shows, as plain values."""
    figures = report.key_figures(outcome)
    ranked, insufficient = _split(outcome.ranking)
    return {
        **base, "figures": figures, "policy": policy.half_year.model_dump(),
        "cover_facts": [("测评期次", base["period_label"]), ("参评单位", f"{figures['units']}个"),
                        ("有效测评票", f"{figures['valid']:,}张"),
                        ("重点管理单位", f"{figures['key_management']}个"),
                        ("重点督查单位", f"{figures['key_supervision']}个")],
        "categories": [(c, report.records(common.head_and_tail(rows, policy.half_year.summary_rows, rows["flagged"],
                                                        "ranking.xlsx")))
                       for c, rows in (ranked.groupby("category", sort=False) if outcome.within_category
                                       else [("", ranked)])],
        "insufficient": report.records(insufficient),
        "designated": report.records(outcome.designated),
        "notes": outcome.notes,
        "coverage": report.records(outcome.coverage),
        "dimension_table": report.records(report.dimension_comparison(outcome)),
        "follow_up": report.records(report.follow_up_table(outcome)),
        "previous_label": report.period_label(report.earlier_periods(outcome.period, 1)[0]),
        "rectification_working_days": policy.publicity.rectification_working_days,
        "trend": report.records(report.city_trend(outcome).assign(
            label=lambda f: f["period"].map(report.period_label))),
        "charts": _summary_charts(outcome),
        "quality": quality,
        "boundary": [{**row, "sentence": boundary_sentence(row)} for row in report.records(
            outcome.designated[outcome.designated["boundary"]])],
        "integrity": _integrity(outcome),
    }


def _integrity(outcome: report.HalfYearOutcome) -> dict:
    """The screening's counts per rule and its most affected units, by name: never a respondent."""
    summary = dict(outcome.screening.summary)
    names = outcome.ranking.set_index("unit_id")["unit_name"]
    summary["units"] = [{**unit, "unit_name": names.get(unit["unit_id"], unit["unit_id"])}
                        for unit in summary["units"]]
    return {**summary, "excluded": outcome.screening.excluded}


def _summary_charts(outcome: report.HalfYearOutcome) -> dict:
    ranked, _ = _split(outcome.ranking)
    trend = report.city_trend(outcome)
    labels = trend["period"].map(report.period_label).tolist()
    coverage = outcome.coverage[outcome.coverage["subjects"] > 0]
    return {
        "histogram": histogram_svg(ranked["score"].tolist(), bins=20, x_label="测评得分(分)",
                                   highlight=ranked.loc[ranked["flagged"], "score"].tolist(),
                                   highlight_label="重点管理、督查单位"),
        "profile": profile_svg(list(DIMENSIONS), report.designated_profile(outcome)),
        "trend": trend_svg(labels, {"全市平均分": _numbers(trend["mean_score"]),
                                    "重点单位平均分": _numbers(trend["designated_mean"])}, y_label="得分(分)")
        if len(trend) > 1 else None,
        "coverage": bar_svg(coverage["subject_type"].tolist(), (coverage["coverage_rate"] * 100).tolist(),
                            value_format="{:.1f}%", y_label="覆盖率(%)"),
        "intervals": _interval_chart(ranked),
    }


def _interval_chart(ranked: pd.DataFrame, lowest: int = 30) -> str:
    """The rank intervals of the `lowest` units, the lowest at the bottom, the designated in red."""
    rows = ranked.sort_values(["from_bottom", "unit_id"]).head(lowest).iloc[::-1]
    return interval_svg(rows["unit_name"].tolist(), rows["rank"].astype(int).tolist(),
                        rows["rank_low"].astype(int).tolist(), rows["rank_high"].astype(int).tolist(),
                        rows["flagged"].tolist())


def _numbers(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def plan_deadline(issued: date, publication: Publication | None, policy: Policy) -> str:
    """When a 重点管理单位's rectification plan is due, as its dossier states it: the date of the
    `rectification_working_days`-th working day after the final version (正式版) was published, or after this
    version was issued where the half-year has no publicity window; a 公示稿 is not final, so it states the
    rule without a date."""
    days = policy.publicity.rectification_working_days
    if publication is not None and publication.status == DRAFT:
        return f"自本期点评结果正式发布之日起{days}个工作日内"
    start = publication.published_on if publication is not None else issued
    due = add_working_days(start, days, policy.publicity.extra_holidays)
    source = "正式版发布" if publication is not None else "报告印发"
    return f"于{due.year}年{due.month}月{due.day}日前({source}之日起{days}个工作日内)"


def next_steps(row: dict, issued: date, publication: Publication | None, policy: Policy) -> list[str]:
    """What a designated unit must do next: a 重点管理单位 with its rectification plan's deadline (the clock of
    tasks.rules.rectification_clock); a 重点督查单位's plan is on no clock and is followed up next half-year."""
    if row["designation"] == KEY_MANAGEMENT:
        return [
            f"单位主要负责人{row.get('leader_name') or ''}接受市委领导诫勉谈话,当面说明测评排名靠后的原因。",
            f"针对测评反映的问题制定整改方案,{plan_deadline(issued, publication, policy)}"
            "报送市创先争优活动领导小组办公室。",
            "本期测评名次与整改方案在全市范围内公开,接受群众监督。",
            "整改落实情况纳入下一期半年点评跟踪通报。",
        ]
    return [
        "列为市委重点督查对象,由市创先争优活动领导小组办公室组织专项督查。",
        "对照测评反映的问题逐项整改,整改情况报送市创先争优活动领导小组办公室。",
        "整改情况纳入下一期半年点评跟踪通报。",
    ]


def unit_context(base: dict, outcome: report.HalfYearOutcome, row: dict, policy: Policy,
                 publication: Publication | None = None) -> dict:
    """Everything one designated unit's dossier shows, as plain values."""
    unit = row["unit_id"]
    dims = report.profile_table(outcome, unit, "dimension")
    history = report.unit_history(outcome, unit)
    follow = outcome.follow_up[outcome.follow_up["unit_id"].eq(unit)] if len(outcome.follow_up) else None
    return {
        **base, "title": f"{row['unit_name']}{base['period_label']}点评情况", "unit": row,
        "ranked_units": int(row["ranked_units"]),
        "cover_facts": [("单位名称", row["unit_name"]), ("单位类别", row["category"]),
                        ("测评名次", f"第{row['rank']}名(共{row['ranked_units']}个)"),
                        ("排名区间", f"第{row['rank_low']}—{row['rank_high']}名(95%)"),
                        ("确定结果", row["designation"])],
        "dimensions": report.records(dims),
        "groups": report.records(report.profile_table(outcome, unit, "group")),
        "neighbours": report.records(report.neighbours(outcome, unit)),
        "history": report.records(history),
        "follow_up": report.records(follow) if follow is not None else [],
        "next_steps": next_steps(row, date.fromisoformat(base["issued_on"]), publication, policy),
        "boundary": boundary_sentence(row) if row.get("boundary") else None,
        "integrity": _unit_integrity(outcome, unit), "small_cell_min": outcome.small_cell_min,
        "charts": {
            "profile": profile_svg(list(DIMENSIONS), {"全市中位数": _numbers(dims["median"]),
                                                      "本单位": _numbers(dims["score"])}),
            "trend": trend_svg(history["label"].tolist(), {"本单位得分": _numbers(history["score"])},
                               y_label="得分(分)") if len(history) > 1 else None,
        },
    }


def _unit_integrity(outcome: report.HalfYearOutcome, unit: str) -> str | None:
    """What the screening found among the unit's answers, as a sentence; None when nothing."""
    flagged = outcome.screening.flagged_per_unit
    if unit not in flagged.index:
        return None
    count, rules = int(flagged.at[unit, "flagged"]), flagged.at[unit, "rules"]
    treated = "按政策规定未计分" if outcome.screening.excluded else "照常计分,供核查"
    return f"本单位有{count}张测评票被测评完整性筛查标记({rules}),{treated}。"


def publicity_context(base: dict, outcome: report.HalfYearOutcome) -> dict:
    """The publicity list (公示) of every unit's rank, score and designation."""
    ranked, insufficient = _split(outcome.ranking)
    return {**base, "title": f"{base['period_label']}窗口单位群众满意度测评结果公示",
            "ranked": report.records(ranked), "insufficient": report.records(insufficient),
            "figures": report.key_figures(outcome), "notes": outcome.notes}


def dossier_jobs(base: Callable[[str], dict], outcome: report.HalfYearOutcome, quality: dict, policy: Policy,
                 path_for: Callable[[str], Path], publication: Publication | None = None) -> list[PdfJob]:
    """The summary first (the heaviest), then the publicity list and one dossier per designated unit; the
    version's `publication` (公示稿, 正式, or None without a window) decides how plan deadlines read."""
    label = base("")["period_label"]
    jobs = [
        PdfJob("half_year_summary.html",
               summary_context(base(f"关于{label}窗口单位半年点评写实情况的通报"), outcome, quality, policy),
               path_for("summary.pdf")),
        PdfJob("half_year_publicity.html", publicity_context(base(""), outcome), path_for("publicity.pdf")),
    ]
    for row in report.records(outcome.designated):
        jobs.append(PdfJob("half_year_unit.html", unit_context(base(""), outcome, row, policy, publication),
                           path_for(f"units/{row['unit_id']}.pdf")))
    return jobs
