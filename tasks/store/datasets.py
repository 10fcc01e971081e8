"""Stored datasets read back: accepted rows in their analysis types, quarantined rows, and per-file quality figures."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
from sqlalchemy import ColumnElement, Connection, Engine, func, or_, select

from schemas.datasets import DATASETS, INGEST_ORDER
from tasks.inbox.validation import as_schema_types, delivered_names, reason_kinds
from tasks.store.arrow_reads import arrow_tables
from tasks.store.engine import connected
from tasks.store.state import DataState, counting
from tasks.store.tables import dataset_tables, ingested_files, rejected_rows

LOAD_CHUNK_ROWS = 250_000


def load_dataset(source: Engine | Connection, name: str, chunk_rows: int = LOAD_CHUNK_ROWS, with_file: bool = False,
                 where: ColumnElement | None = None, state: DataState | None = None,
                 files: set[int] | None = None) -> pd.DataFrame:
    """Every accepted row of dataset `name` that counts (now, or in the data state `state`), of those meeting
    `where` when given (a cycle's period window), with the schema's columns in their analysis dtypes (and the id
    of the file that delivered it as `file_id`, when `with_file`). The ids of the files the rows came from are added
    to `files`, when given: what a second query over the same rows would find (`window.window_files`), for free.

    Rows stream and are typed a chunk at a time — on PostgreSQL as Arrow record batches (`arrow_reads`, in the
    snapshot of `source` when it is a connection), on SQLite from a server-side cursor as Python objects — so only
    one chunk is ever held untyped: 10 million platform cases fetched at once would take about 10 GB as Python
    objects before typing.
    """
    dataset, table = DATASETS[name], dataset_tables[name]
    by_file = with_file or files is not None
    columns = [table.c[c] for c in dataset.column_names] + ([table.c._file_id.label("file_id")] if by_file else [])
    query = select(*columns).where(counting(table, state)).order_by(table.c._id)
    if where is not None:
        query = query.where(where)

    def typed(chunk: pd.DataFrame) -> pd.DataFrame:
        frame = as_schema_types(dataset, chunk)
        if files is not None:
            files.update(int(f) for f in pd.unique(chunk["file_id"]))
        return frame.assign(file_id=chunk["file_id"].astype("int64")) if with_file else frame

    with connected(source) as conn:
        if conn.dialect.name == "postgresql":
            with arrow_tables(conn, query, chunk_rows) as tables:
                chunks = [typed(_as_frame(rows)) for rows in tables]
        else:
            streaming = conn.execution_options(stream_results=True)
            chunks = [typed(chunk) for chunk in pd.read_sql(query, streaming, chunksize=chunk_rows)]
    # Same categories in every chunk; `bool` and `boolean` chunks concatenate to `boolean`, as a whole frame would.
    return pd.concat(chunks, ignore_index=True)


def _arrow_type(kind: pa.DataType):
    # Text as pandas' own `str` (Arrow-backed: no copy into Python strings), integers nullable, the rest as Arrow's
    # own conversion makes them.
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.StringDtype("pyarrow", na_value=float("nan"))
    if pa.types.is_integer(kind):
        return pd.Int64Dtype()
    return None


def _as_frame(rows: pa.Table) -> pd.DataFrame:
    return rows.to_pandas(types_mapper=_arrow_type, date_as_object=False)  # dates as datetime64, not objects


def load_rejected(engine: Engine, dataset: str, files: Iterable[int] | None = None,
                  state: DataState | None = None) -> pd.DataFrame:
    """The quarantined rows of `dataset` (of the files with ids `files`, if given), still quarantined now or in
    the data state `state`: file, row number, reason, then the row as delivered."""
    r = rejected_rows.c
    still = r.accepted_at.is_(None) if state is None or not state.as_of else \
        or_(r.accepted_event.is_(None), r.accepted_event > state.position)
    query = (select(ingested_files.c.file_name, r.row_number, r.reason, r.data)
             .join(ingested_files, ingested_files.c.file_id == r.file_id)
             .where(r.dataset == dataset, still)
             .order_by(r.file_id, r.row_number))
    if files is not None:
        query = query.where(rejected_rows.c.file_id.in_(list(files)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    columns = DATASETS[dataset].column_names
    head = pd.DataFrame([r[:3] for r in rows], columns=["file_name", "row_number", "reason"])
    data = pd.DataFrame([r[3] for r in rows], columns=columns)
    data = data.astype("str").rename(columns=delivered_names(DATASETS[dataset]))
    return pd.concat([head, data], axis=1)


def quality_summary(engine: Engine, datasets: Iterable[str], files: Iterable[int] | None = None) -> pd.DataFrame:
    """Per ingested file of `datasets` (with ids `files`, if given): file name, dataset, when, rows read, accepted
    and rejected."""
    c = ingested_files.c
    query = select(c.file_name, c.dataset, c.ingested_at, c.rows_read, c.rows_accepted, c.rows_rejected) \
        .where(c.dataset.in_(list(datasets))).order_by(c.file_id)
    if files is not None:
        query = query.where(c.file_id.in_(list(files)))
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def top_reasons(engine: Engine, datasets: Iterable[str], n: int = 5,
                files: Iterable[int] | None = None) -> pd.DataFrame:
    """The `n` most common rejection reasons of each dataset (the row's own values taken out), with row counts;
    of the files with ids `files` only, if given."""
    r = rejected_rows.c
    query = select(r.dataset, r.reason, func.count().label("rows")) \
        .where(r.dataset.in_(list(datasets)), r.accepted_at.is_(None)) \
        .group_by(r.dataset, r.reason)
    if files is not None:
        query = query.where(r.file_id.in_(list(files)))
    with engine.connect() as conn:
        counted = pd.read_sql(query, conn)
    if counted.empty:
        return pd.DataFrame({"dataset": pd.Series(dtype="str"), "reason": pd.Series(dtype="str"),
                             "rows": pd.Series(dtype="int64")})
    kinds = reason_kinds(counted["reason"])
    exploded = counted.drop(columns="reason").loc[kinds.index].assign(reason=kinds.to_numpy())
    summed = exploded.groupby(["dataset", "reason"], as_index=False)["rows"].sum()
    summed["order"] = summed["dataset"].map(INGEST_ORDER.index)
    ranked = summed.sort_values(["order", "rows", "reason"], ascending=[True, False, True])
    return ranked.groupby("dataset", sort=False).head(n)[["dataset", "reason", "rows"]].reset_index(drop=True)
