"""The audit log (SPEC §6): what came into the data or left it, when, by whom, why and which rows; and the one
way the data is written, so that every change is one transaction made against the state its checks read."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, insert, select, union_all, update

from schemas.datasets import DATASETS
from tasks.errors import AssessError
from tasks.store.engine import WRITER_CACHE_KIB
from tasks.store.state import FILE_EVENTS, position
from tasks.store.tables import data_events, dataset_tables, ingested_files

KIND_LABELS = {"ingest": "入库", "correction": "更正", "withdraw": "撤回", "restore": "恢复",
               "revalidate": "补充校验入库"}
_WRITE_LOCK = 20_261_205  # a PostgreSQL advisory lock the application uses for nothing else


class DataMoved(Exception):
    """The data changed between reading it for checks and writing: the writer starts again."""


def actor(by: str | None = None) -> str:
    """Who makes a change: `--by`, else the operating-system user."""
    if by and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "未知用户"


@contextmanager
def writing(engine: Engine, expected: int | None = None, attach: dict[str, Path] | None = None) -> Iterator[Connection]:
    """One transaction that changes the data, made alone: writers queue for one lock. With `expected` (the
    position the writer's checks read), a change made meanwhile raises DataMoved and nothing is written. `attach`
    names SQLite files the transaction reads besides the database (alias: path)."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar() if sqlite else None
        if sqlite:
            conn.exec_driver_sql(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
        # SQLite attaches only outside a transaction: before the lock, and detached again after it.
        for alias, path in (attach or {}).items():
            conn.exec_driver_sql(f"ATTACH DATABASE ? AS {alias}", (str(path),))
        conn.commit()
        try:
            with conn.begin():
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")  # takes the write lock now, not at the first write
                elif conn.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITE_LOCK})")
                if expected is not None and position(conn) != expected:
                    raise DataMoved
                yield conn
        finally:
            for alias in attach or {}:
                conn.exec_driver_sql(f"DETACH DATABASE {alias}")
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")  # the pooled connection's own again
            conn.commit()


def record(conn: Connection, kind: str, who: str, *, file_id: int | None = None, dataset: str | None = None,
           rows: int = 0, reason: str | None = None, detail: dict | None = None, at: datetime | None = None) -> int:
    """Write one event into the log; its id."""
    return conn.execute(insert(data_events).returning(data_events.c.event_id).values(
        at=at or datetime.now(), kind=kind, actor=who, reason=reason, file_id=file_id, dataset=dataset,
        rows=rows, detail=detail)).scalar_one()


def complete(conn: Connection, event_id: int, rows: int, detail: dict | None = None) -> None:
    """Fill in the rows an event stored, once they are stored."""
    conn.execute(update(data_events).where(data_events.c.event_id == event_id).values(rows=rows, detail=detail))


def _unit_files(conn: Connection, unit: str) -> pd.Series:
    """Per file, how many of its rows concern `unit`."""
    queries = [select(t.c._file_id.label("file_id")).where(t.c.unit_id == unit)
               for t in dataset_tables.values() if "unit_id" in t.c]
    rows = pd.read_sql(union_all(*queries).subquery().select(), conn)
    return rows.groupby("file_id").size()


def file_events(conn: Connection, since: int, until: int, datasets: tuple[str, ...]) -> pd.DataFrame:
    """The ingests, corrections, withdrawals and restores of `datasets` after position `since` up to `until`: event
    id, kind, file id and name; and per such file, the units its rows concern (`units`: file_id, unit_id)."""
    e, f = data_events.c, ingested_files.c
    query = (select(e.event_id, e.kind, e.file_id, f.file_name)
             .join(ingested_files, f.file_id == e.file_id)
             .where(e.event_id > since, e.event_id <= until, e.dataset.in_(list(datasets)),
                    e.kind.in_(FILE_EVENTS)).order_by(e.event_id))
    return pd.read_sql(query, conn)


