"""Dossiers: Jinja2 templates to HTML, WeasyPrint HTML to PDF, and many PDFs in a process pool."""

from __future__ import annotations

import math
import mimetypes
import multiprocessing
import multiprocessing.util
import os
import pickle
import re
import shutil
import socket
import tempfile
import zlib
from collections import deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pydyf
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from schemas.datasets import ONGOING
from tasks.dossiers.fonts import FaceRules, face_rules
from tasks.errors import AssessError
from tasks.memory import give_back, set_aside, set_aside_while

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DASH = "—"
ONGOING_TEXT = "长期坚持"  # the deadline of a commitment that is never due


# The zlib level of a PDF's streams. WeasyPrint's PDF writer (pydyf) compresses every stream at level 9, most of
# the bytes being a dossier's four subset CJK faces; at level 1 a city unit dossier renders 7 % faster (166 against
# 179 ms) and weighs 2 % more (3.73 against 3.66 MB for sixteen).
PDF_DEFLATE_LEVEL = 1


class _Deflate:
    """zlib as pydyf calls it: compression at PDF_DEFLATE_LEVEL whatever level pydyf names, anything else zlib's own."""

    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def compress(data, level=-1):
        return zlib.compress(data, PDF_DEFLATE_LEVEL)

    @staticmethod
    def compressobj(level=-1, *args, **kwargs):
        return zlib.compressobj(PDF_DEFLATE_LEVEL, *args, **kwargs)


pydyf.zlib = _Deflate()  # pydyf's own name for zlib, used by nothing else; set for the process when this module loads


class RenderFailed(AssessError):
    """A dossier that could not be rendered, naming its template and target file."""

    def __init__(self, template: str, path: str, problem: str) -> None:
        super().__init__(f"文书生成失败:模板“{template}”,文件“{path}”:{problem}")
        self.template, self.path, self.problem = template, path, problem

    def __reduce__(self):
        # Errors cross the process-pool boundary by pickling; keep the three parts.
        return type(self), (self.template, self.path, self.problem)


def _missing(value) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _text(value) -> bool:
    """A text standing where a number would (such as —(样本过少)): printed as it is."""
    return isinstance(value, str)


def pct(value, digits: int = 1) -> str:
    """A fraction as a percentage such as "87.3%"; "—" when missing."""
    if _text(value):
        return value
    return DASH if _missing(value) else f"{float(value) * 100:.{digits}f}%"


def num(value, digits: int = 2) -> str:
    """A number with `digits` decimals; "—" when missing."""
    if _text(value):
        return value
    return DASH if _missing(value) else f"{float(value):.{digits}f}"


def thousands(value) -> str:
    """An integer with thousands separators such as "12,345"; "—" when missing."""
    if _text(value):
        return value
    return DASH if _missing(value) else f"{round(float(value)):,}"


def blank(value) -> str:
    """A value as text; an empty string when missing."""
    return "" if _missing(value) else str(value)


def _em_widths(text: str, other: float) -> list[float]:
    """The width of each character of `text`, in em: a CJK character 1, any other `other` (an estimate)."""
    return [other if ord(ch) < 0x2E80 else 1.0 for ch in text]


def balanced(text: str, max_width: float = 18) -> Markup:
    """`text` broken into the fewest lines of nearly equal width (a CJK character counts 1, ASCII ½) for cover titles."""
    text = str(text)
    widths = _em_widths(text, 0.5)
    total = sum(widths)
    lines = max(1, math.ceil(total / max_width))
    cuts, run = [0], 0.0
    for index, width in enumerate(widths):
        # Cut before the character whose middle passes the next equal share of the width.
        if len(cuts) < lines and run + width / 2 > total * len(cuts) / lines:
            cuts.append(index)
        run += width
    cuts.append(len(text))
    return Markup("<br>").join(escape(text[a:b]) for a, b in zip(cuts, cuts[1:]))


