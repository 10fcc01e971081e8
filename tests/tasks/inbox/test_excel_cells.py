"""Workbook cells as the provider sees them: percentages, error values, the first visible sheet."""

from __future__ import annotations

import pandas as pd
import pytest
import xlsxwriter

from tasks.errors import UnreadableFile
from tasks.inbox.excel_cells import excel_cells


def _book(path, cells: list[tuple[int, int, object, str | None]], hidden: int = 0):
    """A workbook whose first `hidden` sheets are hidden; `cells` (row, col, value, number format) on the next."""
    book = xlsxwriter.Workbook(path)
    for n in range(hidden):
        book.add_worksheet(f"隐藏{n}").hide()
    sheet = book.add_worksheet("数据")
    sheet.activate()
    for row, col, value, number_format in cells:
        cell_format = book.add_format({"num_format": number_format}) if number_format else None
        if isinstance(value, str) and value.startswith("="):
            sheet.write_formula(row, col, value, cell_format, "#N/A" if "NA()" in value else "#DIV/0!")
        else:
            sheet.write(row, col, value, cell_format)
    book.close()
    return path


@pytest.mark.parametrize(("value", "number_format", "shown"), [
    (0.95, "0%", "95%"),          # a score typed 95% is stored 0.95 and shown 95%
    (0.955, "0.0%", "95.5%"),     # the shortest decimal, not 95.49999999999999%
    (1, "0%", "100%"),            # a whole cell value
    (0.1234, "0.00%", "12.34%"),  # Excel's built-in 0.00%
    (0.95, '0"%"', "0.95"),       # a quoted % is a literal sign, not a percentage format
    (0.95, None, "0.95"),         # an unformatted number stays what it is
])
def test_percentage_cells_read_as_shown(tmp_path, value, number_format, shown):
    cells = excel_cells(_book(tmp_path / "s.xlsx", [(0, 0, "分数", None), (1, 0, value, number_format)]))
    assert cells.loc[2, 0] == shown


def test_error_cells_read_as_their_error_value_not_as_empty(tmp_path):
    cells = excel_cells(_book(tmp_path / "e.xlsx", [(0, 0, "a", None), (0, 1, "b", None), (1, 0, "=NA()", None),
                                                     (1, 1, "=1/0", None), (2, 0, "x", None)]))
    # calamine alone gives "" for both error cells, which validation would read as empty.
    assert cells.loc[[2, 3], [0, 1]].values.tolist() == [["#N/A", "#DIV/0!"], ["x", ""]]


def test_the_first_visible_sheet_is_read(tmp_path):
    cells = excel_cells(_book(tmp_path / "h.xlsx", [(0, 0, "数据", None)], hidden=2))
    assert cells.loc[1, 0] == "数据"


def test_a_workbook_with_no_visible_sheet_is_refused(tmp_path):
    path = tmp_path / "none.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("a")
    book.close()
    # xlsxwriter refuses to hide every sheet, so the only sheet is hidden in the saved XML.
    import zipfile
    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'sheetId="1"', b'sheetId="1" state="hidden"')
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    with pytest.raises(UnreadableFile) as caught:
        excel_cells(path)
    assert caught.value.problem == "工作簿中没有可见的工作表"


def test_marks_are_found_in_a_sheet_larger_than_one_read_block(tmp_path):
    # Cells straddle the scanner's 1 MiB blocks: every percentage and error cell is still found.
    rows = 30_000
    cells = [(r, 0, 0.5, "0%") for r in range(rows)] + [(r, 1, "=NA()", None) for r in range(0, rows, 997)]
    read = excel_cells(_book(tmp_path / "big.xlsx", cells))
    assert read[0].eq("50%").sum() == rows
    assert read[1].eq("#N/A").sum() == len(range(0, rows, 997))
    assert pd.Index(read.index[read[1].eq("#N/A")]).tolist() == [r + 1 for r in range(0, rows, 997)]
