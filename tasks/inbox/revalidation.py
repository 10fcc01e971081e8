"""Re-validation: rows quarantined only for a unit or subject nobody had registered get in once it is registered."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from schemas.datasets import DATASETS, INGEST_ORDER
from schemas.policy import Policy
from tasks.store import audit
from tasks.store.audit import DataMoved, writing
from tasks.store.state import position
from tasks.store.tables import dataset_tables, ingested_files, rejected_rows
from tasks.inbox.ingest import INGEST_ATTEMPTS, db_frame, insert_rows, known_references, learn_keys
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
            known = known_references(conn, set(pending))
        try:
            with writing(engine, expected=read_at) as conn:
                return accept_pending(conn, pending, known, policy, who)
        except (DataMoved, IntegrityError):
            if attempt == INGEST_ATTEMPTS - 1:
                raise
    return {}


def pending_rows(conn: Connection) -> dict[str, pd.DataFrame]:
    """Per dataset, the quarantined rows still waiting for a reference: id, file, row number and row as delivered."""
    r = rejected_rows.c
    query = select(r.id, r.file_id, r.dataset, r.row_number, r.data) \
        .where(r.awaiting_reference.is_(True), r.accepted_at.is_(None)).order_by(r.id)
    rows = pd.DataFrame(conn.execute(query).all(), columns=["id", "file_id", "dataset", "row_number", "data"])
    return {name: group.reset_index(drop=True) for name, group in rows.groupby("dataset", sort=False)}


def accept_pending(conn: Connection, pending: dict[str, pd.DataFrame], known: dict,
                   policy: Policy | None = None, who: str | None = None) -> dict[str, int]:
    """Store the waiting rows that now pass, under their own file, as one audit-log event per file; the rows stay
    quarantined with when they got in."""
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
        now = datetime.now()
        per_file = moved.groupby("file_id").size()
        events = pd.Series({f: audit.record(conn, "revalidate", audit.actor(who), file_id=int(f), dataset=name,
                                            rows=int(n), at=now) for f, n in per_file.items()})
        frame = db_frame(dataset, result.accepted, 0, 0).assign(
            _file_id=moved["file_id"].to_numpy(), _row_number=moved["row_number"].to_numpy(),
            _event_id=moved["file_id"].map(events).to_numpy())
        insert_rows(conn, dataset_tables[name], frame)
        accepted = moved.assign(event=moved["file_id"].map(events))
        conn.execute(update(rejected_rows).where(rejected_rows.c.id == bindparam("rid")).values(
            accepted_at=now, accepted_event=bindparam("event")),
            [{"rid": int(i), "event": int(e)} for i, e in zip(accepted["id"], accepted["event"])])
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
