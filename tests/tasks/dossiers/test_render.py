"""Dossier rendering: filters, escaping, the URL fence, the PDF itself, and the process pool."""

from __future__ import annotations

import gc
import math
import os
import re
import socket
import subprocess
import sys
import zlib
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from tasks.dossiers import charts, fonts

from tasks.dossiers import render
from tasks.dossiers.render import PdfJob, RenderFailed, heaviest_first, render_html, render_pdfs, shares, write_pdf

HOSTILE = '<script>alert(1)</script><img src="file:///etc/passwd">'


def example_context(unit_name: str = "江城市行政审批服务局", rows: int = 12) -> dict:
    """A full context for templates/_example.html."""
    scores = [97.5 - 1.5 * i for i in range(rows)]
    return {
        "issuer": "中共江城市委创先争优活动领导小组办公室",
        "doc_number": "江创争办〔2026〕12号",
        "title": "2026年上半年窗口单位半年点评写实情况通报",
        "issued_on": date(2026, 7, 15),
        "cover_facts": [("评议期次", "2026年上半年"), ("参评单位", f"{rows}个")],
        "unit": {"unit_id": "U0001", "unit_name": unit_name, "category": "政府涉企涉民部门", "leader_name": "张三"},
        "figures": [{"label": "综合得分", "value": "86.42"}, {"label": "满意率", "value": "91.3%", "note": "95%区间 88.1%–93.9%"}],
        "rows": [{"rank": i + 1, "unit_name": f"第{i + 1}窗口单位", "score": s, "satisfaction_rate": s / 100,
                  "designation": "重点管理单位" if i == rows - 1 else None, "flagged": i == rows - 1}
                 for i, s in enumerate(scores)],
        "steps": [{"what": "平台得分 × 0.8", "how": "受理工单1,204件", "value": "71.20"}, {"what": "最终得分", "value": "86.74"}],
        "charts": {
            "histogram": charts.histogram_svg(scores, x_label="得分", highlight=scores[-1:]),
            "profile": charts.profile_svg(["精神状态", "工作落实"], {"全市中位数": [88.2, 86.1], "本单位": [80.3, 78.9]}),
            "trend": charts.trend_svg(["2025H2", "2026H1"], {"本单位": [82.0, 78.3]}, y_label="得分"),
            "bars": charts.bar_svg(["1月", "2月"], [120, 98], y_label="工单数"),
        },
        "remark": "群众对窗口服务总体评价较好。",
    }


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdffonts(path: Path) -> list[tuple[str, str]]:
    """(font name without subset prefix, embedded yes/no) of every font in the PDF."""
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    return [(line.split()[0].split("+")[-1], line.split()[-5]) for line in lines]


@pytest.mark.parametrize("name, value, args, shown", [
    ("pct", 0.873, (), "87.3%"),                  # fraction to one-decimal percentage
    ("pct", 1, (), "100.0%"),
    ("pct", None, (), "—"),                       # missing rate shows a dash, never 0
    ("pct", float("nan"), (), "—"),
    ("num", 1 / 3, (), "0.33"),                   # two decimals by default
    ("num", 86.74999, (1,), "86.7"),
    ("num", pd.NA, (), "—"),
    ("thousands", 12345, (), "12,345"),
    ("thousands", None, (), "—"),
    ("cn_date", date(2026, 7, 15), (), "2026年7月15日"),
    ("cn_date", datetime(2026, 3, 5, 9, 30), (), "2026年3月5日"),
    ("cn_date", "2026-03-05", (), "2026年3月5日"),
    ("cn_date", None, (), "—"),
    ("cn_date", pd.Timestamp("9999-12-31"), (), "长期坚持"),  # the deadline of an ongoing commitment
    ("blank", math.nan, (), ""),                  # empty text cell
    ("balanced", "2026年上半年窗口单位半年点评写实情况通报", (), "2026年上半年窗口单位<br>半年点评写实情况通报"),
    ("balanced", "<b>短标题", (), "&lt;b&gt;短标题"),  # escaped even though it returns markup
])
def test_filters(name, value, args, shown):
    assert str(getattr(render, name)(value, *args)) == shown


def test_undefined_names_fail():
    context = example_context()
    del context["unit"]
    with pytest.raises(Exception, match="unit"):
        render_html("_example.html", context)


def test_data_is_escaped_in_html():
    html = render_html("_example.html", example_context(unit_name=HOSTILE))
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html


