"""Intake into the database: new inbox files read, validated, stored in one transaction and archived unchanged."""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment
from rich.cells import cell_len
from sqlalchemy import Connection, Engine, Table, func, insert, select
from sqlalchemy.exc import IntegrityError

from schemas.datasets import DATASETS, INGEST_ORDER, Dataset, dataset_for_file
from schemas.policy import Policy
from tasks.errors import AssessError, UnreadableFile
from tasks.intake import read_table
from tasks.models import dataset_tables, ingested_files, rejected_rows
from tasks.validation import (
    Validated, as_schema_types, delivered_names, key_text, known_key, reason_kinds, validate,
)

INSERT_CHUNK = 20_000
INGEST_ATTEMPTS = 3
TOP_REASONS = 10


@dataclass
class FileReport:
    """What became of one inbox file: its counts and its most common rejection reasons."""

    file_name: str
    dataset: str
    sha256: str
    status: str  # ingested | skipped
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class IngestReport:
    """The outcome of one pass over the inbox, file by file."""

    files: list[FileReport] = field(default_factory=list)
    created_at: datetime = field(default_factory=datetime.now)

    def totals(self) -> dict[str, int]:
        """Files ingested and skipped, and rows read, accepted and rejected over all files."""
        return {
            "files_ingested": sum(f.status == "ingested" for f in self.files),
            "files_skipped": sum(f.status == "skipped" for f in self.files),
            **{k: sum(getattr(f, k) for f in self.files) for k in ("rows_read", "rows_accepted", "rows_rejected")},
        }

    def as_text(self) -> str:
        """A Chinese table of the files for the command line, with each file's most common reasons."""
        if not self.files:
            return "收件箱中没有待入库的文件。"
        widths = (max(cell_len(f.file_name) for f in self.files) + 2, 20, 10, 10, 10)
        lines = [_row(("文件", "数据集", "读取", "接收", "拒收"), widths) + "  状态"]
        for f in self.files:
            status = "已入库" if f.status == "ingested" else "已跳过(此前已入库)"
            counts = (f"{f.rows_read:,}", f"{f.rows_accepted:,}", f"{f.rows_rejected:,}")
            lines.append(_row((f.file_name, DATASETS[f.dataset].label, *counts), widths) + f"  {status}")
            lines += [f"    拒收原因:{reason}({count:,} 行)" for reason, count in list(f.reasons.items())[:3]]
        t = self.totals()
        lines.append(f"合计:入库 {t['files_ingested']} 个文件,跳过 {t['files_skipped']} 个;读取 {t['rows_read']:,} 行,"
                     f"接收 {t['rows_accepted']:,} 行,拒收 {t['rows_rejected']:,} 行")
        return "\n".join(lines)


def _row(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    """Cells padded to terminal columns (a Chinese character takes two): text left, counts right."""
    text, counts = cells[:2], cells[2:]
    return ("".join(c + " " * (w - cell_len(c)) for c, w in zip(text, widths))
            + "".join(" " * (w - cell_len(c)) + c for c, w in zip(counts, widths[2:])))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inbox_files(inbox: Path) -> list[tuple[Path, Dataset]]:
    if not Path(inbox).is_dir():
        raise AssessError(f"收件箱目录“{inbox}”不存在")
    found = []
    for path in sorted(p for p in Path(inbox).iterdir() if p.is_file() and not p.name.startswith(".")):
        # A link could make the archive and the database take in any file the service can read.
        if not path.resolve().is_relative_to(Path(inbox).resolve()):
            raise UnreadableFile(path.name, "是指向收件箱以外的链接,出于安全考虑不予读取")
        dataset = dataset_for_file(path.name)
        if dataset is None:
            prefixes = "、".join(DATASETS)
            raise UnreadableFile(path.name, f"文件名不以任何数据集名称开头,应以下列之一开头:{prefixes}")
        found.append((path, dataset))
    return sorted(found, key=lambda item: (INGEST_ORDER.index(item[1].name), item[0].name))


def _stored_digests(engine: Engine, digests: Iterable[str]) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(ingested_files.c.sha256).where(ingested_files.c.sha256.in_(list(digests)))
                                ).scalars())


