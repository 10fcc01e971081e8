"""年度考核 scores: the three components, the category composite, deductions, bonus, veto and the final score."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.outputs import INSUFFICIENT_SAMPLE
from schemas.policy import Annual, HalfYear
from tasks.rules import tolerance
from tasks.rules.accountability import leader_apologies
from tasks.rules.annual_grading import grade_units
from tasks.rules.platform import platform_score
from tasks.rules.survey import unit_survey_scores

COMPONENTS = {"platform": "平台评价", "superior": "上级评价", "service_object": "服务对象评价"}
SCORE_COLUMNS = [f"{c}_score" for c in COMPONENTS]
WEIGHT_COLUMNS = [f"weight_{c}" for c in COMPONENTS]


def _in_year(dates: pd.Series, year: int) -> pd.Series:
    return pd.to_datetime(dates).dt.year.eq(year).fillna(False).astype(bool)


def _per_unit(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with unit_id as plain strings, so joins and groupbys never depend on its dtype."""
    return frame.assign(unit_id=frame["unit_id"].astype(str))


def assessed_units(units: pd.DataFrame) -> pd.DataFrame:
    """The window units of the registry with their name and category, ordered by unit id."""
    window = units[units["is_window"].astype(bool)]
    frame = pd.DataFrame({
        "unit_id": window["unit_id"].astype(str),
        "unit_name": window["unit_name"].astype(str),
        "category": window["category"].astype(str),
    })
    return frame.sort_values("unit_id", ignore_index=True)


def half_year_scores(published: dict[str, pd.DataFrame | None], responses: pd.DataFrame,
                     units: pd.DataFrame, policy: HalfYear) -> pd.DataFrame:
    """Per unit and half-year: score and 样本不足 flag, from the published ranking, else from the answers."""
    parts = []
    for period, ranking in published.items():
        if ranking is None:
            scores = unit_survey_scores(responses, units, period, policy)
            insufficient = ~scores["sufficient"].astype(bool)
        else:
            scores = ranking
            insufficient = scores["designation"].astype("str").eq(INSUFFICIENT_SAMPLE).fillna(False)
        parts.append(pd.DataFrame({"unit_id": scores["unit_id"].astype(str), "period": period,
                                   "score": scores["score"].astype("float64"),
                                   "insufficient": insufficient.astype(bool) | scores["score"].isna()}))
    columns = {"unit_id": "str", "period": "str", "score": "float64", "insufficient": "bool"}
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(columns)).astype(columns)


def superior_component(superior_scores: pd.DataFrame, year: int) -> pd.DataFrame:
    """上级评价: per unit, the mean of the year's superior evaluation scores and how many there were."""
    rows = _per_unit(superior_scores[superior_scores["year"].astype("Int64").eq(year).fillna(False)])
    return rows.groupby("unit_id", sort=True)["score"].agg(
        superior_score="mean", superior_evaluations="count").reset_index()


def service_object_component(half_year_scores: pd.DataFrame, year: int) -> pd.DataFrame:
    """服务对象评价: per unit, the mean of the year's half-year scores not marked 样本不足, and how many counted."""
    scores = _per_unit(half_year_scores)
    counted = scores[
        scores["period"].astype(str).isin([f"{year}H1", f"{year}H2"])
        & ~scores["insufficient"].astype(bool)
        & scores["score"].notna()
    ]
    return counted.groupby("unit_id", sort=True)["score"].agg(
        service_object_score="mean", service_object_periods="count").reset_index()


