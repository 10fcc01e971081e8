"""Publicity lists: long tables laid out at fixed column widths, so short labels never wrap beside long names."""

from __future__ import annotations

import subprocess
from datetime import date

from tasks.dossiers.render import render_html, write_pdf

CATEGORIES = ("政府涉企涉民部门", "中央省驻单位", "党群部门")
# Real unit names run to 23 characters, which is what pushes an automatic layout to squeeze the other columns.
LONG_NAME = "中国人民财产保险股份有限公司江城市临江县支公司"


def _half_year_context(rows: int = 40) -> dict:
    ranked = [{"rank": i + 1, "unit_name": LONG_NAME if i % 2 else f"江城市第{i + 1}政务服务窗口",
               "category": CATEGORIES[i % 3], "score": 99.5 - i / 10, "satisfaction_rate": 0.99 - i / 1000,
               "designation": "重点管理单位" if i == rows - 1 else None, "flagged": i == rows - 1}
              for i in range(rows)]
    return {"issuer": "中共江城市委创先争优活动领导小组办公室", "doc_number": "江创争办〔2026〕12号",
            "title": "2026年上半年窗口单位群众满意度测评结果公示", "issued_on": date(2026, 7, 15),
            "period_label": "2026年上半年", "figures": {"ranked": rows, "key_management": 1, "key_supervision": 0},
            "notes": [], "ranked": ranked, "insufficient": []}


def test_every_category_and_designation_of_the_half_year_list_is_printed_on_one_line(tmp_path):
    context = _half_year_context()
    pdf = write_pdf(render_html("half_year_publicity.html", context), tmp_path / "publicity.pdf")
    lines = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    # A label split over two lines ("政府涉企涉民部" / "门") is not found whole on any line.
    for category in CATEGORIES:
        expected = sum(row["category"] == category for row in context["ranked"])
        assert sum(line.count(category) for line in lines) == expected, category
    assert sum(line.count("重点管理单位") for line in lines) == 1 + 1  # the row, and the intro's count of them
