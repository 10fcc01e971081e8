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
from sqlalchemy.dialects import postgresql

# Where a connection of `state.snapshot` keeps its reader, so that every dataset of a cycle is read through one
# ADBC connection (opening one costs about 60 ms: it reads the server's type catalogue).
_READER = "assess.arrow_reader"

# SQLAlchemy's PostgreSQL statements with $1, $2 … placeholders, as libpq (under ADBC) takes them.
_NUMBERED = postgresql.dialect(paramstyle="numeric_dollar")


class SnapshotReader:
    """An ADBC connection reading in the snapshot of `conn`'s transaction; opened on first use."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._adbc = None

    def select(self, query: Select) -> pa.Table:
        """The rows of `query`, as `conn` would see them."""
        compiled = query.compile(dialect=_NUMBERED, compile_kwargs={"render_postcompile": True})
        parameters = [compiled.params[name] for name in compiled.positiontup]
        with self._connection().cursor() as cursor:
            cursor.execute(str(compiled), parameters or None)
            return cursor.fetch_arrow_table()

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
        """End the reading transaction and close the connection, if it was opened."""
        if self._adbc is not None:
            connection, self._adbc = self._adbc, None
            try:
                with connection.cursor() as cursor:
                    cursor.execute("ROLLBACK")
            finally:
                connection.close()


@contextmanager
def reading_in_snapshot(conn: Connection) -> Iterator[None]:
    """While the block runs, `arrow_select` on `conn` reads through one reader sharing `conn`'s snapshot."""
    reader = conn.info[_READER] = SnapshotReader(conn)
    try:
        yield
    finally:
        conn.info.pop(_READER, None)
        reader.close()


def arrow_select(conn: Connection, query: Select) -> pa.Table:
    """The rows of `query` as `conn` (on PostgreSQL) sees them, as an Arrow table."""
    reader = conn.info.get(_READER)
    if reader is not None:
        return reader.select(query)
    reader = SnapshotReader(conn)
    try:
        return reader.select(query)
    finally:
        reader.close()