def _stored_keys(conn: Connection, dataset: Dataset) -> pd.Index:
    table = dataset_tables[dataset.name]
    stored = pd.read_sql(select(*[table.c[k] for k in dataset.key]), conn)
    for name in dataset.key:
        if dataset.column(name).type in ("date", "datetime"):
            stored[name] = pd.to_datetime(stored[name])
    return pd.Index(key_text(dataset, stored)) if len(stored) else pd.Index([], dtype="str")


def _known(engine: Engine, datasets: set[str]) -> dict[str, pd.Index]:
    targets = {ref.dataset for name in datasets for ref in DATASETS[name].references} | datasets
    with engine.connect() as conn:
        return {known_key(DATASETS[name]): _stored_keys(conn, DATASETS[name]) for name in targets}


def _validate_all(tables: list[tuple[Path, Dataset, pd.DataFrame]], known: dict,
                  policy: Policy | None) -> list[Validated]:
    results = []
    for _path, dataset, raw in tables:
        result = validate(dataset, raw, known, policy)
        key = known_key(dataset)
        # Later files of the batch see what earlier ones brought, as if it were already stored.
        known[key] = known[key].append(pd.Index(key_text(dataset, result.accepted)))
        results.append(result)
    return results


def _db_frame(dataset: Dataset, accepted: pd.DataFrame, file_id: int) -> pd.DataFrame:
    """Accepted rows with the columns of `ds_<dataset>`, dates as text the database parses."""
    frame = accepted[dataset.column_names + ["_row_number"]].copy()
    for column in dataset.columns:
        if column.type in ("date", "datetime"):
            pattern = "%Y-%m-%d" if column.type == "date" else "%Y-%m-%d %H:%M:%S.%f"
            frame[column.name] = frame[column.name].dt.strftime(pattern)
        elif column.is_code:
            frame[column.name] = frame[column.name].astype("str")
    return frame.assign(_file_id=file_id)


def _copy_rows(conn: Connection, table: Table, frame: pd.DataFrame) -> None:
    """Rows through PostgreSQL COPY: an order of magnitude faster than INSERT for large files."""
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    with conn.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN WITH (FORMAT csv)') as copy:
            for start in range(0, len(frame), INSERT_CHUNK * 5):
                buffer = io.StringIO()
                frame.iloc[start:start + INSERT_CHUNK * 5].to_csv(buffer, index=False, header=False)
                copy.write(buffer.getvalue())


def _insert_rows(conn: Connection, table: Table, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, frame)
        return
    # SQLite stores dates as ISO text anyway, so the text is handed to the driver as it is.
    placeholders = ", ".join("?" for _ in frame.columns)
    statement = f'INSERT INTO "{table.name}" ({", ".join(frame.columns)}) VALUES ({placeholders})'
    values = frame.astype(object).where(frame.notna(), None)
    for start in range(0, len(values), INSERT_CHUNK):
        conn.exec_driver_sql(statement, list(values.iloc[start:start + INSERT_CHUNK].itertuples(index=False, name=None)))


def _insert_rejected(conn: Connection, dataset: Dataset, rejected: pd.DataFrame, file_id: int) -> None:
    if rejected.empty:
        return
    delivered = rejected[list(delivered_names(dataset).values())].set_axis(dataset.column_names, axis=1)
    data = delivered.astype(object).where(delivered.notna(), None)
    rows = pd.DataFrame({"file_id": file_id, "dataset": dataset.name, "row_number": rejected["_row_number"],
                         "reason": rejected["reason"], "data": data.to_dict("records")})
    for start in range(0, len(rows), INSERT_CHUNK):
        conn.execute(insert(rejected_rows), rows.iloc[start:start + INSERT_CHUNK].to_dict("records"))


def _archive(path: Path, digest: str, archive_dir: Path) -> Path:
    target = Path(archive_dir) / digest[:2] / digest / path.name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return target


