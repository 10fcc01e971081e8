"""Excel fill-in templates for providers: one workbook per dataset, drawn entirely from schemas.datasets."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from schemas.datasets import DATASETS, Column, Dataset

FIRST_DATA_ROW = 2
LAST_DATA_ROW = 10_000
TYPE_LABELS = {"str": "文本", "int": "整数", "float": "数值", "date": "日期", "datetime": "日期时间", "bool": "是/否"}
YES_NO = ["是", "否"]
FIXED_CREATED = datetime(2026, 1, 1)
GUIDE_HEADER = ("中文列名", "英文列名", "类型", "是否必填", "可选值", "取值范围", "说明")


def _range_text(column: Column) -> str:
    if column.min is None and column.max is None:
        return ""
    low = "" if column.min is None else f"{column.min:g}"
    high = "" if column.max is None else f"{column.max:g}"
    return f"{low}–{high}"


def _validation(column: Column) -> dict | None:
    common = {"error_title": "输入有误", "ignore_blank": True}
    if column.allowed:
        return {"validate": "list", "source": list(column.allowed),
                "error_message": f"请从下拉列表中选择:{'、'.join(column.allowed)}", **common}
    if column.type == "bool":
        return {"validate": "list", "source": YES_NO, "error_message": "请填写“是”或“否”", **common}
    if column.deadline:
        # A warning, not a stop: “2026年6月底” and “长期坚持” are valid deadlines that are no Excel dates.
        return {"validate": "date", "criteria": "between", "minimum": date(2000, 1, 1),
                "maximum": date(2100, 12, 31), "error_type": "warning",
                "error_message": "请填写日期,或“2026年6月底”“长期坚持”", **common}
    if column.type in ("date", "datetime"):
        return {"validate": "date", "criteria": "between", "minimum": date(2000, 1, 1),
                "maximum": date(2100, 12, 31), "error_message": "请填写 2000 年至 2100 年之间的日期", **common}
    if column.min is not None or column.max is not None:
        kind = "integer" if column.type == "int" else "decimal"
        return {"validate": kind, "criteria": "between", "minimum": column.min, "maximum": column.max,
                "error_message": f"请填写 {_range_text(column)} 之间的数值", **common}
    if column.max_length:
        return {"validate": "length", "criteria": "<=", "value": column.max_length,
                "error_message": f"不超过 {column.max_length} 个字", **common}
    return None


def _write_entry_sheet(book: xlsxwriter.Workbook, dataset: Dataset) -> None:
    sheet = book.add_worksheet(dataset.label)
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "宋体"})
    # Required columns are marked by colour, not by text, so a filled-in header still reads as the label.
    header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "align": "center"})
    required = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "align": "center",
                                "font_color": "#C00000"})
    formats = {"date": book.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
               "str": book.add_format({"num_format": "@"})}
    last = len(dataset.columns) - 1
    sheet.merge_range(0, 0, 0, last, dataset.label, title)
    sheet.set_row(0, 28)
    for index, column in enumerate(dataset.columns):
        sheet.write_string(1, index, column.label, required if column.required else header)
        sheet.set_column(index, index, max(14, 2 * len(column.label) + 4), formats.get(column.type))
        rule = _validation(column)
        if rule:
            sheet.data_validation(FIRST_DATA_ROW, index, LAST_DATA_ROW, index, rule)
        sheet.write_comment(1, index, ("必填。" if column.required else "选填。") + column.note)
    sheet.freeze_panes(FIRST_DATA_ROW, 0)


def _write_guide_sheet(book: xlsxwriter.Workbook, dataset: Dataset) -> None:
    sheet = book.add_worksheet("填写说明")
    bold = book.add_format({"bold": True, "border": 1, "bg_color": "#F2DCDB"})
    wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    sheet.write_row(0, 0, GUIDE_HEADER, bold)
    for row, column in enumerate(dataset.columns, start=1):
        sheet.write_row(row, 0, (
            column.label, column.name, TYPE_LABELS[column.type], "必填" if column.required else "选填",
            "、".join(column.allowed or (YES_NO if column.type == "bool" else ())), _range_text(column),
            column.note,
        ), wrap)
    notes = ["表头为红字的列为必填项。表头行为第 2 行,请从第 3 行起逐行填写,不要改动表头。",
             f"主键:{'+'.join(dataset.column(k).label for k in dataset.key)},同一主键只能出现一次。"]
    notes += [f"“{dataset.column(r.column).label}”须为{DATASETS[r.dataset].label}中已有的编码。"
              for r in dataset.references]
    notes += [dataset.note] if dataset.note else []
    for offset, text in enumerate(notes, start=len(dataset.columns) + 2):
        sheet.write_string(offset, 0, text)
    sheet.set_column(0, 1, 18)
    sheet.set_column(2, 5, 12)
    sheet.set_column(4, 4, 36)
    sheet.set_column(6, 6, 48)


def write_template(out: Path, dataset: Dataset) -> Path:
    """One dataset's fill-in workbook `<dataset>_模板.xlsx`: an entry sheet and a “填写说明” sheet."""
    path = Path(out) / f"{dataset.name}_模板.xlsx"
    book = xlsxwriter.Workbook(path)
    book.set_properties({"title": f"{dataset.label}填报模板", "created": FIXED_CREATED})
    _write_entry_sheet(book, dataset)
    _write_guide_sheet(book, dataset)
    book.close()
    return path


def write_templates(out: Path) -> list[Path]:
    """Write a fill-in template for every dataset into `out`; the paths written."""
    Path(out).mkdir(parents=True, exist_ok=True)
    return [write_template(out, dataset) for dataset in DATASETS.values()]
