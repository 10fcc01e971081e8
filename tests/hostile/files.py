"""Builders of small delivered files (CSV in any encoding, .xlsx with formulas, merges and sheets) and rows."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import xlsxwriter

from schemas.datasets import DATASETS

# The registry every case starts from (stored before the case's own files arrive).
BASE_UNITS = [["U0001", "市行政服务中心", "政府涉企涉民部门", "市直", "市级", "是", "张明"],
              ["U0002", "市信访局", "党群部门", "市直", "县级", "否", ""],
              ["U0003", "市税务局", "中央省驻单位", "市直", "市级", "是", "王五"]]
UNIT = ["U0101", "市公积金中心", "政府涉企涉民部门", "市直", "市级", "是", "李四"]
STORED_UNIT = ("U0101", "市公积金中心", "政府涉企涉民部门", "市直", "市级", True, "李四")
MARCH_5 = pd.Timestamp("2026-03-05")


@dataclass(frozen=True)
class Formula:
    """An Excel formula cell with the result Excel saved beside it."""

    text: str
    result: object


def csv_bytes(dataset: str, rows: list[list], *, header: list[str] | None = None, encoding: str = "utf-8",
              title: str | None = None) -> bytes:
    """A CSV of `rows` under the dataset's English header (or `header`), optionally below a title line."""
    buffer = io.StringIO()
    if title:
        buffer.write(title + "\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header or DATASETS[dataset].column_names)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


@dataclass(frozen=True)
class Percent:
    """A number in a cell formatted as a percentage (`format` is Excel's number format)."""

    value: float
    format: str = "0%"


def xlsx_bytes(*sheets: list[list], merges: tuple[tuple[int, int, int, int, str], ...] = (),
               hidden_first: bool = False, macros: bool = False) -> bytes:
    """An .xlsx workbook with one sheet per list of rows; cells may be datetimes, Formula or Percent; merges on
    sheet 1; the first sheet hidden; with a VBA project (an .xlsm)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    stamp = book.add_format({"num_format": "yyyy-mm-dd"})
    formats: dict[str, object] = {}
    for index, rows in enumerate(sheets):
        sheet = book.add_worksheet(f"Sheet{index + 1}")
        if index == 0 and hidden_first:
            sheet.hide()
        if index == 1 and hidden_first:
            sheet.activate()
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, Formula):
                    sheet.write_formula(r, c, value.text, None, value.result)
                elif isinstance(value, Percent):
                    cell_format = formats.setdefault(value.format, book.add_format({"num_format": value.format}))
                    sheet.write_number(r, c, value.value, cell_format)
                elif isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, stamp)
                elif value is not None:
                    sheet.write(r, c, value)
        if index == 0:
            for first_row, first_col, last_row, last_col, text in merges:
                sheet.merge_range(first_row, first_col, last_row, last_col, text)
    if macros:
        # The project's bytes are never parsed: a macro-enabled workbook is read for its cell values only.
        book.add_vba_project(io.BytesIO(b"\xd0\xcf\x11\xe0" + bytes(508)), is_stream=True)
    book.close()
    return buffer.getvalue()


def ods_bytes() -> bytes:
    """A minimal OpenDocument spreadsheet (its zip layout only)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def units_csv(*rows: list, **options) -> bytes:
    """A units roster CSV."""
    return csv_bytes("units", list(rows), **options)


def unit_row(unit_id: str = "U0101", **changes: str) -> list:
    """The standard new unit with some cells changed."""
    names = DATASETS["units"].column_names
    row = list(UNIT)
    row[0] = unit_id
    for name, value in changes.items():
        row[names.index(name)] = value
    return row


def stored_unit(unit_id: str = "U0101", **changes) -> tuple:
    """The standard new unit as stored, with some values changed."""
    names = DATASETS["units"].column_names
    row = list(STORED_UNIT)
    row[0] = unit_id
    for name, value in changes.items():
        row[names.index(name)] = value
    return tuple(row)


def deductions_csv(*rows: list, **options) -> bytes:
    """A deductions CSV."""
    return csv_bytes("deductions", list(rows), **options)


def deduction(record_id: str, date: str, points: str = "2", unit_id: str = "U0001", reason: str = "") -> list:
    """One deduction row from 电子监察."""
    return [record_id, unit_id, date, "电子监察", points, reason]


def stored_deduction(record_id: str, date=MARCH_5, points: float = 2.0, reason: str | None = None) -> tuple:
    """One deduction row as stored."""
    return (record_id, "U0001", date, "电子监察", points, reason)


def scores_csv(*rows: list, **options) -> bytes:
    """A superior-scores CSV."""
    return csv_bytes("superior_scores", list(rows), **options)


def cases_csv(*rows: list) -> bytes:
    """A platform-cases CSV."""
    return csv_bytes("platform_cases", list(rows))


def truncated_xlsx() -> bytes:
    """A real workbook cut off after 300 bytes, as an interrupted upload leaves it."""
    return xlsx_bytes([DATASETS["units"].column_names, UNIT])[:300]