def _store(conn: Connection, path: Path, dataset: Dataset, digest: str, archived: Path, result: Validated) -> None:
    file_id = conn.execute(insert(ingested_files).returning(ingested_files.c.file_id).values(
        sha256=digest, file_name=path.name, dataset=dataset.name, archived_as=str(archived),
        ingested_at=datetime.now(), rows_read=len(result.accepted) + len(result.rejected),
        rows_accepted=len(result.accepted), rows_rejected=len(result.rejected),
    )).scalar_one()
    _insert_rows(conn, dataset_tables[dataset.name], _db_frame(dataset, result.accepted, file_id))
    _insert_rejected(conn, dataset, result.rejected, file_id)


def _file_report(path: Path, dataset: Dataset, digest: str, result: Validated) -> FileReport:
    counts = reason_kinds(result.rejected["reason"]).value_counts().head(TOP_REASONS) \
        if len(result.rejected) else pd.Series(dtype="int64")
    return FileReport(path.name, dataset.name, digest, "ingested", len(result.accepted) + len(result.rejected),
                      len(result.accepted), len(result.rejected), {str(k): int(v) for k, v in counts.items()})


def ingest_inbox(inbox: Path, engine: Engine, archive_dir: Path, policy: Policy | None = None) -> IngestReport:
    """Read, validate, store and archive every inbox file not ingested before; the report of what happened.

    `policy` supplies the alias tables and time zone the cells are read with (the defaults when None).

    Two runs reading one inbox at the same moment race to store the same files: the loser's transaction
    breaks on a unique key and rolls back whole, and it starts again against what the winner stored.
    """
    for _ in range(INGEST_ATTEMPTS - 1):
        try:
            return _ingest_once(inbox, engine, archive_dir, policy)
        except IntegrityError:
            continue
    try:
        return _ingest_once(inbox, engine, archive_dir, policy)
    except IntegrityError as error:
        raise AssessError(f"收件箱 {inbox} 入库时与另一次运行反复冲突,请稍后重试:{error.orig}") from error


def _ingest_once(inbox: Path, engine: Engine, archive_dir: Path, policy: Policy | None) -> IngestReport:
    files = [(path, dataset, _sha256(path)) for path, dataset in _inbox_files(inbox)]
    stored = _stored_digests(engine, [digest for *_, digest in files])
    report, new, seen = IngestReport(), [], set(stored)
    for path, dataset, digest in files:
        if digest in seen:
            report.files.append(FileReport(path.name, dataset.name, digest, "skipped"))
        else:
            new.append((path, dataset, digest))
            seen.add(digest)
    # Every new file is read before anything is written, so one unreadable file stores nothing.
    tables = [(path, dataset, read_table(path, dataset)) for path, dataset, _ in new]
    results = _validate_all(tables, _known(engine, {dataset.name for _, dataset, _ in new}), policy)
    with engine.begin() as conn:
        for (path, dataset, digest), result in zip(new, results):
            _store(conn, path, dataset, digest, _archive(path, digest, archive_dir), result)
            report.files.append(_file_report(path, dataset, digest, result))
    report.files.sort(key=lambda f: (INGEST_ORDER.index(f.dataset), f.file_name))
    stamp = report.created_at.strftime("%Y%m%d-%H%M%S-%f")
    write_validation_report(report, Path(archive_dir).parent / "reports" / f"ingest-{stamp}.html")
    return report


LOAD_CHUNK_ROWS = 250_000


def load_dataset(engine: Engine, name: str, chunk_rows: int = LOAD_CHUNK_ROWS) -> pd.DataFrame:
    """Every accepted row of dataset `name`, with the schema's columns in their analysis dtypes.

    Rows stream from a server-side cursor and are typed a chunk at a time, so only one chunk is ever held as
    Python objects: 10 million platform cases fetched at once would take about 10 GB before typing.
    """
    dataset, table = DATASETS[name], dataset_tables[name]
    query = select(*[table.c[c] for c in dataset.column_names]).order_by(table.c._id)
    with engine.connect() as conn:
        streaming = conn.execution_options(stream_results=True)
        chunks = [as_schema_types(dataset, chunk) for chunk in pd.read_sql(query, streaming, chunksize=chunk_rows)]
    # Same categories in every chunk; `bool` and `boolean` chunks concatenate to `boolean`, as a whole frame would.
    return pd.concat(chunks, ignore_index=True)


