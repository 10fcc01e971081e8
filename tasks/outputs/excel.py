"""Result workbooks for administrators, who live in Excel: Chinese headers, the header row frozen, filters on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from schemas.outputs import COLUMN_LABELS

_WIDEST = 40  # characters


def _width(header: str, values: pd.Series) -> float:
    """A column's width in characters: its longest cell (a CJK character counts 2), at most _WIDEST."""
    text = pd.concat([pd.Series([header]), values.astype("str")], ignore_index=True)
    wide = text.str.count(r"[^\x00-\x7f]")
    return min(float((text.str.len() + wide).max()) + 2, _WIDEST)


def _cells(column: pd.Series) -> list:
    """A column's values as Excel takes them: numbers as numbers, yes/no in words, missing as blank."""
    if pd.api.types.is_bool_dtype(column):
        column = column.map({True: "是", False: "否"})
    elif pd.api.types.is_numeric_dtype(column):
        return column.astype("float64").astype(object).where(column.notna(), None).tolist()
    return column.astype("object").where(column.notna(), None).tolist()


def write_xlsx(path: Path, frame: pd.DataFrame, columns: Sequence[str], sheet: str, created: datetime) -> Path:
    """`frame[columns]` as a one-sheet workbook at `path`, headed in Chinese, header row frozen, filters on.

    Text is never taken for a formula or a link (a cell reading `=…` stays text), and `created` is the
    workbook's recorded date, so one version's workbook has the same bytes however often it is written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False})
    book.set_properties({"created": created})
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    page = book.add_worksheet(sheet)
    for j, name in enumerate(columns):
        header = COLUMN_LABELS.get(name, name)
        page.write(0, j, header, head)
        page.write_column(1, j, _cells(frame[name]))
        page.set_column(j, j, _width(header, frame[name]))
    page.freeze_panes(1, 0)
    page.autofilter(0, 0, max(len(frame), 1), len(columns) - 1)
    book.close()
    return path
