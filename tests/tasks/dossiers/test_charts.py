"""Inline SVG charts: geometry from the data, escaped labels, Chinese fonts named on every text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tasks.dossiers import charts

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iterfind(".//s:text", NS)]


def assert_fonts_named(root: ET.Element) -> None:
    families = "'Noto Sans CJK SC Common', 'Noto Sans CJK SC'"  # the cut face, then the full one for the rest
    assert root.get("font-family") == families
    assert {t.get("font-family") for t in root.iterfind(".//s:text", NS)} == {families}


@pytest.mark.parametrize("low, high, count, ticks", [
    (0, 3, 4, [0, 1, 2, 3]),                            # step 1 for small counts
    (0, 100, 5, [0, 20, 40, 60, 80, 100]),              # score axis
    (71.3, 97.8, 6, [70, 75, 80, 85, 90, 95, 100]),     # bounds widened to round steps of 5
    (0, 1, 4, [0, 0.25, 0.5, 0.75, 1]),                 # step 2.5 × 10⁻¹ for rates
    (5, 5, 4, [5, 5.25, 5.5, 5.75, 6]),                 # a single value still gets an axis
])
def test_nice_ticks(low, high, count, ticks):
    assert charts.nice_ticks(low, high, count) == ticks


def test_histogram_bars_and_highlight():
    svg = charts.histogram_svg([1, 2, 2, 3, 3, 3], bins=3, x_label="得分", highlight=[3])
    root = parse(svg)
    bars = [r for r in root.iterfind(".//s:rect", NS) if r.get("data-count")]
    red = [r for r in root.iterfind(".//s:rect", NS) if r.get("data-highlight")]
    # counts per bin [1, 2, 3]; y axis 0..3 over the 200-unit plot height
    assert [(r.get("data-count"), r.get("height")) for r in bars] == [("1", "66.7"), ("2", "133.3"), ("3", "200.0")]
    # the highlighted score sits in the last bin, drawn red from the base line
    assert [(r.get("data-highlight"), r.get("height"), r.get("fill")) for r in red] == [("1", "66.7", charts.RED)]
    assert {"得分", "单位数", "全部单位", "重点单位"} <= set(texts(root))
    assert_fonts_named(root)


def test_histogram_without_data_says_so():
    # NaN and None are not data
    assert texts(parse(charts.histogram_svg([float("nan"), None], x_label="得分"))) == ["暂无数据"]


def test_labels_from_data_are_escaped():
    name = '<script>alert(1)</script><img src="file:///etc/passwd">'
    svg = charts.bar_svg([name, "二月"], [3, 4], y_label="件")
    assert "<script>" not in svg and "<img" not in svg
    # parsed back, the label is the literal text
    assert name in texts(parse(svg))
    assert name in texts(parse(charts.profile_svg([name], {name: [50.0]})))
    assert name in texts(parse(charts.trend_svg([name], {name: [1.0]}, y_label=name)))
    assert name in texts(parse(charts.histogram_svg([1.0, 2.0], x_label=name)))


def test_profile_bars_per_dimension_and_series():
    root = parse(charts.profile_svg(["精神状态", "工作效率"], {"全市中位数": [88.0, 84.5], "本单位": [80.25, None]}))
    values = [(r.get("fill"), r.get("data-value")) for r in root.iterfind(".//s:rect", NS) if r.get("data-value")]
    # series colours in order; the missing value draws no bar but a dash
    assert values == [(charts.PALETTE[0], "88"), (charts.PALETTE[1], "80.25"), (charts.PALETTE[0], "84.5")]
    assert {"精神状态", "工作效率", "88.0", "80.2", "84.5", "—", "全市中位数", "本单位"} <= set(texts(root))
    assert_fonts_named(root)


def test_trend_breaks_lines_at_gaps():
    root = parse(charts.trend_svg(["2025H1", "2025H2", "2026H1", "2026H2"],
                                  {"全市": [80.0, 81.0, 82.0, 83.0], "本单位": [70.0, None, 72.0, 75.0]}, y_label="得分"))
    lines = [p.get("points").count(",") for p in root.iterfind(".//s:polyline", NS)]
    # one unbroken line of 4 points; the unit's line restarts after the gap with 2 points
    assert lines == [4, 2]
    assert len(root.findall(".//s:circle", NS)) == 7
    assert_fonts_named(root)


def test_bar_values_and_labels():
    root = parse(charts.bar_svg(["1月", "2月", "3月"], [120, 0, 60.5], value_format="{:.1f}", y_label="工单数"))
    heights = [r.get("height") for r in root.iterfind(".//s:rect", NS)]
    # y axis 0..150 (ticks of 50) over 200 units: 120 → 160, 0 → 0, 60.5 → 80.7
    assert heights == ["160.0", "0.0", "80.7"]
    assert ["120.0", "1月", "0.0", "2月", "60.5", "3月"] == texts(root)[-6:]
    assert_fonts_named(root)