@pytest.fixture
def fetched(monkeypatch) -> list[str]:
    """Every URL WeasyPrint asks for while the test runs."""
    urls: list[str] = []
    real = render.template_fetcher

    def spying(fonts=None):
        fetcher = real(fonts)
        original = fetcher.fetch

        def fetch(url, headers=None):
            urls.append(url)
            return original(url, headers)

        fetcher.fetch = fetch
        return fetcher

    monkeypatch.setattr(render, "template_fetcher", spying)
    return urls


def test_hostile_names_print_as_text_and_fetch_nothing(tmp_path, fetched):
    pdf = write_pdf(render_html("_example.html", example_context(unit_name=HOSTILE)), tmp_path / "x.pdf")
    # nothing is requested but the cut faces the renderer declares itself: the linked stylesheets are read from the
    # templates folder, not fetched
    assert fetched == [face.path.as_uri() for face in fonts.cut_faces()]
    assert HOSTILE in pdftotext(pdf).replace("\n", "")


def test_markup_that_does_reach_the_pdf_cannot_fetch_outside(tmp_path, fetched):
    html = '<p>正文</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><img src="../pyproject.toml">'
    write_pdf(html, tmp_path / "x.pdf")
    assert fetched[4:] == ["file:///etc/passwd", "http://127.0.0.1:9/x.png", (render.TEMPLATES.parent / "pyproject.toml").as_uri()]


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",                                      # outside the templates folder
    render.TEMPLATES.as_uri() + "/../pyproject.toml",          # climbs out of it
    render.TEMPLATES.as_uri() + "/missing.css",                # inside, but no such file
    "http://127.0.0.1:9/x.png",                                # network
    "https://example.com/a.css",
    "ftp://example.com/a",
])
def test_fetcher_refuses(url):
    with pytest.raises(PermissionError):
        render.template_fetcher().fetch(url)


def test_fetcher_serves_templates_and_data_urls():
    css = render.template_fetcher().fetch((render.TEMPLATES / "base.css").as_uri())
    assert (css.content_type, css.read()) == ("text/css", (render.TEMPLATES / "base.css").read_bytes())
    assert render.template_fetcher().fetch("data:text/plain;base64,5Lit5paH").read() == "中文".encode()


@pytest.fixture(scope="module")
def example_pdf(tmp_path_factory) -> Path:
    return write_pdf(render_html("_example.html", example_context()), tmp_path_factory.mktemp("pdf") / "example.pdf")


def test_pdf_text_is_chinese_and_numbered(example_pdf):
    text = pdftotext(example_pdf)
    pages = text.split("\f")
    assert "中共江城市委创先争优活动领导小组办公室" in pages[0]
    assert "江创争办〔2026〕12号" in pages[0]
    # the cover carries no number; the table of contents right after it is page 1
    assert "— " not in pages[0]
    assert "— 1 —" in pages[1] and "— 2 —" in pages[2]
    # running head: the title on every numbered page
    assert all("2026年上半年窗口单位半年点评写实情况通报" in page for page in pages[1:-1])
    assert "江城市行政审批服务局(政府涉企涉民部门)本期评议情况如下" in text.replace("\n", "")


def test_tables_and_figures_are_numbered_by_css_counters(example_pdf):
    # Captions carry no number: base.css counts 表 and 图 in document order, so none is skipped or repeated.
    text = pdftotext(example_pdf)
    assert "表1 全市窗口单位满意度测评排名" in text
    assert re.findall(r"图(\d) ", text) == ["1", "2", "3", "4"]
    assert "表2" not in text and "图5" not in text


def test_table_of_contents_has_page_numbers(example_pdf):
    toc = pdftotext(example_pdf, "-f", "2", "-l", "2", "-layout")
    entries = dict(re.findall(r"([一二三四]、\S+)\s*\.+\s*(\d+)", toc))
    pages = pdftotext(example_pdf).split("\f")
    # pages[0] is the cover, so a chapter on pages[i] is numbered i; pages[1] is the contents itself
    assert entries == {title: str(next(i for i, page in enumerate(pages) if i > 1 and title in page))
                       for title in ("一、评议结果", "二、排名情况", "三、图表分析", "四、得分形成过程")}


