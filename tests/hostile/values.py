"""Hostile cases of values and formats: cells written the way Chinese offices write them, and what is stored."""

from __future__ import annotations

import pandas as pd

from schemas.datasets import DATASETS, ONGOING
from tests.hostile.corpus import UNIT_COLUMNS, UNIT_LABELS, Case, Stored
from tests.hostile.files import (
    UNIT, Formula, Percent, cases_csv, csv_bytes, deduction, deductions_csv, scores_csv, stored_deduction, stored_unit,
    unit_row, units_csv, xlsx_bytes,
)

T = pd.Timestamp
SCORE_COLUMNS = DATASETS["superior_scores"].column_names
COMMITMENT = ["C1", "2026", "U0001", "", "窗口服务“好差评”全覆盖", "评价率100%", "每月通报", "2026-06-30"]
PLATFORMS = "平台“{}”不在允许值(12345政府服务热线、民生热线、信访局、投诉中心、行政服务中心、媒体)中"
DECIMAL_COMMA = "“{}”不是数字:逗号只能用作千位分隔符(如 1,234),小数请写作 {}"


def _case(name: str, dataset: str, file_name: str, data: bytes, rows=(), rejected=(), before=None) -> Case:
    return Case(name, {file_name: data}, Stored(dataset, tuple(rows), tuple((file_name, n, r) for n, r in rejected)),
                before or {})


def _commitment(commitment_id: str, deadline: str) -> list[str]:
    return [commitment_id, *COMMITMENT[1:-1], deadline]


def _stored_commitment(commitment_id: str, deadline) -> tuple:
    return (commitment_id, 2026, "U0001", None, *COMMITMENT[4:7], deadline)


def _case_row(case_id: str, platform: str = "媒体", received: str = "2026-03-05 08:00", rating: str = "满意") -> list:
    return [case_id, platform, "U0001", received, "2026-03-20", "", rating]


def _stored_case(case_id: str, platform: str = "媒体", received=T("2026-03-05 08:00"), rating: str = "满意") -> tuple:
    return (case_id, platform, "U0001", received, T("2026-03-20"), None, rating)


def _answer(period: str, dimension: str) -> list[str]:
    return [period, "R001", "机关", "U0001", dimension, "满意"]


# A title, an issuing office, a date and 12 lines of 填表说明 above the header (15 lines in all).
_INSTRUCTIONS = "2026年窗口单位名册\n中共江城市委创先争优活动领导小组办公室\n填报日期:2026年1月5日\n" + \
    "".join(f"{n}. 填表说明第{n}条\n" for n in range(1, 13))

