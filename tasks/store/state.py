"""Which stored rows count (SPEC §6): now, or as the data stood at an earlier position of the audit log.

A row counts when its file is not withdrawn and no later row with its key, from a file not withdrawn, replaces
it: of the rows sharing a key, the one stored last counts. Now, the marks `_superseded_by` (kept by
`mark_superseded` whenever a correction, withdrawal or restore changes which row counts) and the files'
`withdrawn` flags say it by index. At an earlier position the same rule is applied to the rows and file states
of then, from the audit log, so a version is recomputed from the data as it stood whatever was corrected since.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, ColumnElement, Engine, Table, and_, bindparam, exists, select, update
from sqlalchemy.orm import aliased

from schemas.datasets import DATASETS
from tasks.store.arrow_reads import reading_in_snapshot
from tasks.store.tables import data_events, dataset_tables, ingested_files

# The events that change whether a file's rows count; re-validation only adds rows to a counting file.
FILE_EVENTS = ("ingest", "correction", "withdraw", "restore")


@dataclass(frozen=True)
class DataState:
    """The data a run reads: the audit-log position, and whether to read the rows as they stood at it (a
    reproduction) rather than now; a reproduction also reads only results published before `published_before`."""

    position: int
    as_of: bool = False
    published_before: datetime | None = None
    active_files: tuple[int, ...] = ()  # the files whose rows counted at `position`, when `as_of`


def position(conn: Connection) -> int:
    """The audit log's position: the last event's id, 0 before any."""
    return conn.execute(select(data_events.c.event_id).order_by(data_events.c.event_id.desc()).limit(1)
                        ).scalar() or 0


def files_active_at(conn: Connection, at: int) -> tuple[int, ...]:
    """The files stored by event `at` and not withdrawn at that moment."""
    e = data_events.c
    events = pd.read_sql(select(e.event_id, e.file_id, e.kind)
                         .where(e.event_id <= at, e.kind.in_(FILE_EVENTS)).order_by(e.event_id), conn)
    last = events.groupby("file_id")["kind"].last()
    return tuple(sorted(int(f) for f in last.index[last != "withdraw"]))


def state_at(conn: Connection, at: int, published_before: datetime | None) -> DataState:
    """The data as it stood at position `at`."""
    return DataState(at, as_of=True, published_before=published_before, active_files=files_active_at(conn, at))


def withdrawn_files() -> ColumnElement:
    return select(ingested_files.c.file_id).where(ingested_files.c.withdrawn.is_(True))


def counting(table: Table, state: DataState | None = None) -> ColumnElement:
    """The condition of `table`'s rows that count now (`state` None or not `as_of`), or at `state.position`."""
    c = table.c
    if state is None or not state.as_of:
        return and_(c._superseded_by.is_(None), c._file_id.not_in(withdrawn_files()))
    active = list(state.active_files)
    newer = aliased(table)
    key = DATASETS[table.name.removeprefix("ds_")].key
    replaced = exists().where(*[newer.c[k] == c[k] for k in key], newer.c._id > c._id,
                              newer.c._event_id <= state.position, newer.c._file_id.in_(active))
    return and_(c._event_id <= state.position, c._file_id.in_(active), ~replaced)


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one committed state: a correction committed meanwhile is seen whole by a
    later run or not at all by this one (SPEC §6)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # pysqlite begins no transaction for reads; in WAL mode one BEGIN holds one snapshot for them all.
            conn.exec_driver_sql("BEGIN")
            reads = nullcontext()
        else:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            reads = reading_in_snapshot(conn)  # datasets are read as Arrow by a second connection, in this snapshot
        try:
            with reads:
                yield conn
        finally:
            conn.rollback()


def mark_superseded(conn: Connection, dataset: str, files: list[int], at: datetime) -> pd.DataFrame:
    """Bring the marks of every row sharing a key with the rows of `files` in line with the rule above; the rows
    whose mark changed (`_id`, the file that delivered it, the file now superseding it or None)."""
    table = dataset_tables[dataset]
    key = DATASETS[dataset].key
    mine = aliased(table)
    query = (select(table.c._id, table.c._file_id, table.c._superseded_by, *[table.c[k] for k in key])
             .distinct()
             .join(mine, and_(*[mine.c[k] == table.c[k] for k in key]))
             .where(mine.c._file_id.in_(files)))
    rows = pd.read_sql(query, conn)
    withdrawn = set(conn.execute(withdrawn_files()).scalars())
    rows["active"] = ~rows["_file_id"].isin(withdrawn)
    rows["group"] = rows.groupby(list(key), sort=False, dropna=False).ngroup()
    counting_row = rows[rows["active"]].sort_values("_id").groupby("group")[["_id", "_file_id"]].last()
    rows["winner"] = rows["group"].map(counting_row["_id"])
    rows["wanted"] = rows["group"].map(counting_row["_file_id"]).where(rows["_id"] != rows["winner"])
    changed = rows[rows["wanted"].fillna(-1) != rows["_superseded_by"].fillna(-1)]
    if len(changed):
        wanted = changed["wanted"].astype("Int64")
        conn.execute(update(table).where(table.c._id == bindparam("row")).values(
            _superseded_by=bindparam("by"), _superseded_at=bindparam("when")),
            [{"row": int(r), "by": None if pd.isna(b) else int(b), "when": None if pd.isna(b) else at}
             for r, b in zip(changed["_id"], wanted)])
    return pd.DataFrame({"_id": changed["_id"], "_file_id": changed["_file_id"],
                         "superseded_by": changed["wanted"].astype("Int64")}).reset_index(drop=True)
