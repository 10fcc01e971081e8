"""The quarterly dossiers' figures, tables and wording, on a hand-built quarter of three units."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from schemas.datasets import PLATFORMS, RATINGS
from schemas.outputs import FULFILMENT_COLUMNS
from schemas.policy import Policy
from tasks.cycles.quarterly import report

NAN = np.nan
UNITS = pd.DataFrame({
    "unit_id": ["U1", "U2", "U3"], "unit_name": ["甲局", "乙局", "丙中心"], "category": ["党群部门"] * 3,
    "region": ["东湖区", "市直", "东湖区"], "level": ["市级"] * 3, "is_window": [True] * 3,
    "leader_name": ["赵一", None, "孙三"],
})
REVIEW = pd.DataFrame([
    ("U1", "甲局", 4, 2, 1, 1, 1, 2 / 3, 2, 0.5, True, "有1项承诺逾期未兑现；承诺兑现率 66.7% 低于 80%；平台满意度 50.0% 低于 85%"),
    ("U2", "乙局", 2, 2, 0, 0, 0, 1.0, 0, NAN, False, ""),
    ("U3", "丙中心", 1, 0, 3, 0, 1, 0.0, 1, 1.0, True, "有1项承诺逾期未兑现；承诺兑现率 0.0% 低于 80%"),
], columns=list(FULFILMENT_COLUMNS))
CASES = pd.DataFrame({
    "case_id": ["P1", "P2", "P3", "P4"], "platform": pd.Categorical([PLATFORMS[0]] * 4, categories=PLATFORMS),
    "unit_id": ["U1", "U1", "U3", "U3"],
    "received_at": pd.to_datetime(["2026-04-02", "2026-05-20", "2026-06-11", "2026-07-01"]),
    "due_at": pd.to_datetime(["2026-04-05", "2026-05-23", "2026-06-14", "2026-07-04"]),
    "closed_at": pd.to_datetime(["2026-04-04", None, "2026-06-15", "2026-07-02"]),
    "rating": pd.Categorical(["满意", "不满意", "基本满意", "不满意"], categories=RATINGS),
})


@pytest.mark.parametrize(("period", "label"), [("2026Q2", "2026年第二季度"), ("2025Q4", "2025年第四季度")])
def test_period_label(period, label):
    assert report.period_label(period) == label


def test_key_figures():
    # Totals over units; the city rate is 4 / (7 − 1); P4 (1 July) is outside Q2; P1 closed on time, P3 late.
    # Two of the nine commitments are 长期坚持: counted apart, in no other figure.
    standing = pd.DataFrame({"commitment_id": [f"K{i}" for i in range(9)],
                             "standing": ["已兑现"] * 7 + ["长期坚持"] * 2})
    assert report.key_figures(REVIEW, standing, CASES, "2026Q2") == {
        "units": 3, "commitments": 9, "ongoing": 2, "due": 7, "fulfilled": 4, "adjusted": 1, "overdue": 2,
        "in_progress": 4, "platform_cases": 3, "fulfilment_rate": 4 / 6, "warned": 2, "cases_received": 3, "cases_closed": 2,
        "cases_on_time": 1, "on_time_rate": 0.5, "satisfaction_rate": 2 / 3, "has_cases": True,
    }


def test_by_region():
    # 东湖区 adds U1 and U3: 2 fulfilled of (5 due − 1 adjusted); its three rated cases, two satisfied.
    expected = pd.DataFrame({
        "region": ["东湖区", "市直"], "units": [2, 1], "due": [5, 2], "fulfilled": [2, 2], "adjusted": [1, 0],
        "overdue": [2, 0], "warned": [2, 0], "platform_cases": [3, 0], "rated": [3.0, 0.0],
        "satisfied": [2.0, 0.0], "fulfilment_rate": [0.5, 1.0], "satisfaction_rate": [2 / 3, NAN],
    })
    assert_frame_equal(report.by_region(REVIEW, UNITS, CASES, "2026Q2"), expected, check_dtype=False)


def test_warned_units_most_overdue_then_lowest_rate_first():
    # U1 and U3 both have one overdue commitment; U3's lower rate puts it first; U2 is not warned.
    assert report.warned_units(REVIEW, UNITS)["unit_id"].tolist() == ["U3", "U1"]


def test_publicity_by_region_with_chinese_headers():
    expected = pd.DataFrame({
        "单位名称": ["甲局", "丙中心", "乙局"], "所属地区": ["东湖区", "东湖区", "市直"], "到期承诺(项)": [4, 1, 2],
        "已兑现(项)": [2, 0, 2], "已调整(项)": [1, 0, 0], "逾期未兑现(项)": [1, 1, 0], "推进中(项)": [1, 3, 0],
        "兑现率": [2 / 3, 0.0, 1.0],
    })
    assert_frame_equal(report.publicity(REVIEW, UNITS), expected, check_dtype=False)


@pytest.mark.parametrize(("row", "first_steps"), [
    # Every reason brings its own step; the report-back step always closes the list.
    (REVIEW.iloc[0].to_dict(), ["逾期未兑现的1项承诺", "承诺兑现率偏低", "不满意"]),
    # Overdue and a low rate, but no platform rate: no platform step.
    (REVIEW.iloc[2].to_dict(), ["逾期未兑现的1项承诺", "承诺兑现率偏低"]),
])
def test_next_steps(row, first_steps):
    steps = report.next_steps(row, Policy())
    assert len(steps) == len(first_steps) + 1
    assert all(part in step for part, step in zip(first_steps, steps))
    assert steps[-1].startswith("将整改情况书面报送")


def test_fulfilment_steps():
    assert [(s["what"], s["value"]) for s in report.fulfilment_steps(REVIEW.iloc[0].to_dict())] == [
        ("截至季末到期的承诺", "4项"), ("其中经批准调整", "1项"), ("其中已兑现", "2项"), ("其中逾期未兑现", "1项"),
        ("承诺兑现率", "66.7%"),
    ]


def test_cover_dated_the_day_given():
    # A version made on 2026-06-01 is issued that day, even before the quarter ends; the version is in the number.
    cover = report.cover(Policy(), "2026Q2", 3, "标题", today=date(2026, 6, 1))
    assert cover == {"issuer": Policy().issuer, "title": "标题", "issued_on": "2026-06-01",
                     "doc_number": "江创争办〔2026〕季评2-3号", "subtitle": "2026年第二季度 · 季度评议写实"}
