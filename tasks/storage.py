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

from schemas.datasets import DATASETS, INGEST_ORDER, Dataset
from schemas.policy import Policy
from tasks.errors import AssessError
from tasks.inbox import InboxFile, list_inbox
from tasks.intake import column_notes, read_table
from tasks.models import dataset_tables, ingested_files, rejected_rows
from tasks.validation import (
    WINDOW_UNITS, Validated, as_schema_types, delivered_names, key_text, known_key, reason_kinds, validate,
)

INSERT_CHUNK = 20_000
INGEST_ATTEMPTS = 3
TOP_REASONS = 10


@dataclass
class FileReport:
    """What became of one inbox file: its counts and its most common rejection reasons."""

    file_name: str  # relative to the inbox: 第二批/survey_responses_2026H1.csv
    dataset: str  # empty when the name matches no dataset
    sha256: str
    status: str  # ingested | skipped | ignored | waiting (for the next run) | unmatched
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    """The outcome of one pass over the inbox, file by file."""

    files: list[FileReport] = field(default_factory=list)
    created_at: datetime = field(default_factory=datetime.now)
    revalidated: dict[str, int] = field(default_factory=dict)  # dataset → earlier rejected rows now accepted

    def totals(self) -> dict[str, int]:
        """Files ingested and skipped, and rows read, accepted and rejected over all files."""
        return {
            "files_ingested": sum(f.status == "ingested" for f in self.files),
            "files_skipped": sum(f.status == "skipped" for f in self.files),
            "files_passed": sum(f.status in ("ignored", "waiting", "unmatched") for f in self.files),
            "rows_revalidated": sum(self.revalidated.values()),
            **{k: sum(getattr(f, k) for f in self.files) for k in ("rows_read", "rows_accepted", "rows_rejected")},
        }

    def as_text(self) -> str:
        """A Chinese table of the files for the command line, with each file's most common reasons."""
        if not self.files and not self.revalidated:
            return "收件箱中没有待入库的文件。"
        widths = (max((cell_len(f.file_name) for f in self.files), default=4) + 2, 20, 10, 10, 10)
        lines = [_row(("文件", "数据集", "读取", "接收", "拒收"), widths) + "  状态"]
        for f in self.files:
            counts = (f"{f.rows_read:,}", f"{f.rows_accepted:,}", f"{f.rows_rejected:,}")
            label = DATASETS[f.dataset].label if f.dataset else "—"
            lines.append(_row((f.file_name, label, *counts), widths) + f"  {STATUS_LABELS[f.status]}")
            lines += [f"    说明:{note}" for note in f.notes]
            lines += [f"    拒收原因:{reason}({count:,} 行)" for reason, count in list(f.reasons.items())[:3]]
        lines += [f"重新校验:此前因引用的单位或对象尚未登记而拒收的{DATASETS[name].label}数据,本次有 {n:,} 行通过并入库"
                  for name, n in self.revalidated.items()]
        t = self.totals()
        lines.append(f"合计:入库 {t['files_ingested']} 个文件,跳过 {t['files_skipped']} 个,未读取 {t['files_passed']} 个;"
                     f"读取 {t['rows_read']:,} 行,接收 {t['rows_accepted']:,} 行,拒收 {t['rows_rejected']:,} 行")
        return "\n".join(lines)


STATUS_LABELS = {"ingested": "已入库", "skipped": "已跳过(此前已入库)", "ignored": "已忽略",
                 "waiting": "留待下次运行", "unmatched": "未入库(无法确定数据集)"}


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


def known_references(engine: Engine, datasets: set[str]) -> dict[str, pd.Index]:
    targets = {ref.dataset for name in datasets for ref in DATASETS[name].references} | datasets
    with engine.connect() as conn:
        known = {known_key(DATASETS[name]): _stored_keys(conn, DATASETS[name]) for name in targets}
        if "units" in targets:
            units = dataset_tables["units"]
            window = conn.execute(select(units.c.unit_id).where(units.c.is_window.is_(True))).scalars().all()
            known[WINDOW_UNITS] = pd.Index(window, dtype="str")
    return known


