"""The measured stages: each inbox file read, validated and stored; each cycle loaded, computed and rendered."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from benchmarks import floors
from benchmarks.measure import Sample, measured, timed
from schemas.datasets import DATASETS, INGEST_ORDER, Dataset, dataset_for_file
from tasks.cycles.spec import CycleRun, CycleSpec
from tasks.inbox.listing import InboxFile
from tasks.inbox.reader import read_table
from tasks.dossiers.render import Keeper, PdfJob, render_html, render_pdfs, write_pdf
from tasks.inbox.ingest import Checked, learn_keys, store_file
from tasks.store import bulk
from tasks.store.audit import writing
from tasks.store.datasets import load_dataset
from tasks.store.engine import get_engine
from tasks.inbox.keys import WINDOW_UNITS, known_key
from tasks.inbox.validation import validate
from tasks.memory import set_aside_while


@dataclass
class Cost:
    """Seconds, floor seconds and peak memory of one stage, summed (times) or maximised (memory) over files."""

    seconds: float = 0.0
    floor: float = 0.0
    peak_bytes: int = 0

    def add(self, sample: Sample, floor: float) -> None:
        """Count one more file's sample and floor in."""
        self.seconds += sample.seconds
        self.floor += floor
        self.peak_bytes = max(self.peak_bytes, sample.peak_bytes)


@dataclass
class FileStages:
    """Intake, validation and storage costs of one dataset's files, and the work to profile them again."""

    intake: Cost = field(default_factory=Cost)
    validation: Cost = field(default_factory=Cost)
    storage: Cost = field(default_factory=Cost)
    files: list[Path] = field(default_factory=list)


def inbox_files(inbox: Path) -> list[tuple[Path, str]]:
    """The inbox files with their dataset, in the order intake stores them."""
    found = [(p, dataset_for_file(p.name).name) for p in sorted(Path(inbox).iterdir()) if p.is_file()]
    return sorted(found, key=lambda item: (INGEST_ORDER.index(item[1]), item[0].name))


def measure_files(inbox: Path, engine: Engine) -> dict[str, FileStages]:
    """Every inbox file read, validated and stored in order, each stage beside its floor; costs per dataset."""
    known = {known_key(d): pd.Index([], dtype="str") for d in DATASETS.values()}
    known[WINDOW_UNITS] = pd.Index([], dtype="str")  # filled as the units file is learnt, as intake does
    costs: dict[str, FileStages] = {}
    for path, name in inbox_files(inbox):
        dataset, cost = DATASETS[name], costs.setdefault(name, FileStages())
        cost.files.append(path)
        sample, floor, raw = paired(lambda: read_table(path, dataset), lambda: floors.raw_read(path))
        cost.intake.add(sample, floor)
        sample, floor, result = paired(lambda: validate(dataset, raw, known),
                                       lambda: floors.mask_checks(dataset, raw, known))
        cost.validation.add(sample, floor)
        learn_keys(known, dataset, result.accepted)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with measured() as sample:
            file_id = _store(engine, path, dataset, digest, result)
        floor = floors.bulk_floor(engine, dataset, result.accepted, file_id)
        cost.storage.add(sample, floor)
        # Province runs take a while; a line per file shows where they are.
        print(f"{path.name}:{len(raw):,} 行,读取 {cost.intake.seconds:.1f} 秒,校验 {cost.validation.seconds:.1f} 秒,"
              f"入库 {cost.storage.seconds:.1f} 秒(本数据集累计)", file=sys.stderr, flush=True)
    return costs


def paired(ours: Callable[[], object], floor: Callable[[], object]) -> tuple[Sample, float, object]:
    """`ours` and its `floor` run twice each, alternating, each at its better time; the peak memory of `ours`'s
    first run; what `ours` returned.

    Run once each, whichever goes first carries the file's and the allocator's first touch (the city inbox read
    once, ours first: 3.3× its floor; floor first: 2.7×), and the machine's noise falls on a single run of each."""
    with measured() as sample:
        result = ours()
    floor_seconds = timed(floor)[0]
    sample.seconds = min(sample.seconds, timed(ours)[0])
    return sample, min(floor_seconds, timed(floor)[0]), result


