"""Intake into the database: new inbox files read, validated, stored in one transaction and archived unchanged."""

from __future__ import annotations

import contextvars
import hashlib
import io
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, Table, insert, or_, select
from sqlalchemy.exc import IntegrityError

from schemas.datasets import DATASETS, INGEST_ORDER, Dataset
from schemas.policy import Policy
from tasks.disk import fsync_dir, sha256_file
from tasks.errors import AssessError
from tasks.inbox.listing import InboxFile, list_inbox
from tasks.inbox.reader import column_notes, read_table
from tasks.inbox.report import FileReport, IngestReport, write_validation_report
from tasks.store import audit, bulk
from tasks.store.audit import DataMoved, writing
from tasks.store.state import counting, mark_superseded, position
from tasks.store.tables import dataset_tables, ingested_files, rejected_rows
from tasks.inbox.keys import PERIOD_COLUMNS, WINDOW_UNITS, KeysByPeriod, key_text, known_key, lookup_column
from tasks.inbox.validation import Validated, delivered_names, prepare, reason_kinds, validate

INSERT_CHUNK = 20_000
INGEST_ATTEMPTS = 3
TOP_REASONS = 10


class InboxChanged(DataMoved):
    """A delivered file changed, was replaced or went while the intake read it: the intake starts again from the
    listing, so that what is stored, what the audit log names and what the archive keeps are one and the same file."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __reduce__(self):
        return type(self), (self.name,)


class Fingerprint(NamedTuple):
    """What tells a file's content apart without reading it again: the file (a replacement renamed into place is
    another inode), its size and its modification time."""

    inode: int
    size: int
    mtime_ns: int


def _fingerprint(path: Path) -> Fingerprint | None:
    """`path`'s fingerprint; None when the file is gone."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return Fingerprint(status.st_ino, status.st_size, status.st_mtime_ns)


@dataclass(frozen=True)
class Delivered:
    """An inbox file as listed: its checksum, and its fingerprint the same before and after the checksum was taken."""

    item: InboxFile
    digest: str
    listed: Fingerprint

    @classmethod
    def of(cls, item: InboxFile) -> Delivered:
        before = _fingerprint(item.path)
        try:
            digest = sha256_file(item.path)
        except FileNotFoundError:
            raise InboxChanged(item.name) from None
        if before is None:
            raise InboxChanged(item.name)
        delivered = cls(item, digest, before)
        delivered.still_as_listed()
        return delivered

    def still_as_listed(self) -> None:
        """Nothing when the file is as it was listed; else `InboxChanged`."""
        if _fingerprint(self.item.path) != self.listed:
            raise InboxChanged(self.item.name)


def _stored_digests(conn: Connection, digests: Iterable[str]) -> dict[str, bool]:
    """Of `digests`, those already stored, each with whether its file is withdrawn."""
    f = ingested_files.c
    return dict(conn.execute(select(f.sha256, f.withdrawn).where(f.sha256.in_(list(digests)))).all())


def _among(table: Table, only: dict[str, list]) -> ColumnElement:
    """The rows of `table` holding, in any column of `only`, one of its values."""
    return or_(*[table.c[column].in_(values) for column, values in only.items()])


def _stored_keys(conn: Connection, dataset: Dataset, only: dict[str, list] | None = None,
                 within: dict[str, list] | None = None) -> pd.Index:
    """The keys of the rows of `dataset` that count (of those holding a value of `only`, in any of its columns, and
    one of `within`, in each of its columns, when given)."""
    table = dataset_tables[dataset.name]
    query = select(*[table.c[k] for k in dataset.key]).where(counting(table))
    if only is not None:
        query = query.where(_among(table, only))
    for column, values in (within or {}).items():
        query = query.where(table.c[column].in_(values))
    stored = pd.read_sql(query, conn)
    for name in dataset.key:
        if dataset.column(name).type in ("date", "datetime"):
            stored[name] = pd.to_datetime(stored[name])
    return pd.Index(key_text(dataset, stored)) if len(stored) else pd.Index([], dtype="str")


