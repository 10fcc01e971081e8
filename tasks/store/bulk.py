"""Bulk loading of a file's accepted rows: set aside as each file is validated, then published inside the writer's
transaction.

The rows of an ingest must commit in the one transaction in which it records its files, its audit-log events and
its rejections, and they must not stay in memory while the other files are read (an ingest of many large files
holds one of them at a time). So they go in two steps:

1. `staging` sets each file's rows aside as it is validated, before the writer takes its lock. On PostgreSQL they
   are written to an Arrow file in a spool folder, beside the archive for an ingest; on SQLite they are loaded
   through ADBC into a stage file beside the database (ADBC loads an Arrow table at SQLite's native speed; it links
   its own copy of SQLite, and two copies of SQLite in one process must never hold the same file: their POSIX
   locks cancel each other out and the file is corrupted);
2. `publish`, inside the writer's one transaction, puts a file's rows into `ds_<dataset>` with the file and event
   ids: on PostgreSQL a binary COPY of the Arrow file (encoded by pgpq) through the writer's own connection, so
   the rows are written once; on SQLite one INSERT … SELECT from the attached stage file, which the database runs
   itself once the ADBC connection to the file is closed.

Either the whole ingest commits, rows included, or nothing of it counts; a stage left by a process that died
between the two steps is removed by a later ingest (`sweep`).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.ipc
from sqlalchemy import Connection, Engine, Table, inspect
from sqlalchemy.exc import DBAPIError

from schemas.datasets import Dataset
from tasks.errors import AssessError
from tasks.store.tables import dataset_tables

STAGE_PREFIX = "_stage_"
STAGE_ALIAS = "stage"  # the schema name of an attached SQLite stage file
STALE_AFTER = timedelta(hours=6)  # no ingest stages for longer: a stage this old was left by a process that died
COPY_BATCH_ROWS = 65_536  # rows encoded for COPY at a time


@dataclass(frozen=True)
class Staged:
    """Rows of one file waiting in their stage (a table of the SQLite stage file, or an Arrow file of the spool) for
    the transaction that publishes them."""

    dataset: str
    source: str  # the stage table as the writer's connection names it (SQLite), or the Arrow file (PostgreSQL)
    rows: int


class Stages:
    """An ingest's stages, one per file (None for a file without accepted rows): the SQLite stage file the writer's
    connection attaches to read them, or the spool folder of their Arrow files. Files are added one at a time;
    `close` ends the staging (the ADBC connection is closed) before the writer attaches the stage file."""

    def __init__(self, engine: Engine, name: str, spool: Path):
        self.engine, self.name = engine, name
        self.stage_file = _stage_file(engine, name) if engine.dialect.name == "sqlite" else None
        self.spool = None if self.stage_file else Path(spool) / name
        self.attach: dict[str, Path] = {STAGE_ALIAS: self.stage_file} if self.stage_file else {}
        self.files: list[Staged | None] = []
        self._conn = None  # the ADBC connection, opened for the first file with rows
        self._closed = False

    def add(self, dataset: Dataset, accepted: pd.DataFrame) -> Staged | None:
        """Set the accepted rows of the next file aside, written whole; the stage (None when there are no rows)."""
        if self._closed:
            raise RuntimeError("staging already closed")
        staged = None
        if len(accepted) and self.spool is not None:
            staged = _spool_one(self.spool / f"rows_{len(self.files)}.arrow", dataset, accepted)
        elif len(accepted):
            if self._conn is None:
                self._conn = _adbc_connect(self.stage_file)
            with self._conn.cursor() as cursor:
                staged = _stage_one(cursor, len(self.files), dataset, accepted)
            self._conn.commit()
        self.files.append(staged)
        return staged

    def close(self) -> None:
        """No more files: on SQLite the ADBC connection is closed, so that the writer may attach the stage file."""
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
            shutil.rmtree(self.spool, ignore_errors=True)


def arrow_rows(dataset: Dataset, accepted: pd.DataFrame) -> pa.Table:
    """The columns of `ds_<dataset>` (and `_row_number`) of `accepted` as Arrow, each of the type its schema column
    says (never inferred from the cells: a column of none has a type too): codes as text, dates as date32, date-times
    to the microsecond."""
    table = pa.Table.from_pandas(accepted[dataset.column_names + ["_row_number"]], preserve_index=False)
    columns = []
    for name, column in zip(table.column_names, table.columns):
        kind = dataset.column(name).type if name != "_row_number" else "int"
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        columns.append(column.cast(ARROW_TYPES[kind], safe=kind not in ("date", "datetime")))
    return pa.table(columns, names=table.column_names)


ARROW_TYPES = {"str": pa.large_string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
               "date": pa.date32(), "datetime": pa.timestamp("us")}


def _stage_name(now: datetime) -> str:
    return f"{STAGE_PREFIX}{now:%Y%m%d%H%M%S}_{uuid.uuid4().hex[:12]}"


def _stage_file(engine: Engine, name: str) -> Path:
    database = Path(engine.url.database)
    return database.with_name(f".{database.name}{name}.sqlite")


def _adbc_connect(stage_file: Path):
    """An ADBC DB-API connection to the SQLite stage file."""
    import adbc_driver_sqlite.dbapi as sqlite

    conn = sqlite.connect(str(stage_file))
    with conn.cursor() as cursor:
        # A stage is written once and read once by the same ingest; losing it to a crash loses nothing.
        cursor.execute("PRAGMA journal_mode=OFF")
    return conn


@contextmanager
def staging(engine: Engine, spool: Path) -> Iterator[Stages]:
    """Stages to add files to one at a time (on PostgreSQL in a folder of `spool`: rows of the inbox, so not a shared
    temporary folder); whatever is left when the block ends, by error or not, is removed."""
    stages = Stages(engine, _stage_name(datetime.now()), spool)
    try:
        yield stages
    finally:
        stages.remove()


@contextmanager
def staged(engine: Engine, batches: list[tuple[Dataset, pd.DataFrame]], spool: Path) -> Iterator[Stages]:
    """Each batch of accepted rows staged (in a folder of `spool` on PostgreSQL), the staging closed; removed when
    the block ends."""
    with staging(engine, spool) as stages:
        for dataset, accepted in batches:
            stages.add(dataset, accepted)
        stages.close()
        yield stages


def _stage_one(cursor, number: int, dataset: Dataset, accepted: pd.DataFrame) -> Staged:
    table = f"rows_{number}"
    cursor.adbc_ingest(table, arrow_rows(dataset, accepted), mode="create")
    return Staged(dataset.name, f'{STAGE_ALIAS}."{table}"', len(accepted))


def _spool_one(path: Path, dataset: Dataset, accepted: pd.DataFrame) -> Staged:
    rows = arrow_rows(dataset, accepted)
    path.parent.parent.mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(mode=0o700, exist_ok=True)  # the rows of the inbox: for this account only
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, rows.schema) as writer:
        writer.write_table(rows, max_chunksize=COPY_BATCH_ROWS)
    return Staged(dataset.name, str(path), len(accepted))


def publish(conn: Connection, stage: Staged, file_id: int, event_id: int) -> None:
    """Put a stage into `ds_<dataset>` as the rows of file `file_id` stored by event `event_id`, in `conn`'s
    transaction and in the file's order."""
    target = dataset_tables[stage.dataset]
    if conn.dialect.name != "sqlite":
        _copy_in(conn, target, stage, file_id, event_id)
        return
    names = [c.name for c in target.columns if not c.name.startswith("_")] + ["_row_number"]
    sources = [_as_stored(target, n) for n in names]
    # SQLite's rowid is the order ADBC inserted the rows in.
    conn.exec_driver_sql(
        f'INSERT INTO "{target.name}" ({", ".join(_quoted(n) for n in names)}, "_file_id", "_event_id") '
        f'SELECT {", ".join(sources)}, {int(file_id)}, {int(event_id)} FROM {stage.source} ORDER BY rowid')