# The key-figure cards of base.css (`.figures`): a text column of 156 mm, the cards' box 6 mm wider, 3 mm between the
# cards and at both ends, 3 mm of padding inside each; the value's full size 15pt.
FIGURE_BOX_MM, FIGURE_GAP_MM, FIGURE_PADDING_MM = 162, 3, 3
FIGURE_SIZES = ((15, ""), (13, "smaller"))  # then "smallest", 10.5pt


def figure_fit(value, per_row: int) -> str:
    """The size class of a key figure's value in a card of a row of `per_row`: "" (15pt), "smaller" (13pt) or
    "smallest" (10.5pt), the largest at which it keeps to one line (a CJK character 1 em wide, any other 0.6 em):
    a province's 第12345名 or 调整主要领导 in a row of five would wrap at 15pt."""
    room_mm = (FIGURE_BOX_MM - FIGURE_GAP_MM * (per_row + 1)) / per_row - 2 * FIGURE_PADDING_MM
    width_em = sum(_em_widths(str(value), 0.6))  # a bold digit is 0.59 em
    for points, name in FIGURE_SIZES:
        if width_em * points <= room_mm * 72 / 25.4:
            return name
    return "smallest"


def cn_date(value) -> str:
    """A date as "2026年7月15日"; ISO strings are accepted; "—" when missing."""
    if _missing(value) or value == "":
        return DASH
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    if value == ONGOING.date():
        return ONGOING_TEXT
    return f"{value.year}年{value.month}月{value.day}日"


@lru_cache
def environment() -> Environment:
    """The template environment over templates/, autoescaping HTML, failing on undefined names."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "htm", "xml", "svg"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=pct, num=num, cn_date=cn_date, thousands=thousands, blank=blank,
                       balanced=balanced, figure_fit=figure_fit)
    return env


def render_html(template: str, context: dict) -> str:
    """The HTML of `template` filled with `context`."""
    return environment().get_template(template).render(**context)


@lru_cache
def _fetcher_class():
    # Built on first use so that importing this module does not load WeasyPrint.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class TemplateFetcher(URLFetcher):
        """Serves data: URLs and files inside templates/ only (and the cut faces of `fonts`, when given), so no
        name in the data can reach anything else."""

        def __init__(self, fonts: Path | None = None) -> None:
            super().__init__()
            self.fonts = fonts.resolve() if fonts else None

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                served = path.is_relative_to(TEMPLATES) or (
                    self.fonts is not None and path.is_relative_to(self.fonts) and path.suffix == ".otf")
                if served and path.is_file():
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            raise PermissionError(f"拒绝读取模板文件夹以外的资源:{url}")

    return TemplateFetcher


def template_fetcher(fonts: Path | None = None):
    """A WeasyPrint URL fetcher that refuses everything outside the templates folder (and the cut faces' folder
    `fonts`, when given)."""
    return _fetcher_class()(fonts)


# How the templates link a stylesheet of templates/ (_dossier.html and the `head` blocks).
LINKED_SHEET = re.compile(r'<link rel="stylesheet" href="([\w-]+\.css)">')


def face_sheet(font_config, faces: FaceRules | None = None):
    """The cut faces (`fonts.face_rules()` when not given) declared to WeasyPrint's `font_config`, as the user
    stylesheet that comes before every other."""
    from weasyprint import CSS

    faces = faces or face_rules()
    return CSS(string=faces.css, url_fetcher=template_fetcher(faces.folder), font_config=font_config)


class Keeper:
    """What a run of PDFs rendered one after another reuses: WeasyPrint's font configuration (fontconfig loaded, the
    cut faces declared and the fonts opened once, not for every dossier) and the parsed stylesheets (about 40 ms a
    dossier). The PDFs are byte for byte those of a fresh start.

    A keeper lives for one batch in the process that asked for it (`close` ends it), or for a pool worker's whole
    life: those end with os._exit, after closing it. Kept until the interpreter's own exit, its native objects
    outlived the libraries they belong to and the process died of a segmentation fault after finishing its work."""

    def __init__(self, faces: FaceRules | None = None) -> None:
        """`faces`: the cut faces to declare (`fonts.face_rules()` when not given)."""
        from weasyprint.text.fonts import FontConfiguration

        self.fonts = FontConfiguration()
        self._sheets: dict[str, tuple[str, object]] = {}
        self.faces = [face_sheet(self.fonts, faces)]

    def stylesheet(self, name: str):
        """templates/`name` parsed once, and again only when the file's text has changed."""
        if self.fonts is None:
            raise RuntimeError("this Keeper was closed")
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        if name not in self._sheets or self._sheets[name][0] != text:
            from weasyprint import CSS

            self._sheets[name] = (text, CSS(string=text, base_url=f"{TEMPLATES.as_uri()}/",
                                            url_fetcher=template_fetcher(), font_config=self.fonts))
        return self._sheets[name][1]

    def close(self) -> None:
        """Let go of the fonts and stylesheets now, while the libraries behind them are certainly loaded, and remove
        the folder where WeasyPrint copied the declared faces (17 MB)."""
        copies = getattr(self.fonts, "_folder", None)
        self._sheets.clear()
        self.faces = []
        self.fonts = None
        if copies:
            shutil.rmtree(copies, ignore_errors=True)