def _keys_by_period(engine: Engine, dataset: Dataset) -> KeysByPeriod:
    """The stored keys of `dataset` (its key leading with its period), read for the periods the files name."""
    def load(periods: list | None, within: dict[str, list] | None = None) -> pd.Index:
        with engine.connect() as conn:
            return _stored_keys(conn, dataset, None if periods is None else {dataset.key[0]: periods}, within)

    return KeysByPeriod(dataset, load)


def _window_units(conn: Connection, only: dict[str, list] | None = None) -> pd.Index:
    """The units registered as window units (of those holding a value of `only`, when given)."""
    units = dataset_tables["units"]
    query = select(units.c.unit_id).where(units.c.is_window.is_(True), counting(units))
    if only is not None:
        query = query.where(_among(units, only))
    return pd.Index(conn.execute(query).scalars().all(), dtype="str")


# Waiting rows naming more distinct values than this are checked against every stored key, as new files are.
WAITING_LOOKUP_LIMIT = 20_000


def known_references(conn: Connection, datasets: set[str], waiting: dict[str, pd.DataFrame] | None = None,
                     policy: Policy | None = None) -> dict[str, pd.Index | KeysByPeriod]:
    """The stored keys the rows of `datasets` are checked against: their own and those they refer to. Of a dataset
    whose key leads with its period, the keys are read later, for the periods its files name (`KeysByPeriod`).

    Rows `waiting` for a reference (`pending_rows`) are checked again when what they wait for may have come
    (`revalidation.waiting_on`). Of a dataset only they need,
    only the keys they could meet are read — those holding the values the rows name, in canonical form under
    `policy` — so that a check finding nothing new costs what the waiting rows cost, not what the years stored hold.
    """
    targets = {ref.dataset for name in datasets for ref in DATASETS[name].references} | datasets
    known = {known_key(DATASETS[name]): _keys_by_period(conn.engine, DATASETS[name])
             if DATASETS[name].key[0] in PERIOD_COLUMNS else _stored_keys(conn, DATASETS[name]) for name in targets}
    if "units" in targets:
        known[WINDOW_UNITS] = _window_units(conn)
    for name, only in _waiting_lookups(waiting or {}, targets, policy).items():
        known[known_key(DATASETS[name])] = _stored_keys(conn, DATASETS[name], only)
        if name == "units":
            known[WINDOW_UNITS] = _window_units(conn, only)
    return known


def waiting_frame(dataset: Dataset, rows: pd.DataFrame) -> pd.DataFrame:
    """Waiting rows (`pending_rows`) as the text they were delivered as, one column per dataset column."""
    return pd.DataFrame(rows["data"].tolist(), columns=dataset.column_names).astype("str")


def _waiting_lookups(waiting: dict[str, pd.DataFrame], loaded: set[str], policy: Policy | None
                     ) -> dict[str, dict[str, list] | None]:
    """Per dataset the waiting rows need that `loaded` does not hold: the values to find, by column; None where
    there are too many to search for and every key is read."""
    found: dict[str, dict[str, set]] = {}
    for name, rows in waiting.items():
        dataset = DATASETS[name]
        prepared = prepare(dataset, waiting_frame(dataset, rows), policy)
        wanted = [(name, lookup_column(dataset), lookup_column(dataset))] + \
                 [(ref.dataset, ref.target, ref.column) for ref in dataset.references]
        for target, column, source in wanted:
            if target not in loaded:
                found.setdefault(target, {}).setdefault(column, set()).update(prepared[source].dropna().astype("str"))
    return {name: None if sum(map(len, columns.values())) > WAITING_LOOKUP_LIMIT
            else {column: sorted(values) for column, values in columns.items()}
            for name, columns in found.items()}


def learn_keys(known: dict, dataset: Dataset, accepted: pd.DataFrame) -> None:
    """Later files of the batch see what earlier ones brought, as if it were already stored."""
    key = known_key(dataset)
    known[key] = known[key].append(pd.Index(key_text(dataset, accepted)))
    if dataset.name == "units" and WINDOW_UNITS in known:
        window = accepted.loc[accepted["is_window"].fillna(False).astype(bool), "unit_id"]
        known[WINDOW_UNITS] = known[WINDOW_UNITS].append(pd.Index(window.astype("str")))