VALUE_CASES = [
    # Item A: a score typed as 95% means 95 points, whether a percent-formatted Excel cell or text.
    _case("scores as percent-formatted Excel cells are points, not fractions", "superior_scores",
          "superior_scores_2026.xlsx", xlsx_bytes([SCORE_COLUMNS, [2026, "U0001", "市委组织部", Percent(0.95)],
                                                   [2026, "U0001", "市委宣传部", Percent(0.955, "0.0%")],
                                                   [2026, "U0001", "市纪委", Percent(1.2)]]),
          [(2026, "U0001", "市委组织部", 95.0), (2026, "U0001", "市委宣传部", 95.5)],
          [(4, "分数 120% 超出 0–100")]),
    _case("scores written 95%, 95分, 9,5 and 1,234", "superior_scores", "superior_scores_2026.csv",
          scores_csv(["2026", "U0001", "市委组织部", "95%"], ["2026", "U0001", "市委宣传部", "88.5分"],
                     ["2026", "U0001", "市纪委", "9,5"], ["2026", "U0001", "市委办", "1,234"]),
          [(2026, "U0001", "市委组织部", 95.0), (2026, "U0001", "市委宣传部", 88.5)],
          [(4, "分数" + DECIMAL_COMMA.format("9,5", "9.5")), (5, "分数 1,234 超出 0–100")]),
    # Item A: a decimal comma is never read as a thousands separator; deduction points are no percentage.
    _case("deduction points with a decimal comma, 分 and a percent sign", "deductions", "deductions_2026.csv",
          deductions_csv(deduction("D0", "2026-03-05", "0,5"), deduction("D1", "2026-03-05", "1,5"),
                         deduction("D2", "2026-03-05", "2分"), deduction("D3", "2026-03-05", "5%"),
                         deduction("D4", "2026-03-05", "0.5")),
          [stored_deduction("D2", points=2.0), stored_deduction("D4", points=0.5)],
          [(2, "扣分" + DECIMAL_COMMA.format("0,5", "0.5")), (3, "扣分" + DECIMAL_COMMA.format("1,5", "1.5")),
           (5, "扣分“5%”是百分数,本列应填写数值本身(不带 %)")]),
    # Item C: the policy's platform aliases and the five-level 好差评 scale; an unknown platform lists the allowed.
    _case("platform variants and five-level ratings", "platform_cases", "platform_cases_2026Q1.csv",
          cases_csv(_case_row("G1", "12345热线"), _case_row("G2", "12345政务服务便民热线"),
                    _case_row("G3", "“12345”政府服务热线"), _case_row("G4", "12345", rating="非常满意"),
                    _case_row("G5", "市民热线", rating="非常不满意"), _case_row("G6", "政务服务中心"),
                    _case_row("G7", "信访"), _case_row("G8", "新闻媒体"), _case_row("G9", "媒体问政"),
                    _case_row("G10", "114热线"), _case_row("G11", rating="很好")),
          [_stored_case("G1", "12345政府服务热线"), _stored_case("G2", "12345政府服务热线"),
           _stored_case("G3", "12345政府服务热线"), _stored_case("G4", "12345政府服务热线"),
           _stored_case("G5", "12345政府服务热线", rating="不满意"), _stored_case("G6", "行政服务中心"),
           _stored_case("G7", "信访局"), _stored_case("G8", "媒体"), _stored_case("G9", "媒体")],
          [(11, PLATFORMS.format("114热线")), (12, "评价“很好”不在允许值(满意、基本满意、不满意、未评价)中")]),
    # Item B: dates as offices type them; ISO times with an offset are stored as Beijing wall-clock time.
    _case("received times: 20260305, 5号, +08:00, Z, 下午3:00", "platform_cases", "platform_cases_2026Q1.csv",
          cases_csv(_case_row("G1", received="20260305"), _case_row("G2", received="2026年3月5号"),
                    _case_row("G3", received="2026-03-05T15:00:00+08:00"),
                    _case_row("G4", received="2026-03-05T07:00:00Z"),
                    _case_row("G5", received="2026/3/5 下午3:00"), _case_row("G6", received="2026/3/5 下午13:00")),
          [_stored_case("G1", received=T("2026-03-05")), _stored_case("G2", received=T("2026-03-05")),
           _stored_case("G3", received=T("2026-03-05 15:00")), _stored_case("G4", received=T("2026-03-05 15:00")),
           _stored_case("G5", received=T("2026-03-05 15:00"))],
          [(7, "受理时间“2026/3/5 下午13:00”不是有效的日期时间")]),
    # Item B: deadlines at a month's end, and 长期坚持 (stored as ONGOING, never due).
    _case("deadlines: 6月底, 年底前, 长期坚持, and a month that does not exist", "commitments", "commitments_2026.csv",
          csv_bytes("commitments", [_commitment("C1", "2026年6月底"), _commitment("C2", "2026年年底前"),
                                    _commitment("C3", "长期坚持"), _commitment("C4", "2026年13月底")]),
          [_stored_commitment("C1", T("2026-06-30")), _stored_commitment("C2", T("2026-12-31")),
           _stored_commitment("C3", T(ONGOING))],
          [(5, "完成时限“2026年13月底”不是有效日期")]),
    # Item B + C: status aliases of the policy and quarters written in Chinese or with a dash.
    _case("statuses 已完成 and 正在推进, quarters 2026年第一季度, 2026-q2, 2026年三季度", "commitment_status",
          "commitment_status_2026.csv",
          csv_bytes("commitment_status", [["C1", "2026年第一季度", "已完成", "", ""], ["C1", "2026-q2", "正在推进", "", ""],
                                          ["C1", "2026年三季度", "推进中", "", ""], ["C1", "2026年第五季度", "推进中", "", ""],
                                          ["C1", "2026Q4", "搁置", "", ""]]),
          [("C1", "2026Q1", "已兑现", None, None), ("C1", "2026Q2", "推进中", None, None),
           ("C1", "2026Q3", "推进中", None, None)],
          [(5, "期次“2026年第五季度”格式不正确(季度,如 2026Q1)"),
           (6, "状态“搁置”不在允许值(已兑现、推进中、已调整、未兑现)中")],
          before={"commitments_2026.csv": csv_bytes("commitments", [COMMITMENT])}),
    # Item B: half-years as 2026h1, 2026-H1, 2026年上半年; a quarter in a half-year column is refused.
    _case("half-years 2026h1, 2026-H1, 2026年上半年, and a quarter", "survey_responses", "survey_responses_2026H1.csv",
          csv_bytes("survey_responses", [_answer("2026h1", "精神状态"), _answer("2026-H1", "工作落实"),
                                         _answer("2026年上半年", "工作效率"), _answer("2026年第三季度", "服务意识")]),
          [("2026H1", "R001", "机关", "U0001", d, "满意") for d in ("精神状态", "工作落实", "工作效率")],
          [(5, "期次“2026Q3”格式不正确(半年,如 2026H1)")]),
    # Item B: booleans as ticks and crosses.
    _case("booleans as √/×, ✓/✗", "units", "units_ticks.csv",
          units_csv(*[unit_row(f"U010{n}", is_window=v) for n, v in enumerate(["√", "×", "✓", "✗"])]),
          [stored_unit(f"U010{n}", is_window=v) for n, v in enumerate([True, False, True, False])]),
    # Item B: headers in traditional characters, with a trailing colon or star, below 15 lines of instructions.
    _case("traditional headers with ： and * below 15 lines of instructions", "units", "units_trad.csv",
          _INSTRUCTIONS.encode() + units_csv(unit_row(), header=["單位編碼:", "單位名稱：", "單位類別*", "所屬地區", "層級",
                                                                  "是否窗口單位", "主要負責人"]),
          [stored_unit()]),
    # Item B: rows carrying empty fields after the last column (a sheet saved with formatted empty columns).
    # Below the rows the reader sizes the table by, so the wider rows arrive unannounced.
    _case("empty fields after the last column", "units", "units_wide.csv",
          units_csv(*[unit_row(f"U01{n:02d}") for n in range(60)]) + ",".join(unit_row("U0198")).encode() + b",,,\n"
          + ",".join(unit_row("U0199")).encode() + b", , ,,,,\n",
          [stored_unit(f"U01{n:02d}") for n in [*range(60), 98, 99]]),
    # Item B: Windows' code page 936 writes the euro sign as 0x80, a byte GB18030 does not have.
    _case("a cp936 file with the euro sign 0x80", "units", "units_cp936.csv",
          units_csv(unit_row(unit_name="市欧元EURO结算中心"), encoding="gb18030").replace(b"EURO", b"\x80"),
          [stored_unit(unit_name="市欧元€结算中心")]),
    # Item B: the first sheet hidden (a lookup list); the first visible sheet is the data.
    _case("the first sheet hidden, the data on the first visible one", "units", "units_hidden.xlsx",
          xlsx_bytes([["下拉选项"], ["政府涉企涉民部门"]], [UNIT_COLUMNS, UNIT], hidden_first=True),
          [stored_unit()]),
    # Item B: a macro-enabled workbook is read for its values; no macro runs.
    _case("a macro-enabled .xlsm", "units", "units_macro.xlsm", xlsx_bytes([UNIT_LABELS, UNIT], macros=True),
          [stored_unit()]),
    # Item B: Excel error cells are rejected as such, never read as empty (required or optional column).
    _case("Excel error values #N/A, #DIV/0!, #VALUE!", "units", "units_errors.xlsx",
          xlsx_bytes([UNIT_COLUMNS, unit_row(unit_name=Formula("=VLOOKUP(A2,名册!A:B,2,0)", "#N/A")),
                      unit_row("U0102", leader_name=Formula("=1/0", "#DIV/0!")), unit_row("U0103", region="#VALUE!"),
                      unit_row("U0104")]),
          [stored_unit("U0104")],
          [(2, "单位名称单元格为 Excel 错误值 #N/A"), (3, "主要负责人单元格为 Excel 错误值 #DIV/0!"),
           (4, "所属地区单元格为 Excel 错误值 #VALUE!")]),
    _case("an Excel error value exported into a CSV", "deductions", "deductions_2026.csv",
          deductions_csv(deduction("D0", "#N/A"), deduction("D1", "2026-03-05", "#DIV/0!")), [],
          [(2, "日期单元格为 Excel 错误值 #N/A"), (3, "扣分单元格为 Excel 错误值 #DIV/0!")]),
]