def file_datasets(conn: Connection, files: list[int]) -> list[str]:
    """The datasets of the stored files `files`, by name."""
    f = ingested_files.c
    return sorted(conn.execute(select(f.dataset).distinct().where(f.file_id.in_(files))).scalars()) if files else []


def file_units(conn: Connection, files: list[int], windows: dict[str, ColumnElement | None] | None = None
               ) -> pd.DataFrame:
    """The units whose rows the files `files` delivered: file_id, unit_id. Only the table of each file's dataset is
    read, and of it, with `windows` (`window.window_conditions`), only the rows of the period, found by the index
    the window uses: the work grows with the period, not with the years stored."""
    queries = []
    for name in file_datasets(conn, files):
        table = dataset_tables[name]
        if "unit_id" not in table.c:
            continue
        query = select(table.c._file_id.label("file_id"), table.c.unit_id.label("unit_id")).distinct() \
            .where(table.c._file_id.in_(files))
        condition = (windows or {}).get(name)
        queries.append(query if condition is None else query.where(condition))
    if not queries:
        return pd.DataFrame({"file_id": pd.Series(dtype="int64"), "unit_id": pd.Series(dtype="str")})
    return pd.read_sql(union_all(*queries).subquery().select(), conn).drop_duplicates(ignore_index=True)


def history(engine: Engine, dataset: str | None = None, unit: str | None = None,
            since: int | None = None, datasets: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The log in order: when, what, which file and dataset, how many rows, by whom and why; only `dataset`'s (or
    `datasets'`) events, only events after position `since`, only files with rows of `unit`, when given."""
    if dataset is not None and dataset not in DATASETS:
        raise AssessError(f"没有名为“{dataset}”的数据集;可用的数据集:{'、'.join(DATASETS)}")
    e, f = data_events.c, ingested_files.c
    query = (select(e.event_id, e.at, e.kind, f.file_name, f.sha256, e.dataset, e.rows, e.actor, e.reason, e.detail,
                    e.file_id)
             .join(ingested_files, ingested_files.c.file_id == e.file_id, isouter=True).order_by(e.event_id))
    if dataset is not None:
        query = query.where(e.dataset == dataset)
    if datasets is not None:
        query = query.where(e.dataset.in_(list(datasets)))
    if since is not None:
        query = query.where(e.event_id > since)
    with engine.connect() as conn:
        events = pd.read_sql(query, conn)
        if unit is not None:
            counts = _unit_files(conn, unit)
            events = events[events["file_id"].isin(counts.index)].assign(
                unit_rows=lambda t: t["file_id"].map(counts).astype("int64"))
    return events.reset_index(drop=True)


def history_text(events: pd.DataFrame, unit: str | None = None) -> str:
    """The log as an administrator reads it, one event a line."""
    if events.empty:
        return "没有符合条件的数据变动记录。"
    lines = []
    for event in events.itertuples(index=False):
        label = DATASETS[event.dataset].label if event.dataset in DATASETS else (event.dataset or "—")
        rows = f"{event.rows} 行" + (f"(其中单位 {unit} 的 {event.unit_rows} 行)" if unit is not None else "")
        detail = _detail_text(event.kind, event.detail)
        why = f";原因:{event.reason}" if event.reason else ""
        lines.append(f"#{event.event_id} {event.at:%Y-%m-%d %H:%M:%S} {KIND_LABELS.get(event.kind, event.kind)} "
                     f"{event.file_name or '—'}({label},{rows}{detail});操作人:{event.actor}{why}")
    return "\n".join(lines)


def _detail_text(kind: str, detail) -> str:
    if not isinstance(detail, dict):
        return ""
    if kind == "correction":
        return f",替换已入库记录 {len(detail.get('replaced', []))} 行,新增 {detail.get('added', 0)} 行"
    if kind in ("withdraw", "restore") and detail.get("recounted"):
        return f",另有 {detail['recounted']} 行因此改变是否计入"
    return ""
