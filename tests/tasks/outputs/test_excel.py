"""Result workbooks: Chinese headers, frozen header row, filters, numbers as numbers, formulas never run."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from openpyxl import load_workbook

from schemas.outputs import RANKING_COLUMNS
from tasks.outputs.excel import write_xlsx


def test_a_ranking_workbook_reads_as_an_administrator_expects(tmp_path):
    frame = pd.DataFrame({"unit_id": ["U1", "U2"], "unit_name": ["=HYPERLINK(\"http://x\")", "市税务局"],
                          "score": [91.256, None], "rank": pd.array([1, pd.NA], dtype="Int64"),
                          "warning": [True, False]})
    path = write_xlsx(tmp_path / "ranking.xlsx", frame, ["unit_id", "unit_name", "score", "rank", "warning"],
                      "半年点评排名", datetime(2026, 7, 10))
    sheet = load_workbook(path).active
    assert sheet.title == "半年点评排名"
    assert [c.value for c in sheet[1]] == ["单位编码", "单位名称", "测评得分", "名次", "预警"]
    assert [c.value for c in sheet[2]] == ["U1", "=HYPERLINK(\"http://x\")", 91.256, 1, "是"]
    assert sheet["B2"].data_type == "s"  # text, not a formula
    assert [c.value for c in sheet[3]] == ["U2", "市税务局", None, None, "否"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:E3"
    again = write_xlsx(tmp_path / "again.xlsx", frame, ["unit_id", "unit_name", "score", "rank", "warning"],
                       "半年点评排名", datetime(2026, 7, 10))
    assert again.read_bytes() == path.read_bytes()


def test_every_ranking_column_has_a_chinese_header():
    from schemas.outputs import ASSESSMENT_COLUMNS, COLUMN_LABELS, FULFILMENT_COLUMNS

    assert set(RANKING_COLUMNS + ASSESSMENT_COLUMNS + FULFILMENT_COLUMNS) <= set(COLUMN_LABELS)