def test_fonts_are_embedded_simplified_chinese(example_pdf):
    fonts = pdffonts(example_pdf)
    assert {emb for _, emb in fonts} == {"yes"}
    assert {name for name, _ in fonts} <= {"Noto-Serif-CJK-SC-Common", "Noto-Serif-CJK-SC-Common-Bold",
                                           "Noto-Sans-CJK-SC-Common", "Noto-Sans-CJK-SC-Common-Bold"}
    assert {"Noto-Serif-CJK-SC-Common-Bold", "Noto-Sans-CJK-SC-Common"} <= {name for name, _ in fonts}


def test_streams_are_deflated_at_the_fast_level_and_read_back(example_pdf):
    # pydyf compresses at zlib's level 9 (header 78 DA); the dossiers' streams are written at level 1 (78 01): the
    # subset faces are most of a dossier's bytes, and level 9 cost 7 % of its rendering time for 2 % fewer bytes.
    data = example_pdf.read_bytes()
    streams = [data[m.end():m.end() + int(m.group(1))]
               for m in re.finditer(rb"/Length (\d+)[^>]*>>\nstream\n", data)]
    assert len(streams) >= 8 and {stream[:2] for stream in streams} == {bytes([0x78, 0x01])}
    assert all(zlib.decompress(stream) for stream in streams)
    assert render.PDF_DEFLATE_LEVEL == 1


@pytest.mark.parametrize("values, sizes", [
    # A province's ranks in a row of five: 第2620名 was wrapped as 第2620 / 名 at the full size.
    (["79.45", "基本满意", "第2620名", "无", "公开道歉"], ["", "", "smaller", "", ""]),
    (["第12345名", "第24999名", "调整主要领导", "诫勉谈话", "100.00"], ["smallest", "smallest", "smallest", "", ""]),
    (["第12345名", "第1名", "—", "98.76%"], ["", "", "", ""]),  # a row of four has the room
])
def test_key_figures_keep_to_one_line_in_their_cards(tmp_path, values, sizes):
    page = render.environment().from_string(
        '{% import "_macros.html" as m %}<html><head><link rel="stylesheet" href="base.css"></head>'
        '<body>{{ m.figures(items) }}</body></html>')
    html = page.render(items=[{"label": "排名", "value": value} for value in values])
    assert re.findall(r'<div class="value ?(\w*)">', html) == sizes
    lines = pdftotext(write_pdf(html, tmp_path / "figures.pdf")).split()
    assert [value for value in values if value in lines] == values


def test_the_data_quality_appendix_prints_each_dataset_on_one_line(tmp_path):
    # Beside a long reason the automatic layout squeezed the dataset column: 群众满意度测 / 评.
    from schemas.datasets import DATASETS

    labels = sorted({d.label for d in DATASETS.values()}, key=len, reverse=True)[:4]
    reason = "单位编码在窗口单位名册中登记为非窗口单位(是否窗口单位=否),其测评答卷不计入测评"
    quality = {"totals": {"rows_read": 10, "rows_accepted": 6, "rows_rejected": 4},
               "files": [{"file_name": f"survey_responses_2026H1_第{i}批次的补报文件.csv", "dataset": label,
                          "rows_read": 10, "rows_accepted": 6, "rows_rejected": 4} for i, label in enumerate(labels)],
               "reasons": [{"dataset": label, "reason": reason, "rows": 1} for label in labels]}
    page = render.environment().from_string(
        '{% import "_macros.html" as m %}<html><head><link rel="stylesheet" href="base.css"></head><body>'
        '{{ m.quality_appendix(quality, "附录 数据质量") }}</body></html>')
    lines = pdftotext(write_pdf(page.render(quality=quality), tmp_path / "quality.pdf")).split()
    assert [sum(line == label for line in lines) for label in labels] == [2] * len(labels)


def test_a_unit_name_of_twenty_characters_keeps_to_one_line_on_the_cover(tmp_path):
    # 新城区人民路街道便民服务中 / 心: the cover's fact list (96 mm) left a 14-character name no room.
    names = ["新城区人民路街道便民服务中心", "中国人民财产保险股份有限公司临江县支公司"]
    context = {**example_context(), "cover_facts": [("单位名称", name) for name in names]}
    cover = pdftotext(write_pdf(render_html("_example.html", context), tmp_path / "cover.pdf")).split("\f")[0]
    assert [name in cover.split() for name in names] == [True, True]


def _jobs(folder: Path, count: int, rows=lambda i: 4) -> list[PdfJob]:
    return [PdfJob("_example.html", example_context(unit_name=f"第{i}号窗口单位", rows=rows(i)),
                   folder / f"units/U{i}.pdf") for i in range(count)]


