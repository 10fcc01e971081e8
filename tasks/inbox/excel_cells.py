"""The cells of a delivered workbook's first visible sheet as the text a provider sees in Excel.

calamine reads values only (no macro of an .xlsm ever runs) but reports neither number formats nor error
cells, so the sheet's XML is scanned beside it, in a thread, for the two things a value alone loses: a cell
shown as a percentage (0.95 shown as 95%) and an error value (#N/A, which calamine gives as empty).
"""

from __future__ import annotations

import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import pandas as pd
import python_calamine

from tasks.errors import UnreadableFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an old .xls (or any OLE2 file)
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx, .xlsm or .ods
EXCEL_ERRORS = ("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!",
                "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PERCENT_FORMATS = {9, 10}  # Excel's built-in 0% and 0.00%
_CELL = rb"<c\b(?=[^>]*?\b%s)[^>]*?\br=\"([A-Z]{1,3})(\d+)\"[^>]*(?<!/)>"
_ERROR_CELL = re.compile(_CELL % rb't="e"' + rb"(.*?)</c>", re.S)
_ERROR_VALUE = re.compile(rb"<v>([^<]*)</v>")
_CHUNK = 1 << 20


def excel_cells(path: Path) -> pd.DataFrame:
    """The first visible sheet of `path` as text, indexed by spreadsheet row number (columns from 0)."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == OLE_MAGIC:
        raise UnreadableFile(path.name, "文件实际是旧版 Excel(.xls)格式,请在 Excel 中另存为 .xlsx 后重新提交")
    if magic != ZIP_MAGIC:
        raise UnreadableFile(path.name, "文件不是有效的 Excel(.xlsx)文件")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                kind = "OpenDocument(.ods)" if "content.xml" in names else "未知"
                raise UnreadableFile(path.name, f"文件实际是{kind}格式,不是 Excel(.xlsx),请另存为 .xlsx")
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        index = _first_visible(path.name, book)
        # The scan inflates the sheet's XML while calamine reads it (zlib releases the GIL): it costs no wall time.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheet-xml") as scanner:
            marks = scanner.submit(_marked_cells, path, index)
            rows = book.get_sheet_by_index(index).to_python(skip_empty_area=False)
            percent, errors = marks.result()
    except (zipfile.BadZipFile, python_calamine.CalamineError, ValueError, OSError, KeyError,
            ElementTree.ParseError) as exc:
        raise UnreadableFile(path.name, "Excel 文件已损坏或不完整,请重新导出后提交") from exc
    frame = pd.DataFrame(rows, dtype=object)
    frame.index = frame.index + 1  # spreadsheet row numbers
    text = frame.apply(_column_text)
    for col, cells in _by_column(percent).items():
        if col not in frame.columns:
            continue
        numbers = frame.loc[cells.index[cells.index.isin(frame.index)], col]
        numbers = numbers[numbers.map(type).isin((float, int))]
        text.loc[numbers.index, col] = _percent_text(numbers)
    for col, cells in _by_column(errors).items():
        cells = cells[cells.index.isin(text.index)]  # calamine's range holds every cell; this only guards it
        if col in text.columns:
            text.loc[cells.index, col] = cells
    return text


def _first_visible(file_name: str, book: python_calamine.CalamineWorkbook) -> int:
    """The position of the first worksheet a provider sees when opening the file (hidden sheets skipped)."""
    for index, sheet in enumerate(book.sheets_metadata):
        if sheet.visible == python_calamine.SheetVisibleEnum.Visible and \
                sheet.typ == python_calamine.SheetTypeEnum.WorkSheet:
            return index
    raise UnreadableFile(file_name, "工作簿中没有可见的工作表")


def _sheet_part(archive: zipfile.ZipFile, index: int) -> str:
    """The zip member holding the `index`-th sheet of the workbook, by the workbook's relationships."""
    sheets = ElementTree.fromstring(archive.read("xl/workbook.xml")).find(f"{_MAIN}sheets")
    target_id = list(sheets)[index].get(f"{_REL}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == target_id)
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


def _percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """The cell style indices (the `s` of a cell) whose number format shows a percentage."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    percent = set(_PERCENT_FORMATS)
    for fmt in styles.iter(f"{_MAIN}numFmt"):
        # A % outside quotes and escapes: "0.0%" is a percentage, '0"%"' is a literal sign.
        code = re.sub(r'"[^"]*"|\\.', "", fmt.get("formatCode", ""))
        if "%" in code:
            percent.add(int(fmt.get("numFmtId")))
    xfs = styles.find(f"{_MAIN}cellXfs")
    return {i for i, xf in enumerate(xfs if xfs is not None else ()) if int(xf.get("numFmtId", 0)) in percent}


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number - 1


def _marked_cells(path: Path, index: int) -> tuple[set[tuple[int, int]], dict[tuple[int, int], str]]:
    """The (row, column) of cells shown as a percentage, and the error value of each error cell."""
    with zipfile.ZipFile(path) as archive:
        styles = _percent_styles(archive)
        percent_cell = re.compile(_CELL % (rb's="(?:' + "|".join(map(str, styles)).encode() + rb')"')) \
            if styles else None
        percent: set[tuple[int, int]] = set()
        errors: dict[tuple[int, int], str] = {}
        with archive.open(_sheet_part(archive, index)) as sheet:
            carried = b""
            while block := sheet.read(_CHUNK):
                data = carried + block
                cut = data.rfind(b"<c ")  # a cell may straddle two blocks: the last one waits for the next
                data, carried = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
                _scan(data, percent_cell, percent, errors)
            _scan(carried, percent_cell, percent, errors)
    return percent, errors


def _scan(data: bytes, percent_cell: re.Pattern | None, percent: set, errors: dict) -> None:
    # The plain byte searches are fast; the regular expressions run only on a block that has such a cell.
    if b't="e"' in data:
        for match in _ERROR_CELL.finditer(data):
            value = _ERROR_VALUE.search(match.group(3))
            if value:
                errors[(int(match.group(2)), _column_number(match.group(1)))] = value.group(1).decode()
    if percent_cell is not None and b' s="' in data:
        percent.update((int(m.group(2)), _column_number(m.group(1))) for m in percent_cell.finditer(data))


def _by_column(cells: set[tuple[int, int]] | dict[tuple[int, int], str]) -> dict[int, pd.Series]:
    """Marked cells grouped by column: row numbers as the index, the error value (or True) as the value."""
    marks = pd.Series(cells if isinstance(cells, dict) else dict.fromkeys(cells, True), dtype=object)
    if marks.empty:
        return {}
    rows, cols = marks.index.get_level_values(0), marks.index.get_level_values(1)
    return {col: pd.Series(marks[cols == col].to_numpy(), index=rows[cols == col]) for col in cols.unique()}


def _percent_text(numbers: pd.Series) -> pd.Series:
    """Numbers as Excel shows them in a percentage format, each distinct number rendered once."""
    codes, uniques = pd.factorize(numbers.astype("float64"))
    # The shortest decimal of the stored value, times 100: 0.955 shows as 95.5%, not 95.49999999999999%.
    shown = [format(Decimal(repr(v)).scaleb(2).normalize(), "f") + "%" for v in uniques]
    return pd.Series(pd.array(shown, dtype=object).take(codes), index=numbers.index, dtype=object)


def _column_text(column: pd.Series) -> pd.Series:
    """Excel cells as the text a provider sees: whole numbers without “.0”, dates in ISO form, blanks empty."""
    if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        return column.fillna("")  # text only: nothing to convert, and _clean turns distinct values into str
    kinds = column.map(type)
    text = column.copy()
    text[kinds.eq(type(None))] = ""
    floats = kinds.eq(float)
    if floats.any():
        values = column[floats].astype("float64")
        whole = values.mod(1).eq(0)
        small = whole & values.abs().lt(2**53)
        text[floats] = values.map(str)
        text[small[small].index] = values[small].astype("int64").astype(str)
        huge = whole & ~small
        text[huge[huge].index] = values[huge].map(lambda v: str(int(v)))
    for kind in (datetime, date, time):
        cells = kinds.eq(kind)
        if cells.any():
            # datetime is a subclass of date; each kind keeps its own ISO form, as str() would not.
            text[cells] = column[cells].map(_ISO_FORMS[kind])
    others = ~(kinds.eq(str) | kinds.eq(type(None)) | floats | kinds.isin((datetime, date, time)))
    if others.any():
        text[others] = column[others].map(str)
    return text


_ISO_FORMS = {datetime: lambda v: v.isoformat(sep=" "), date: date.isoformat, time: time.isoformat}