def load_rejected(engine: Engine, dataset: str) -> pd.DataFrame:
    """The quarantined rows of `dataset`: file, row number, reason, then the row as delivered."""
    query = (select(ingested_files.c.file_name, rejected_rows.c.row_number, rejected_rows.c.reason,
                    rejected_rows.c.data)
             .join(ingested_files, ingested_files.c.file_id == rejected_rows.c.file_id)
             .where(rejected_rows.c.dataset == dataset)
             .order_by(rejected_rows.c.file_id, rejected_rows.c.row_number))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    columns = DATASETS[dataset].column_names
    head = pd.DataFrame([r[:3] for r in rows], columns=["file_name", "row_number", "reason"])
    data = pd.DataFrame([r[3] for r in rows], columns=columns)
    data = data.astype("str").rename(columns=delivered_names(DATASETS[dataset]))
    return pd.concat([head, data], axis=1)


def quality_summary(engine: Engine, datasets: Iterable[str]) -> pd.DataFrame:
    """Per ingested file of `datasets`: file name, dataset, when, rows read, accepted and rejected."""
    c = ingested_files.c
    query = select(c.file_name, c.dataset, c.ingested_at, c.rows_read, c.rows_accepted, c.rows_rejected) \
        .where(c.dataset.in_(list(datasets))).order_by(c.file_id)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def top_reasons(engine: Engine, datasets: Iterable[str], n: int = 5) -> pd.DataFrame:
    """The `n` most common rejection reasons of each dataset (the row's own values taken out), with row counts."""
    r = rejected_rows.c
    query = select(r.dataset, r.reason, func.count().label("rows")).where(r.dataset.in_(list(datasets))) \
        .group_by(r.dataset, r.reason)
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


_REPORT = Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>数据入库校验报告 {{ created }}</title>
<style>
body { font-family: "Noto Sans CJK SC", sans-serif; margin: 2em; color: #222; }
h1 { color: #c00; border-bottom: 2px solid #c00; padding-bottom: .3em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #999; padding: .3em .8em; }
th { background: #f3f3f3; } td.n { text-align: right; } .bad { color: #c00; }
</style></head><body>
<h1>数据入库校验报告</h1>
<p>生成时间:{{ created }}。共 {{ totals.files_ingested }} 个文件入库,{{ totals.files_skipped }} 个文件此前已入库而跳过;
读取 {{ "{:,}".format(totals.rows_read) }} 行,接收 {{ "{:,}".format(totals.rows_accepted) }} 行,
拒收 <span class="bad">{{ "{:,}".format(totals.rows_rejected) }}</span> 行。</p>
<table><thead><tr><th>文件</th><th>数据集</th><th>读取</th><th>接收</th><th>拒收</th><th>状态</th></tr></thead><tbody>
{% for f in files %}<tr><td>{{ f.file_name }}</td><td>{{ labels[f.dataset] }}({{ f.dataset }})</td>
<td class="n">{{ "{:,}".format(f.rows_read) }}</td><td class="n">{{ "{:,}".format(f.rows_accepted) }}</td>
<td class="n">{{ "{:,}".format(f.rows_rejected) }}</td><td>{{ "已入库" if f.status == "ingested" else "已跳过(此前已入库)" }}</td></tr>
{% endfor %}</tbody></table>
{% for f in files if f.reasons %}<h2>{{ f.file_name }}:各规则拒收行数</h2>
<table><thead><tr><th>规则</th><th>行数</th></tr></thead><tbody>
{% for reason, count in f.reasons.items() %}<tr><td>{{ reason }}</td><td class="n">{{ "{:,}".format(count) }}</td></tr>
{% endfor %}</tbody></table>{% endfor %}
</body></html>
""")


def write_validation_report(report: IngestReport, path: Path) -> Path:
    """A self-contained Chinese HTML page with each file's counts and failures per rule; its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_REPORT.render(
        created=report.created_at.strftime("%Y-%m-%d %H:%M:%S"), totals=report.totals(), files=report.files,
        labels={name: d.label for name, d in DATASETS.items()},
    ), encoding="utf-8")
    return path