@dataclass(frozen=True)
class Checked:
    """What the writer's transaction needs of a validated file once its accepted rows are staged: how many there
    are, the rejected rows with their reasons, and the notes on its columns."""

    accepted: int
    rejected: pd.DataFrame
    awaiting: np.ndarray | None
    notes: list[str]
    staged: bulk.Staged | None  # None when no row was accepted

    @classmethod
    def of(cls, result: Validated, notes: list[str], staged: bulk.Staged | None) -> Checked:
        return cls(len(result.accepted), result.rejected, result.awaiting, notes, staged)


def _check(new: Delivered, known: dict, policy: Policy | None, stages: bulk.Stages) -> Checked:
    """One new file read, validated against `known` (which then holds its keys too) and its accepted rows staged;
    its rows are not kept, so that an ingest holds one file at a time, however many it reads. The file read is the
    one listed, or `InboxChanged`."""
    item = new.item
    try:
        raw = read_table(item.path, item.dataset)
    except Exception:  # a file cut short or gone while read is not unreadable: it changed
        new.still_as_listed()  # InboxChanged, with the reading's error as its context
        raise
    new.still_as_listed()
    notes = column_notes(item.dataset, raw)
    result = validate(item.dataset, raw, known, policy, file_name=item.path.name, correction=item.correction)
    del raw
    learn_keys(known, item.dataset, result.accepted)
    return Checked.of(result, notes, stages.add(item.dataset, result.accepted))


@contextmanager
def checked_in_turn(new: list[Delivered], known: dict, policy: Policy | None,
                    stages: bulk.Stages) -> Iterator[Iterator[Checked]]:
    """The new files checked (`_check`) in their order, for the writer to store one after another.

    On PostgreSQL a file is checked while the writer stores the one before it: its rows go to the database by COPY,
    which the database server works through on a core of its own while this process waits, and the checks keep
    this process busy meanwhile (a province's intake: 1.5 minutes of checks beside 4.3 of storing). The checks
    run one at a time, in a thread of their own, in order, so each sees the keys of the files before it; an ingest
    holds the rows of two files at a time, the one being stored and the one being checked. The writer's lock is
    held from the first check on. On SQLite every file is checked first: the writer attaches the stage file only
    once its ADBC connection is closed."""
    if stages.spool is None:
        checked = [_check(delivered, known, policy, stages) for delivered in new]
        stages.close()
        yield iter(checked)
        return
    ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-check")

    def check(index: int):
        # A thread does not inherit the caller's context variables (Prefect's run context among them): a copy each.
        return ahead.submit(contextvars.copy_context().run, _check, new[index], known, policy, stages)

    def in_turn() -> Iterator[Checked]:
        following = check(0) if new else None
        for index in range(len(new)):
            result = following.result()
            following = check(index + 1) if index + 1 < len(new) else None
            yield result

    try:
        yield in_turn()
    finally:
        ahead.shutdown(wait=True, cancel_futures=True)  # a check under way when the writer failed ends first


def db_frame(dataset: Dataset, accepted: pd.DataFrame, file_id: int, event_id: int) -> pd.DataFrame:
    """Accepted rows with the columns of `ds_<dataset>`, dates as text the database parses, stored by event
    `event_id` of the audit log."""
    frame = accepted[dataset.column_names + ["_row_number"]].copy()
    for column in dataset.columns:
        if column.type in ("date", "datetime"):
            pattern = "%Y-%m-%d" if column.type == "date" else "%Y-%m-%d %H:%M:%S.%f"
            frame[column.name] = frame[column.name].dt.strftime(pattern)
        elif column.is_code:
            frame[column.name] = frame[column.name].astype("str")
    return frame.assign(_file_id=file_id, _event_id=event_id)


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


def _archived_as(path: Path, digest: str, archive_dir: Path) -> Path:
    """Where the archive keeps the file `path` with checksum `digest`."""
    return Path(archive_dir) / digest[:2] / digest / path.name


