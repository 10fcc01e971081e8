"""Re-validation: rows quarantined only for a unit or subject nobody had registered get in once it is registered."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from schemas.datasets import DATASETS, INGEST_ORDER
from schemas.policy import Policy
from tasks.store.tables import dataset_tables, ingested_files, rejected_rows
from tasks.inbox.ingest import INGEST_ATTEMPTS, INSERT_CHUNK, db_frame, insert_rows, known_references, learn_keys
from tasks.inbox.validation import Validated, validate


def revalidate(engine: Engine, policy: Policy | None = None) -> dict[str, int]:
    """Validate again every row rejected only for an unknown reference; per dataset, how many now got in.

    A run ingesting at the same moment may let the same rows in first: the loser's transaction breaks on the
    dataset's unique key and rolls back whole, and it looks again at what still waits.
    """
    for attempt in range(INGEST_ATTEMPTS):
        pending = pending_rows(engine)
        known = known_references(engine, set(pending))
        try:
            with engine.begin() as conn:
                return accept_pending(conn, pending, known, policy)
        except IntegrityError:
            if attempt == INGEST_ATTEMPTS - 1:
                raise
    return {}


def pending_rows(engine: Engine) -> dict[str, pd.DataFrame]:
    """Per dataset, the quarantined rows still waiting for a reference: id, file, row number and row as delivered."""
    r = rejected_rows.c
    query = select(r.id, r.file_id, r.dataset, r.row_number, r.data) \
        .where(r.awaiting_reference.is_(True), r.accepted_at.is_(None)).order_by(r.id)
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(query).all(), columns=["id", "file_id", "dataset", "row_number", "data"])
    return {name: group.reset_index(drop=True) for name, group in rows.groupby("dataset", sort=False)}


def accept_pending(conn: Connection, pending: dict[str, pd.DataFrame], known: dict,
                   policy: Policy | None = None) -> dict[str, int]:
    """Store the waiting rows that now pass, under their own file; the rows stay quarantined with when they got in."""
    accepted_counts = {}
    for name in (n for n in INGEST_ORDER if n in pending):
        dataset, rows = DATASETS[name], pending[name]
        raw = pd.DataFrame(rows["data"].tolist(), columns=dataset.column_names).astype("str")
        result = validate(dataset, raw.assign(_row_number=range(len(rows))), known, policy)
        learn_keys(known, dataset, result.accepted)
        _record_still_rejected(conn, rows.iloc[result.rejected["_row_number"]], result)
        if result.accepted.empty:
            continue
        moved = rows.iloc[result.accepted["_row_number"]]
        frame = db_frame(dataset, result.accepted, 0).assign(_file_id=moved["file_id"].to_numpy(),
                                                              _row_number=moved["row_number"].to_numpy())
        insert_rows(conn, dataset_tables[name], frame)
        now = datetime.now()
        for start in range(0, len(moved), INSERT_CHUNK):
            ids = moved["id"].iloc[start:start + INSERT_CHUNK].tolist()
            conn.execute(update(rejected_rows).where(rejected_rows.c.id.in_(ids)).values(accepted_at=now))
        per_file = moved.groupby("file_id").size()
        conn.execute(update(ingested_files).where(ingested_files.c.file_id == bindparam("fid")).values(
            rows_accepted=ingested_files.c.rows_accepted + bindparam("n"),
            rows_rejected=ingested_files.c.rows_rejected - bindparam("n")),
            [{"fid": int(f), "n": int(n)} for f, n in per_file.items()])
        accepted_counts[name] = len(moved)
    return accepted_counts


def _record_still_rejected(conn: Connection, rows: pd.DataFrame, result: Validated) -> None:
    """A waiting row that now fails on something else (a key stored meanwhile) says so, and waits no more."""
    changed = ~result.awaiting
    if not changed.any():
        return
    conn.execute(update(rejected_rows).where(rejected_rows.c.id == bindparam("rid")).values(
        reason=bindparam("new_reason"), awaiting_reference=False),
        [{"rid": int(i), "new_reason": r} for i, r in zip(rows["id"][changed], result.rejected["reason"][changed])])
