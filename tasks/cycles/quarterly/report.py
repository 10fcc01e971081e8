"""季度评议写实 dossiers: the quarter's results turned into plain contexts for the summary, unit and publicity templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from schemas.policy import Policy
from tasks.dossiers.charts import bar_svg, trend_svg
from tasks.dossiers import common
from tasks.periods import period_bounds
from tasks.dossiers.render import PdfJob
from tasks.rules import tolerance
from tasks.rules.commitments import STANDING_ONGOING, STANDING_OVERDUE, commitment_standing, fulfilment
from tasks.rules.platform import monthly_case_figures, unit_case_figures
from tasks.dossiers.common import records  # noqa: F401 — the cycle's dossiers read it here

NO_RECORD = "无兑现记录"
QUARTER_NAMES = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}
PUBLICITY_COLUMNS = {
    "unit_name": "单位名称", "region": "所属地区", "due": "到期承诺(项)", "fulfilled": "已兑现(项)",
    "adjusted": "已调整(项)", "overdue": "逾期未兑现(项)", "in_progress": "推进中(项)", "fulfilment_rate": "兑现率",
}


def period_label(period: str) -> str:
    """A quarter as it is written in documents, such as "2026年第二季度"."""
    return f"{period[:4]}年{QUARTER_NAMES[period[-1]]}"


def _rate(numerator: float, denominator: float) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


def warned_units(review: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The units on the warning list, most overdue and lowest fulfilment first, with their region and leader."""
    warned = review[review["warning"].astype(bool)].merge(
        units[["unit_id", "region", "category", "leader_name"]].astype({"unit_id": "str"}), on="unit_id", how="left")
    return warned.sort_values(["overdue", "fulfilment_rate", "unit_id"], ascending=[False, True, True],
                              na_position="last", ignore_index=True)


def key_figures(review: pd.DataFrame, standing: pd.DataFrame, cases: pd.DataFrame, period: str) -> dict:
    """The quarter's headline numbers across the city."""
    totals = review[["due", "fulfilled", "adjusted", "overdue", "in_progress", "platform_cases"]].sum()
    platform = unit_case_figures(cases, *period_bounds("quarterly", period))
    counts = platform[["received", "closed", "closed_on_time", "closed_with_due", "rated", "satisfied"]].sum()
    return {
        "units": len(review), "commitments": len(standing),
        "ongoing": int(standing["standing"].eq(STANDING_ONGOING).sum()),
        **{name: int(value) for name, value in totals.items()},
        "fulfilment_rate": _rate(totals["fulfilled"], totals["due"] - totals["adjusted"]),
        "warned": int(review["warning"].astype(bool).sum()),
        "cases_received": int(counts["received"]), "cases_closed": int(counts["closed"]),
        "cases_on_time": int(counts["closed_on_time"]),
        "on_time_rate": _rate(counts["closed_on_time"], counts["closed_with_due"]),
        "satisfaction_rate": _rate(counts["satisfied"], counts["rated"]),
        "has_cases": bool(len(cases)),
    }


def by_region(review: pd.DataFrame, units: pd.DataFrame, cases: pd.DataFrame, period: str) -> pd.DataFrame:
    """Fulfilment and platform figures per district (所属地区), in region order."""
    platform = unit_case_figures(cases, *period_bounds("quarterly", period))
    frame = review.merge(units[["unit_id", "region"]].astype("str"), on="unit_id", how="left").merge(
        platform[["unit_id", "rated", "satisfied"]], on="unit_id", how="left")
    frame["warned"] = frame["warning"].astype(bool)
    regions = frame.groupby("region", sort=True).agg(
        units=("unit_id", "size"), due=("due", "sum"), fulfilled=("fulfilled", "sum"),
        adjusted=("adjusted", "sum"), overdue=("overdue", "sum"), warned=("warned", "sum"),
        platform_cases=("platform_cases", "sum"), rated=("rated", "sum"), satisfied=("satisfied", "sum"),
    )
    denominator = (regions["due"] - regions["adjusted"]).astype("float64")
    regions["fulfilment_rate"] = regions["fulfilled"] / denominator.where(denominator > 0)
    regions["satisfaction_rate"] = regions["satisfied"] / regions["rated"].where(regions["rated"] > 0)
    return regions.reset_index()


