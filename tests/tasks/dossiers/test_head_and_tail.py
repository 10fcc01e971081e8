"""A summary's ranking at any scale: head and tail, every unit that must be named, one line per gap."""

from __future__ import annotations

import pandas as pd

from tasks.dossiers.common import head_and_tail


def _ranking(n: int) -> pd.DataFrame:
    return pd.DataFrame({"rank": range(1, n + 1), "unit_name": [f"单位{i}" for i in range(1, n + 1)],
                         "score": [100.0 - i for i in range(n)]})


def test_a_short_ranking_is_listed_whole():
    frame = _ranking(10)
    assert head_and_tail(frame, 5, pd.Series(False, index=frame.index), "ranking.xlsx").equals(frame.assign(gap=""))


def test_a_long_ranking_keeps_head_tail_and_marked_units_with_one_line_per_gap():
    frame = _ranking(1_200)
    keep = frame["rank"].eq(600)  # a designated unit in the middle
    shown = head_and_tail(frame, 3, keep, "ranking.xlsx")
    assert shown["unit_name"].tolist() == ["单位1", "单位2", "单位3", "", "单位600", "", "单位1198", "单位1199", "单位1200"]
    assert shown["gap"].tolist() == ["", "", "", "……第4至599名共596个单位从略,完整排名见 ranking.xlsx", "",
                                     "……第601至1197名共597个单位从略,完整排名见 ranking.xlsx", "", "", ""]
    assert shown.loc[3, "score"] == "" and shown.loc[4, "score"] == 100.0 - 599


def test_a_gap_is_printed_across_the_table_on_one_line(tmp_path):
    import subprocess

    from tasks.dossiers.render import environment, write_pdf

    frame = _ranking(1_200).assign(unit_name=lambda f: "中国人民财产保险股份有限公司江城市临江县支公司" + f["unit_name"])
    rows = head_and_tail(frame, 3, frame["rank"].eq(600), "ranking.xlsx").to_dict("records")
    page = environment().from_string(
        '{% import "_macros.html" as m %}<html><head><link rel="stylesheet" href="base.css"></head><body>'
        '{{ m.table([("rank", "名次", None), ("unit_name", "单位名称", None), ("score", "得分", "num")], rows, '
        'dense=True, gap="gap") }}</body></html>')
    html = page.render(rows=rows)
    assert html.count('<tr class="gap"><td colspan="3">……第') == 2
    lines = subprocess.run(["pdftotext", str(write_pdf(html, tmp_path / "gaps.pdf")), "-"], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    # Not squeezed into the name column: each line whole, as written.
    assert [line for line in lines if "从略" in line] == [
        "……第4至599名共596个单位从略,完整排名见 ranking.xlsx", "……第601至1197名共597个单位从略,完整排名见 ranking.xlsx"]
