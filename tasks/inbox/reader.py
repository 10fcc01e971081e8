"""The inbox reader: one delivered CSV or Excel file as a frame of clean text cells with the schema's names."""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import opencc
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from schemas.datasets import Column, Dataset
from tasks.errors import UnreadableFile
from tasks.inbox.excel_cells import OLE_MAGIC, ZIP_MAGIC, excel_cells

# Offices put a title, an issuing office, a date and several lines of 填表说明 above the header.
HEADER_SEARCH_ROWS = 50
# A macro-enabled workbook is read like any other: calamine reads cell values and never runs a macro.
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_DECORATION = re.compile(r"[*＊:：]|[((][^))]*[))]|\s+")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ARROW_ENCODINGS = {"utf-8-sig": "utf8", "gb18030": "gb18030"}  # Arrow skips a UTF-8 byte-order mark itself
# Control characters other than tab and line breaks (NUL above all) cannot be stored in PostgreSQL text.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_WIDER_ROW = re.compile(r"Expected \d+ fields in line \d+, saw (\d+)")
_WIDEN_ATTEMPTS = 8
_PARSER_PROBLEMS = (
    (re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)"), "第 {1} 行有 {2} 个字段,多于表头的 {0} 列", 0),
    # The parser counts rows from 0 here but lines from 1 above; an editor counts lines from 1.
    (re.compile(r"EOF inside string starting at row (\d+)"), "第 {0} 行起的引号没有闭合", 1),
)


def read_table(path: Path, dataset: Dataset) -> pd.DataFrame:
    """The rows of `path` as text (schema columns plus `_row_number`), with headers mapped to English names."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise UnreadableFile(path.name, "文件为空")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        cells = _csv_cells(path)
    elif suffix in EXCEL_SUFFIXES:
        cells = excel_cells(path)
    else:
        raise UnreadableFile(path.name, f"不支持的文件格式“{suffix or '无扩展名'}”,请提交 CSV 或 Excel(.xlsx)文件")
    return _tabulate(path.name, cells, dataset)


def _csv_text(file_name: str, data: bytes) -> tuple[bytes, str]:
    if data.startswith(UTF16_BOMS):
        return data, "utf-16"  # the byte-order mark makes the encoding certain
    if _binary(data):
        raise UnreadableFile(file_name, "文件内容不是文本格式的 CSV,可能是其他类型的文件被改了扩展名")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return data, encoding
        except UnicodeDecodeError:
            continue
    try:
        # Windows' code page 936 has one byte GB18030 lacks: 0x80, the euro sign. Such a file is read as UTF-8.
        return data.decode("gb18030", errors=_CP936_EURO).encode("utf-8"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    raise UnreadableFile(file_name, "无法识别文件编码,请以 UTF-8 或 GB18030 编码保存")


def _binary(data: bytes) -> bool:
    return b"\x00" in data[:8192] or data.startswith((ZIP_MAGIC, OLE_MAGIC))


def _cp936_euro(error: UnicodeError) -> tuple[str, int]:
    if isinstance(error, UnicodeDecodeError) and error.object[error.start:error.start + 1] == b"\x80":
        return "€", error.start + 1
    raise error


_CP936_EURO = "assess-cp936-euro"
codecs.register_error(_CP936_EURO, _cp936_euro)


def _csv_cells(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    guess = None
    if not raw.startswith(UTF16_BOMS) and not _binary(raw):
        # Most files are regular, and their first lines tell UTF-8 from GB18030. Arrow checks the encoding of the
        # whole file as it reads it, so the file is not decoded once more just to learn its encoding; one Arrow
        # refuses (another encoding further down, or not regular) is read as below.
        guess = _likely_encoding(raw)
        head = _head(raw, guess)
        if (fast := _arrow_cells(raw, guess, head, _width(head))) is not None:
            return fast
    data, encoding = _csv_text(path.name, raw)
    head = _head(data, encoding)
    width = _width(head)
    tried = data is raw and encoding == guess  # Arrow refused these very bytes in this encoding above
    if not tried and (fast := _arrow_cells(data, encoding, head, width)) is not None:
        return fast
    frame = _tolerant_cells(path.name, data, encoding, max(width, 1))
    frame.index = frame.index + 1  # line numbers as an editor shows them
    return _without_empty_tail(path.name, frame, max(width, 1))


def _likely_encoding(data: bytes) -> str:
    """UTF-8 when the file's first 64 KB are UTF-8 (a character cut at their end aside), else GB18030."""
    start = data[:1 << 16]
    try:
        start.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if len(data) <= len(start) or error.start < len(start) - 3:
            return "gb18030"
    return "utf-8-sig"


