"""Commitment standing, fulfilment per unit, warnings and the fulfilment.csv rows, on hand-built data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from schemas.datasets import CATEGORIES, LEVELS, ONGOING, PLATFORMS, RATINGS, STATUSES
from schemas.outputs import FULFILMENT_COLUMNS
from schemas.policy import Quarterly
from tasks.rules.commitments import commitment_standing, fulfilment, quarterly_review, status_at, warnings

NAN = np.nan

UNITS = pd.DataFrame({
    "unit_id": pd.Series(["U2", "U1", "U3", "U4"], dtype="str"),
    "unit_name": pd.Series(["乙局", "甲局", "丙局", "丁中心"], dtype="str"),
    "category": pd.Categorical([CATEGORIES[0]] * 4, categories=CATEGORIES),
    "region": pd.Series(["市直", "市直", "东湖区", "东湖区"], dtype="str"),
    "level": pd.Categorical([LEVELS[0]] * 4, categories=LEVELS),
    "is_window": [True] * 4,
    "leader_name": pd.Series(["赵一", "钱二", "孙三", "李四"], dtype="str"),
})


def _commitments(rows: list[tuple]) -> pd.DataFrame:
    """Commitments as storage loads them, from (commitment_id, year, unit_id, deadline)."""
    frame = pd.DataFrame(rows, columns=["commitment_id", "year", "unit_id", "deadline"])
    return pd.DataFrame({
        "commitment_id": frame["commitment_id"].astype("str"),
        "year": frame["year"].astype("Int64"),
        "unit_id": frame["unit_id"].astype("str"),
        "subject_id": pd.Series([NAN] * len(frame), dtype="str"),
        "content": ("承诺" + frame["commitment_id"]).astype("str"),
        "service_standard": pd.Series(["限时办结"] * len(frame), dtype="str"),
        "measures": pd.Series(["一次告知"] * len(frame), dtype="str"),
        "deadline": pd.to_datetime(frame["deadline"]).astype("datetime64[ns]"),
    })


def _status(rows: list[tuple]) -> pd.DataFrame:
    """Status records as storage loads them, from (commitment_id, period, status)."""
    frame = pd.DataFrame(rows, columns=["commitment_id", "period", "status"])
    return pd.DataFrame({
        "commitment_id": frame["commitment_id"].astype("str"),
        "period": frame["period"].astype("str"),
        "status": pd.Categorical(frame["status"], categories=STATUSES),
        "evidence": pd.Series([NAN] * len(frame), dtype="str"),
        "reviewed_at": pd.Series([pd.NaT] * len(frame), dtype="datetime64[ns]"),
    })


COMMITMENTS = _commitments([
    ("K1", 2026, "U1", "2026-03-31"),  # fulfilled in Q2 after being in progress in Q1
    ("K2", 2026, "U1", "2026-06-30"),  # deadline on the quarter's last day: due in Q2
    ("K3", 2026, "U1", "2026-05-15"),  # a later 已兑现 (Q3) must not rescue it at Q2
    ("K4", 2026, "U1", "2026-06-01"),  # adjusted with approval
    ("K5", 2026, "U1", "2026-07-01"),  # due the day after Q2 ends, no record yet
    ("K6", 2026, "U1", "2026-09-30"),  # fulfilled before its deadline
    ("K7", 2025, "U1", "2025-12-31"),  # another year's commitment never counts
    ("K8", 2026, "U2", "2026-04-30"),  # due without any status record
    ("K9", 2026, "U2", "2026-12-31"),  # adjusted but not yet due: still in progress
    ("K10", 2026, "U4", "2026-03-01"),  # the unit's only due commitment is adjusted
])
STATUS = _status([
    ("K1", "2026Q1", "推进中"), ("K1", "2026Q2", "已兑现"),
    ("K2", "2026Q2", "已兑现"), ("K2", "2026Q3", "未兑现"),
    ("K3", "2026Q3", "已兑现"), ("K3", "2026Q1", "推进中"),
    ("K4", "2026Q2", "已调整"),
    ("K6", "2026Q2", "已兑现"),
    ("K7", "2025Q4", "未兑现"),
    ("K9", "2026Q1", "已调整"),
    ("K10", "2026Q1", "已调整"),
])


def test_status_at_takes_latest_record_not_after_the_quarter():
    # K2 and K3 have Q3 records that Q2 must ignore; K3's Q1 record comes later in the file than its Q3 one.
    latest = status_at(STATUS, "2026Q2")
    assert dict(zip(latest["commitment_id"], zip(latest["period"], latest["status"].astype(str)))) == {
        "K1": ("2026Q2", "已兑现"), "K2": ("2026Q2", "已兑现"), "K3": ("2026Q1", "推进中"),
        "K4": ("2026Q2", "已调整"), "K6": ("2026Q2", "已兑现"), "K7": ("2025Q4", "未兑现"),
        "K9": ("2026Q1", "已调整"), "K10": ("2026Q1", "已调整"),
    }


@pytest.mark.parametrize(("period", "expected"), [
    # Q2: due = deadline ≤ 2026-06-30; K3 stands at its Q1 record; K8 has none and is overdue;
    # K6 was fulfilled early; K9 is adjusted but not yet due.
    ("2026Q2", {"K1": "已兑现", "K2": "已兑现", "K3": "逾期未兑现", "K4": "已调整", "K5": "推进中",
                "K6": "提前兑现", "K8": "逾期未兑现", "K9": "推进中", "K10": "已调整"}),
    # Q1: only K1 and K10 are due; Q2 records do not exist yet.
    ("2026Q1", {"K1": "逾期未兑现", "K2": "推进中", "K3": "推进中", "K4": "推进中", "K5": "推进中",
                "K6": "推进中", "K8": "推进中", "K9": "推进中", "K10": "已调整"}),
    # 2025Q4 covers only the 2025 commitment.
    ("2025Q4", {"K7": "逾期未兑现"}),
])
def test_commitment_standing(period, expected):
    standing = commitment_standing(COMMITMENTS, STATUS, period)
    assert dict(zip(standing["commitment_id"], standing["standing"])) == expected


def _fulfilment(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["unit_id", "unit_name", "due", "fulfilled", "in_progress", "adjusted",
                                        "overdue", "fulfilment_rate"])
    return frame.astype({"unit_id": "str", "unit_name": "str", "due": "int64", "fulfilled": "int64",
                         "in_progress": "int64", "adjusted": "int64", "overdue": "int64",
                         "fulfilment_rate": "float64"})


@pytest.mark.parametrize(("period", "expected"), [
    # U1: 2 fulfilled / (4 due − 1 adjusted); U2: the due commitment without record is overdue → 0 %;
    # U3 has no commitments but is listed with zeros; U4: due − adjusted = 0 → empty rate.
    ("2026Q2", _fulfilment([
        ("U1", "甲局", 4, 2, 1, 1, 1, 2 / 3), ("U2", "乙局", 1, 0, 1, 0, 1, 0.0),
        ("U3", "丙局", 0, 0, 0, 0, 0, NAN), ("U4", "丁中心", 1, 0, 0, 1, 0, NAN),
    ])),
    # Q1: U1 has only K1 due and it is overdue; U2 has nothing due → empty rate, not 0 or 1.
    ("2026Q1", _fulfilment([
        ("U1", "甲局", 1, 0, 5, 0, 1, 0.0), ("U2", "乙局", 0, 0, 2, 0, 0, NAN),
        ("U3", "丙局", 0, 0, 0, 0, 0, NAN), ("U4", "丁中心", 1, 0, 0, 1, 0, NAN),
    ])),
])
def test_fulfilment(period, expected):
    assert_frame_equal(fulfilment(UNITS, commitment_standing(COMMITMENTS, STATUS, period)), expected)


@pytest.mark.parametrize(("overdue", "rate", "satisfaction", "policy", "expected"), [
    # All three reasons, in order, joined with "；".
    (3, 0.625, 0.80, Quarterly(), "有3项承诺逾期未兑现；承诺兑现率 62.5% 低于 80%；平台满意度 80.0% 低于 85%"),
    # Exactly at the thresholds is not below them; nor is float noise under them (tolerance 5 × 10⁻¹⁰).
    (0, 0.80, 0.85, Quarterly(), ""),
    (0, 0.80 - 1e-12, 0.85 - 4e-10, Quarterly(), ""),
    (0, 0.80 - 6e-10, 0.85, Quarterly(), "承诺兑现率 80.0% 低于 80%"),
    # Empty rates never warn.
    (0, NAN, NAN, Quarterly(), ""),
    (0, 0.79, NAN, Quarterly(), "承诺兑现率 79.0% 低于 80%"),
    # An overdue commitment alone is enough.
    (1, 1.0, 0.9, Quarterly(), "有1项承诺逾期未兑现"),
    # Thresholds come from the policy.
    (0, 0.85, 0.86, Quarterly(fulfilment_warning_below=0.9, satisfaction_warning_below=0.875),
     "承诺兑现率 85.0% 低于 90%；平台满意度 86.0% 低于 87.5%"),
])
def test_warnings(overdue, rate, satisfaction, policy, expected):
    frame = pd.DataFrame({"overdue": [overdue], "fulfilment_rate": [rate], "platform_satisfaction_rate": [satisfaction]},
                         index=[7])
    assert_series_equal(warnings(frame, policy), pd.Series([expected], index=[7], dtype="str"), check_names=False)


def _cases(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["case_id", "unit_id", "received_at", "rating"])
    return pd.DataFrame({
        "case_id": frame["case_id"].astype("str"),
        "platform": pd.Categorical([PLATFORMS[1]] * len(frame), categories=PLATFORMS),
        "unit_id": frame["unit_id"].astype("str"),
        "received_at": pd.to_datetime(frame["received_at"], format="ISO8601").astype("datetime64[ns]"),
        "due_at": (pd.to_datetime(frame["received_at"], format="ISO8601") + pd.Timedelta(days=3)).astype("datetime64[ns]"),
        "closed_at": pd.Series([pd.NaT] * len(frame), dtype="datetime64[ns]"),
        "rating": pd.Categorical(frame["rating"], categories=RATINGS),
    })


CASES = _cases([
    ("P1", "U1", "2026-04-02 10:00", "满意"), ("P2", "U1", "2026-05-20 15:30", "不满意"),
    ("P3", "U3", "2026-06-11 09:00", "未评价"),  # received but unrated: counted, no rate
    ("P4", "U4", "2026-06-30 23:59:59", "基本满意"),  # last second of Q2: inside
    ("P5", "U4", "2026-07-01 00:00:00", "不满意"),  # first second of Q3: outside
    ("P6", "U4", "2026-03-31 23:59:59", "不满意"),  # last second of Q1: outside
])


def _review(rows: list[tuple]) -> pd.DataFrame:
    """fulfilment.csv rows from tuples ending in (warning, warning_reasons)."""
    frame = pd.DataFrame(rows, columns=list(FULFILMENT_COLUMNS))
    return frame.astype({"unit_id": "str", "unit_name": "str", "due": "int64", "fulfilled": "int64",
                         "in_progress": "int64", "adjusted": "int64", "overdue": "int64", "fulfilment_rate": "float64",
                         "platform_cases": "int64", "platform_satisfaction_rate": "float64", "warning": "bool",
                         "warning_reasons": "str"})


@pytest.mark.parametrize(("cases", "expected"), [
    # Commitments and platform cases of Q2 side by side, with the 预警 flag (a boolean) and the reasons in words.
    (CASES, _review([
        ("U1", "甲局", 4, 2, 1, 1, 1, 2 / 3, 2, 0.5, True,
         "有1项承诺逾期未兑现；承诺兑现率 66.7% 低于 80%；平台满意度 50.0% 低于 85%"),
        ("U2", "乙局", 1, 0, 1, 0, 1, 0.0, 0, NAN, True, "有1项承诺逾期未兑现；承诺兑现率 0.0% 低于 80%"),
        ("U3", "丙局", 0, 0, 0, 0, 0, NAN, 1, NAN, False, ""),
        ("U4", "丁中心", 1, 0, 0, 1, 0, NAN, 1, 1.0, False, ""),
    ])),
    # Platform cases are optional: without any, every unit has 0 cases and an empty rate.
    (CASES.iloc[:0], _review([
        ("U1", "甲局", 4, 2, 1, 1, 1, 2 / 3, 0, NAN, True, "有1项承诺逾期未兑现；承诺兑现率 66.7% 低于 80%"),
        ("U2", "乙局", 1, 0, 1, 0, 1, 0.0, 0, NAN, True, "有1项承诺逾期未兑现；承诺兑现率 0.0% 低于 80%"),
        ("U3", "丙局", 0, 0, 0, 0, 0, NAN, 0, NAN, False, ""),
        ("U4", "丁中心", 1, 0, 0, 1, 0, NAN, 0, NAN, False, ""),
    ])),
])
def test_quarterly_review(cases, expected):
    assert_frame_equal(quarterly_review(UNITS, COMMITMENTS, STATUS, cases, "2026Q2", Quarterly()), expected)


def test_quarterly_review_accepts_plain_columns():
    # Frames typed by hand (object text, int years, ISO text dates) give the same rows.
    plain = [frame.astype(object) for frame in (UNITS, COMMITMENTS, STATUS)]
    plain[1] = plain[1].assign(year=COMMITMENTS["year"].astype(int), deadline=COMMITMENTS["deadline"].dt.strftime("%Y-%m-%d"))
    assert_frame_equal(quarterly_review(*plain, CASES.astype(object), "2026Q2", Quarterly()),
                       quarterly_review(UNITS, COMMITMENTS, STATUS, CASES, "2026Q2", Quarterly()))


def test_ongoing_commitments_are_never_due_and_counted_in_no_figure():
    # 长期坚持 (stored as ONGOING): even at the year's last quarter, without a record or fulfilled, it is
    # neither due nor overdue nor in progress; the dated commitment beside it is counted as usual.
    commitments = _commitments([("L1", 2026, "U3", "2026-03-31"), ("L2", 2026, "U3", "2026-03-31"),
                                ("L3", 2026, "U3", "2026-03-31")])
    commitments["deadline"] = pd.Series([pd.Timestamp("2026-03-31"), ONGOING, ONGOING], dtype="datetime64[us]")
    status = _status([("L1", "2026Q1", "已兑现"), ("L3", "2026Q2", "已兑现")])
    standing = commitment_standing(commitments, status, "2026Q4")
    assert standing[["commitment_id", "due", "standing"]].values.tolist() == \
        [["L1", True, "已兑现"], ["L2", False, "长期坚持"], ["L3", False, "长期坚持"]]
    counts = fulfilment(UNITS, standing).set_index("unit_id").loc["U3"]
    assert counts[["due", "fulfilled", "in_progress", "adjusted", "overdue", "fulfilment_rate"]].tolist() == \
        [1, 1, 0, 0, 0, 1.0]