def overdue_commitments(standing: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Every commitment overdue at the quarter, with its unit's name, oldest deadline first."""
    overdue = standing[standing["standing"] == STANDING_OVERDUE]
    named = overdue.merge(units[["unit_id", "unit_name"]].astype("str"), on="unit_id", how="left")
    named["status"] = named["status"].fillna(NO_RECORD)
    return named.sort_values(["deadline", "unit_id", "commitment_id"], ignore_index=True)


def publicity(review: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """承诺履行情况公示: every unit's commitment figures, by region and unit, with Chinese headers."""
    frame = review.merge(units[["unit_id", "region"]].astype("str"), on="unit_id", how="left")
    frame = frame.sort_values(["region", "unit_id"], ignore_index=True)
    return frame[list(PUBLICITY_COLUMNS)].rename(columns=PUBLICITY_COLUMNS)


def _float(value) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)


def next_steps(row: pd.Series | dict, policy: Policy) -> list[str]:
    """What a warned unit must do next, one sentence per reason it was warned for."""
    steps = []
    if row["overdue"]:
        steps.append(f"对逾期未兑现的{row['overdue']}项承诺逐项说明原因,明确责任人和完成时限,"
                     "确需调整的按程序报批,下季度评议前完成兑现或调整。")
    # The same comparison as the warning rule, so a step is asked for exactly when its reason was given.
    if tolerance.below(_float(row["fulfilment_rate"]), policy.quarterly.fulfilment_warning_below):
        steps.append("主要负责人牵头分析承诺兑现率偏低的原因,对照“服务标准、具体措施、完成时限”逐项推进。")
    if tolerance.below(_float(row["platform_satisfaction_rate"]), policy.quarterly.satisfaction_warning_below):
        steps.append("逐件回访本季度“不满意”平台工单,查找服务短板,限时整改并向服务对象反馈。")
    steps.append("将整改情况书面报送市创先争优活动领导小组办公室,并在本单位公开承诺栏公示。")
    return steps


def cover(policy: Policy, period: str, version: int, title: str, today: date | None = None) -> dict:
    """The cover fields every quarterly dossier shares; the document number carries the results' version."""
    return common.cover(policy, period[:4], f"季评{period[-1]}-{version}", title, f"{period_label(period)} · 季度评议写实",
                        today)


def quarter_trend(units: pd.DataFrame, commitments: pd.DataFrame, status: pd.DataFrame, period: str) -> dict:
    """The citywide fulfilment rate at each quarter of the year up to `period`, as {"2026Q1": rate}."""
    trend = {}
    for quarter in range(1, int(period[-1]) + 1):
        name = f"{period[:4]}Q{quarter}"
        totals = fulfilment(units, commitment_standing(commitments, status, name)).sum(numeric_only=True)
        trend[name] = _rate(totals["fulfilled"], totals["due"] - totals["adjusted"])
    return trend


def _months(cases: pd.DataFrame, period: str, per_unit: bool) -> pd.DataFrame:
    months = monthly_case_figures(cases, *period_bounds("quarterly", period), per_unit=per_unit)
    return months.assign(month_label=months["month"].astype("str") + "月")


def _month_charts(months: pd.DataFrame) -> dict:
    labels = months["month_label"].tolist()
    return {
        "received": bar_svg(labels, months["received"].tolist(), y_label="件"),
        "satisfaction": trend_svg(labels, {"满意度": (months["satisfaction_rate"] * 100).tolist()}, y_label="%"),
    }


def summary_context(base: dict, data: dict[str, pd.DataFrame], review: pd.DataFrame, period: str,
                    policy: Policy, quality: dict) -> dict:
    """Everything the quarterly summary shows, as plain values."""
    units, cases = data["units"], data["platform_cases"]
    standing = commitment_standing(data["commitments"], data["commitment_status"], period)
    figures = key_figures(review, standing, cases, period)
    regions = by_region(review, units, cases, period)
    months = _months(cases, period, per_unit=False)
    trend = quarter_trend(units, data["commitments"], data["commitment_status"], period)
    return {
        **base, "period_label": period_label(period), "figures": figures,
        "thresholds": {"fulfilment": policy.quarterly.fulfilment_warning_below,
                       "satisfaction": policy.quarterly.satisfaction_warning_below},
        "cover_facts": [("评议期次", period_label(period)), ("参评单位", f"{figures['units']}个"),
                        ("承诺兑现率", _pct_text(figures["fulfilment_rate"])), ("预警单位", f"{figures['warned']}个")],
        "regions": records(regions), "warned": records(warned_units(review, units)),
        "overdue": records(overdue_commitments(standing, units)), "months": records(months),
        "charts": {
            "trend": trend_svg([f"第{k[-1]}季度" for k in trend],
                               {"兑现率": [None if v is None else v * 100 for v in trend.values()]}, y_label="%"),
            "regions": bar_svg(regions["region"].tolist(), (regions["fulfilment_rate"] * 100).tolist(),
                               value_format="{:.1f}", y_label="%"),
            **_month_charts(months),
        },
        "quality": quality,
    }


def _pct_text(rate: float | None) -> str:
    return "—" if rate is None or pd.isna(rate) else f"{rate * 100:.1f}%"


def unit_jobs(base: dict, data: dict[str, pd.DataFrame], review: pd.DataFrame, period: str, policy: Policy,
              path_for: Callable[[str], Path]) -> list[PdfJob]:
    """One dossier job per warned unit: its commitments, monthly platform figures and next steps."""
    warned = warned_units(review, data["units"])
    standing = commitment_standing(data["commitments"], data["commitment_status"], period)
    standing = standing[standing["unit_id"].astype("str").isin(set(warned["unit_id"]))]
    standing = standing.assign(flagged=standing["standing"] == STANDING_OVERDUE,
                               status=standing["status"].fillna(NO_RECORD))
    months = _months(data["platform_cases"], period, per_unit=True)
    months = months[months["unit_id"].isin(set(warned["unit_id"]))]
    by_unit = {name: dict(standing=rows, months=frame) for name, rows, frame in _paired(warned, standing, months)}
    return [PdfJob("quarterly_unit.html", unit_context(base, row, by_unit[row["unit_id"]], period, policy,
                                                       has_cases=not data["platform_cases"].empty),
                   path_for(f"units/{row['unit_id']}.pdf")) for row in records(warned)]


def _paired(warned: pd.DataFrame, standing: pd.DataFrame, months: pd.DataFrame):
    commitments = dict(tuple(standing.groupby(standing["unit_id"].astype("str"), sort=False)))
    monthly = dict(tuple(months.groupby("unit_id", sort=False)))
    for unit in warned["unit_id"]:
        yield unit, commitments.get(unit, standing.iloc[:0]), monthly.get(unit, months.iloc[:0])


def unit_context(base: dict, row: dict, parts: dict[str, pd.DataFrame], period: str, policy: Policy,
                 has_cases: bool) -> dict:
    """Everything the dossier of one warned unit shows."""
    months = parts["months"]
    return {
        **base, "title": f"关于{row['unit_name']}{period_label(period)}公开承诺评议写实预警的通知",
        "period_label": period_label(period), "unit": row, "row": row,
        "cover_facts": [("单位名称", row["unit_name"]), ("所属地区", row["region"]),
                        ("评议期次", period_label(period)), ("预警原因", f"{len(row['warning_reasons'].split('；'))}项")],
        "reasons": row["warning_reasons"].split("；"), "steps": fulfilment_steps(row),
        "commitments": records(parts["standing"]), "months": records(months), "has_cases": has_cases,
        "charts": {"received": bar_svg(months["month_label"].tolist(), months["received"].tolist(), y_label="件")},
        "next_steps": next_steps(row, policy),
    }


def fulfilment_steps(row: dict) -> list[dict]:
    """How a unit's fulfilment rate is reached from its commitment counts."""
    return [
        {"what": "截至季末到期的承诺", "how": "完成时限不晚于季度末", "value": f"{row['due']}项"},
        {"what": "其中经批准调整", "how": "不计入兑现率分母", "value": f"{row['adjusted']}项"},
        {"what": "其中已兑现", "value": f"{row['fulfilled']}项"},
        {"what": "其中逾期未兑现", "how": "到期既未兑现也未经批准调整,含无兑现记录的", "value": f"{row['overdue']}项"},
        {"what": "承诺兑现率", "how": "已兑现 ÷(到期 − 已调整)", "value": _pct_text(row["fulfilment_rate"])},
    ]


def publicity_context(base: dict, review: pd.DataFrame, units: pd.DataFrame, period: str) -> dict:
    """承诺履行情况公示 of every unit, grouped by region."""
    frame = review.merge(units[["unit_id", "region"]].astype("str"), on="unit_id", how="left")
    totals = frame[["due", "fulfilled", "adjusted", "overdue"]].sum()
    figures = {"units": len(frame), **{k: int(v) for k, v in totals.items()},
               "fulfilment_rate": _rate(totals["fulfilled"], totals["due"] - totals["adjusted"])}
    return {**base, "title": f"{period_label(period)}窗口单位公开承诺履行情况公示", "period_label": period_label(period),
            "figures": figures,
            "regions": [{"region": region, "rows": records(rows)}
                        for region, rows in frame.sort_values(["region", "unit_id"]).groupby("region", sort=True)]}


def artifact_body(review: pd.DataFrame) -> str:
    """The quarter's headline figures in a sentence, for the Prefect UI."""
    totals = review[["due", "fulfilled", "adjusted", "overdue"]].sum()
    warned = int(review["warning"].astype(bool).sum())
    return (f"参评单位 {len(review)} 个;到期承诺 {totals['due']} 项,已兑现 {totals['fulfilled']} 项,已调整 "
            f"{totals['adjusted']} 项,逾期未兑现 {totals['overdue']} 项,兑现率 "
            f"{_pct_text(_rate(totals['fulfilled'], totals['due'] - totals['adjusted']))};预警单位 {warned} 个。")


def dossier_jobs(path_for: Callable[[str], Path], summary: dict, publicity_list: dict,
                 units: list[PdfJob]) -> list[PdfJob]:
    """The summary first (the heaviest), then the publicity list and the unit dossiers."""
    return [PdfJob("quarterly_summary.html", summary, path_for("summary.pdf")),
            PdfJob("quarterly_publicity.html", publicity_list, path_for("publicity.pdf")), *units]