def _head(data: bytes, encoding: str) -> list[list[str]]:
    """The rows among which the header is looked for."""
    text = data[:1 << 16].decode(encoding, errors="ignore")
    return list(csv.reader(io.StringIO("\n".join(text.splitlines()[:HEADER_SEARCH_ROWS]))))


def _width(head: list[list[str]]) -> int:
    return max((len(r) for r in head), default=0)


def _tolerant_cells(file_name: str, data: bytes, encoding: str, width: int) -> pd.DataFrame:
    """Every row of the file, padded to the widest row (pandas' reader, which says where a row does not parse)."""
    for _ in range(_WIDEN_ATTEMPTS):
        try:
            # The parser decodes bytes itself, much faster than reading from a Python string.
            return pd.read_csv(io.BytesIO(data), encoding=encoding, header=None, names=range(width), dtype="str",
                               keep_default_na=False, skip_blank_lines=False, engine="c")
        except (pd.errors.ParserError, ValueError) as exc:
            # A row wider than the rows above may only carry empty fields after the last column: read it whole.
            wider = _WIDER_ROW.search(str(exc))
            if wider is None:
                raise UnreadableFile(file_name, f"CSV 格式错误:{_parser_problem(exc)}") from exc
            width = int(wider.group(1))
    raise UnreadableFile(file_name, "CSV 格式错误:各行字段数相差过大,请检查分隔符与引号")


def _without_empty_tail(file_name: str, frame: pd.DataFrame, width: int) -> pd.DataFrame:
    """`frame` cut to `width` columns; a row with text beyond them makes the file unreadable, named by line."""
    if frame.shape[1] <= width:
        return frame
    tail = frame.iloc[:, width:].apply(lambda column: column.str.strip().ne(""))
    filled = tail.any(axis=1)
    if filled.any():
        line = int(filled.idxmax())
        fields = width + int(tail.loc[line].to_numpy().nonzero()[0].max()) + 1
        raise UnreadableFile(file_name, f"CSV 格式错误:第 {line} 行有 {fields} 个字段,多于表头的 {width} 列")
    return frame.iloc[:, :width]


def _arrow_cells(data: bytes, encoding: str, head: list[list[str]], width: int) -> pd.DataFrame | None:
    """A regular file's cells by Arrow's multi-threaded reader; None when the tolerant reader must do it.

    Regular means every row has the header's width: a title row, a blank line or a ragged row makes Arrow
    refuse the file, and pandas' reader (which pads short rows and says where a row is too long) takes over.
    Rows are numbered alike by both: the n-th record, counting from 1.
    """
    if encoding not in _ARROW_ENCODINGS or width < 2 or any(len(row) != width for row in head):
        return None
    columns = [f"f{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(pa.py_buffer(data), read_options=pacsv.ReadOptions(
            column_names=columns, encoding=_ARROW_ENCODINGS[encoding]),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(columns, pa.string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    frame = pd.DataFrame({i: pd.array(table.column(i), dtype="str") for i in range(width)})
    frame.index = frame.index + 1
    return frame


def _parser_problem(exc: Exception) -> str:
    """The parser's complaint in Chinese, with the line it names (data lines counted from 1)."""
    for pattern, text, offset in _PARSER_PROBLEMS:
        if match := pattern.search(str(exc)):
            return text.format(*(int(n) + offset for n in match.groups()))
    return "无法按 CSV 格式解析,请检查分隔符与引号"


def _clean(text: pd.Series) -> pd.Series:
    """`text` in NFKC form, without control characters and surrounding spaces; empty text as missing.

    The work is done on the column's Arrow array (the operations pandas' string methods would call), so a column
    costs a few Arrow kernels rather than a dozen pandas Series: most of the reading time of a small file."""
    values = pa.array(text.astype("str").array)  # Excel cells arrive as Python objects
    if isinstance(values, pa.ChunkedArray):  # a column of Arrow's reader comes in blocks
        values = values.combine_chunks()
    return pd.Series(pd.array(_cleaned_values(values), dtype="str"), index=text.index)


def _cleaned_values(values: pa.Array) -> pa.Array:
    if (plain := _printable_ascii(values)) is not None:
        return plain
    if pc.all(pc.or_(pc.ascii_is_printable(values), pc.equal(values, ""))).as_py() is not False:
        # Printable ASCII (ids, dates, numbers, most columns): in NFKC form already, no control characters, and
        # only spaces to trim.
        return _missing_if_empty(pc.ascii_trim_whitespace(values))
    if pc.all(pc.string_is_ascii(values)).as_py() is not False:
        # In NFKC form too; such columns are mostly ids and times, too distinct to encode.
        return _missing_if_empty(_trimmed(values))
    # Cells repeat a lot down a column, so each distinct text is normalised and trimmed once.
    encoded = pc.dictionary_encode(values)
    distinct = _trimmed(_normalised(encoded.dictionary))
    if distinct.equals(encoded.dictionary):  # clean already, but for empty cells
        return _missing_if_empty(values)
    return _missing_if_empty(distinct).take(encoded.indices)


def _printable_ascii(values: pa.Array) -> pa.Array | None:
    """`values` cleaned when they hold no missing cell and nothing but printable ASCII, else None.

    Such a column (ids, dates, numbers: most columns of the large files) is told by the bytes of the whole column at
    once, and its cells need trimming only when one starts or ends with a space: a few numpy passes over the
    column's buffers instead of the eight Arrow kernels of the general case."""
    if values.null_count or not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return None
    if not len(values):
        return values  # its offsets buffer may be empty
    width = np.int32 if pa.types.is_string(values.type) else np.int64
    offsets = np.frombuffer(values.buffers()[1], dtype=width)[values.offset:values.offset + len(values) + 1]
    data = values.buffers()[2]
    text = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]] if data is not None else np.empty(0, np.uint8)
    if text.size and (text.min() < 0x20 or text.max() > 0x7E):
        return None
    filled = offsets[1:] > offsets[:-1]
    first, last = offsets[:-1][filled] - offsets[0], offsets[1:][filled] - offsets[0] - 1
    if (text[first] == 0x20).any() or (text[last] == 0x20).any():
        return _missing_if_empty(pc.ascii_trim_whitespace(values))
    return _missing_if_empty(values, ~filled)


