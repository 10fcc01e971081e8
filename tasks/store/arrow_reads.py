"""Stored rows read as Arrow on PostgreSQL, in the snapshot of a SQLAlchemy connection.

A SELECT through SQLAlchemy builds a Python tuple per row (about 6 s for a city's annual data); ADBC reads the same
rows by a binary COPY decoded in C. ADBC needs its own connection, so that connection imports the snapshot of the
SQLAlchemy connection's transaction (`pg_export_snapshot` / `SET TRANSACTION SNAPSHOT`, as pg_dump's parallel
workers do): it sees exactly the committed state the transaction sees, and nothing committed since. An exported
snapshot can be imported only while the exporting transaction is open, which it is for as long as its connection
is being read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
from sqlalchemy import Connection, Select

# Where a connection of `state.snapshot` keeps its reader, so that every dataset of a cycle is read through one
# ADBC connection (opening one costs about 60 ms: it reads the server's type catalogue).
_READER = "assess.arrow_reader"


class SnapshotReader:
    """An ADBC connection reading in the snapshot of `conn`'s transaction; opened on first use."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._adbc = None

    @contextmanager
    def batches(self, query: Select) -> Iterator[pa.RecordBatchReader]:
        """The rows of `query`, as `conn` would see them, streamed in record batches (of about 16 MB)."""
        # The values are written into the statement: with bind parameters, ADBC's PostgreSQL driver cannot read by
        # COPY and takes the whole result into memory first (9.8 million survey rows: 5 GB at its peak, against 1 GB).
        statement = str(query.compile(dialect=self.conn.dialect, compile_kwargs={"literal_binds": True}))
        with self._connection().cursor() as cursor:
            cursor.execute(statement)
            yield cursor.fetch_record_batch()

    def _connection(self):
        if self._adbc is None:
            import adbc_driver_postgresql.dbapi as adbc

            exported = self.conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            url = self.conn.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            connection = adbc.connect(url, autocommit=True)
            try:
                with connection.cursor() as cursor:
                    cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    cursor.execute(f"SET TRANSACTION SNAPSHOT '{exported}'")
            except BaseException:
                connection.close()
                raise
            self._adbc = connection
        return self._adbc

    def close(self) -> None:
        """Close the connection, if it was opened (the server ends its reading transaction with it)."""
        if self._adbc is not None:
            connection, self._adbc = self._adbc, None
            connection.close()


@contextmanager
def reading_in_snapshot(conn: Connection) -> Iterator[None]:
    """While the block runs, `arrow_tables` on `conn` reads through one reader sharing `conn`'s snapshot."""
    reader = conn.info[_READER] = SnapshotReader(conn)
    try:
        yield
    finally:
        conn.info.pop(_READER, None)
        reader.close()


@contextmanager
def arrow_tables(conn: Connection, query: Select, rows: int) -> Iterator[Iterator[pa.Table]]:
    """The rows of `query` as `conn` (on PostgreSQL) sees them, streamed as Arrow tables of at least `rows` rows (the
    last of fewer; one empty table when there are none): a whole dataset is never held as Arrow beside the frames
    made of it."""
    shared = conn.info.get(_READER)
    reader = shared or SnapshotReader(conn)
    try:
        with reader.batches(query) as batches:
            yield _regrouped(batches, rows)
    finally:
        if shared is None:
            reader.close()


def _regrouped(batches: pa.RecordBatchReader, rows: int) -> Iterator[pa.Table]:
    group, count, yielded = [], 0, False
    for batch in batches:
        group.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield _copied(group, batches.schema)
            group, count, yielded = [], 0, True
    if group or not yielded:
        yield _copied(group, batches.schema)


def _copied(group: list[pa.RecordBatch], schema: pa.Schema) -> pa.Table:
    """`group` as one table in Arrow's own memory: the driver hands each batch over as one piece, so a text column
    kept as it came would keep its whole batch (every column of it) alive as long as the frame made of it."""
    if not group:
        return schema.empty_table()
    return pa.Table.from_arrays([pa.concat_arrays([batch.column(i) for batch in group]) for i in range(len(schema))],
                                schema=schema)