def test_pool_renders_the_same_as_serial(tmp_path):
    # Jobs of different weights, so the pool takes them in another order than they were given.
    serial = render_pdfs(_jobs(tmp_path / "serial", 5, rows=lambda i: 2 + 7 * i % 5), workers=1)
    pooled = render_pdfs(_jobs(tmp_path / "pool", 5, rows=lambda i: 2 + 7 * i % 5), workers=2)
    # results come back in job order, and every page reads the same
    assert pooled == [tmp_path / "pool" / f"units/U{i}.pdf" for i in range(5)]
    assert [pdftotext(p) for p in pooled] == [pdftotext(p) for p in serial]
    assert "第3号窗口单位" in pdftotext(pooled[3])


def test_shares_are_balanced_and_heaviest_first(tmp_path):
    # One heavy summary and light unit dossiers: the summary's worker gets nothing else while others share the rest.
    jobs = _jobs(tmp_path, 7, rows=lambda i: 800 if i == 3 else 3)
    assert heaviest_first(jobs)[0] == 3
    dealt = shares(jobs, 2)
    assert sorted(i for share in dealt for i in share) == list(range(7))
    assert [3] in dealt
    assert shares(jobs[:1], 4) == [[0]]


def test_heavy_documents_one_at_a_time_with_light_ones_beside_them(tmp_path, monkeypatch):
    """Two summaries at once would need the memory of both; the other worker renders unit dossiers meanwhile."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    import tasks.dossiers.render as render

    heavy = {1, 4, 6}
    jobs = [PdfJob("x.html", {"rows": "x" * (render.HEAVY_BYTES if i in heavy else 10)}, tmp_path / f"{i}.pdf")
            for i in range(12)]
    spans: dict[int, tuple[float, float]] = {}

    def rendering(job: PdfJob, keeper=None) -> Path:
        start = time.perf_counter()
        time.sleep(0.3 if int(job.path.stem) in heavy else 0.05)
        spans[int(job.path.stem)] = (start, time.perf_counter())
        return job.path

    monkeypatch.setattr(render, "_render_one", rendering)
    with ThreadPoolExecutor(max_workers=2) as pool:
        assert render._fed(pool, jobs, workers=2) == [job.path for job in jobs]
    ordered = sorted(spans[i] for i in heavy)
    assert all(one[1] <= two[0] for one, two in zip(ordered, ordered[1:]))  # never two heavy ones at once
    assert sum(1 for i in set(range(12)) - heavy if spans[i][0] < ordered[0][1]) >= 4  # light ones beside
    assert min(spans.values())[0] == ordered[0][0]  # a heavy one first


def test_nothing_of_the_renderers_is_left_in_the_temporary_folder(tmp_path):
    # WeasyPrint copies the declared faces into a folder of its own for each keeper (17 MB); a pool worker ends
    # with os._exit, so its keeper must be closed before. Run in a process of its own, with a temporary folder
    # that nothing else uses.
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, '.')\n"
        "from tasks.dossiers.render import PdfJob, render_pdfs, write_pdf\n"
        "from tests.tasks.dossiers.test_render import example_context\n"
        "out = Path(sys.argv[1])\n"
        "jobs = [PdfJob('_example.html', example_context(rows=3), out / f'{i}.pdf') for i in range(4)]\n"
        "render_pdfs(jobs, workers=2)\n"
        "write_pdf('<p>正文</p>', out / 'alone.pdf')\n")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    # The pool folders of a run killed while rendering (its process gone), and of a process still running.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = socket.gethostname()
    killed = temporary / f"{render.SCRATCH_PREFIX}{int(gone.stdout)}@{host}-abc"
    (killed / "weasyprint-x").mkdir(parents=True)
    running = temporary / f"{render.SCRATCH_PREFIX}{os.getpid()}@{host}-abc"
    elsewhere = temporary / f"{render.SCRATCH_PREFIX}{int(gone.stdout)}@another-{host}-abc"  # another machine's
    for folder in (running, elsewhere):
        folder.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, env=env, cwd=render.TEMPLATES.parent)
    assert len(list(tmp_path.glob("*.pdf"))) == 5
    assert sorted(p.name for p in temporary.iterdir()) == sorted([running.name, elsewhere.name])


def test_memory_given_back_after_a_long_document_only(tmp_path, monkeypatch):
    import tasks.dossiers.render as render

    short, long = _jobs(tmp_path, 2, rows=lambda i: 3 if i == 0 else 300)
    lengths = [len(render_html(job.template, job.context)) for job in (short, long)]
    monkeypatch.setattr(render, "LONG_HTML", sum(lengths) // 2)  # between the two
    given = []
    monkeypatch.setattr(render, "give_back", lambda: given.append(True))
    render_pdfs([short], workers=1)
    assert given == []
    render_pdfs([long], workers=1)
    assert given == [True]


def test_a_serial_batch_renders_with_the_long_lived_objects_set_aside_and_gives_them_back(tmp_path, monkeypatch):
    # Out of the cyclic collector's passes while the batch renders (tasks.memory.set_aside); in sight again after.
    seen = []

    def rendering(job: PdfJob, keeper=None) -> Path:
        seen.append(gc.get_freeze_count())
        return job.path

    monkeypatch.setattr(render, "_render_one", rendering)
    assert render_pdfs(_jobs(tmp_path, 2), workers=1) == [tmp_path / "units/U0.pdf", tmp_path / "units/U1.pdf"]
    assert len(seen) == 2 and min(seen) > 50_000
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("workers", [1, 2])
def test_errors_name_template_and_path(tmp_path, workers):
    jobs = _jobs(tmp_path, 2)
    broken = PdfJob("_example.html", {k: v for k, v in example_context().items() if k != "rows"}, tmp_path / "bad.pdf")
    with pytest.raises(RenderFailed) as caught:
        render_pdfs([*jobs, broken], workers=workers)
    assert (caught.value.template, caught.value.path) == ("_example.html", str(tmp_path / "bad.pdf"))
    assert "模板“_example.html”" in str(caught.value) and "rows" in str(caught.value)


def _fresh_pdf(html: str, templates: Path) -> bytes:
    """`html` rendered by WeasyPrint from a fresh start: new font configuration, the cut faces declared, the
    stylesheets fetched through their links."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    faces = render.face_sheet(config)
    return HTML(string=html, base_url=f"{templates.as_uri()}/", url_fetcher=render.template_fetcher()).write_pdf(
        font_config=config, stylesheets=[faces])


