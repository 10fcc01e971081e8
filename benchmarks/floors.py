"""Floors: the bare cost of each stage's work done with the plainest tool for it, to compare the pipeline against."""

from __future__ import annotations

import csv
import io
import sqlite3
import time
from contextlib import closing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import python_calamine
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, create_engine

from schemas.datasets import DATASETS, Dataset
from schemas.suites import EARLIEST, LATEST
from tasks.inbox.normalise import TRUTHS
from tasks.dossiers.render import LINKED_SHEET, TEMPLATES, face_sheet
from tasks.store import bulk
from tasks.store.engine import WRITER_CACHE_KIB
from tasks.store.tables import dataset_tables

# The one groupby each cycle's results need at least: the big inputs folded per unit (or per key).
GROUPBYS: dict[str, list[tuple[str, list[str]]]] = {
    "quarterly": [("commitment_status", ["commitment_id"]), ("commitments", ["unit_id"]),
                  ("platform_cases", ["unit_id", "rating"])],
    "half-year": [("survey_responses", ["unit_id", "grade"]), ("leader_comments", ["subject_id"])],
    "annual": [("platform_cases", ["unit_id", "rating"]), ("survey_responses", ["unit_id", "grade"]),
               ("superior_scores", ["unit_id"]), ("deductions", ["unit_id"]), ("complaints", ["person_id"])],
}


def _encoding(data: bytes) -> str:
    try:
        data.decode("utf-8-sig")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def raw_read(path: Path) -> int:
    """Cells of `path` read raw (pyarrow.csv for CSV, calamine for Excel), without any cleaning; rows read."""
    if path.suffix.lower() == ".xlsx":
        return len(python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())
    data = path.read_bytes()
    encoding = _encoding(data)
    head = data[:1 << 16].decode(encoding, errors="ignore").splitlines()[:10]
    width = max(len(r) for r in csv.reader(head))
    names = [f"c{i}" for i in range(width)]
    table = pacsv.read_csv(
        io.BytesIO(data), read_options=pacsv.ReadOptions(column_names=names, encoding=encoding),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}),
        # A title row above the header is narrower than the table and is skipped, as intake skips it.
        parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"),
    )
    return table.num_rows


def _typed(column, text: pd.Series) -> pd.Series:
    if column.type in ("int", "float"):
        return pd.to_numeric(text, errors="coerce")
    if column.type in ("date", "datetime"):
        return pd.to_datetime(text, format="ISO8601", errors="coerce")
    return text.str.lower().map(TRUTHS)


def mask_checks(dataset: Dataset, raw: pd.DataFrame, known: dict[str, pd.Index]) -> pd.Series:
    """Which rows break a rule, by plain pandas masks (notna, isin, between, duplicated); True where bad."""
    bad = pd.Series(False, index=raw.index)
    values: dict[str, pd.Series] = {}
    for column in dataset.columns:
        text = raw[column.name]
        if column.required:
            bad |= text.isna()
        value = text if column.type == "str" else _typed(column, text)
        values[column.name] = value
        if column.type != "str":
            bad |= text.notna() & value.isna()
        if column.allowed is not None:
            bad |= text.notna() & ~text.isin(column.allowed)
        if column.pattern is not None:
            bad |= text.notna() & ~text.str.contains(column.pattern).fillna(True)
        if column.max_length is not None:
            bad |= text.str.len().fillna(0) > column.max_length
        if column.min is not None or column.max is not None:
            bad |= value.notna() & ~value.between(column.min, column.max)
        if column.type in ("date", "datetime"):
            bad |= value.notna() & ~value.between(EARLIEST, LATEST)
    bad |= pd.DataFrame({k: values[k] for k in dataset.key}).duplicated(keep=False)
    for ref in dataset.references:
        target = known.get(f"{ref.dataset}.{ref.target}", pd.Index([]))
        bad |= raw[ref.column].notna() & ~raw[ref.column].isin(target)
    for earlier, later in dataset.order_checks:
        bad |= values[later] < values[earlier]
    return bad


