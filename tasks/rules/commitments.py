"""季度评议写实: the standing of public commitments at a quarter, fulfilment per unit, and the warning list."""

from __future__ import annotations

import pandas as pd

from schemas.datasets import ONGOING
from schemas.outputs import FULFILMENT_COLUMNS
from schemas.policy import Quarterly
from tasks.periods import period_bounds, year_of
from tasks.rules import tolerance
from tasks.rules.platform import unit_case_figures

FULFILLED = "已兑现"
ADJUSTED = "已调整"
# How a commitment stands at the quarter, as the dossier names it.
STANDING_FULFILLED = "已兑现"
STANDING_ADJUSTED = "已调整"
STANDING_OVERDUE = "逾期未兑现"
STANDING_IN_PROGRESS = "推进中"
STANDING_EARLY = "提前兑现"
STANDING_ONGOING = "长期坚持"  # a commitment without an end: never due, so never overdue, listed apart
COUNT_COLUMNS = ["due", "fulfilled", "in_progress", "adjusted", "overdue"]


def status_at(status: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each commitment's latest status record with period ≤ `period` (later quarters ignored)."""
    known = status[status["period"].astype(str) <= period]
    latest = known.sort_values(["commitment_id", "period"]).drop_duplicates("commitment_id", keep="last")
    return latest.astype({"commitment_id": "str", "period": "str"}).reset_index(drop=True)


def commitment_standing(commitments: pd.DataFrame, status: pd.DataFrame, period: str) -> pd.DataFrame:
    """The commitments of the quarter's year with their status at the quarter, whether due, and their standing."""
    end = period_bounds("quarterly", period)[1]
    own_year = commitments[pd.array(commitments["year"], dtype="Int64") == year_of(period)]
    latest = status_at(status, period)[["commitment_id", "period", "status"]]
    frame = own_year.astype({"commitment_id": "str"}).merge(
        latest.rename(columns={"period": "status_period"}), on="commitment_id", how="left")
    frame["status"] = frame["status"].astype("str")  # no record → NaN, which is neither fulfilled nor adjusted
    # A deadline is a calendar day: due when it falls before the first instant after the quarter.
    deadline = pd.to_datetime(frame["deadline"], format="ISO8601")
    frame["due"] = deadline < end
    fulfilled, adjusted = frame["status"].eq(FULFILLED), frame["status"].eq(ADJUSTED)
    standing = pd.Series(STANDING_IN_PROGRESS, index=frame.index, dtype="str")
    standing[~frame["due"] & fulfilled] = STANDING_EARLY
    standing[deadline.eq(ONGOING)] = STANDING_ONGOING
    standing[frame["due"]] = STANDING_OVERDUE
    standing[frame["due"] & adjusted] = STANDING_ADJUSTED
    standing[frame["due"] & fulfilled] = STANDING_FULFILLED
    frame["standing"] = standing
    return frame.sort_values(["unit_id", "deadline", "commitment_id"]).reset_index(drop=True)


def fulfilment(units: pd.DataFrame, standing: pd.DataFrame) -> pd.DataFrame:
    """Per registry unit: due, fulfilled, in progress, adjusted and overdue commitments, and the fulfilment rate."""
    flags = pd.DataFrame({
        "unit_id": standing["unit_id"].astype("str"),
        "due": standing["due"],
        "fulfilled": standing["standing"].eq(STANDING_FULFILLED),
        "in_progress": standing["standing"].eq(STANDING_IN_PROGRESS),
        "adjusted": standing["standing"].eq(STANDING_ADJUSTED),
        "overdue": standing["standing"].eq(STANDING_OVERDUE),
    })
    counts = flags.groupby("unit_id")[COUNT_COLUMNS].sum()
    registry = units[["unit_id", "unit_name"]].astype("str").sort_values("unit_id", ignore_index=True)
    frame = registry.join(counts, on="unit_id")
    frame[COUNT_COLUMNS] = frame[COUNT_COLUMNS].fillna(0).astype("int64")
    # Nothing due beyond adjusted ones leaves nothing to measure: the rate is empty, never 0 or 1.
    denominator = (frame["due"] - frame["adjusted"]).astype("float64")
    frame["fulfilment_rate"] = frame["fulfilled"] / denominator.where(denominator > 0)
    return frame


def _pct(values: pd.Series) -> pd.Series:
    return values.map(lambda v: f"{v * 100:.1f}%")


def _threshold(value: float) -> str:
    return f"{round(value * 100, 4):g}%"


def warnings(frame: pd.DataFrame, policy: Quarterly) -> pd.Series:
    """预警 reasons per unit joined with "；": overdue commitments, low fulfilment, low platform satisfaction."""
    low_fulfilment = tolerance.below(frame["fulfilment_rate"], policy.fulfilment_warning_below)
    low_satisfaction = tolerance.below(frame["platform_satisfaction_rate"], policy.satisfaction_warning_below)
    reasons = pd.DataFrame({
        "overdue": ("有" + frame["overdue"].astype("str") + "项承诺逾期未兑现").where(frame["overdue"] > 0),
        "fulfilment": ("承诺兑现率 " + _pct(frame["fulfilment_rate"]) + " 低于 "
                       + _threshold(policy.fulfilment_warning_below)).where(low_fulfilment),
        "satisfaction": ("平台满意度 " + _pct(frame["platform_satisfaction_rate"]) + " 低于 "
                         + _threshold(policy.satisfaction_warning_below)).where(low_satisfaction),
    }, index=frame.index)
    # melt keeps the column order within each unit, so reasons always read overdue → fulfilment → satisfaction.
    joined = reasons.melt(ignore_index=False)["value"].dropna().groupby(level=0).agg("；".join)
    return joined.reindex(frame.index, fill_value="").astype("str")


def quarterly_review(units: pd.DataFrame, commitments: pd.DataFrame, status: pd.DataFrame,
                     cases: pd.DataFrame, period: str, policy: Quarterly) -> pd.DataFrame:
    """The fulfilment.csv rows: every registry unit's commitments, platform figures, 预警 flag and its reasons."""
    frame = fulfilment(units, commitment_standing(commitments, status, period))
    platform = unit_case_figures(cases, *period_bounds("quarterly", period)).set_index("unit_id")
    frame["platform_cases"] = frame["unit_id"].map(platform["received"]).fillna(0).astype("int64")
    frame["platform_satisfaction_rate"] = frame["unit_id"].map(platform["satisfaction_rate"]).astype("float64")
    frame["warning_reasons"] = warnings(frame, policy)
    frame["warning"] = frame["warning_reasons"].ne("")
    return frame[list(FULFILMENT_COLUMNS)]