def _normalised(distinct: pa.Array) -> pa.Array:
    """`distinct` texts in NFKC form (Python's unicodedata: Arrow's utf8_normalize does not compose)."""
    wide = pc.invert(pc.string_is_ascii(distinct))  # ASCII text is already in NFKC form
    normal = [unicodedata.normalize("NFKC", value) for value in distinct.filter(wide).to_pylist()]
    return pc.replace_with_mask(distinct, wide, pa.array(normal, distinct.type))


def _trimmed(values: pa.Array) -> pa.Array:
    """Text without control characters and surrounding white space."""
    if pc.any(pc.match_substring_regex(values, _CONTROL)).as_py():
        values = pc.replace_substring_regex(values, _CONTROL, "")
    return pc.utf8_trim_whitespace(values)


def _missing_if_empty(values: pa.Array, empty: np.ndarray | None = None) -> pa.Array:
    """`values` with empty text as missing (`empty`: which cells are empty, when already known)."""
    empty = pc.equal(values, "") if empty is None else pa.array(empty)
    return pc.if_else(empty, pa.scalar(None, values.type), values) if pc.any(empty).as_py() else values


def _header_name(cell: object, aliases: dict[str, str]) -> str | None:
    text = unicodedata.normalize("NFKC", str(cell)).strip()
    bare = _DECORATION.sub("", text)
    for candidate in (text, text.lower(), bare, bare.lower()):
        if candidate in aliases:
            return aliases[candidate]
    if not bare.isascii():  # a header typed in traditional characters: 單位編碼 is 单位编码
        return aliases.get(_simplified(bare))
    return None


@lru_cache(maxsize=4096)
def _simplified(text: str) -> str:
    """`text` in simplified characters (OpenCC's traditional-to-simplified conversion)."""
    return _converter().convert(text)


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _find_header(file_name: str, cells: pd.DataFrame, dataset: Dataset) -> tuple[int, dict[int, str]]:
    aliases = dataset.header_aliases() | {n.lower(): n for n in dataset.column_names}
    best: tuple[int, dict[int, str]] | None = None
    head = cells.head(HEADER_SEARCH_ROWS)
    for row_number, *row in head.itertuples(name=None):  # tuples: a Series per row costs more than the row's work
        mapped = {i: n for i, cell in zip(head.columns, row) if pd.notna(cell) and (n := _header_name(cell, aliases))}
        if mapped and (best is None or len(mapped) > len(best[1])):
            best = (row_number, mapped)
        if len(set(mapped.values())) == len(dataset.column_names):  # every column named: the header found
            break
    if best is None:
        raise UnreadableFile(file_name, f"前 {HEADER_SEARCH_ROWS} 行中找不到表头行(应包含“{dataset.label}”的列名)")
    seen: dict[str, int] = {}
    for position, name in best[1].items():
        if name in seen:
            raise UnreadableFile(file_name, f"表头中“{dataset.column(name).label}”({name})出现了不止一次")
        seen[name] = position
    return best[0], best[1]


# Up to this many cells a table is cleaned in one pass over all of them: a pass per column costs about a
# millisecond of fixed overhead each, most of the reading time of a small file. Larger tables are cleaned a
# column at a time, so that a column of ASCII ids skips normalising.
ONE_PASS_CELLS = 200_000


