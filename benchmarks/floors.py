"""Floors: the bare cost of each stage's work done with the plainest tool for it, to compare the pipeline against."""

from __future__ import annotations

import csv
import io
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import python_calamine
from sqlalchemy import Connection

from schemas.datasets import DATASETS, Dataset
from schemas.suites import EARLIEST, LATEST
from tasks.inbox.normalise import TRUTHS
from tasks.dossiers.render import TEMPLATES

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


def bare_insert(conn: Connection, name: str, frame: pd.DataFrame) -> None:
    """`frame` into a bare table without keys or indexes: executemany on SQLite, COPY on PostgreSQL."""
    table = f"floor_{name}"
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"')
    conn.exec_driver_sql(f'CREATE TABLE "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)} TEXT" for c in frame.columns)})')
    if conn.dialect.name == "postgresql":
        with conn.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN WITH (FORMAT csv)') as copy:
                copy.write(frame.to_csv(index=False, header=False))
        return
    values = frame.astype(object).where(frame.notna(), None)
    placeholders = ", ".join("?" for _ in frame.columns)
    conn.connection.driver_connection.executemany(
        f'INSERT INTO "{table}" ({columns}) VALUES ({placeholders})', values.itertuples(index=False, name=None))


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


def bare_render(html: str) -> bytes:
    """`html` rendered by WeasyPrint with nothing around it (stylesheets resolved from templates/)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=f"{TEMPLATES.as_uri()}/").write_pdf()


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