def test_the_kept_fonts_and_stylesheets_render_each_pdf_as_a_fresh_one_would(tmp_path):
    first = render_html("_example.html", example_context(unit_name="江城市公安局出入境管理窗口", rows=30))
    second = render_html("_example.html", example_context())
    # Two different dossiers in a row through the same keeper, then the first again.
    keeper = render.Keeper()
    kept = [write_pdf(html, tmp_path / f"{i}.pdf", keeper).read_bytes() for i, html in enumerate([first, second, first])]
    fresh = [_fresh_pdf(html, render.TEMPLATES) for html in (first, second)]
    assert kept == [fresh[0], fresh[1], fresh[0]]
    assert keeper.stylesheet("base.css") is keeper.stylesheet("base.css")
    keeper.close()
    assert write_pdf(second, tmp_path / "alone.pdf").read_bytes() == fresh[1]  # without a keeper


def test_an_edited_stylesheet_takes_effect_at_the_next_pdf(tmp_path, monkeypatch):
    import shutil

    folder = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES, folder)
    monkeypatch.setattr(render, "TEMPLATES", folder)
    html = render_html("_example.html", example_context())
    keeper = render.Keeper()
    before = write_pdf(html, tmp_path / "before.pdf", keeper).read_bytes()
    base = folder / "base.css"
    base.write_text(base.read_text(encoding="utf-8") + "\nh1.doc-title { color: #b00000; }\n", encoding="utf-8")
    after = write_pdf(html, tmp_path / "after.pdf", keeper).read_bytes()
    fresh = _fresh_pdf(html, folder)
    assert after == fresh != before


def test_a_stylesheet_linked_otherwise_than_agreed_is_refused_not_applied_at_another_level(tmp_path):
    # The agreed form is parsed once and applied as a user stylesheet; any other <link> would reach WeasyPrint as
    # an author stylesheet and override base.css, so it stops the rendering instead.
    for link in ("<link rel=stylesheet href=base.css>", '<link href="base.css" rel="stylesheet">',
                 '<link rel="stylesheet" href="../base.css">'):
        with pytest.raises(ValueError, match="样式表须写作"):
            write_pdf(f"{link}<p>正文</p>", tmp_path / "x.pdf")
    keeper = render.Keeper()
    keeper.close()
    with pytest.raises(RuntimeError):
        write_pdf('<link rel="stylesheet" href="base.css"><p>正文</p>', tmp_path / "x.pdf", keeper)