_worker_keeper: Keeper | None = None  # a pool worker's, for the worker's life


def _keep_in_this_worker(faces: FaceRules, scratch: Path) -> None:
    global _worker_keeper
    # WeasyPrint's copies of the faces, and anything else the worker keeps in a temporary folder, go into the pool's
    # own folder: removed with the pool, or after a run killed while rendering (`_scratch_folder`).
    tempfile.tempdir = str(scratch)
    _worker_keeper = Keeper(faces)
    set_aside()  # the worker renders and nothing else for the rest of its life
    # A worker ends with os._exit, after multiprocessing's own exit finalisers: the keeper is closed by one of those.
    multiprocessing.util.Finalize(_worker_keeper, _worker_keeper.close, exitpriority=10)


def write_pdf(html: str, path: Path, keeper: Keeper | None = None) -> Path:
    """`html` rendered to a PDF at `path` (fonts embedded and subset); the path.

    With a `keeper` (or in a pool worker) the fonts and the stylesheets `html` links are reused from earlier PDFs.
    The stylesheets are handed to WeasyPrint parsed, as user stylesheets in the order linked, so a `<style>` block
    of a dossier's `head` overrides them whatever its selectors' specificity."""
    from weasyprint import HTML

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    own = keeper is None and _worker_keeper is None
    keeper = Keeper() if own else (keeper or _worker_keeper)
    try:
        sheets = keeper.faces + [keeper.stylesheet(name) for name in LINKED_SHEET.findall(html)]
        html = LINKED_SHEET.sub("", html)
        if "<link" in html:  # data is escaped, so only a template can have written it
            raise ValueError('样式表须写作 <link rel="stylesheet" href="文件名.css">,且位于模板文件夹中')
        document = HTML(string=html, base_url=f"{TEMPLATES.as_uri()}/", url_fetcher=template_fetcher())
        document.write_pdf(path, font_config=keeper.fonts, stylesheets=sheets)
    finally:
        if own:
            keeper.close()
    return path


@dataclass(frozen=True)
class PdfJob:
    """One dossier to render: its template, the context to fill it with, and where the PDF goes."""

    template: str
    context: dict
    path: Path


# HTML this long lays out into a hundred pages or more: a summary or publicity list (200-310 thousand characters
# in a city, 20 times that in a province), never a unit dossier (6-25 thousand).
LONG_HTML = 200_000


def _render_one(job: PdfJob, keeper: Keeper | None = None) -> Path:
    try:
        html = render_html(job.template, job.context)
        path = write_pdf(html, job.path, keeper)
    except Exception as exc:
        raise RenderFailed(job.template, str(job.path), f"{type(exc).__name__}: {exc}") from exc
    if len(html) >= LONG_HTML:
        give_back()  # the layout of hundreds of pages, freed but kept by the allocators for this process alone
    return path