def learn_keys(known: dict, dataset: Dataset, accepted: pd.DataFrame) -> None:
    """Later files of the batch see what earlier ones brought, as if it were already stored."""
    key = known_key(dataset)
    known[key] = known[key].append(pd.Index(key_text(dataset, accepted)))
    if dataset.name == "units" and WINDOW_UNITS in known:
        window = accepted.loc[accepted["is_window"].fillna(False).astype(bool), "unit_id"]
        known[WINDOW_UNITS] = known[WINDOW_UNITS].append(pd.Index(window.astype("str")))


def _validate_all(tables: list[tuple[InboxFile, pd.DataFrame]], known: dict,
                  policy: Policy | None) -> list[Validated]:
    results = []
    for item, raw in tables:
        result = validate(item.dataset, raw, known, policy, file_name=item.path.name)
        learn_keys(known, item.dataset, result.accepted)
        results.append(result)
    return results


def db_frame(dataset: Dataset, accepted: pd.DataFrame, file_id: int) -> pd.DataFrame:
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


def insert_rows(conn: Connection, table: Table, frame: pd.DataFrame) -> None:
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


def _insert_rejected(conn: Connection, dataset: Dataset, rejected: pd.DataFrame, file_id: int,
                     awaiting=None) -> None:
    if rejected.empty:
        return
    delivered = rejected[list(delivered_names(dataset).values())].set_axis(dataset.column_names, axis=1)
    data = delivered.astype(object).where(delivered.notna(), None)
    rows = pd.DataFrame({"file_id": file_id, "dataset": dataset.name, "row_number": rejected["_row_number"],
                         "reason": rejected["reason"], "data": data.to_dict("records"),
                         "awaiting_reference": awaiting if awaiting is not None else False})
    for start in range(0, len(rows), INSERT_CHUNK):
        conn.execute(insert(rejected_rows), rows.iloc[start:start + INSERT_CHUNK].to_dict("records"))


def _archive(path: Path, digest: str, archive_dir: Path) -> Path:
    target = Path(archive_dir) / digest[:2] / digest / path.name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return target


def _store(conn: Connection, item: InboxFile, digest: str, archived: Path, result: Validated) -> None:
    file_id = conn.execute(insert(ingested_files).returning(ingested_files.c.file_id).values(
        sha256=digest, file_name=item.name, dataset=item.dataset.name, archived_as=str(archived),
        ingested_at=datetime.now(), rows_read=len(result.accepted) + len(result.rejected),
        rows_accepted=len(result.accepted), rows_rejected=len(result.rejected),
    )).scalar_one()
    insert_rows(conn, dataset_tables[item.dataset.name], db_frame(item.dataset, result.accepted, file_id))
    _insert_rejected(conn, item.dataset, result.rejected, file_id, result.awaiting)


def _file_report(item: InboxFile, digest: str, result: Validated, notes: list[str]) -> FileReport:
    counts = reason_kinds(result.rejected["reason"]).value_counts().head(TOP_REASONS) \
        if len(result.rejected) else pd.Series(dtype="int64")
    return FileReport(item.name, item.dataset.name, digest, "ingested", len(result.accepted) + len(result.rejected),
                      len(result.accepted), len(result.rejected), {str(k): int(v) for k, v in counts.items()}, notes)


def ingest_inbox(inbox: Path, engine: Engine, archive_dir: Path, settle_seconds: float = 0,
                 policy: Policy | None = None) -> IngestReport:
    """Read, validate, store and archive every inbox file not ingested before; the report of what happened.

    Files modified within `settle_seconds` wait for the next pass. `policy` supplies the alias tables and
    time zone the cells are read with (the defaults when None). Rows rejected earlier only for a reference
    nobody had delivered are validated again afterwards. Two runs reading one inbox at the same moment race
    to store the same files: the loser's transaction breaks on a unique key and rolls back whole, and it
    starts again against what the winner stored.
    """
    for _ in range(INGEST_ATTEMPTS - 1):
        try:
            return _ingest_once(inbox, engine, archive_dir, settle_seconds, policy)
        except IntegrityError:
            continue
    try:
        return _ingest_once(inbox, engine, archive_dir, settle_seconds, policy)
    except IntegrityError as error:
        raise AssessError(f"收件箱 {inbox} 入库时与另一次运行反复冲突,请稍后重试:{error.orig}") from error


