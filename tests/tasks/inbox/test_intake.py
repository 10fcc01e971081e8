"""Reading delivered CSV and Excel files into clean text frames."""

from __future__ import annotations

import random
import re
import unicodedata
import zipfile
from datetime import datetime

import pandas as pd
import pyarrow as pa
import pytest
import xlsxwriter

from schemas.datasets import DATASETS
from tasks.errors import UnreadableFile
from tasks.inbox.reader import read_table

UNITS = DATASETS["units"]


def units_frame(rows: list[list], row_numbers: list[int]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=UNITS.column_names, dtype="str")
    return frame.assign(_row_number=pd.Series(row_numbers, dtype="int64"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_accepted_encoding(tmp_path, encoding):
    path = tmp_path / "units.csv"
    # Chinese and English headers mixed, stray spaces, full-width characters, a blank line, an unknown column.
    path.write_text("单位编码,unit_name,单位类别,所属地区,层级,是否窗口单位,备注\n"
                    " U0001 ,市行政服务中心,政府涉企涉民部门,市直,市级,是,x\n"
                    "\n"
                    "Ｕ０００２,市信访局　,党群部门,市直,县级,否,\n", encoding=encoding)
    expected = units_frame([["U0001", "市行政服务中心", "政府涉企涉民部门", "市直", "市级", "是", None],
                            ["U0002", "市信访局", "党群部门", "市直", "县级", "否", None]], [2, 4])
    pd.testing.assert_frame_equal(read_table(path, UNITS), expected)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_regular_csv_read_by_arrow_as_the_tolerant_reader_reads_it(tmp_path, monkeypatch, encoding):
    import tasks.inbox.reader as intake

    path = tmp_path / "units.csv"
    # No title row and no blank line, so Arrow reads it: quoted commas, quotes and a line break inside a cell.
    path.write_text("单位编码,单位名称,单位类别,所属地区,层级,是否窗口单位,主要负责人\n"
                    'U0001,"市行政服务中心,东区",政府涉企涉民部门,市直,市级,是,"张""明"\n'
                    'U0002,"市信访局\n接待大厅",党群部门,市直,县级,否,\n'
                    "U0003,市税务局,中央省驻单位,市直,省级,是,王五\n", encoding=encoding)
    read = []
    real = intake._arrow_cells
    monkeypatch.setattr(intake, "_arrow_cells", lambda *args: read.append(real(*args)) or read[-1])
    fast = read_table(path, UNITS)
    assert read[-1] is not None  # Arrow did read it
    # The first lines tell the encoding, and Arrow checks the rest as it reads: one attempt, not decoded beforehand
    assert [cells is not None for cells in read] == [True]
    monkeypatch.setattr(intake, "_arrow_cells", lambda *args: None)
    pd.testing.assert_frame_equal(fast, read_table(path, UNITS))
    assert fast["unit_name"].tolist() == ["市行政服务中心,东区", "市信访局\n接待大厅", "市税务局"]
    assert fast["leader_name"].fillna("").tolist() == ['张"明', "", "王五"]
    # Rows are numbered as records, as the tolerant reader numbers them.
    assert fast["_row_number"].tolist() == [2, 3, 4]


@pytest.mark.parametrize("encoding, attempts", [("utf-8", [True]), ("gb18030", [False, True])])
def test_encoding_guessed_from_the_first_64_kb_is_checked_by_arrow_over_the_whole_file(tmp_path, monkeypatch,
                                                                                        encoding, attempts):
    import tasks.inbox.reader as intake

    # ASCII up to the first 64 KB, where a Chinese character begins that the 64 KB cut in two.
    head = b"unit_id,unit_name,category,region,level,is_window\n"
    head += b"U0001,Tax Office,A,B,C,D\n" * ((65536 - len(head)) // 25 - 1) + b"U0002,"
    name = "x" * (65535 - len(head)) + "江城市税务局"
    path = tmp_path / "units.csv"
    path.write_bytes(head + f"{name},政府涉企涉民部门,市直,市级,是\n".encode(encoding))
    read = []
    real = intake._arrow_cells
    monkeypatch.setattr(intake, "_arrow_cells", lambda *args: read.append(real(*args)) or read[-1])
    frame = read_table(path, UNITS)
    # UTF-8 cut at 64 KB is UTF-8; a GB18030 character there makes Arrow refuse the UTF-8 guess, and the file
    # is read as GB18030 once the whole of it is known to be
    assert [cells is not None for cells in read] == attempts
    assert frame.iloc[-1][["unit_id", "unit_name", "category"]].tolist() == ["U0002", name, "政府涉企涉民部门"]
    assert len(frame) == head.count(b"\n")


def test_excel_with_title_row_and_chinese_headers(tmp_path):
    path = tmp_path / "platform_cases_2026.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("工单")
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write(0, 0, "2026年第一季度六大平台诉求工单")
    sheet.write_row(2, 0, ["工单编号", "平台", "单位编码", "受理时间", "办理时限", "办结时间", "评价"])
    sheet.write_row(3, 0, ["G1", "媒体", "U0001"])
    sheet.write_datetime(3, 3, datetime(2026, 1, 5, 8, 30), stamp)   # a real date cell
    sheet.write_number(3, 4, 46032)                                  # a bare Excel serial
    sheet.write_string(3, 5, "2026年1月8日")                          # text
    sheet.write(3, 6, "满意")
    sheet.write_row(4, 0, [1002, "信访局", "U0002", "2026/1/6", "", "", "未评价"])
    book.close()
    expected = pd.DataFrame({
        "case_id": ["G1", "1002"], "platform": ["媒体", "信访局"], "unit_id": ["U0001", "U0002"],
        "received_at": ["2026-01-05 08:30:00", "2026/1/6"], "due_at": ["46032", None],
        "closed_at": ["2026年1月8日", None], "rating": ["满意", "未评价"],
    }, dtype="str").assign(_row_number=pd.Series([4, 5], dtype="int64"))
    pd.testing.assert_frame_equal(read_table(path, DATASETS["platform_cases"]), expected)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_small_tables_cleaned_in_one_pass_as_column_by_column(tmp_path, monkeypatch, suffix):
    import tasks.inbox.reader as intake

    # Every kind of cell cleaning meets in one table: ASCII ids with spaces, full-width and traditional text,
    # control characters, cells blank after cleaning, a column that is empty throughout.
    rows = [["单位编码", "单位名称", "单位类别", "所属地区", "层级", "是否窗口单位", "主要负责人"],
            [" U0001 ", "市行政服务中心\x07", "政府涉企涉民部门", "市直", "市级", "是", ""],
            ["Ｕ０００２", "市信访局\u3000", " \t ", "市直", "县级", "否", ""],
            ["U0003", "市税务局\x1f二分局", "中央省驻单位", "\u3000", "省级", "是", ""]]
    path = tmp_path / f"units{suffix}"
    if suffix == ".csv":
        path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    else:
        book = xlsxwriter.Workbook(path)
        sheet = book.add_worksheet()
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, row)
        book.close()
    one_pass = read_table(path, UNITS)
    monkeypatch.setattr(intake, "ONE_PASS_CELLS", 0)  # every column on its own, as large tables are cleaned
    pd.testing.assert_frame_equal(one_pass, read_table(path, UNITS))
    assert one_pass["unit_id"].tolist() == ["U0001", "U0002", "U0003"]
    assert one_pass["unit_name"].tolist() == ["市行政服务中心", "市信访局", "市税务局二分局"]
    assert one_pass["category"].isna().tolist() == [False, True, False]
    assert one_pass["region"].isna().tolist() == [False, False, True]
    assert one_pass["leader_name"].isna().all()


def _junk(path):
    path.write_bytes(bytes(range(256)) * 20)


def _truncated_xlsx(path):
    book = xlsxwriter.Workbook(path)
    book.add_worksheet().write_row(0, 0, UNITS.column_names)
    book.close()
    path.write_bytes(path.read_bytes()[:300])


def _xls(path):
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)


def _ods(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")


@pytest.mark.parametrize(("name", "write", "problem"), [
    # binary junk named .csv
    ("units.csv", _junk, "文件内容不是文本格式的 CSV,可能是其他类型的文件被改了扩展名"),
    # an Excel file cut short in transit
    ("units.xlsx", _truncated_xlsx, "Excel 文件已损坏或不完整,请重新导出后提交"),
    # an old .xls renamed
    ("units.xlsx", _xls, "文件实际是旧版 Excel(.xls)格式,请在 Excel 中另存为 .xlsx 后重新提交"),
    # an OpenDocument sheet renamed
    ("units.xlsx", _ods, "文件实际是OpenDocument(.ods)格式,不是 Excel(.xlsx),请另存为 .xlsx"),
    # nothing at all
    ("units.csv", lambda p: p.write_bytes(b""), "文件为空"),
    # only blank lines
    ("units.csv", lambda p: p.write_text("\n , \n\n", encoding="utf-8"), "文件为空"),
    # a format we do not take
    ("units.txt", lambda p: p.write_text("unit_id\n", encoding="utf-8"),
     "不支持的文件格式“.txt”,请提交 CSV 或 Excel(.xlsx)文件"),
    # required columns missing, named in Chinese and English
    ("units.csv", lambda p: p.write_text("单位编码,单位名称,层级,是否窗口单位\nU1,a,市级,是\n", encoding="utf-8"),
     "缺少必需的列 “单位类别”(category)、“所属地区”(region)"),
    # the same column twice, once in English and once in Chinese
    ("units.csv", lambda p: p.write_text("unit_id,单位编码,单位名称,单位类别,所属地区,层级,是否窗口单位\n", encoding="utf-8"),
     "表头中“单位编码”(unit_id)出现了不止一次"),
    # no header row among the first rows
    ("units.csv", lambda p: p.write_text("a,b\n1,2\n", encoding="utf-8"),
     "前 50 行中找不到表头行(应包含“窗口单位名册”的列名)"),
])
def test_unreadable_files_name_the_file_and_the_problem(tmp_path, name, write, problem):
    path = tmp_path / name
    write(path)
    with pytest.raises(UnreadableFile) as caught:
        read_table(path, UNITS)
    assert (caught.value.file_name, caught.value.problem) == (name, problem)
    assert str(caught.value) == f"文件“{name}”无法读取:{problem}"


def test_optional_columns_may_be_absent_and_header_only_file_has_no_rows(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("\ufeffunit_id,unit_name,category,region,level,is_window\n", encoding="utf-8")
    assert read_table(path, UNITS).equals(units_frame([], []))


@pytest.mark.parametrize("header, row, notes", [
    # 批准单位 is no label of ours: reported with the closest absent one, 审定单位, which is then empty.
    ("record_id,unit_id,year,points,reason,批准单位,approved_at", "B1,U0001,2026,1,创建,领导小组,2026-11-02",
     ["未识别的列“批准单位”:其内容未读入,最接近的列名是“审定单位”(approved_by),如是请改用该列名",
      "可选列“审定单位”(approved_by)在文件中没有,该列按空值处理"]),
    # Every optional column there but one of them left empty throughout.
    ("record_id,unit_id,year,points,reason,approved_by,approved_at", "B1,U0001,2026,1,创建,,2026-11-02",
     ["可选列“审定单位”(approved_by)全部为空"]),
    # A column we do not know, with nothing absent to suggest.
    ("record_id,unit_id,year,points,reason,approved_by,approved_at,联系人", "B1,U0001,2026,1,创建,小组,2026-11-02,王",
     ["未识别的列“联系人”:其内容未读入"]),
])
def test_column_notes_name_unrecognised_and_empty_columns(tmp_path, header, row, notes):
    from tasks.inbox.reader import column_notes

    path = tmp_path / "bonuses_2026.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    assert column_notes(DATASETS["bonuses"], read_table(path, DATASETS["bonuses"])) == notes


def _cleaned_by_the_rule(cell: str | None) -> str | None:
    """The cleaning rule cell by cell in plain Python: NFKC, control characters dropped, white space trimmed,
    empty as missing."""
    if cell is None:
        return None
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", unicodedata.normalize("NFKC", cell)).strip()
    return text or None


@pytest.mark.parametrize("dtype", ["str", object])  # CSV cells come as text, Excel cells as Python objects
def test_cells_cleaned_as_the_rule_says_cell_by_cell(dtype):
    from tasks.inbox.reader import _clean

    def cleaned(cells: list) -> list:
        return [None if pd.isna(v) else v for v in _clean(pd.Series(cells, dtype=dtype))]

    assert cleaned([" Ａ１ ", "\x00满意\t", "", None, "e\u0301", "\u3000", "a\tb"]) \
        == ["A1", "满意", None, None, "é", None, "a\tb"]
    rng = random.Random(2026)
    letters = list("ab09 -:") + ["\t", "\n", "\r", "\x00", "\x07", "\x1f", "\x7f", "\x85", "\u3000", "\u00a0",
                                 "\u2003", "Ａ", "１", "满", "單", "\u0301", "（", "\ufeff"]
    for _ in range(300):
        # Some columns plain ASCII, some not; a few distinct values repeated, as a column's cells are.
        alphabet = letters[:7] if rng.random() < 0.3 else letters
        distinct = ["".join(rng.choices(alphabet, k=rng.randint(0, 5))) for _ in range(rng.randint(1, 6))]
        missing = rng.choice([0, 0.1])  # a column without missing cells takes the plain-ASCII fast path
        cells = [None if rng.random() < missing else rng.choice(distinct) for _ in range(rng.randint(0, 30))]
        assert cleaned(cells) == [_cleaned_by_the_rule(c) for c in cells], cells


def test_an_empty_column_whose_offsets_buffer_is_empty_is_cleaned():
    from tasks.inbox.reader import _cleaned_values

    for kind in (pa.string(), pa.large_string()):
        bare = pa.Array.from_buffers(kind, 0, [None, pa.py_buffer(b""), pa.py_buffer(b"")])  # valid Arrow, no offsets
        assert _cleaned_values(bare).to_pylist() == []
