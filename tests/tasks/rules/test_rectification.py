"""Rectification follow-up of the previous half-year's designated units."""

from __future__ import annotations

import pandas as pd

from tasks.rules.rectification import FOLLOW_UP_COLUMNS, rectification_follow_up

PREVIOUS = pd.DataFrame({
    "unit_id": ["U1", "U2", "U3", "U4", "U5"],
    "unit_name": ["一局", "二局", "三局", "四局", "五局"],
    "rank": [10, 9, 6, 1, 8],
    "designation": ["重点管理单位", "重点管理单位", "重点督查单位", "", "重点督查单位"],
})
CURRENT = pd.DataFrame({
    "unit_id": ["U1", "U2", "U3", "U4"],
    "unit_name": ["一局(更名)", "二局", "三局", "四局"],
    "rank": pd.array([5, 9, None, 1], dtype="Int64"),
    "designation": ["", "重点管理单位", "样本不足", ""],
})
PLANS = pd.DataFrame({
    "unit_id": ["U1", "U2"],
    "period": ["2025H2", "2025H1"],
    "filed_at": pd.to_datetime(["2026-01-20", "2025-08-01"]),
    "summary": ["整改方案", "上一轮的方案"],
})


def test_follow_up_of_previous_designated_units():
    result = rectification_follow_up(PREVIOUS, CURRENT, PLANS, "2025H2")
    rows = [tuple(None if pd.isna(v) else v for v in row) for row in result.itertuples(index=False)]
    assert list(result.columns) == FOLLOW_UP_COLUMNS
    assert rows == [
        # U2 filed only for an earlier half-year, so no plan for this one; its rank held.
        ("U2", "二局", "重点管理单位", 9, False, None, 9, 0, "持平", "重点管理单位"),
        # U1 filed its plan and moved up five places; the current name is shown.
        ("U1", "一局(更名)", "重点管理单位", 10, True, pd.Timestamp("2026-01-20"), 5, 5, "上升5位", ""),
        # U3 was not ranked this time: the reason replaces the move.
        ("U3", "三局", "重点督查单位", 6, False, None, None, None, "本期样本不足", "样本不足"),
        # U5 is no longer a window unit in the registry: it did not take part.
        ("U5", "五局", "重点督查单位", 8, False, None, None, None, "本期未参评", ""),
    ]


def test_follow_up_moving_down_and_without_previous_results():
    # A move to a larger rank number reads as 下降.
    current = CURRENT.assign(rank=pd.array([5, 12, None, 1], dtype="Int64"))
    result = rectification_follow_up(PREVIOUS, current, PLANS, "2025H2")
    assert result.loc[0, ["unit_id", "rank_change", "movement"]].tolist() == ["U2", -3, "下降3位"]
    # The first half-year ever run has nothing to follow up.
    assert rectification_follow_up(None, CURRENT, PLANS, "2025H2").empty
