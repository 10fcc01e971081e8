"""Validation of values written as providers write them: aliases, Excel errors, time zones, 长期坚持."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from schemas.datasets import DATASETS, ONGOING
from schemas.policy import Aliases, Policy
from tasks.inbox.validation import as_schema_types, validate

GOOD = json.loads((Path(__file__).parents[2] / "samples" / "good_rows.json").read_text(encoding="utf-8"))
KNOWN = {"units.unit_id": {"U0001"}, "subjects.subject_id": {"S0001"}, "commitments.commitment_id": {"C0001"}}
PLATFORMS = "、".join(DATASETS["platform_cases"].column("platform").allowed)


def _validate(name: str, rows: list[dict], policy: Policy | None = None):
    raw = pd.DataFrame([GOOD[name] | r for r in rows], columns=DATASETS[name].column_names, dtype="str")
    return validate(DATASETS[name], raw.assign(_row_number=range(2, len(rows) + 2)), KNOWN, policy)


def test_platform_variants_are_stored_as_the_platform_and_rejected_rows_keep_what_was_delivered():
    result = _validate("platform_cases", [{"case_id": "G1", "platform": "12345热线"},
                                          {"case_id": "G2", "platform": "12345政务服务便民热线", "rating": "非常满意"},
                                          {"case_id": "G3", "platform": "114"}])
    assert result.accepted[["case_id", "platform", "rating"]].astype("str").values.tolist() == \
        [["G1", "12345政府服务热线", "基本满意"], ["G2", "12345政府服务热线", "满意"]]
    # A value still unknown is rejected with the allowed values listed.
    assert result.rejected[["_row_number", "platform", "reason"]].values.tolist() == \
        [[4, "114", f"平台“114”不在允许值({PLATFORMS})中"]]


def test_a_city_without_aliases_rejects_the_variants():
    policy = Policy(aliases=Aliases(platform={}))
    result = _validate("platform_cases", [{"case_id": "G1", "platform": "12345热线"}], policy)
    # The rejected row shows the cell as delivered, not as the alias table would have made it.
    assert result.rejected[["platform", "reason"]].values.tolist() == \
        [["12345热线", f"平台“12345热线”不在允许值({PLATFORMS})中"]]


def test_a_status_alias_and_a_period_variant_are_stored_canonical():
    result = _validate("commitment_status", [{"period": "2026年第一季度", "status": "已完成"},
                                             {"period": "2026-q2", "status": "正在推进"}],)
    assert result.rejected.empty
    assert result.accepted[["period", "status"]].astype("str").values.tolist() == \
        [["2026Q1", "已兑现"], ["2026Q2", "推进中"]]


@pytest.mark.parametrize(("timezone", "stored"), [
    ("Asia/Shanghai", pd.Timestamp("2026-01-05 16:00")),  # the default: Beijing wall-clock time
    ("UTC", pd.Timestamp("2026-01-05 08:00")),            # a policy's own time zone
])
def test_times_with_an_offset_are_stored_in_the_policy_time_zone(timezone, stored):
    result = _validate("platform_cases", [{"received_at": "2026-01-05T08:00:00Z"}], Policy(timezone=timezone))
    assert result.accepted["received_at"].tolist() == [stored]


def test_an_excel_error_in_a_required_cell_is_reported_as_such_and_only_once():
    result = _validate("platform_cases", [{"unit_id": "#N/A"}, {"case_id": "G2", "closed_at": "#VALUE!"}])
    # Not “单位编码不能为空”, and not “不在窗口单位名册中” either: the cell holds an error, not a code.
    assert result.rejected[["_row_number", "unit_id", "reason"]].values.tolist() == \
        [[2, "#N/A", "单位编码单元格为 Excel 错误值 #N/A"], [3, "U0001", "办结时间单元格为 Excel 错误值 #VALUE!"]]


def test_ongoing_deadline_is_accepted_and_a_far_year_is_not():
    result = _validate("commitments", [{"commitment_id": "C1", "deadline": "长期坚持"},
                                       {"commitment_id": "C2", "deadline": "2026年6月底"},
                                       {"commitment_id": "C3", "deadline": "2150-01-01"}])
    assert result.accepted[["commitment_id", "deadline"]].values.tolist() == \
        [["C1", pd.Timestamp(ONGOING)], ["C2", pd.Timestamp("2026-06-30")]]
    assert result.rejected["reason"].tolist() == ["完成时限“2150-01-01”不在 2000-01-01 至 2100-12-31 之间"]


@pytest.mark.parametrize("storage", ["object", "str"])
def test_code_columns_are_typed_as_their_categories_in_order_and_anything_else_is_missing(storage):
    # As rows come back from SQLite (Python strings) or PostgreSQL (Arrow text), in chunks with their own index.
    dataset = DATASETS["platform_cases"]
    ratings = dataset.column("rating").allowed
    delivered = [ratings[-1], None, "非常满意", ratings[0], ratings[-1]]
    frame = pd.DataFrame({name: pd.Series([None] * 5, dtype=object) for name in dataset.column_names},
                         index=range(250, 255))
    frame["rating"] = pd.Series(delivered, index=frame.index, dtype=storage)
    typed = as_schema_types(dataset, frame)["rating"]
    assert typed.dtype == pd.CategoricalDtype(list(ratings))
    assert list(typed.index) == list(range(250, 255))
    assert typed.cat.codes.tolist() == [len(ratings) - 1, -1, -1, 0, len(ratings) - 1]