def bulk_floor(engine: Engine, dataset: Dataset, accepted: pd.DataFrame, file_id: int) -> float:
    """Seconds ADBC takes to bulk-load `accepted` (stored as file `file_id`) as Arrow into a bare copy of
    `ds_<dataset>` (its columns, keys, indexes and foreign key) that holds the rows the table held before the file:
    the native loader's cost for the rows storage stores, into indexes of the same size, without the audit trail.

    On SQLite the copy lives in a file of its own (ADBC links its own SQLite, which must not open the database
    the service holds), in the same WAL mode; on PostgreSQL it is a table beside the real one, dropped after. The
    copy is filled before the clock starts."""
    target = dataset_tables[dataset.name]
    rows = bulk.with_ids(bulk.arrow_rows(dataset, accepted), file_id, 0)
    if not len(rows):
        return 0.0
    meta = MetaData()
    Table("ingested_files", meta, Column("file_id", Integer, primary_key=True))
    copy = target.to_metadata(meta, name=f"floor_{dataset.name}")
    for named in [*copy.indexes, *copy.constraints]:  # names are global to a PostgreSQL schema
        if isinstance(named.name, str):
            named.name = named.name.replace(target.name, copy.name)
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database).with_name(f".floor_{dataset.name}.sqlite")
        path.unlink(missing_ok=True)
        floor_engine = create_engine(f"sqlite:///{path}")
        with floor_engine.begin() as conn:
            meta.create_all(conn)
        try:
            with closing(sqlite3.connect(path)) as conn:  # the stored rows, read by this process's own SQLite
                conn.execute("ATTACH DATABASE ? AS stored", (engine.url.database,))
                conn.execute("INSERT INTO ingested_files SELECT file_id FROM stored.ingested_files")
                conn.execute(_earlier_rows(copy, f'stored."{target.name}"', file_id))
                conn.commit()
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        finally:
            floor_engine.dispose()
        import adbc_driver_sqlite.dbapi as adbc

        connect, cleanup = (lambda: adbc.connect(str(path), autocommit=True)), (lambda: path.unlink(missing_ok=True))
        pragmas = ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
                   f"PRAGMA cache_size=-{WRITER_CACHE_KIB}"]
    else:
        with engine.begin() as conn:
            copy.create(conn)
            conn.exec_driver_sql(_earlier_rows(copy, f'"{target.name}"', file_id))
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{copy.name}', '_id'), "
                                 f'coalesce(max("_id"), 0) + 1, false) FROM "{copy.name}"')
        import adbc_driver_postgresql.dbapi as adbc

        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        connect, pragmas = (lambda: adbc.connect(url, autocommit=True)), []
        rows = rows.cast(bulk.postgres_widths(rows.schema))

        def cleanup() -> None:
            with engine.begin() as conn:
                copy.drop(conn)
    try:
        with connect() as conn, conn.cursor() as cursor:
            for pragma in pragmas:  # outside a transaction, as SQLite wants them
                cursor.execute(pragma)
                cursor.fetchall()
            conn.adbc_connection.set_autocommit(False)
            started = time.perf_counter()
            cursor.adbc_ingest(copy.name, rows, mode="append")
            conn.commit()
            return time.perf_counter() - started
    finally:
        cleanup()


def _earlier_rows(copy: Table, source: str, file_id: int) -> str:
    """The statement that fills the floor's `copy` with the rows `source` held before file `file_id`."""
    columns = ", ".join(f'"{c.name}"' for c in copy.columns)
    return f'INSERT INTO "{copy.name}" ({columns}) SELECT {columns} FROM {source} WHERE "_file_id" <> {int(file_id)}'


def bare_load(conn: Connection, name: str) -> pd.DataFrame:
    """Every stored row of dataset `name` fetched raw into a frame, without typing."""
    columns = DATASETS[name].column_names
    rows = conn.exec_driver_sql(f'SELECT {", ".join(columns)} FROM "ds_{name}"').fetchall()
    return pd.DataFrame.from_records(rows, columns=columns)


def groupbys(cycle: str, data: dict[str, pd.DataFrame]) -> int:
    """The cycle's floor computation: one groupby size per result input; groups found."""
    found = 0
    for name, keys in GROUPBYS[cycle]:
        if name in data:
            found += len(data[name].groupby(keys, observed=True).size())
    return found


def bare_render(html: str, fonts, sheets: list) -> bytes:
    """`html` rendered by WeasyPrint with nothing around it: the font configuration `fonts` and the parsed
    stylesheets `sheets` kept from one call to the next, as WeasyPrint allows (`html` links none)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=f"{TEMPLATES.as_uri()}/").write_pdf(font_config=fonts, stylesheets=sheets)


def bare_sheets(html: str, fonts) -> tuple[str, list]:
    """`html` without its stylesheet links, and the sheets they name parsed once by WeasyPrint, after the rules of
    the cut faces the stylesheets name first (tasks/dossiers/fonts.py)."""
    from weasyprint import CSS

    sheets = [face_sheet(fonts)]
    sheets += [CSS(filename=str(TEMPLATES / name), font_config=fonts) for name in LINKED_SHEET.findall(html)]
    return LINKED_SHEET.sub("", html), sheets


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def parallel_ceiling(workers: int, chunks: int = 8, n: int = 3_000_000) -> float:
    """How much faster `workers` processes run pure CPU work than one process: what this machine allows any pool.

    On a shared virtual machine this is below the core count: other services and the hypervisor take their part.
    """
    start = time.perf_counter()
    for _ in range(chunks):
        _spin(n)
    serial = time.perf_counter() - start
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_spin, [1] * workers))  # started before the clock, as the serial side needs no start
        start = time.perf_counter()
        list(pool.map(_spin, [n] * chunks))
        pooled = time.perf_counter() - start
    return serial / pooled