def _store(engine: Engine, path: Path, dataset: Dataset, digest: str, result) -> int:
    """Store one validated file as intake does: staged, then published in one writer transaction; its id."""
    spool = path.parent.parent / "stages"  # beside the inbox, as intake spools beside the archive
    with (bulk.staged(engine, [(dataset, result.accepted)], spool) as stages,
          writing(engine, None, stages.attach) as conn):
        return store_file(conn, InboxFile(path, path.name, dataset), digest, path,
                          Checked.of(result, [], stages.files[0]))


def store_again(path: Path, dataset: Dataset, folder: Path) -> int:
    """`path` stored once more, into a fresh database in `folder`, as intake stores it (its references taken as
    known): the work a storage profile looks at. The file's id."""
    raw = read_table(path, dataset)
    known = {f"{r.dataset}.{r.target}": pd.Index(raw[r.column].dropna().unique(), dtype="str")
             for r in dataset.references}
    result = validate(dataset, raw, known)
    database = folder / "store-again.db"
    database.unlink(missing_ok=True)
    engine = get_engine(f"sqlite:///{database}")
    try:
        return _store(engine, path, dataset, hashlib.sha256(path.read_bytes()).hexdigest(), result)
    finally:
        engine.dispose()


def load_cycle(engine: Engine, names: list[str]) -> tuple[dict[str, pd.DataFrame], Sample, float]:
    """The datasets of a cycle loaded in their analysis dtypes, the sample of doing so, and the raw fetch floor."""
    with measured() as sample:
        data = {name: load_dataset(engine, name) for name in names}
    with engine.connect() as conn:
        floor = timed(lambda: [floors.bare_load(conn, name) for name in names])[0]
    return data, sample, floor


def compute(spec: CycleSpec, cycle: CycleRun):
    """The cycle's computation as its flow runs it: the spec's compute step on the loaded frames."""
    return spec.compute(cycle)


@dataclass
class RenderCosts:
    """The rendering of one cycle's dossiers: serially (ours and bare, job by job) and in the process pool."""

    jobs: list[PdfJob]
    ours: list[float]  # one serial pass, as the pipeline renders with one process
    bare: list[float]  # the same HTML through WeasyPrint alone, right after each of ours
    best: list[tuple[float, float]]  # best of three (ours, bare) for the first jobs, for the per-dossier ratio
    pool: Sample
    workers: int

    @property
    def worst(self) -> tuple[int, float]:
        """The compared dossier whose time is furthest above its bare render, and that ratio."""
        ratios = [o / b for o, b in self.best]
        index = max(range(len(ratios)), key=ratios.__getitem__)
        return index, ratios[index]


def measure_rendering(jobs: list[PdfJob], workers: int, compared: int = 12) -> RenderCosts:
    """Every dossier rendered serially as the pipeline does and bare, the first `compared` twice more; then the pool.

    Ours and bare alternate, so a pause or a garbage collection falls on either side alike.
    """
    from weasyprint.text.fonts import FontConfiguration

    htmls = [render_html(job.template, job.context) for job in jobs]
    # The serial pass keeps fonts and stylesheets from one PDF to the next as a batch of the pipeline does, and so
    # does the bare render; both load them before the timing starts.
    keeper, fonts, bares = Keeper(), FontConfiguration(), []
    # The serial pass sets the long-lived objects aside from the cyclic collector as the pipeline's serial batch and
    # its pool workers do (`tasks.memory.set_aside`), and so does the bare render beside it.
    try:
        with set_aside_while():
            write_pdf(htmls[0], jobs[0].path, keeper)
            bares = [floors.bare_sheets(html, fonts) for html in htmls]
            floors.bare_render(bares[0][0], fonts, bares[0][1])
            ours, bare = [], []
            for job, (html, sheets) in zip(jobs, bares):
                ours.append(timed(lambda: write_pdf(render_html(job.template, job.context), job.path, keeper))[0])
                bare.append(timed(lambda: floors.bare_render(html, fonts, sheets))[0])
            best = []
            for n, (job, (html, sheets)) in enumerate(zip(jobs[:compared], bares)):
                runs = [(ours[n], bare[n])] + [
                    (timed(lambda: write_pdf(render_html(job.template, job.context), job.path, keeper))[0],
                     timed(lambda: floors.bare_render(html, fonts, sheets))[0]) for _ in range(2)]
                best.append((min(o for o, _ in runs), min(b for _, b in runs)))
    finally:
        keeper.close()
        del fonts, bares  # dropped here, while WeasyPrint's libraries are certainly loaded
    with measured() as pool:
        render_pdfs(jobs, workers=workers)
    return RenderCosts(jobs, ours, bare, best, pool, workers)