def _archive(files: list[Delivered], archive_dir: Path) -> None:
    """The files kept in the archive, whole and as listed, all or none: each copied under a temporary name and
    flushed to disk, its checksum taken as it is copied (`InboxChanged` when it is not the checksum listed), and the
    copies renamed into place once all are made, their folders flushed before the database records them. A copy of
    another size already there (one cut short by a full disk or a killed process) is replaced."""
    made: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for new in files:
            target = _archived_as(new.item.path, new.digest, archive_dir)
            if not (target.exists() and target.stat().st_size == new.listed.size):
                made.append((_copied(new, target), target))
        for part, target in made:
            os.replace(part, target)
            placed.append(target)
        for folder in {folder for _, target in made for folder in (target.parent, target.parent.parent)}:
            fsync_dir(folder)  # the copies' entries, and those of the checksum folders made for them
        if made:
            fsync_dir(Path(archive_dir))
    except BaseException:
        for part, target in made:
            _discard(target if target in placed else part, target)
        raise


def _copied(new: Delivered, target: Path) -> Path:
    """The file of `new` copied beside `target` under a temporary name, with its times and mode, flushed to disk, its
    checksum taken as it is copied: the copy, when that is the checksum listed; else `InboxChanged`, and no copy."""
    part = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".part-", delete=False) as made:
            part = Path(made.name)
        copied = hashlib.sha256()
        try:
            source = new.item.path.open("rb")
        except FileNotFoundError:
            raise InboxChanged(new.item.name) from None
        with source, part.open("wb") as copy:
            for block in iter(lambda: source.read(1 << 20), b""):
                copied.update(block)
                copy.write(block)
            status = os.fstat(source.fileno())
            copy.flush()
            os.fsync(copy.fileno())
        if copied.hexdigest() != new.digest:
            raise InboxChanged(new.item.name)
        os.utime(part, ns=(status.st_atime_ns, status.st_mtime_ns))
        os.chmod(part, stat.S_IMODE(status.st_mode))
    except BaseException:
        _discard(part, target)
        raise
    return part


def _discard(copy: Path | None, target: Path) -> None:
    """A copy made for the archive removed, and the checksum's folders with it when nothing else is there."""
    if copy is not None:
        copy.unlink(missing_ok=True)
    for folder in (target.parent, target.parent.parent):
        with suppress(OSError):
            folder.rmdir()


def store_file(conn: Connection, item: InboxFile, digest: str, archived: Path, result: Checked,
               who: str | None = None) -> int:
    """Record one validated file: the file itself, its accepted rows (staged beforehand), its rejected rows with
    their reasons, and its event in the audit log; a correction's rows replace the stored rows with their keys. The
    file's id."""
    now, kind = datetime.now(), "correction" if item.correction else "ingest"
    file_id = conn.execute(insert(ingested_files).returning(ingested_files.c.file_id).values(
        sha256=digest, file_name=item.name, dataset=item.dataset.name, archived_as=str(archived),
        ingested_at=now, rows_read=result.accepted + len(result.rejected),
        rows_accepted=result.accepted, rows_rejected=len(result.rejected),
        kind="correction" if item.correction else "plain",
    )).scalar_one()
    event = audit.record(conn, kind, audit.actor(who), file_id=file_id, dataset=item.dataset.name,
                         rows=result.accepted, at=now)
    if result.staged is not None:
        bulk.publish(conn, result.staged, file_id, event)
    _insert_rejected(conn, item.dataset, result.rejected, file_id, result.awaiting)
    if item.correction and result.accepted:
        replaced = mark_superseded(conn, item.dataset.name, [file_id], now)
        ids = sorted(int(i) for i in replaced.loc[replaced["superseded_by"].eq(file_id).fillna(False), "_id"])
        audit.complete(conn, event, result.accepted, {"replaced": ids, "added": result.accepted - len(ids)})
    return file_id


def _file_report(item: InboxFile, digest: str, result: Checked) -> FileReport:
    counts = reason_kinds(result.rejected["reason"]).value_counts().head(TOP_REASONS) \
        if len(result.rejected) else pd.Series(dtype="int64")
    return FileReport(item.name, item.dataset.name, digest, "ingested", result.accepted + len(result.rejected),
                      result.accepted, len(result.rejected), {str(k): int(v) for k, v in counts.items()}, result.notes)


