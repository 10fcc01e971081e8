"""Excel fill-in templates: one per dataset, Chinese headers, drop-downs and ranges, and a 填写说明 sheet."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from schemas.datasets import DATASETS
from tasks.inbox.excel_templates import write_templates


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, openpyxl.Workbook]:
    out = tmp_path_factory.mktemp("templates")
    paths = write_templates(out)
    assert [p.name for p in paths] == [f"{name}_模板.xlsx" for name in DATASETS]
    return {name: openpyxl.load_workbook(path) for name, path in zip(DATASETS, paths)}


def _validations(sheet) -> dict[str, tuple[str, str | None, str | None]]:
    """Each validated column letter with its rule type and formulas."""
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): (dv.type, dv.formula1, dv.formula2)
            for dv in sheet.data_validations.dataValidation}


def test_every_template_has_a_title_chinese_headers_and_a_guide(workbooks):
    for name, book in workbooks.items():
        dataset = DATASETS[name]
        entry = book.worksheets[0]
        assert book.sheetnames == [dataset.label, "填写说明"]
        assert entry["A1"].value == dataset.label
        assert [c.value for c in entry[2]] == [c.label for c in dataset.columns]
        required = [entry.cell(2, i + 1).font.color.rgb == "FFC00000" for i in range(len(dataset.columns))]
        assert required == [c.required for c in dataset.columns]


@pytest.mark.parametrize("dataset, column, expected", [
    # codes from a short list become drop-downs listing exactly the allowed values
    ("survey_responses", "E", ("list", '"精神状态,工作落实,工作效率,服务意识,机关风纪"', None)),
    ("survey_responses", "F", ("list", '"满意,基本满意,不满意,弃权"', None)),
    ("platform_cases", "G", ("list", '"满意,基本满意,不满意,未评价"', None)),
    ("units", "E", ("list", '"市级,县级"', None)),
    # booleans are a 是/否 drop-down
    ("units", "F", ("list", '"是,否"', None)),
    ("complaints", "E", ("list", '"是,否"', None)),
    # numbers with a range: the score 0–100, the year 2000–2100
    ("superior_scores", "D", ("decimal", "0", "100")),
    ("superior_scores", "A", ("whole", "2000", "2100")),
    # dates are checked as dates (Excel serials of 2000-01-01 and 2100-12-31)
    ("deductions", "C", ("date", "36526", "73415")),
    # free text is only limited in length
    ("units", "B", ("textLength", "100", None)),
])
def test_columns_carry_their_validation(workbooks, dataset, column, expected):
    assert _validations(workbooks[dataset].worksheets[0])[column] == expected


def test_every_column_with_allowed_values_has_a_drop_down(workbooks):
    for name, book in workbooks.items():
        rules = _validations(book.worksheets[0])
        for index, column in enumerate(DATASETS[name].columns, start=1):
            if column.allowed:
                assert rules[get_column_letter(index)] == ("list", '"' + ",".join(column.allowed) + '"', None)


def test_the_guide_explains_every_column(workbooks):
    guide = workbooks["bonuses"]["填写说明"]
    rows = [tuple(c.value for c in row) for row in guide.iter_rows(min_row=1, max_row=8)]
    assert rows == [
        ("中文列名", "英文列名", "类型", "是否必填", "可选值", "取值范围", "说明"),
        ("记录编号", "record_id", "文本", "必填", None, None, None),
        ("单位编码", "unit_id", "文本", "必填", None, None, "本市窗口单位统一编码,如 U0001"),
        ("年度", "year", "整数", "必填", None, "2000–2100", "四位年份,如 2026"),
        ("加分", "points", "数值", "必填", None, "0–100", None),
        ("事由", "reason", "文本", "选填", None, None, None),
        ("审定单位", "approved_by", "文本", "选填", None, None, "经领导小组审定的填审定单位"),
        ("审定日期", "approved_at", "日期", "选填", None, None, None),
    ]
    notes = [row[0].value for row in guide.iter_rows(min_row=10) if row[0].value]
    assert notes == ["表头为红字的列为必填项。表头行为第 2 行,请从第 3 行起逐行填写,不要改动表头。",
                     "主键:记录编号,同一主键只能出现一次。",
                     "“单位编码”须为窗口单位名册中已有的编码。"]


def test_a_deadline_warns_but_accepts_month_ends_and_ongoing_commitments(workbooks):
    # “2026年6月底” and “长期坚持” are valid deadlines though not Excel dates: Excel warns, the provider may keep them.
    rule = next(dv for dv in workbooks["commitments"].worksheets[0].data_validations.dataValidation
                if str(dv.sqref).startswith("H"))
    assert (rule.type, rule.errorStyle, rule.error) == ("date", "warning", "请填写日期,或“2026年6月底”“长期坚持”")
