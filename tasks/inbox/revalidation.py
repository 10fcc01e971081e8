"""Re-validation: rows quarantined only for a unit or subject nobody had registered get in once it is registered."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from schemas.datasets import DATASETS, INGEST_ORDER, Dataset
from schemas.policy import Policy
from tasks.store import audit
from tasks.store.audit import DataMoved, writing
from tasks.store.state import position
from tasks.store.tables import data_events, dataset_tables, ingested_files, rejected_rows
from tasks.inbox.ingest import INGEST_ATTEMPTS, db_frame, insert_rows, known_references, learn_keys, waiting_frame
from tasks.inbox.validation import Validated, validate


def revalidate(engine: Engine, policy: Policy | None = None, who: str | None = None) -> dict[str, int]:
    """Validate again every row rejected only for an unknown reference; per dataset, how many now got in.

    A run ingesting at the same moment may let the same rows in first: this one then finds the data moved since
    it read what waits, writes nothing, and looks again.
    """
    for attempt in range(INGEST_ATTEMPTS):
        with engine.connect() as conn:
            read_at = position(conn)
            pending = pending_rows(conn)
            known = known_references(conn, set(), pending, policy)
        try:
            with writing(engine, expected=read_at) as conn:
                return accept_pending(conn, pending, known, policy, who)
        except (DataMoved, IntegrityError):
            if attempt == INGEST_ATTEMPTS - 1:
                raise
    return {}


def pending_rows(conn: Connection, datasets: set[str] | None = None) -> dict[str, pd.DataFrame]:
    """Per dataset (of `datasets`, when given), the quarantined rows still waiting for a reference: id, file, row
    number and row as delivered."""
    r = rejected_rows.c
    query = select(r.id, r.file_id, r.dataset, r.row_number, r.data) \
        .where(r.awaiting_reference.is_(True), r.accepted_at.is_(None)).order_by(r.id)
    if datasets is not None:
        query = query.where(r.dataset.in_(sorted(datasets)))
    rows = pd.DataFrame(conn.execute(query).all(), columns=["id", "file_id", "dataset", "row_number", "data"])
    return {name: group.reset_index(drop=True) for name, group in rows.groupby("dataset", sort=False)}


def waiting_on(arrived: set[str]) -> set[str]:
    """The datasets whose waiting rows rows of `arrived` may let in: those referring to one of them, and those
    referring to one of those (a subject let in lets in the commitments waiting for it)."""
    found, frontier = set(), set(arrived)
    while frontier:
        frontier = {name for name, dataset in DATASETS.items()
                    if any(ref.dataset in frontier for ref in dataset.references)} - found
        found |= frontier
    return found


def changed_since_intake(conn: Connection) -> set[str]:
    """The datasets that gained rows otherwise than by a file since the last file stored: a file restored (`assess
    restore`), or rows let in by a check of waiting rows (a subject let in at the last intake, after the
    commitments delivered with it had been checked). Rows waiting for them are checked at the next intake, as if
    these rows had just arrived."""
    e = data_events.c
    last = select(func.coalesce(func.max(e.event_id), 0)).where(e.kind.in_(("ingest", "correction"))).scalar_subquery()
    query = select(e.dataset).distinct().where(e.kind.in_(("restore", "revalidate")), e.event_id > last)
    return set(conn.execute(query).scalars())


def accept_pending(conn: Connection, pending: dict[str, pd.DataFrame], known: dict,
                   policy: Policy | None = None, who: str | None = None) -> dict[str, int]:
    """Store the waiting rows that now pass, under their own file, as one audit-log event per file; the rows stay
    quarantined with when they got in.

    Each file's waiting rows are checked as a batch of their own, file after file in the order they were
    delivered, as their delivery was: rows of two batches that share a key are no duplicate "in this batch", and
    checking them again when nothing was registered meanwhile changes nothing.
    """
    accepted_counts = {}
    for name in (n for n in INGEST_ORDER if n in pending):
        for file_id, rows in pending[name].groupby("file_id", sort=True):
            moved = _accept_file(conn, DATASETS[name], int(file_id), rows.reset_index(drop=True), known, policy, who)
            if moved:
                accepted_counts[name] = accepted_counts.get(name, 0) + moved
    return accepted_counts


def _accept_file(conn: Connection, dataset: Dataset, file_id: int, rows: pd.DataFrame, known: dict,
                 policy: Policy | None, who: str | None) -> int:
    """The waiting rows of one file checked again: those that pass stored by one audit-log event; how many."""
    result = validate(dataset, waiting_frame(dataset, rows).assign(_row_number=range(len(rows))), known, policy)
    learn_keys(known, dataset, result.accepted)
    _record_still_rejected(conn, rows.iloc[result.rejected["_row_number"]], result)
    if result.accepted.empty:
        return 0
    moved = rows.iloc[result.accepted["_row_number"]]
    now = datetime.now()
    event = audit.record(conn, "revalidate", audit.actor(who), file_id=file_id, dataset=dataset.name,
                         rows=len(moved), at=now)
    frame = db_frame(dataset, result.accepted, file_id, event).assign(_row_number=moved["row_number"].to_numpy())
    insert_rows(conn, dataset_tables[dataset.name], frame)
    conn.execute(update(rejected_rows).where(rejected_rows.c.id == bindparam("rid")).values(
        accepted_at=now, accepted_event=event), [{"rid": int(i)} for i in moved["id"]])
    conn.execute(update(ingested_files).where(ingested_files.c.file_id == file_id).values(
        rows_accepted=ingested_files.c.rows_accepted + len(moved),
        rows_rejected=ingested_files.c.rows_rejected - len(moved)))
    return len(moved)


def _record_still_rejected(conn: Connection, rows: pd.DataFrame, result: Validated) -> None:
    """A waiting row that now fails on something else (a key stored meanwhile) says so, and waits no more."""
    changed = ~result.awaiting
    if not changed.any():
        return
    conn.execute(update(rejected_rows).where(rejected_rows.c.id == bindparam("rid")).values(
        reason=bindparam("new_reason"), awaiting_reference=False),
        [{"rid": int(i), "new_reason": r} for i, r in zip(rows["id"][changed], result.rejected["reason"][changed])])