def _cleaned(columns: dict, index: pd.Index) -> dict:
    """Each of `columns` (text Series on `index`) cleaned, under its key."""
    if not columns or len(index) * len(columns) > ONE_PASS_CELLS:
        return {key: _clean(column) for key, column in columns.items()}
    stacked = _clean(pd.concat([column.astype("str") for column in columns.values()], ignore_index=True))
    return {key: pd.Series(stacked.array[i * len(index):(i + 1) * len(index)], index=index, dtype="str")
            for i, key in enumerate(columns)}


def _blank(cells: pd.DataFrame) -> bool:
    return all(column.isna().all() for column in _cleaned(dict(cells.items()), cells.index).values())


def _tabulate(file_name: str, cells: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    if cells.empty:
        raise UnreadableFile(file_name, "文件为空")
    try:
        header_row, mapped = _find_header(file_name, cells, dataset)
    except UnreadableFile:
        if _blank(cells.head(HEADER_SEARCH_ROWS)):  # looked at only when no header is found: it costs a pass
            raise UnreadableFile(file_name, "文件为空") from None
        raise
    missing = [dataset.column(n) for n in dataset.required_columns if n not in mapped.values()]
    if missing:
        named = "、".join(f"“{c.label}”({c.name})" for c in missing)
        raise UnreadableFile(file_name, f"缺少必需的列 {named}")
    body = cells.loc[header_row + 1:, list(mapped)].rename(columns=mapped)
    frame = pd.DataFrame({name: _clean(body[name]) if name in body else pd.Series(pd.NA, index=body.index, dtype="str")
                          for name in dataset.column_names}, index=body.index)
    headers, other_text = _unrecognised(cells, header_row, mapped)
    has_data = frame.notna().any(axis=1)
    # A line with text only under unrecognised headers is kept, so that validation rejects it with a reason;
    # only then is the column there, so a regular file's frame holds the schema columns alone.
    if (other_text.notna() & ~has_data).any():
        frame[UNRECOGNISED] = other_text.where(~has_data)
    frame = frame[has_data | other_text.notna()]
    frame["_row_number"] = frame.index.to_numpy(dtype="int64")
    frame = frame.reset_index(drop=True)
    frame.attrs = {"unrecognised_columns": headers,
                   "absent_columns": [n for n in dataset.column_names if n not in mapped.values()]}
    return frame


UNRECOGNISED = "_unrecognised"


def _unrecognised(cells: pd.DataFrame, header_row: int, mapped: dict[int, str]) -> tuple[list[str], pd.Series]:
    """The headers of columns no schema column claims, and per line what it has under them (header:“text”)."""
    body = cells.loc[header_row + 1:]
    header = cells.loc[header_row]
    headers, pieces = [], []
    for position in cells.columns:
        if position in mapped:
            continue
        text = _clean(body[position].astype("str"))
        title = _clean(pd.Series([header[position]], dtype="str").fillna("")).iat[0]
        if pd.isna(title) and text.isna().all():
            continue
        title = f"第 {int(position) + 1} 列(无表头)" if pd.isna(title) else title
        headers.append(title)
        pieces.append(title + ":“" + text + "”")  # the text itself, kept with the rejected line
    named = pd.Series(pd.NA, index=body.index, dtype="str")
    for piece in pieces:  # one pass per unrecognised column, not per line
        named = (named + "、" + piece).fillna(named).fillna(piece)
    return headers, named


def column_notes(dataset: Dataset, raw: pd.DataFrame) -> list[str]:
    """Notes on a read table's columns: unrecognised headers with the closest absent label, empty optional columns."""
    absent = [dataset.column(n) for n in raw.attrs.get("absent_columns", [])]
    notes = []
    for header in raw.attrs.get("unrecognised_columns", []):
        guess = _closest(header, absent)
        hint = f",最接近的列名是“{guess.label}”({guess.name}),如是请改用该列名" if guess else ""
        notes.append(f"未识别的列“{header}”:其内容未读入{hint}")
    for column in dataset.columns:
        if column.required:
            continue
        if column.name in raw.attrs.get("absent_columns", []):
            notes.append(f"可选列“{column.label}”({column.name})在文件中没有,该列按空值处理")
        elif len(raw) and raw[column.name].isna().all():
            notes.append(f"可选列“{column.label}”({column.name})全部为空")
    return notes


def _closest(header: str, candidates: list[Column]) -> Column | None:
    """The candidate column whose label or name is most like `header`; the only one when none is alike at all."""
    scored = [(max(difflib.SequenceMatcher(None, header, c.label).ratio(),
                   difflib.SequenceMatcher(None, header.lower(), c.name).ratio()), c) for c in candidates]
    best = max(scored, key=lambda s: s[0], default=(0.0, None))
    if best[0] > 0:
        return best[1]
    # 扣分原因 shares no character with 事由: when one column is missing, it is the likeliest meaning.
    return candidates[0] if len(candidates) == 1 else None