def _render_batch(jobs: Sequence[PdfJob]) -> list[Path]:
    keeper = Keeper()
    try:
        with set_aside_while():
            return [_render_one(job, keeper) for job in jobs]
    finally:
        keeper.close()


def _weight(job: PdfJob) -> int:
    """How heavy a dossier is to render, judged by the size of its context (the summary's is by far the largest)."""
    return len(pickle.dumps(job.context, protocol=pickle.HIGHEST_PROTOCOL))


# A context this large (pickled) makes a document of a hundred pages or more: a summary or a publicity list of a
# city (300-400 KB), of a province (several MB, 500-750 pages and up to 3 GB of memory in WeasyPrint).
HEAVY_BYTES = 256 * 1024


def heaviest_first(jobs: Sequence[PdfJob], weights: Sequence[int] | None = None) -> list[int]:
    """The positions of `jobs` (of the `weights` given, when known), heaviest first."""
    weights = weights or [_weight(job) for job in jobs]
    return sorted(range(len(jobs)), key=lambda i: -weights[i])


def shares(jobs: Sequence[PdfJob], count: int) -> list[list[int]]:
    """`jobs` dealt into `count` shares of about equal weight (heaviest first, each to the lightest share)."""
    loads, dealt = [0] * count, [[] for _ in range(count)]
    for i in heaviest_first(jobs):
        lightest = loads.index(min(loads))
        dealt[lightest].append(i)
        loads[lightest] += _weight(jobs[i])
    return [share for share in dealt if share]


def render_pdfs(jobs: Sequence[PdfJob], workers: int | None = None) -> list[Path]:
    """The PDFs of `jobs`, in order, rendered by `workers` processes (1: serially in this process)."""
    jobs = list(jobs)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if workers == 1:
        return _render_batch(jobs)
    # forkserver: workers start from a clean, single-threaded parent with WeasyPrint already imported.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tasks.dossiers.render", "weasyprint"])
    scratch = _scratch_folder()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_keep_in_this_worker,
                                 initargs=(face_rules(), scratch)) as pool:
            return _fed(pool, jobs, workers)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


SCRATCH_PREFIX = "assess-render-"


def _scratch_folder() -> Path:
    """A temporary folder for a pool's workers, named by this process and machine; first, the folders of this
    machine's processes that are gone are removed (a run killed while rendering: its workers' copies of the faces
    are 17 MB each). A folder of another machine (a temporary folder shared between containers) is left alone."""
    host = socket.gethostname()
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        owner, _, rest = folder.name.removeprefix(SCRATCH_PREFIX).partition("@")
        if owner.isdigit() and rest.rpartition("-")[0] == host and not _running(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}@{host}-"))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another account
        return True
    return True


def _fed(pool: ProcessPoolExecutor, jobs: list[PdfJob], workers: int) -> list[Path]:
    """`jobs` rendered by `pool`, fed a few at a time: heavy documents first and one at a time (two at once would
    need the memory of both), the light ones around them, heaviest first, so that no worker waits."""
    weights = [_weight(job) for job in jobs]
    order = heaviest_first(jobs, weights)
    heavy = deque(i for i in order if weights[i] >= HEAVY_BYTES)
    light = deque(i for i in order if weights[i] < HEAVY_BYTES)
    paths: list[Path] = [Path()] * len(jobs)
    running: dict[Future, int] = {}
    heavy_running = False
    while heavy or light or running:
        while len(running) < 2 * workers and ((heavy and not heavy_running) or light):
            if heavy and not heavy_running:
                i, heavy_running = heavy.popleft(), True
            else:
                i = light.popleft()
            running[pool.submit(_render_one, jobs[i])] = i
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            i = running.pop(future)
            heavy_running = heavy_running and weights[i] < HEAVY_BYTES
            paths[i] = future.result()  # a failed dossier stops the feeding; those already handed out finish
    return paths