def ingest_inbox(inbox: Path, engine: Engine, archive_dir: Path, settle_seconds: float = 0,
                 policy: Policy | None = None, who: str | None = None) -> IngestReport:
    """Read, validate, store and archive every inbox file not ingested before; the report of what happened.

    Files modified within `settle_seconds` wait for the next pass. `policy` supplies the alias tables and
    time zone the cells are read with (the defaults when None). Rows rejected earlier only for a reference
    nobody had delivered are validated again afterwards. Each stored file is an event of the audit log, made
    by `who` (the operating-system user when None). Two runs reading one inbox at the same moment: the one
    that writes second finds the data moved since its checks read it, writes nothing, and starts again
    against what the first stored. A file changed, replaced or removed after it was listed (`InboxChanged`) makes
    the intake start again likewise; a file still changing at the last attempt stops it, naming the file, with
    nothing stored.
    """
    for attempt in range(INGEST_ATTEMPTS):
        try:
            return _ingest_once(inbox, engine, archive_dir, settle_seconds, policy, who)
        except (DataMoved, IntegrityError) as error:
            if attempt == INGEST_ATTEMPTS - 1 and isinstance(error, InboxChanged):
                raise AssessError(f"收件箱文件“{error.name}”在入库过程中仍在被改动、替换或移走,本次未入库任何文件;"
                                  f"请待文件传送完毕后重新运行") from error
            if attempt == INGEST_ATTEMPTS - 1:
                detail = getattr(error, "orig", None) or "数据在校验期间被其他操作改变"
                raise AssessError(f"收件箱 {inbox} 入库时与另一次运行反复冲突,请稍后重试:{detail}") from error
    raise AssertionError("unreachable")


WITHDRAWN_NOTE = "该文件此前已入库并已撤回,本次不再入库;如需重新计入,请使用 assess restore 恢复该文件"


def _ingest_once(inbox: Path, engine: Engine, archive_dir: Path, settle_seconds: float,
                 policy: Policy | None, who: str | None) -> IngestReport:
    listing = list_inbox(inbox, settle_seconds)
    files = [Delivered.of(item) for item in listing.files]
    from tasks.inbox.revalidation import (  # it stores rows through this module
        accept_pending, changed_since_intake, pending_rows, waiting_on)

    with engine.connect() as conn:
        read_at = position(conn)
        stored = _stored_digests(conn, [delivered.digest for delivered in files])
    report, new, seen = IngestReport(), [], set(stored)
    report.files += [FileReport(p.name, "", "", p.status, notes=[p.note]) for p in listing.passed]
    for delivered in files:
        item, digest = delivered.item, delivered.digest
        if digest in seen:
            notes = [WITHDRAWN_NOTE] if stored.get(digest) else []
            report.files.append(FileReport(item.name, item.dataset.name, digest, "skipped", notes=notes))
        else:
            new.append(delivered)
            seen.add(digest)
    arriving = {delivered.item.dataset.name for delivered in new}
    with engine.connect() as conn:
        # Rows waiting for a reference are checked again when what they may be waiting for arrives (or came back):
        # checked when nothing they refer to changed, they would fail as at the last intake.
        pending = pending_rows(conn, waiting_on(arriving | changed_since_intake(conn)))
        known = known_references(conn, arriving, pending, policy)
    spool = Path(archive_dir).parent / "stages"  # PostgreSQL's stages: beside the archive, not in a RAM-backed /tmp
    bulk.sweep(engine, spool=spool)
    # Each file is read, validated and its rows staged before the next is read; the files are stored in one
    # transaction, so one unreadable file stores nothing, and archived once all of them are stored.
    with bulk.staging(engine, spool) as stages, checked_in_turn(new, known, policy, stages) as checked:
        with writing(engine, read_at, stages.attach) as conn:
            for delivered, result in zip(new, checked):
                item, digest = delivered.item, delivered.digest
                store_file(conn, item, digest, _archived_as(item.path, digest, archive_dir), result, who)
                report.files.append(_file_report(item, digest, result))
            report.revalidated = accept_pending(conn, pending, known, policy, who)
            _archive(new, archive_dir)
    report.files.sort(key=lambda f: (f.status in ("ignored", "waiting", "unmatched"),
                                     INGEST_ORDER.index(f.dataset) if f.dataset else 0, f.file_name))
    stamp = report.created_at.strftime("%Y%m%d-%H%M%S-%f")
    write_validation_report(report, Path(archive_dir).parent / "reports" / f"ingest-{stamp}.html")
    return report
