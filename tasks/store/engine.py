"""The one place that creates database engines and brings the schema up to date."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
# The SQLite page cache of a connection while it writes (`audit.writing`). A file's rows go into indexes of every row
# stored before them, in no order of theirs: with SQLite's default 2 MB the writer evicts and rereads the same index
# pages (a platform file of 75,000 rows into a table of 275,000: 0.35 s with it, 0.19 s with 64 MB). The pages are
# taken only as they are used, and given back when the write ends.
WRITER_CACHE_KIB = 65_536


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Waiting on a lock comes first: another process may be creating the file's schema at this moment.
    cursor.execute("PRAGMA busy_timeout=30000")
    # WAL lets readers work while a run writes; foreign keys are off by default in SQLite.
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor, attempts: int = 300) -> None:
    """Put the file in WAL mode, waiting for another process that holds it while creating its schema.

    SQLite does not always call the busy handler for a journal-mode change (it answers “database is
    locked” at once when waiting could deadlock), so the wait is here.
    """
    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.1)


@contextmanager
def connected(source: Engine | Connection) -> Iterator[Connection]:
    """`source` itself when it is a connection (its transaction, its snapshot), else a new connection of it."""
    if isinstance(source, Connection):
        yield source
    else:
        with source.connect() as conn:
            yield conn


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """An engine for `url`, created once per process, with the schema migrated to head."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    upgrade(engine)
    return engine


def upgrade(engine: Engine) -> None:
    """Run the Alembic migrations up to head on `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        _lock_for_migration(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _lock_for_migration(connection: Connection) -> None:
    """Hold the database while migrating, so two runs started together on a new database do not both create it.

    The second waits for the first to commit, then finds the schema at head and has nothing to do.
    """
    if connection.dialect.name == "sqlite":
        # Python's sqlite3 runs DDL outside any transaction unless one is begun explicitly.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")


_MIGRATION_LOCK = 20_261_201  # any constant the application uses for nothing else