def _copy_in(conn: Connection, target: Table, stage: Staged, file_id: int, event_id: int) -> None:
    """The spooled rows of `stage` written into `target` by a binary COPY on `conn`'s own PostgreSQL connection, in
    its transaction, with the file and event ids; integers at the width of the table's columns."""
    from pgpq import ArrowToPostgresBinaryEncoder

    if conn.dialect.driver != "psycopg":
        raise AssessError(f"PostgreSQL 数据库须通过 psycopg 驱动连接(地址以 postgresql+psycopg:// 开头),"
                          f"当前为 {conn.dialect.driver}")
    with pa.memory_map(stage.source) as source:
        rows = pa.ipc.open_file(source).read_all()
    rows = with_ids(rows, file_id, event_id)
    rows = rows.cast(postgres_widths(rows.schema))
    encoder = ArrowToPostgresBinaryEncoder(rows.schema)
    columns = ", ".join(_quoted(n) for n in rows.column_names)
    statement = f'COPY "{target.name}" ({columns}) FROM STDIN (FORMAT BINARY)'
    errors = conn.dialect.loaded_dbapi.Error
    try:
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(encoder.write_header())
            for batch in rows.to_batches(max_chunksize=COPY_BATCH_ROWS):
                copy.write(encoder.write_batch(batch))
            copy.write(encoder.finish())
    except errors as exc:  # as SQLAlchemy raises it for its own statements: an IntegrityError stays one
        raise DBAPIError.instance(statement, None, exc, errors, dialect=conn.dialect) from exc


