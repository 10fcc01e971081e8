"""一把手公开道歉 and 创争目标 attainment."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal

from tasks.rules.accountability import leader_apologies, target_attainment

NA = np.nan


def test_leader_apologies():
    complaints = pd.DataFrame({
        "complaint_id": [f"T{i}" for i in range(7)],
        "date": pd.to_datetime(["2026-03-01", "2026-03-01", "2026-04-01", "2026-05-01", "2025-05-01",
                                "2026-06-01", "2026-06-02"]),
        # U1 one valid; U2 two valid; U3 one invalid; U4 only last year's; U5 one valid.
        "unit_id": ["U1", "U2", "U2", "U3", "U4", "U5", "U7"],
        "person_id": ["P1", "P2", "P3", "P4", "P5", "P6", "P7"],
        "valid": [True, True, True, False, True, True, False],
        "channel": "来电", "summary": "",
    })
    deductions = pd.DataFrame({
        "record_id": ["D1", "D2", "D3", "D4"],
        "unit_id": ["U5", "U6", "U7", "U8"],
        "date": pd.to_datetime(["2026-02-01", "2026-02-01", "2025-02-01", "2026-02-01"]),
        # U5 明察暗访 (public even with one complaint); U6 行政过错 (no ground);
        # U7 电子监察 but last year; U8 电子监察 this year.
        "source": ["明察暗访", "行政过错", "电子监察", "电子监察"],
        "points": 1.0, "reason": "",
    })
    exposures = pd.DataFrame({"record_id": ["E1", "E2"], "unit_id": ["U9", "U4"],
                              "date": pd.to_datetime(["2026-09-09", "2025-09-09"]),
                              "kind": ["媒体曝光", "点名批评"], "reason": ""})
    got = leader_apologies(complaints, deductions, exposures, 2026)
    expected = pd.DataFrame({
        "unit_id": ["U1", "U2", "U5", "U8", "U9"],
        "apology_complaints": [1, 2, 1, 0, 0],
        "apology_deductions": [0, 0, 1, 1, 0],
        "apology_exposures": [0, 0, 0, 0, 1],
        # exactly one valid complaint → in person; two, an inspection deduction or an exposure → public.
        "apology": pd.array(["当面道歉", "公开道歉", "公开道歉", "公开道歉", "公开道歉"], dtype="str"),
    })
    assert_frame_equal(got, expected)


def test_target_attainment_by_level():
    targets = pd.DataFrame({
        "target_id": [f"G{i}" for i in range(5)],
        "year": [2026, 2026, 2026, 2026, 2025],
        "subject_id": "S1",
        "honour": ["先进基层党组织", "优秀共产党员", "优秀党务工作者", "优秀共产党员", "优秀共产党员"],
        # 县级 2 declared, 1 achieved; 市级 2 declared, 2 achieved; 省级以上 none this year
        # (last year's target does not count): the rate is empty, not 0.
        "level": ["县级", "县级", "市级", "市级", "省级以上"],
        "achieved": [True, False, True, True, True],
    })
    got = target_attainment(targets, 2026)
    expected = pd.DataFrame({"level": ["县级", "市级", "省级以上"], "declared": [2, 2, 0],
                             "achieved": [1, 2, 0], "rate": [0.5, 1.0, NA]})
    assert_frame_equal(got, expected)