def _ingest_once(inbox: Path, engine: Engine, archive_dir: Path, settle_seconds: float,
                 policy: Policy | None) -> IngestReport:
    listing = list_inbox(inbox, settle_seconds)
    files = [(item, _sha256(item.path)) for item in listing.files]
    stored = _stored_digests(engine, [digest for _, digest in files])
    report, new, seen = IngestReport(), [], set(stored)
    report.files += [FileReport(p.name, "", "", p.status, notes=[p.note]) for p in listing.passed]
    for item, digest in files:
        if digest in seen:
            report.files.append(FileReport(item.name, item.dataset.name, digest, "skipped"))
        else:
            new.append((item, digest))
            seen.add(digest)
    # Every new file is read before anything is written, so one unreadable file stores nothing.
    tables = [(item, read_table(item.path, item.dataset)) for item, _ in new]
    from tasks.revalidation import accept_pending, pending_rows  # it stores rows through this module

    pending = pending_rows(engine)
    known = known_references(engine, {item.dataset.name for item, _ in new} | set(pending))
    results = _validate_all(tables, known, policy)
    with engine.begin() as conn:
        for ((item, digest), raw), result in zip(zip(new, (raw for _, raw in tables)), results):
            _store(conn, item, digest, _archive(item.path, digest, archive_dir), result)
            report.files.append(_file_report(item, digest, result, column_notes(item.dataset, raw)))
        report.revalidated = accept_pending(conn, pending, known, policy)
    report.files.sort(key=lambda f: (f.status in ("ignored", "waiting", "unmatched"),
                                     INGEST_ORDER.index(f.dataset) if f.dataset else 0, f.file_name))
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


def load_rejected(engine: Engine, dataset: str, files: Iterable[int] | None = None) -> pd.DataFrame:
    """The quarantined rows of `dataset` (of the files with ids `files`, if given): file, row number, reason,
    then the row as delivered."""
    query = (select(ingested_files.c.file_name, rejected_rows.c.row_number, rejected_rows.c.reason,
                    rejected_rows.c.data)
             .join(ingested_files, ingested_files.c.file_id == rejected_rows.c.file_id)
             .where(rejected_rows.c.dataset == dataset, rejected_rows.c.accepted_at.is_(None))
             .order_by(rejected_rows.c.file_id, rejected_rows.c.row_number))
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


_REPORT = Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>数据入库校验报告 {{ created }}</title>
<style>
body { font-family: "Noto Sans CJK SC", sans-serif; margin: 2em; color: #222; }
h1 { color: #c00; border-bottom: 2px solid #c00; padding-bottom: .3em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #999; padding: .3em .8em; }
th { background: #f3f3f3; } td.n { text-align: right; } .bad { color: #c00; } td.note { color: #555; }
</style></head><body>
<h1>数据入库校验报告</h1>
<p>生成时间:{{ created }}。共 {{ totals.files_ingested }} 个文件入库,{{ totals.files_skipped }} 个文件此前已入库而跳过,
{{ totals.files_passed }} 个文件未读取(见各文件说明);
读取 {{ "{:,}".format(totals.rows_read) }} 行,接收 {{ "{:,}".format(totals.rows_accepted) }} 行,
拒收 <span class="bad">{{ "{:,}".format(totals.rows_rejected) }}</span> 行。</p>
<table><thead><tr><th>文件</th><th>数据集</th><th>读取</th><th>接收</th><th>拒收</th><th>状态</th></tr></thead><tbody>
{% for f in files %}<tr><td>{{ f.file_name }}</td><td>{{ "%s(%s)" % (labels[f.dataset], f.dataset) if f.dataset else "—" }}</td>
<td class="n">{{ "{:,}".format(f.rows_read) }}</td><td class="n">{{ "{:,}".format(f.rows_accepted) }}</td>
<td class="n">{{ "{:,}".format(f.rows_rejected) }}</td><td>{{ statuses[f.status] }}</td></tr>
{% for note in f.notes %}<tr><td colspan="6" class="note">说明:{{ note }}</td></tr>{% endfor %}
{% endfor %}</tbody></table>
{% for name, n in revalidated.items() %}<p>重新校验:此前因引用的单位或对象尚未登记而拒收的{{ labels[name] }}数据,本次有 {{ "{:,}".format(n) }} 行通过并入库。</p>
{% endfor %}
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
        labels={name: d.label for name, d in DATASETS.items()}, statuses=STATUS_LABELS, revalidated=report.revalidated,
    ), encoding="utf-8")
    return path
