"""Every hostile delivery of the corpus reaches its exact outcome, and no row read is ever lost."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from sqlalchemy import func, select

from schemas.datasets import DATASETS
from tasks.store.engine import get_engine
from tasks.errors import UnreadableFile
from tasks.store.tables import dataset_tables, ingested_files, rejected_rows
from tasks.inbox.ingest import ingest_inbox
from tasks.store.datasets import load_rejected
from tasks.inbox.validation import as_schema_types
from tests.hostile.corpus import CASES, Case, Refused, Stored
from tests.hostile.files import BASE_UNITS, units_csv


@pytest.fixture(scope="module")
def base_db(tmp_path_factory):
    """An SQLite file holding only the base unit registry, copied afresh for every case."""
    root = tmp_path_factory.mktemp("hostile-base")
    (root / "inbox").mkdir()
    (root / "inbox" / "units_base.csv").write_bytes(units_csv(*BASE_UNITS))
    url = f"sqlite:///{root / 'base.db'}"
    ingest_inbox(root / "inbox", get_engine(url), root / "archive")
    get_engine(url).dispose()
    get_engine.cache_clear()
    return root / "base.db"


@pytest.fixture
def case_engine(base_db, tmp_path):
    shutil.copy(base_db, tmp_path / "assess.db")
    engine = get_engine(f"sqlite:///{tmp_path / 'assess.db'}")
    yield engine
    engine.dispose()
    get_engine.cache_clear()


def _count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _files(engine, names) -> list[dict]:
    c = ingested_files.c
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(c.file_id, c.file_name, c.rows_read, c.rows_accepted,
                                                     c.rows_rejected).where(c.file_name.in_(names))).mappings()]


def _stored_rows(engine, dataset: str, file_ids: list[int]) -> list[tuple]:
    table, columns = dataset_tables[dataset], DATASETS[dataset].column_names
    with engine.connect() as conn:
        frame = pd.read_sql(select(*[table.c[c] for c in columns]).where(table.c._file_id.in_(file_ids))
                            .order_by(table.c._id), conn)
    typed = as_schema_types(DATASETS[dataset], frame).astype(object)
    return [tuple(None if pd.isna(v) else v for v in row) for row in typed.itertuples(index=False)]


def _assert_refused(engine, inbox, archive, outcome: Refused) -> None:
    with pytest.raises(UnreadableFile) as caught:
        ingest_inbox(inbox, engine, archive)
    assert (caught.value.file_name, caught.value.problem) == (outcome.file_name, outcome.problem)
    # Nothing of the delivery is stored, quarantined or archived; the registry is as it was.
    assert _count(engine, ingested_files) == 1
    assert _count(engine, rejected_rows) == 0
    assert {name: _count(engine, table) for name, table in dataset_tables.items()} == \
        {name: 3 if name == "units" else 0 for name in DATASETS}
    assert not archive.exists() or not any(p.is_file() for p in archive.rglob("*"))


def _assert_stored(engine, inbox, archive, case: Case, tally) -> None:
    outcome: Stored = case.outcome
    report = ingest_inbox(inbox, engine, archive)
    passed = [(f.file_name, f.status, *f.notes) for f in report.files
              if f.status in ("ignored", "waiting", "unmatched")]
    assert passed == list(outcome.passed)
    for name, *_ in outcome.passed:
        assert (inbox / name).exists()  # left where the provider put it
    if outcome.notes:
        assert [(f.file_name, n) for f in report.files for n in f.notes if f.status == "ingested"] == \
            list(outcome.notes)
    files = _files(engine, list(case.files))
    ids = [f["file_id"] for f in files]
    assert _stored_rows(engine, outcome.dataset, ids) == list(outcome.rows)
    rejected = load_rejected(engine, outcome.dataset)
    rejected = rejected[rejected["file_name"].isin(list(case.files))]
    assert list(rejected[["file_name", "row_number", "reason"]].itertuples(index=False, name=None)) == \
        list(outcome.rejected)
    table = dataset_tables[outcome.dataset]
    for f in files:
        stored = _count(engine, table, table.c._file_id == f["file_id"])
        quarantined = _count(engine, rejected_rows, rejected_rows.c.file_id == f["file_id"])
        assert (f["rows_accepted"], f["rows_rejected"]) == (stored, quarantined)
        tally.read += f["rows_read"]
        tally.accepted += stored
        tally.rejected += quarantined
    assert sum(f["rows_read"] for f in files) == len(outcome.rows) + len(outcome.rejected)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_delivery(case: Case, case_engine, tmp_path, corpus_tally):
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    if case.before:
        given = tmp_path / "given"
        given.mkdir()
        for name, data in case.before.items():
            (given / name).write_bytes(data)
        ingest_inbox(given, case_engine, tmp_path / "given-archive")
    inbox.mkdir()
    for name, data in case.files.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(data)
    corpus_tally.cases += 1
    if isinstance(case.outcome, Refused):
        _assert_refused(case_engine, inbox, archive, case.outcome)
    else:
        _assert_stored(case_engine, inbox, archive, case, corpus_tally)
    assert corpus_tally.lost == 0


def test_corpus_is_large_and_covers_both_outcomes():
    refused = sum(isinstance(c.outcome, Refused) for c in CASES)
    assert len(CASES) >= 40 and refused >= 10 and len(CASES) - refused >= 25
    assert len({c.name for c in CASES}) == len(CASES)
