"""The appeals and appeal_decisions datasets as the inbox validates them: cycle names, periods, items, references."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.datasets import DATASETS, INGEST_ORDER, dataset_for_file
from tasks.inbox.validation import validate

APPEAL = {"appeal_id": "AP1", "cycle": "半年点评写实", "period": "2026H1", "unit_id": "U0001",
          "filed_at": "2026-07-15", "item": "排名", "reason": "样本有误", "contact": "王强"}
DECISION = {"appeal_id": "AP1", "decided_at": "2026-07-24", "decision": "维持", "decided_by": "市创先争优办", "note": ""}
UNITS = {"units.unit_id": {"U0001"}}
STORED_APPEALS = {"appeals.appeal_id": {"AP1"}}


def _validate(name: str, rows: list[dict], file_name: str | None = None):
    raw = pd.DataFrame(rows, columns=DATASETS[name].column_names, dtype="str").assign(
        _row_number=range(2, len(rows) + 2))
    known = UNITS | (STORED_APPEALS if name == "appeal_decisions" else {})
    return validate(DATASETS[name], raw, known, file_name=file_name)


@pytest.mark.parametrize(("cycle", "period", "stored"), [
    # The Chinese names of the cycles, and a few short forms, are stored as the cycle codes.
    ("半年点评写实", "2026H1", ("half-year", "2026H1")),
    ("年度考核", "2026", ("annual", "2026")),
    ("季度评议", "2026年第三季度", ("quarterly", "2026Q3")),
    ("half-year", "2026年上半年", ("half-year", "2026H1")),  # periods as written in Chinese are read too
])
def test_cycle_names_and_periods_are_stored_in_canonical_form(cycle, period, stored):
    result = _validate("appeals", [APPEAL | {"cycle": cycle, "period": period}])
    assert result.rejected.empty
    assert tuple(result.accepted.loc[0, ["cycle", "period"]].astype(str)) == stored


@pytest.mark.parametrize(("changes", "file_name", "reason"), [
    # A period of no cycle's form.
    ({"period": "2026H3"}, None, "期次“2026H3”格式不正确(与周期相符:半年点评写实填 2026H1 或 2026H2,年度考核填 2026,"
                                 "季度评议写实填 2026Q1 至 2026Q4)"),
    ({"item": "申诉"}, None, "事项“申诉”不在允许值(排名、测评、扣分、加分、否决、其他)中"),
    ({"cycle": "月度"}, None, "周期“月度”不在允许值(quarterly、half-year、annual、points、on-site)中"),
    ({"unit_id": "U0404"}, None, "单位编码“U0404”不在窗口单位名册中"),
    ({"reason": None}, None, "理由不能为空"),
    # A file named for one half-year carries only that half-year's appeals.
    ({"period": "2026H2"}, "appeals_2026H1_复核申请.csv",
     "期次“2026H2”与文件名中的期次“2026H1”不一致,请按期次分别提交文件"),
])
def test_bad_appeal_rows_are_rejected_with_the_reason(changes, file_name, reason):
    result = _validate("appeals", [APPEAL | changes], file_name)
    assert result.accepted.empty
    assert result.rejected["reason"].tolist() == [reason]


def test_decisions_refer_to_stored_appeals_and_say_maintain_or_correct():
    result = _validate("appeal_decisions", [
        DECISION,
        DECISION | {"appeal_id": "AP9"},           # no such appeal (yet): the row waits for it
        DECISION | {"appeal_id": "AP2", "decision": "撤销"},
    ])
    assert result.accepted["appeal_id"].tolist() == ["AP1"]
    assert result.rejected["reason"].tolist() == [
        "申请编号“AP9”不在复核申请中",
        "决定“撤销”不在允许值(维持、更正)中;申请编号“AP2”不在复核申请中",
    ]
    assert result.awaiting.tolist() == [True, False]


def test_files_are_recognised_and_appeals_come_before_their_decisions():
    assert dataset_for_file("appeals_2026H1_复核申请.csv").name == "appeals"
    assert dataset_for_file("appeal_decisions_2026H1_复核决定.xlsx").name == "appeal_decisions"
    assert dataset_for_file("复核决定_第一批.xlsx").name == "appeal_decisions"
    assert INGEST_ORDER.index("appeals") < INGEST_ORDER.index("appeal_decisions")
