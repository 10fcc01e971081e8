"""Bulk loading of a file's accepted rows: staged through ADBC, then published inside the writer's transaction.

An ADBC connection loads an Arrow table at the database's native speed (binary COPY on PostgreSQL, one prepared
statement in C on SQLite), but it is a connection of its own and cannot join the SQLAlchemy transaction in which
an ingest records its file, its audit-log event and its rejections. So the rows go in two steps:

1. `staging` loads them through ADBC file by file, as each file is validated, before the writer takes its lock,
   and commits: on PostgreSQL into tables of their own (`_stage_…`) that nobody reads; on SQLite into a separate
   stage file beside the database, because ADBC links its own copy of SQLite, and two copies of SQLite in one
   process must never hold the same file (their POSIX locks cancel each other out and the file is corrupted).
   A staged file's rows need not stay in memory: an ingest of many large files holds one of them at a time;
2. `publish`, inside the writer's one transaction, copies each stage into `ds_<dataset>` with the file and event
   ids, by one INSERT … SELECT the database runs itself (the SQLite stage file is attached to the writer's
   connection for it, once the ADBC connection to it is closed).

Either the whole ingest commits, rows included, or nothing of it counts; a stage left by a process that died
between the two steps is removed by a later ingest (`sweep`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection, Engine, Table, inspect

from schemas.datasets import Dataset
from tasks.store.tables import dataset_tables

STAGE_PREFIX = "_stage_"
STAGE_ALIAS = "stage"  # the schema name of an attached SQLite stage file
STALE_AFTER = timedelta(hours=6)  # no ingest stages for longer: a stage this old was left by a process that died


@dataclass(frozen=True)
class Staged:
    """Rows of one file waiting in their stage table for the transaction that publishes them."""

    dataset: str
    source: str  # the stage table as the writer's connection names it
    rows: int


class Stages:
    """An ingest's stages, one per file (None for a file without accepted rows), and the SQLite stage file the
    writer's connection attaches to read them. Files are added one at a time; `close` ends the staging (the ADBC
    connection is closed) before the writer attaches the stage file."""

    def __init__(self, engine: Engine, name: str):
        self.engine, self.name = engine, name
        self.stage_file = _stage_file(engine, name) if engine.dialect.name == "sqlite" else None
        self.attach: dict[str, Path] = {STAGE_ALIAS: self.stage_file} if self.stage_file else {}
        self.files: list[Staged | None] = []
        self._conn = None  # the ADBC connection, opened for the first file with rows
        self._closed = False

    def add(self, dataset: Dataset, accepted: pd.DataFrame) -> Staged | None:
        """Stage the accepted rows of the next file and commit them; the stage (None when there are no rows)."""
        if self._closed:
            raise RuntimeError("staging already closed")
        staged = None
        if len(accepted):
            if self._conn is None:
                self._conn = _adbc_connect(self.engine, self.stage_file)
            with self._conn.cursor() as cursor:
                staged = _stage_one(cursor, self.name, len(self.files), dataset, accepted, self.stage_file)
            self._conn.commit()
        self.files.append(staged)
        return staged

    def close(self) -> None:
        """No more files: the ADBC connection is closed, so that the writer may attach the SQLite stage file."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._closed = True

    def remove(self) -> None:
        """The stages removed, published or not."""
        self.close()
        if self.stage_file is not None:
            self.stage_file.unlink(missing_ok=True)
        else:
            drop(self.engine, [s.source.strip('"') for s in self.files if s is not None])


def arrow_rows(dataset: Dataset, accepted: pd.DataFrame) -> pa.Table:
    """The columns of `ds_<dataset>` (and `_row_number`) of `accepted` as Arrow: codes as text, dates as date32,
    date-times to the microsecond."""
    table = pa.Table.from_pandas(accepted[dataset.column_names + ["_row_number"]], preserve_index=False)
    columns = []
    for name, column in zip(table.column_names, table.columns):
        kind = dataset.column(name).type if name != "_row_number" else "int"
        if pa.types.is_dictionary(column.type):
            column = column.cast(pa.string())
        if kind == "date":
            column = column.cast(pa.date32(), safe=False)
        elif kind == "datetime":
            column = column.cast(pa.timestamp("us"), safe=False)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _stage_name(now: datetime) -> str:
    return f"{STAGE_PREFIX}{now:%Y%m%d%H%M%S}_{uuid.uuid4().hex[:12]}"


def _stage_file(engine: Engine, name: str) -> Path:
    database = Path(engine.url.database)
    return database.with_name(f".{database.name}{name}.sqlite")