def with_ids(rows: pa.Table, file_id: int, event_id: int) -> pa.Table:
    """`rows` (of `arrow_rows`) with the file that delivered them and the audit-log event that stores them."""
    return (rows.append_column("_file_id", pa.repeat(pa.scalar(file_id, pa.int32()), len(rows)))
                .append_column("_event_id", pa.repeat(pa.scalar(event_id, pa.int32()), len(rows))))


def postgres_widths(schema: pa.Schema) -> pa.Schema:
    """`schema` with integers at the width of the tables' INTEGER columns: a binary COPY takes no other."""
    return pa.schema([pa.field(f.name, pa.int32()) if pa.types.is_integer(f.type) else f for f in schema])


def _quoted(name: str) -> str:
    return f'"{name}"'


def _as_stored(target: Table, name: str) -> str:
    """The SQLite stage column `name` as the dataset table stores it: SQLite keeps date-times as
    'YYYY-MM-DD HH:MM:SS.ffffff' text, where ADBC writes an ISO 'T' between date and time."""
    if name != "_row_number" and target.c[name].type.python_type is datetime:
        return f"replace({_quoted(name)}, 'T', ' ')"
    return _quoted(name)


def drop(engine: Engine, tables: list[str]) -> None:
    """Drop the PostgreSQL stage tables `tables` that still exist (the stages of earlier versions were tables)."""
    if not tables:
        return
    with engine.begin() as conn:
        for table in tables:
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"')


def sweep(engine: Engine, spool: Path, now: datetime | None = None) -> list[str]:
    """Remove the stages left by processes that died between staging and publishing (the folders of `spool` on
    PostgreSQL); their names."""
    cutoff = _stage_name((now or datetime.now()) - STALE_AFTER)[:len(STAGE_PREFIX) + 14]
    if engine.dialect.name == "sqlite":
        database = Path(engine.url.database)
        stale = [p for p in database.parent.glob(f".{database.name}{STAGE_PREFIX}*.sqlite")
                 if p.name.removeprefix(f".{database.name}") < cutoff]
        for path in stale:
            path.unlink(missing_ok=True)
        return [p.name for p in stale]
    folders = [p for p in Path(spool).glob(f"{STAGE_PREFIX}*") if p.name < cutoff]
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    stale = [t for t in inspect(engine).get_table_names() if t.startswith(STAGE_PREFIX) and t < cutoff]
    drop(engine, stale)
    return [p.name for p in folders] + stale
