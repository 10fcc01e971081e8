"""The hostile-input corpus: every case is a small delivery built by code and the exact outcome it must have."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from schemas.datasets import DATASETS
from tests.hostile.files import (
    UNIT, Formula, cases_csv, csv_bytes, deduction, deductions_csv, ods_bytes, scores_csv, stored_deduction,
    stored_unit, truncated_xlsx, unit_row, units_csv, xlsx_bytes,
)

UNIT_COLUMNS = DATASETS["units"].column_names
UNIT_LABELS = [c.label for c in DATASETS["units"].columns]
NOT_TEXT = "文件内容不是文本格式的 CSV,可能是其他类型的文件被改了扩展名"
NO_HEADER = "前 50 行中找不到表头行(应包含“窗口单位名册”的列名)"
BAD_BOOL = "不是有效的是/否值(可填 是/否、Y/N、1/0、true/false、有效/无效、√/×)"
LONG_NAME = "窗" * 100_000
T = pd.Timestamp


@dataclass(frozen=True)
class Stored:
    """The files are ingested: the stored rows (every schema column, file order) and the rejected rows."""

    dataset: str
    rows: tuple[tuple, ...] = ()
    rejected: tuple[tuple[str, int, str], ...] = ()  # (file name, row number, reason)
    passed: tuple[tuple[str, str, str], ...] = ()  # files not read: (file name, status, note), left in the inbox
    notes: tuple[tuple[str, str], ...] = ()  # (file name, note on its columns) in the ingest report


@dataclass(frozen=True)
class Refused:
    """The run stops on one file with an UnreadableFile naming it and its problem; nothing is stored."""

    file_name: str
    problem: str


@dataclass(frozen=True)
class Case:
    """One hostile delivery: file name → bytes, and the outcome it must have; `before` is ingested first."""

    name: str
    files: dict[str, bytes]
    outcome: Stored | Refused
    before: dict[str, bytes] = field(default_factory=dict)


def _case(name: str, file_name: str, data: bytes, outcome: Stored | Refused) -> Case:
    return Case(name, {file_name: data}, outcome)


def _refused(name: str, file_name: str, data: bytes, problem: str) -> Case:
    return _case(name, file_name, data, Refused(file_name, problem))


def _units(name: str, data: bytes, rows=(), rejected=(), file_name: str = "units_new.csv") -> Case:
    return _case(name, file_name, data, Stored("units", tuple(rows),
                                               tuple((file_name, n, r) for n, r in rejected)))


_REFUSED = [
    _refused("binary junk named .csv", "units_junk.csv", bytes(range(256)) * 8, NOT_TEXT),
    _refused("NUL byte inside a CSV cell", "units_nul.csv", units_csv(unit_row(unit_name="市\x00中心")), NOT_TEXT),
    _refused("xlsx cut off in transit", "units_cut.xlsx", truncated_xlsx(), "Excel 文件已损坏或不完整,请重新导出后提交"),
    _refused("old .xls (OLE2) under an .xlsx name", "units_old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
             "文件实际是旧版 Excel(.xls)格式,请在 Excel 中另存为 .xlsx 后重新提交"),
    _refused("OpenDocument sheet under an .xlsx name", "units_ods.xlsx", ods_bytes(),
             "文件实际是OpenDocument(.ods)格式,不是 Excel(.xlsx),请另存为 .xlsx"),
    _refused("a format we do not take", "units_old.xls", b"\xd0\xcf\x11\xe0" + bytes(60),
             "不支持的文件格式“.xls”,请提交 CSV 或 Excel(.xlsx)文件"),
    _refused("empty workbook", "units_blank.xlsx", xlsx_bytes([]), "文件为空"),
    _refused("UTF-8 and GB18030 lines mixed in one file", "units_mixed.csv",
             units_csv(unit_row()) + ",".join(unit_row("U0102", unit_name="市医保中心")).encode("gb18030"),
             "无法识别文件编码,请以 UTF-8 或 GB18030 编码保存"),
    _refused("data only on the second sheet (only the first sheet is read)", "units_sheet2.xlsx",
             xlsx_bytes([["填写说明:数据见第二页"]], [UNIT_COLUMNS, UNIT]), NO_HEADER),
    _refused("the same column twice, English and Chinese", "units_twice.csv",
             units_csv(unit_row() + ["U0101"], header=UNIT_COLUMNS + ["单位编码"]),
             "表头中“单位编码”(unit_id)出现了不止一次"),
    _refused("required columns missing", "units_short.csv",
             csv_bytes("units", [["U0101", "市公积金中心", "政府涉企涉民部门", "是"]],
                       header=["unit_id", "unit_name", "category", "is_window"]),
             "缺少必需的列 “所属地区”(region)、“层级”(level)"),
    _refused("semicolons instead of commas", "units_semicolon.csv",
             ";".join(UNIT_COLUMNS).encode() + b"\n" + ";".join(UNIT).encode(), NO_HEADER),
    _refused("a row wider than the header after line 50", "units_ragged.csv",
             units_csv(*[unit_row(f"U01{n:02d}") for n in range(51)]) + b"U0199,a,b,c,d,e,f,g,h\n",
             "CSV 格式错误:第 53 行有 9 个字段,多于表头的 7 列"),
    _refused("a quote never closed", "units_quote.csv", units_csv() + 'U0101,"市公积金中心,x,y\n'.encode(),
             "CSV 格式错误:第 2 行起的引号没有闭合"),
]

_UNITS = [
    _units("header only: a file with no rows", units_csv()),
    _units("UTF-8 with BOM", units_csv(unit_row(), encoding="utf-8-sig"), [stored_unit()]),
    _units("GB18030 with a four-byte character", units_csv(unit_row(unit_name="𠮷市政务服务中心"), encoding="gb18030"),
           [stored_unit(unit_name="𠮷市政务服务中心")]),
    _units("UTF-16 LE with BOM", b"\xff\xfe" + units_csv(unit_row(), encoding="utf-16-le"), [stored_unit()]),
    _units("UTF-16 BE with BOM", b"\xfe\xff" + units_csv(unit_row(), encoding="utf-16-be"), [stored_unit()]),
    _units("a title line above the header", units_csv(unit_row(), title="2026年窗口单位名册,,,"), [stored_unit()],
           file_name="units_title.csv"),
    _units("columns in another order", csv_bytes("units", [unit_row()[::-1]], header=UNIT_COLUMNS[::-1]),
           [stored_unit()]),
    _units("unknown columns are ignored", units_csv(unit_row() + ["备注", "13800000000"],
                                                    header=UNIT_COLUMNS + ["备注", "联系电话"]), [stored_unit()]),
    _units("headers in Chinese with marks, and in capitals",
           units_csv(unit_row(), header=["UNIT_ID", "单位名称*", "单位类别(必填)", "所属 地区", "层级", "是否窗口单位",
                                         "主要负责人"]), [stored_unit()]),
    _units("stray spaces, full-width digits and letters",
           units_csv(unit_row("　Ｕ０１０１ ", unit_name=" 市公积金中心　", category="政府涉企涉民部门 ", level="\t市级")),
           [stored_unit()]),
    _units("booleans in every accepted spelling, and one that is not",
           units_csv(*[unit_row(f"U010{n}", is_window=v) for n, v in enumerate(["Y", "n", "1", "0", "TRUE", "否", "也许"])]),
           [stored_unit(f"U010{n}", is_window=v) for n, v in enumerate([True, False, True, False, True, False])],
           [(8, "是否窗口单位“也许”" + BAD_BOOL)]),
    _units("codes outside the allowed lists",
           units_csv(unit_row(category="党群"), unit_row("U0102", level="省级")), [],
           [(2, "单位类别“党群”不在允许值(政府涉企涉民部门、党群部门、中央省驻单位)中"),
            (3, "层级“省级”不在允许值(市级、县级)中")]),
    _units("required cells empty or only white space",
           units_csv(unit_row(unit_name=""), unit_row("U0102", region="　"), unit_row("U0103", leader_name="")),
           [stored_unit("U0103", leader_name=None)], [(2, "单位名称不能为空"), (3, "所属地区不能为空")]),
    _units("a unit id longer than 32 characters", units_csv(unit_row("U" * 33)), [], [(2, "单位编码长度 33 超过 32 个字")]),
    _units("a 100,000-character name", units_csv(unit_row(unit_name=LONG_NAME)), [],
           [(2, "单位名称长度 100000 超过 100 个字")]),
    _units("markup and file:// URLs in names are kept as text",
           units_csv(unit_row(unit_name='<img src="file:///etc/passwd">'),
                     unit_row("U0102", unit_name="<script>alert(1)</script>")),
           [stored_unit(unit_name='<img src="file:///etc/passwd">'),
            stored_unit("U0102", unit_name="<script>alert(1)</script>")]),
    _units("formulas typed into CSV cells are kept as text (outputs neutralise them)",
           units_csv(*[unit_row(f"U010{n}", unit_name=v) for n, v in
                       enumerate(["=1+1", '=HYPERLINK("http://x","点击")', "@SUM(A1)", "+86", "-1"])]),
           [stored_unit(f"U010{n}", unit_name=v) for n, v in
            enumerate(["=1+1", '=HYPERLINK("http://x","点击")', "@SUM(A1)", "+86", "-1"])]),
    _units("a line break inside a quoted cell stays; one at the end is trimmed",
           units_csv(unit_row(unit_name="市公积金\n中心", leader_name="李四\r\n")),
           [stored_unit(unit_name="市公积金\n中心")]),
    _units("a registry key already stored", units_csv(unit_row("U0001")), [], [(2, "单位编码“U0001”已入库,不能重复提交,如需修改已入库的数据,请报送文件名中含有更正二字的更正文件")]),
    _units("Excel formulas give the value Excel saved",
           xlsx_bytes([UNIT_COLUMNS, [Formula('="U0"&"101"', "U0101"), Formula('=HYPERLINK("http://x","点击")', "点击"),
                                      *UNIT[2:]]]),
           [stored_unit(unit_name="点击")], file_name="units_formula.xlsx"),
    _units("control characters in an Excel cell are dropped",
           xlsx_bytes([UNIT_COLUMNS, unit_row(unit_name="市公积金\x00中心\x07")]), [stored_unit()],
           file_name="units_control.xlsx"),
    _units("control characters and tabs in an ASCII column are dropped, as in any other column",
           units_csv(unit_row("\x07U0101\x1f\t", leader_name="张三")), [stored_unit(leader_name="张三")]),
    _units("data on the first sheet; a second sheet is not read",
           xlsx_bytes([UNIT_COLUMNS, UNIT], [UNIT_COLUMNS, unit_row("U0102")]), [stored_unit()],
           file_name="units_two_sheets.xlsx"),
    _units("a merged title row and a header cell merged over two columns",
           xlsx_bytes([[], [UNIT_LABELS[0], UNIT_LABELS[1], None, *UNIT_LABELS[2:]], [UNIT[0], UNIT[1], None, *UNIT[2:]]],
                      merges=((0, 0, 0, 7, "2026年窗口单位名册"), (1, 1, 1, 2, UNIT_LABELS[1]))),
           [stored_unit()], file_name="units_merged.xlsx"),
    _units("cells merged down a column keep their value in the first row only",
           xlsx_bytes([UNIT_COLUMNS, unit_row(category=None), unit_row("U0102", category=None)],
                      merges=((1, 2, 2, 2, "政府涉企涉民部门"),)),
           [stored_unit()], [(3, "单位类别不能为空")], file_name="units_merged_rows.xlsx"),
]


def _records(name: str, dataset: str, files: dict[str, bytes], rows=(), rejected=()) -> Case:
    return Case(name, files, Stored(dataset, tuple(rows), tuple(rejected)))


def _deductions(name: str, data: bytes, rows=(), rejected=()) -> Case:
    file_name = "deductions_2026.xlsx" if data.startswith(b"PK") else "deductions_2026.csv"
    return _records(name, "deductions", {file_name: data}, rows, [(file_name, n, r) for n, r in rejected])


_RECORDS = [
    _deductions("dates in every form of SPEC §3",
                deductions_csv(*[deduction(f"D{n}", d) for n, d in
                                 enumerate(["2026-03-05", "2026/3/5", "2026年3月5日", "46086", "２０２６．３．５"])]),
                [stored_deduction(f"D{n}") for n in range(5)]),
    _deductions("dates in Excel: a date cell, a bare serial number, text",
                xlsx_bytes([DATASETS["deductions"].column_names, deduction("D0", datetime(2026, 3, 5)),
                            deduction("D1", 46086), deduction("D2", "2026年3月5日")]),
                [stored_deduction(f"D{n}") for n in range(3)]),
    _deductions("impossible dates",
                deductions_csv(deduction("D0", "2026-02-30"), deduction("D1", "2026-13-01"),
                               deduction("D2", "2026年2月29日")), [],
                [(2, "日期“2026-02-30”不是有效日期"), (3, "日期“2026-13-01”不是有效日期"),
                 (4, "日期“2026年2月29日”不是有效日期")]),
    _deductions("dates outside the sane range",
                deductions_csv(deduction("D0", "1999-12-31"), deduction("D1", "1")), [],
                [(2, "日期“1999-12-31”不在 2000-01-01 至 2100-12-31 之间"),
                 (3, "日期“1”不在 2000-01-01 至 2100-12-31 之间")]),
    _deductions("negative points, and points on a unit nobody knows",
                deductions_csv(deduction("D0", "2026-03-05", "-3"), deduction("D1", "2026-03-05", "-1", "U9999"),
                               deduction("D2", "2026-03-05", "0.5")),
                [stored_deduction("D2", points=0.5)],
                [(2, "扣分 -3 超出 0–100"), (3, "扣分 -1 超出 0–100;单位编码“U9999”不在窗口单位名册中")]),
    _deductions("a key repeated inside one file",
                deductions_csv(deduction("D0", "2026-03-05"), deduction("D0", "2026-03-06"), deduction("D1", "2026-03-05")),
                [stored_deduction("D1")],
                [(2, "记录编号“D0”在本批数据中重复出现 2 次"), (3, "记录编号“D0”在本批数据中重复出现 2 次")]),
    _deductions("a 100,000-character reason",
                deductions_csv(deduction("D0", "2026-03-05", reason=LONG_NAME)), [],
                [(2, "事由长度 100000 超过 2000 个字")]),
    _records("a key repeated across two files: the later file's row is refused", "deductions",
             {"deductions_a.csv": deductions_csv(deduction("D0", "2026-03-05")),
              "deductions_b.csv": deductions_csv(deduction("D0", "2026-03-05", "3"), deduction("D1", "2026-03-05"))},
             [stored_deduction("D0"), stored_deduction("D1")],
             [("deductions_b.csv", 2, "记录编号“D0”已入库,不能重复提交,如需修改已入库的数据,请报送文件名中含有更正二字的更正文件")]),
    _records("the same file delivered twice under two names is ingested once", "deductions",
             {"deductions_a.csv": deductions_csv(deduction("D0", "2026-03-05")),
              "deductions_copy.csv": deductions_csv(deduction("D0", "2026-03-05"))},
             [stored_deduction("D0")]),
    _records("scores: full-width digits, the bounds, out of range, not numbers", "superior_scores",
             {"superior_scores_2026.csv": scores_csv(
                 ["２０２６", "U0001", "市委组织部", "９５．５"], ["2026", "U0001", "市委宣传部", "0"],
                 ["2026", "U0001", "市纪委", "100"], ["2026", "U0001", "市委办", "120"],
                 ["2026", "U0001", "市政府办", "-1"], ["2026", "U0001", "市人大办", "九十"],
                 ["2026.5", "U0001", "市政协办", "90"])},
             [(2026, "U0001", "市委组织部", 95.5), (2026, "U0001", "市委宣传部", 0.0), (2026, "U0001", "市纪委", 100.0)],
             [("superior_scores_2026.csv", 5, "分数 120 超出 0–100"), ("superior_scores_2026.csv", 6, "分数 -1 超出 0–100"),
              ("superior_scores_2026.csv", 7, "分数“九十”不是数字"), ("superior_scores_2026.csv", 8, "年度“2026.5”不是整数")]),
    _records("date-times in every form, an impossible clock, closed before received", "platform_cases",
             {"platform_cases_2026Q1.csv": cases_csv(
                 ["G1", "媒体", "U0001", "2026-01-05 08:30", "2026-01-10", "", "满意"],
                 ["G2", "媒体", "U0001", "2026/1/5 8:30", "2026-01-10", "2026/1/8 17:00", "满意"],
                 ["G3", "媒体", "U0001", "2026年1月5日8时30分", "2026-01-10", "", "未评价"],
                 ["G4", "信访局", "U0002", "46027.5", "46032", "", "不满意"],
                 ["G5", "媒体", "U0001", "2026-01-05 25:61", "2026-01-10", "", "满意"],
                 ["G6", "媒体", "U0001", "2026-01-05 08:00", "2026-01-10", "2026-01-04", "满意"])},
             [("G1", "媒体", "U0001", T("2026-01-05 08:30"), T("2026-01-10"), None, "满意"),
              ("G2", "媒体", "U0001", T("2026-01-05 08:30"), T("2026-01-10"), T("2026-01-08 17:00"), "满意"),
              ("G3", "媒体", "U0001", T("2026-01-05 08:30"), T("2026-01-10"), None, "未评价"),
              ("G4", "信访局", "U0002", T("2026-01-05 12:00"), T("2026-01-10"), None, "不满意")],
             [("platform_cases_2026Q1.csv", 6, "受理时间“2026-01-05 25:61”不是有效的日期时间"),
              ("platform_cases_2026Q1.csv", 7, "办结时间“2026-01-04”早于受理时间“2026-01-05 08:00”")]),
    _records("survey answers: a full-width period, a period of no half-year, an unknown unit", "survey_responses",
             {"survey_responses_2026H1.csv": csv_bytes("survey_responses", [
                 ["２０２６Ｈ１", "R001", "机关", "U0001", "精神状态", "满意"],
                 ["2026H3", "R001", "机关", "U0001", "工作落实", "满意"],
                 ["2026H1", "R001", "机关", "U9999", "工作效率", "弃权"]])},
             [("2026H1", "R001", "机关", "U0001", "精神状态", "满意")],
             [("survey_responses_2026H1.csv", 3, "期次“2026H3”格式不正确(半年,如 2026H1)"),
              ("survey_responses_2026H1.csv", 4, "单位编码“U9999”不在窗口单位名册中")]),
]

UNMATCHED = "文件名不以任何数据集名称或中文名称开头,无法确定所属数据集,文件留在收件箱中未入库"
AVAILABLE = "。可用的开头:" + "、".join(DATASETS)
CUT_OFF = ("最后一行的字段少于表头且文件没有以换行结束,文件可能尚未复制完整:本次未入库,留待下次运行;"
           "如文件确已完整,请补全最后一行后重新提交")


def _passed(name: str, files: dict[str, bytes], passed, rows=(), notes=()) -> Case:
    return Case(name, files, Stored("units", tuple(rows), (), tuple(passed), tuple(notes)))


def _survey(*rows: list) -> bytes:
    return csv_bytes("survey_responses", [list(r) for r in rows])


_INBOX = [
    # A 0-byte file is a copy that has not begun: it waits, and the other files get in.
    _passed("empty file", {"units_empty.csv": b"", "units_new.csv": units_csv(unit_row())},
            [("units_empty.csv", "waiting", "文件为空(0 字节),可能仍在复制中:本次未入库,留待下次运行")], [stored_unit()]),
    _passed("a file named after no dataset", {"备注.csv": units_csv(unit_row())},
            [("备注.csv", "unmatched", UNMATCHED + AVAILABLE)]),
    # The longest name matching is not enough: commitments_status is a near miss of commitment_status.
    _passed("commitments_status… is no commitments file", {"commitments_status_2026Q1.csv": b"commitment_id\n"},
            [("commitments_status_2026Q1.csv", "unmatched",
              UNMATCHED + ";是否应以“commitment_status”(承诺兑现情况)开头?" + AVAILABLE)]),
    _passed("what Windows, macOS and Excel leave on a share is ignored with a note",
            {"~$units_2026.xlsx": b"\x0bowner", "Thumbs.db": b"\x00" * 64, "desktop.ini": b"[.ShellClassInfo]",
             ".DS_Store": b"\x00\x01", "units_new.csv": units_csv(unit_row())},
            [(".DS_Store", "ignored", "macOS 文件夹设置文件,不是数据文件,已忽略"),
             ("Thumbs.db", "ignored", "Windows 缩略图缓存文件,不是数据文件,已忽略"),
             ("desktop.ini", "ignored", "Windows 文件夹设置文件,不是数据文件,已忽略"),
             ("~$units_2026.xlsx", "ignored", "Excel 打开文件时生成的临时锁定文件(~$ 开头),不是数据文件,已忽略")],
            [stored_unit()]),
    _passed("a batch in a subfolder is read under its relative name", {"第二批/units_new.csv": units_csv(unit_row())},
            [], [stored_unit()]),
    _passed("a file named with the Chinese dataset label", {"窗口单位名册_2026.csv": units_csv(unit_row())},
            [], [stored_unit()]),
    # A CSV cut mid-row (upload still running) waits whole: stored now, its full copy would clash on every key.
    _passed("a CSV cut off in the middle of its last row waits for the next run",
            {"units_cut.csv": units_csv(unit_row(), unit_row("U0102"))[:-12]},
            [("units_cut.csv", "waiting", CUT_OFF)]),
    _records("survey rows of another half-year than the file name's are rejected", "survey_responses",
             {"survey_responses_2026H1_第二批.csv": _survey(
                 ["2026H1", "R001", "机关", "U0001", "精神状态", "满意"],
                 ["2026H2", "R001", "机关", "U0001", "工作落实", "满意"])},
             [("2026H1", "R001", "机关", "U0001", "精神状态", "满意")],
             [("survey_responses_2026H1_第二批.csv", 3, "期次“2026H2”与文件名中的期次“2026H1”不一致,请按期次分别提交文件")]),
    _records("survey answers for a unit registered 是否窗口单位=否 are rejected", "survey_responses",
             {"survey_responses_2026H1.csv": _survey(["2026H1", "R001", "机关", "U0002", "精神状态", "满意"])}, [],
             [("survey_responses_2026H1.csv", 2,
               "单位编码“U0002”在窗口单位名册中登记为非窗口单位(是否窗口单位=否),其测评答卷不计入测评")]),
    _records("a line with text only under an unrecognised column is read and rejected", "deductions",
             {"deductions_2026.csv": deductions_csv([*deduction("D0", "2026-03-05"), ""], [""] * 6 + ["待核实"],
                                                    header=[*DATASETS["deductions"].column_names, "备注"])},
             [stored_deduction("D0")],
             [("deductions_2026.csv", 3, "本行数据集各列均为空,只在未识别的列中有内容(备注:“待核实”):请把内容填入正确的列后重新提交")]),
    _records("a subject of a unit nobody registered is rejected", "subjects",
             {"subjects_2026.csv": csv_bytes("subjects", [["S1", "党员", "U9999", "张三"], ["S2", "党员", "", "李四"]])},
             [("S2", "党员", None, "李四")], [("subjects_2026.csv", 2, "单位编码“U9999”不在窗口单位名册中")]),
    _records("a commitment by a subject nobody registered is rejected", "commitments",
             {"commitments_2026.csv": csv_bytes("commitments", [
                 ["C1", "2026", "U0001", "S404", "承诺", "标准", "措施", "2026-06-30"]])}, [],
             [("commitments_2026.csv", 2, "对象编码“S404”不在点评对象名册中")]),
    Case("near-miss headers are reported with the closest known label",
         {"deductions_2026.csv": csv_bytes("deductions", [["D0", "U0001", "2026-03-05", "电子监察", "2", "迟到"]],
                                           header=[*DATASETS["deductions"].column_names[:5], "扣分原因"])},
         Stored("deductions", (stored_deduction("D0"),), notes=(
             ("deductions_2026.csv", "未识别的列“扣分原因”:其内容未读入,最接近的列名是“事由”(reason),如是请改用该列名"),
             ("deductions_2026.csv", "可选列“事由”(reason)在文件中没有,该列按空值处理")))),
    Case("an approving body under a near-miss header is reported, not silently left empty",
         {"bonuses_2026.csv": csv_bytes("bonuses", [["B1", "U0001", "2026", "1", "创建示范", "创先争优活动领导小组",
                                                     "2026-11-02"]],
                                        header=["record_id", "unit_id", "year", "points", "reason", "批准单位",
                                                "approved_at"])},
         Stored("bonuses", (("B1", "U0001", 2026, 1.0, "创建示范", None, T("2026-11-02")),), notes=(
             ("bonuses_2026.csv", "未识别的列“批准单位”:其内容未读入,最接近的列名是“审定单位”(approved_by),如是请改用该列名"),
             ("bonuses_2026.csv", "可选列“审定单位”(approved_by)在文件中没有,该列按空值处理")))),
]

from tests.hostile.values import VALUE_CASES  # noqa: E402  (the cases build on the classes above)

CASES: list[Case] = _REFUSED + _UNITS + _RECORDS + _INBOX + VALUE_CASES