def _adbc_connect(engine: Engine, stage_file: Path | None):
    """An ADBC DB-API connection: to the SQLite stage file, or to the PostgreSQL database of `engine`."""
    if stage_file is not None:
        import adbc_driver_sqlite.dbapi as sqlite

        conn = sqlite.connect(str(stage_file))
        with conn.cursor() as cursor:
            # A stage is written once and read once by the same ingest; losing it to a crash loses nothing.
            cursor.execute("PRAGMA journal_mode=OFF")
        return conn
    import adbc_driver_postgresql.dbapi as postgresql

    return postgresql.connect(engine.url.set(drivername="postgresql").render_as_string(hide_password=False))


@contextmanager
def staging(engine: Engine) -> Iterator[Stages]:
    """Stages to add files to one at a time; whatever is left when the block ends, by error or not, is removed."""
    stages = Stages(engine, _stage_name(datetime.now()))
    try:
        yield stages
    finally:
        stages.remove()


@contextmanager
def staged(engine: Engine, batches: list[tuple[Dataset, pd.DataFrame]]) -> Iterator[Stages]:
    """Each batch of accepted rows staged and committed, the staging closed; removed when the block ends."""
    with staging(engine) as stages:
        for dataset, accepted in batches:
            stages.add(dataset, accepted)
        stages.close()
        yield stages


def _stage_one(cursor, name: str, number: int, dataset: Dataset, accepted: pd.DataFrame,
               stage_file: Path | None) -> Staged | None:
    if not len(accepted):
        return None
    table = f"rows_{number}" if stage_file else f"{name}_{number}"
    cursor.adbc_ingest(table, arrow_rows(dataset, accepted), mode="create")
    return Staged(dataset.name, f'{STAGE_ALIAS}."{table}"' if stage_file else f'"{table}"', len(accepted))


def publish(conn: Connection, stage: Staged, file_id: int, event_id: int) -> None:
    """Copy a stage into `ds_<dataset>` as the rows of file `file_id` stored by event `event_id`, in `conn`'s
    transaction and in the file's order; a PostgreSQL stage table is dropped with it."""
    target = dataset_tables[stage.dataset]
    names = [c.name for c in target.columns if not c.name.startswith("_")] + ["_row_number"]
    sources = [_as_stored(conn, target, n) for n in names]
    # SQLite's rowid is the order ADBC inserted the rows in; a PostgreSQL scan may start anywhere in the heap.
    order = "rowid" if conn.dialect.name == "sqlite" else '"_row_number"'
    conn.exec_driver_sql(
        f'INSERT INTO "{target.name}" ({", ".join(_quoted(n) for n in names)}, "_file_id", "_event_id") '
        f'SELECT {", ".join(sources)}, {int(file_id)}, {int(event_id)} FROM {stage.source} ORDER BY {order}')
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql(f"DROP TABLE {stage.source}")


def _quoted(name: str) -> str:
    return f'"{name}"'


def _as_stored(conn: Connection, target: Table, name: str) -> str:
    """The stage column `name` as the dataset table stores it: SQLite keeps date-times as 'YYYY-MM-DD HH:MM:SS.ffffff'
    text, where ADBC writes an ISO 'T' between date and time."""
    if conn.dialect.name == "sqlite" and name != "_row_number" and target.c[name].type.python_type is datetime:
        return f"replace({_quoted(name)}, 'T', ' ')"
    return _quoted(name)


def drop(engine: Engine, tables: list[str]) -> None:
    """Drop the PostgreSQL stage tables `tables` that still exist."""
    if not tables:
        return
    with engine.begin() as conn:
        for table in tables:
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"')


def sweep(engine: Engine, now: datetime | None = None) -> list[str]:
    """Remove the stages left by processes that died between staging and publishing; their names."""
    cutoff = _stage_name((now or datetime.now()) - STALE_AFTER)[:len(STAGE_PREFIX) + 14]
    if engine.dialect.name == "sqlite":
        database = Path(engine.url.database)
        stale = [p for p in database.parent.glob(f".{database.name}{STAGE_PREFIX}*.sqlite")
                 if p.name.removeprefix(f".{database.name}") < cutoff]
        for path in stale:
            path.unlink(missing_ok=True)
        return [p.name for p in stale]
    stale = [t for t in inspect(engine).get_table_names() if t.startswith(STAGE_PREFIX) and t < cutoff]
    drop(engine, stale)
    return stale
