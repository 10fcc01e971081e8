"""整改跟踪: the previous half-year's designated units — plan filed or not, and how their rank moved."""

from __future__ import annotations

import pandas as pd

from schemas.outputs import KEY_MANAGEMENT, KEY_SUPERVISION

FOLLOW_UP_COLUMNS = [
    "unit_id", "unit_name", "previous_designation", "previous_rank", "plan_filed", "filed_at",
    "current_rank", "rank_change", "movement", "current_designation",
]


def _movement(change: pd.Series, current_designation: pd.Series) -> pd.Series:
    """Chinese wording of a rank change: 上升N位, 下降N位, 持平, or why there is no current rank."""
    steps = change.abs().astype("string")
    words = pd.Series("持平", index=change.index, dtype="str")
    words = words.mask(change.gt(0).fillna(False), "上升" + steps + "位")
    words = words.mask(change.lt(0).fillna(False), "下降" + steps + "位")
    designation = current_designation.fillna("").astype(str)
    unranked = ("本期" + designation).where(designation.ne(""), "本期未参评")
    return words.mask(change.isna(), unranked).astype("str")


def rectification_follow_up(previous: pd.DataFrame | None, current: pd.DataFrame,
                            plans: pd.DataFrame, previous_period: str) -> pd.DataFrame:
    """For each unit designated in `previous_period`: plan filed (and when), rank then and now, and the move."""
    if previous is None or previous.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in FOLLOW_UP_COLUMNS})
    designated = previous[previous["designation"].astype(str).isin([KEY_MANAGEMENT, KEY_SUPERVISION])]
    table = pd.DataFrame({
        "unit_id": designated["unit_id"].astype(str).to_numpy(),
        "previous_unit_name": designated["unit_name"].astype(str).to_numpy(),
        "previous_designation": designated["designation"].astype(str).to_numpy(),
        "previous_rank": pd.to_numeric(designated["rank"]).astype("Int64").to_numpy(),
    })
    answered = plans[plans["period"].astype(str).eq(previous_period)]
    filed = pd.to_datetime(answered["filed_at"]).groupby(answered["unit_id"].astype(str)).min()
    now = current.assign(unit_id=current["unit_id"].astype(str)).set_index("unit_id")
    # reindex, not map: mapping through an empty datetime Series fails in pandas.
    table["filed_at"] = filed.reindex(table["unit_id"]).to_numpy()
    table["plan_filed"] = table["filed_at"].notna()
    table["unit_name"] = table["unit_id"].map(now["unit_name"]).fillna(table["previous_unit_name"]).astype("str")
    table["current_rank"] = table["unit_id"].map(now["rank"]).astype("Int64")
    table["current_designation"] = table["unit_id"].map(now["designation"]).fillna("").astype("str")
    # A smaller rank number is better, so moving up is previous − current > 0.
    table["rank_change"] = (table["previous_rank"] - table["current_rank"]).astype("Int64")
    table["movement"] = _movement(table["rank_change"], table["unit_id"].map(now["designation"]))
    order = table["previous_designation"].eq(KEY_SUPERVISION)
    return table.assign(_o=order).sort_values(["_o", "previous_rank", "unit_id"])[FOLLOW_UP_COLUMNS].reset_index(drop=True)
