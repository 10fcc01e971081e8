"""年度考核 dossiers to render: the summary, the unit dossiers and the publicity list, as PDF jobs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from schemas.policy import Annual, Policy
from tasks.cycles.annual import report
from tasks.dossiers import common
from tasks.dossiers.charts import histogram_svg, trend_svg
from tasks.cycles.annual.waterfall import comparison, waterfall
from tasks.dossiers.render import PdfJob
from tasks.rules.annual import bonus_records


def summary_context(base: dict, assessment: pd.DataFrame, individuals: pd.DataFrame, targets: pd.DataFrame,
                    previous: pd.DataFrame | None, quality: dict, year: int, policy: Policy,
                    units: pd.DataFrame) -> dict:
    """Everything the annual summary shows, as plain values: each category's head and tail (the full ranking is
    in the workbook), so that it reads the same for a city and a province."""
    figures = report.key_figures(assessment, individuals)
    last = report.key_figures(previous.assign(**_defaults(previous)), individuals.iloc[:0]) \
        if previous is not None and not previous.empty else None
    trend = report.trend_table(assessment)
    return {
        **base,
        "year": year, "policy": policy.annual.model_dump(), "figures": figures, "last_figures": last,
        "cover_facts": [("考核年度", f"{year}年"), ("参评单位", f"{figures['units']}个"),
                        ("先进单位", f"{figures['excellent']}个"),
                        ("末位处理", f"{figures['诫勉谈话'] + figures['调整主要领导']}个")],
        "grade_table": report.records(report.grade_table(assessment)),
        "categories": [(c, report.records(common.head_and_tail(rows, policy.annual.summary_rows,
                                                        rows["measure"].notna() | rows["veto"].astype(bool),
                                                        "assessment.xlsx")))
                       for c, rows in report.in_rank_order(assessment).groupby("category", sort=False)],
        "regions": report.records(report.region_table(assessment, units)),
        "excellent": report.records(report.excellent_units(assessment)),
        "measures": report.records(report.measure_units(assessment, policy.annual.escalation_growth)),
        "apologies": report.records(report.apology_units(assessment)),
        "individuals": report.records(report.individuals_table(individuals, assessment)),
        "targets": report.records(report.targets_table(targets)),
        "trend": report.records(trend),
        "missing": report.records(report.in_rank_order(assessment[assessment["missing_components"].notna()])),
        # Every bonus record that did not count in full, so none is dropped without a trace (SPEC §2.3).
        "bonus_notes": report.records(report.in_rank_order(assessment[assessment["bonus_notes"].notna()])),
        "charts": _charts(assessment, trend, year),
        "quality": quality,
    }


def _defaults(previous: pd.DataFrame) -> dict:
    """Columns the key figures read that a stored result of last year may lack."""
    needed = {"apology": None, "missing_components": None, "excellent": False, "veto": False}
    return {c: previous[c] if c in previous else v for c, v in needed.items()}


def _charts(assessment: pd.DataFrame, trend: pd.DataFrame, year: int) -> dict:
    measured = assessment.loc[assessment["measure"].notna(), "final_score"]
    rows = trend.set_index("category")
    return {
        "histogram": histogram_svg(assessment["final_score"].tolist(), bins=20, x_label="最终得分(分)",
                                   highlight=measured.tolist(), highlight_label="末位处理单位"),
        "trend": trend_svg([f"{year - 1}年", f"{year}年"],
                           {c: [_none(rows.loc[c, "last"]), _none(rows.loc[c, "this"])] for c in rows.index
                            if rows.loc[c, "units"] > 0},
                           y_label="平均最终得分(分)"),
    }


def _none(value) -> float | None:
    return None if pd.isna(value) else float(value)


def unit_context(base: dict, row: dict, steps: list[dict], last: dict | None, policy: Policy) -> dict:
    """Everything one unit's dossier shows, as plain values."""
    return {
        **base, "title": f"{row['unit_name']}{base['year']}年度考核情况", "unit": row, "steps": steps,
        "comparison": comparison(row, last), "next_steps": report.next_steps(row, policy),
        "cover_facts": [("单位名称", row["unit_name"]), ("单位类别", row["category"]),
                        ("考核等次", row["grade"] or "未评定"), ("处理措施", row["measure"] or "无"),
                        ("一把手道歉", row["apology"] or "无")],
    }


def singled_out(assessment: pd.DataFrame, policy: Annual) -> pd.Series:
    """Which units get a dossier of their own: those with a measure, and those with an apology when `policy` says
    so (`apology_dossiers`)."""
    chosen = assessment["measure"].notna()
    return chosen | assessment["apology"].notna() if policy.apology_dossiers else chosen


def unit_jobs(base: dict, assessment: pd.DataFrame, data: dict[str, pd.DataFrame], half_years: pd.DataFrame,
              previous: pd.DataFrame | None, year: int, policy: Policy, path_for: Callable[[str], Path],
              all_units: bool) -> list[PdfJob]:
    """One dossier per unit with a measure, and per unit with an apology when the policy asks for those too (per
    unit when `all_units`)."""
    chosen = assessment if all_units else assessment[singled_out(assessment, policy.annual)]
    frame = chosen.assign(apology_grounds=report.apology_grounds_text(chosen))
    ids = frame["unit_id"]
    deductions = data["deductions"][pd.to_datetime(data["deductions"]["date"]).dt.year.eq(year).fillna(False)]
    bonuses = bonus_records(data["bonuses"], year, policy.annual)
    per_unit = {
        "half_years": report.grouped_records(half_years.sort_values("period"), ids),
        "deductions": report.grouped_records(deductions.sort_values("date"), ids),
        "bonuses": report.grouped_records(bonuses, ids),
    }
    last = report.grouped_records(previous, ids) if previous is not None else {}
    sizes = assessment["category"].value_counts()
    jobs = []
    for row in report.records(frame):
        unit = row["unit_id"]
        steps = waterfall(row, *(per_unit[k].get(unit, []) for k in ("half_years", "deductions", "bonuses")),
                          int(sizes[row["category"]]), policy.annual)
        context = unit_context({**base, "year": year}, row, steps, (last.get(unit) or [None])[0], policy)
        jobs.append(PdfJob("annual_unit.html", context, path_for(f"units/{unit}.pdf")))
    return jobs


def publicity_context(base: dict, assessment: pd.DataFrame, year: int) -> dict:
    """The year-end publicity list (公示) of every unit's result."""
    frame = report.in_rank_order(assessment)
    frame["honour"] = frame["excellent"].map({True: "先进单位", False: None})
    return {**base, "title": f"{year}年度窗口单位考核结果公示", "year": year,
            "categories": [(c, report.records(rows)) for c, rows in frame.groupby("category", sort=False)]}


def dossier_jobs(path_for: Callable[[str], Path], summary: dict, units: list[PdfJob],
                 publicity: dict) -> list[PdfJob]:
    """The summary first (the heaviest), then the publicity list and the unit dossiers."""
    return [PdfJob("annual_summary.html", summary, path_for("summary.pdf")),
            PdfJob("annual_publicity.html", publicity, path_for("publicity.pdf")), *units]


def cover(policy: Policy, year: int, version: int, title: str, today: date | None = None) -> dict:
    """The cover fields of one annual dossier."""
    return common.cover(policy, year, f"年考{version}", title, f"{year}年度 · 年度考核", today)