def components(units: pd.DataFrame, cases: pd.DataFrame, superior_scores: pd.DataFrame,
               half_year_scores: pd.DataFrame, year: int, policy: Annual) -> pd.DataFrame:
    """Per window unit, the three component scores of the year and the data counts behind each."""
    start = pd.Timestamp(year=year, month=1, day=1)
    platform = platform_score(cases, start, start + pd.DateOffset(years=1), policy.rating_points)
    platform = platform.rename(columns={"rated_cases": "platform_rated_cases", "cases": "platform_cases"})
    frame = assessed_units(units)
    for part in (platform, superior_component(superior_scores, year),
                 service_object_component(half_year_scores, year)):
        frame = frame.merge(part, on="unit_id", how="left")
    counts = ["platform_rated_cases", "platform_cases", "superior_evaluations", "service_object_periods"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    # A unit whose cases were all 未评价 has no platform score, not a score of 0.
    frame.loc[frame["platform_rated_cases"].eq(0), "platform_score"] = np.nan
    return frame


def composite_scores(frame: pd.DataFrame, policy: Annual) -> pd.DataFrame:
    """`frame` with the renormalised effective weights, the composite and the components missing from it."""
    weights = pd.DataFrame(policy.category_weights).T.reindex(columns=list(COMPONENTS)).fillna(0.0)
    nominal = weights.reindex(frame["category"].astype(str)).to_numpy()
    present = frame[SCORE_COLUMNS].notna().to_numpy()
    effective = nominal * present
    total = effective.sum(axis=1, keepdims=True)
    # With no component at all the composite stays empty instead of dividing by zero.
    normalised = np.divide(effective, total, out=np.full_like(effective, np.nan), where=total > 0)
    result = frame.copy()
    result[WEIGHT_COLUMNS] = normalised
    scores = frame[SCORE_COLUMNS].fillna(0.0).to_numpy()
    result["composite"] = np.where(total[:, 0] > 0, (normalised * scores).sum(axis=1), np.nan)
    missing = pd.DataFrame((nominal > 0) & ~present, columns=list(COMPONENTS.values())).astype(object)
    names = missing.dot(pd.Series([f"{label}、" for label in COMPONENTS.values()],
                                  index=missing.columns)).str.rstrip("、")
    result["missing_components"] = names.where(names != "", None).astype("str").to_numpy()
    return result


def deduction_totals(deductions: pd.DataFrame, year: int, cap: float) -> pd.DataFrame:
    """扣分: per unit, the year's deduction records, their points summed, and that sum capped."""
    rows = _per_unit(deductions[_in_year(deductions["date"], year)])
    totals = rows.groupby("unit_id", sort=True)["points"].agg(
        deduction_records="count", deductions_raw="sum").reset_index()
    totals["deductions"] = totals["deductions_raw"].clip(upper=cap)
    return totals


BONUS_COLUMNS = ["record_id", "unit_id", "points", "reason", "approved_by", "approved_at", "approved",
                 "counted_points", "cut_points", "note"]


def bonus_records(bonuses: pd.DataFrame, year: int, policy: Annual) -> pd.DataFrame:
    """加分 records of the year, each with the points that count, the points cut and, if not all count, why.

    A record counts only when `approved_by` names one of the policy's approving bodies and `approved_at` is given;
    approved records fill the cap in order of approval (then record id), and what overflows it is cut.
    """
    rows = _per_unit(bonuses[bonuses["year"].astype("Int64").eq(year).fillna(False)])
    approver = rows["approved_by"].astype("str")
    listed = approver.isin(policy.bonus_approvers).fillna(False).astype(bool)
    dated = rows["approved_at"].notna()
    points = rows["points"].astype("float64")
    ordered = rows.assign(_approved=listed & dated, _at=pd.to_datetime(rows["approved_at"]), _points=points)
    ordered = ordered.sort_values(["unit_id", "_at", "record_id"], kind="stable")
    counted_before = (ordered["_points"].where(ordered["_approved"], 0.0)
                      .groupby(ordered["unit_id"], sort=False).cumsum())
    room = (policy.bonus_cap - (counted_before - ordered["_points"])).clip(lower=0.0)
    counted_points = ordered["_points"].clip(upper=room).where(ordered["_approved"], 0.0)
    cut_points = (ordered["_points"] - counted_points).where(ordered["_approved"], 0.0)
    # Float noise of the running sum (2.1 + 0.9) must not read as a cut of 4 × 10⁻¹⁶ points.
    cut_points = cut_points.where(tolerance.above(cut_points, 0.0), 0.0)
    counted_points = (ordered["_points"] - cut_points).where(ordered["_approved"], 0.0)
    frame = ordered.assign(approved=ordered["_approved"], counted_points=counted_points, cut_points=cut_points)
    frame["note"] = _bonus_notes(frame, approver.reindex(frame.index), listed.reindex(frame.index),
                                 dated.reindex(frame.index), policy)
    return frame[BONUS_COLUMNS].reset_index(drop=True)


def _bonus_notes(frame: pd.DataFrame, approver: pd.Series, listed: pd.Series, dated: pd.Series,
                 policy: Annual) -> pd.Series:
    """Why a bonus record does not count in full, in words; empty when it counts whole."""
    bodies = "、".join(policy.bonus_approvers)
    cut = frame["cut_points"].map(lambda v: f"{v:g}").astype("str")
    notes = np.select(
        [approver.isna() | approver.str.strip().eq(""), ~listed, ~dated,
         frame["counted_points"].eq(0) & frame["cut_points"].gt(0), frame["cut_points"].gt(0)],
        ["未注明审定单位,未经审定,不计入",
         "审定单位“" + approver.fillna("") + "”不是规定的审定单位(" + bodies + "),不计入",
         "未注明审定日期,不计入",
         "加分已达上限" + f"{policy.bonus_cap:g}" + "分,本项" + cut + "分全部核减",
         "超过加分上限" + f"{policy.bonus_cap:g}" + "分,核减" + cut + "分"],
        default="",
    )
    return pd.Series(notes, index=frame.index, dtype="str")


def bonus_totals(bonuses: pd.DataFrame, year: int, policy: Annual) -> pd.DataFrame:
    """加分: per unit, the year's approved bonus records, their points summed, and that sum capped."""
    return _bonus_totals(bonus_records(bonuses, year, policy))


def _bonus_totals(records: pd.DataFrame) -> pd.DataFrame:
    approved = records[records["approved"]]
    totals = approved.groupby("unit_id", sort=True).agg(
        bonus_records=("points", "size"), bonus_raw=("points", "sum"), bonus=("counted_points", "sum"))
    return totals.reset_index().astype({"bonus_records": "int64", "bonus_raw": "float64", "bonus": "float64"})


def bonus_exceptions(records: pd.DataFrame) -> pd.DataFrame:
    """Per unit with a bonus record that does not count in full: each such record and why, joined with "；"."""
    noted = records[records["note"].ne("")]
    label = noted["reason"].astype("str").where(noted["reason"].astype("str").str.strip().ne(""), noted["record_id"])
    text = label.fillna(noted["record_id"]) + "(" + noted["points"].map(lambda v: f"{v:g}").astype("str") + "分):" \
        + noted["note"]
    joined = text.groupby(noted["unit_id"], sort=True).agg("；".join)
    return joined.rename("bonus_notes").reset_index()


def veto_records(vetoes: pd.DataFrame, year: int, items: list[str]) -> pd.DataFrame:
    """一票否决: the year's veto records whose item the policy names."""
    return vetoes[_in_year(vetoes["date"], year) & vetoes["item"].astype(str).isin(items)]


def vetoed_units(vetoes: pd.DataFrame, year: int, items: list[str]) -> pd.DataFrame:
    """Per vetoed unit, the veto items of the year in date order, joined with "、"."""
    rows = _per_unit(veto_records(vetoes, year, items))
    rows = rows.assign(item=rows["item"].astype(str), date=pd.to_datetime(rows["date"]))
    rows = rows.sort_values(["unit_id", "date", "item"]).drop_duplicates(["unit_id", "item"])
    joined = rows.groupby("unit_id", sort=True)["item"].agg("、".join)
    return joined.rename("veto_items").reset_index()


def final_scores(scored: pd.DataFrame, deductions: pd.DataFrame, bonuses: pd.DataFrame,
                 vetoes: pd.DataFrame, year: int, policy: Annual) -> pd.DataFrame:
    """`scored` with deductions, bonus and veto applied: final = clamp(composite − deductions + bonus, 0, 100)."""
    frame = scored
    bonus = bonus_records(bonuses, year, policy)
    for part in (deduction_totals(deductions, year, policy.deduction_cap), _bonus_totals(bonus),
                 bonus_exceptions(bonus), vetoed_units(vetoes, year, policy.veto_items)):
        frame = frame.merge(part, on="unit_id", how="left")
    counts = ["deduction_records", "bonus_records"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    points = ["deductions_raw", "deductions", "bonus_raw", "bonus"]
    frame[points] = frame[points].fillna(0.0).astype("float64")
    frame["veto"] = frame["veto_items"].notna()
    frame["final_score"] = (frame["composite"] - frame["deductions"] + frame["bonus"]).clip(0, 100)
    return frame


def annual_scores(data: dict[str, pd.DataFrame], half_year_scores: pd.DataFrame, year: int,
                  policy: Annual) -> pd.DataFrame:
    """Per window unit, every step from the components to the final score of the year."""
    parts = components(data["units"], data["platform_cases"], data["superior_scores"], half_year_scores,
                       year, policy)
    return final_scores(composite_scores(parts, policy), data["deductions"], data["bonuses"],
                        data["vetoes"], year, policy)


def assessment(data: dict[str, pd.DataFrame], half_year_scores: pd.DataFrame, previous: pd.DataFrame | None,
               year: int, policy: Annual) -> pd.DataFrame:
    """年度考核 of `year`: per window unit, the score waterfall, rank, grade, excellence, measure and apology."""
    graded = grade_units(annual_scores(data, half_year_scores, year, policy), previous, policy)
    apologies = leader_apologies(data["complaints"], data["deductions"], data["exposures"], year)
    frame = graded.merge(apologies, on="unit_id", how="left")
    grounds = ["apology_complaints", "apology_deductions", "apology_exposures"]
    frame[grounds] = frame[grounds].fillna(0).astype("int64")
    frame["apology"] = frame["apology"].astype("str")
    return frame
