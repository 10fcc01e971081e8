"""Runs and their published results in the database: started, completed or failed, and the result rows they stored."""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterable
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update

from tasks.store.state import DataState
from tasks.store.tables import ingested_files, result_tables, runs

KILLED = "运行被强行中断(进程终止),未完成的版本已清除"


def record_start(engine: Engine, row: dict, killed_dirs: Iterable[str] = ()) -> None:
    """Insert the run `row` as running, and mark failed the runs whose unfinished folders `killed_dirs` were swept."""
    killed_dirs = list(killed_dirs)
    with engine.begin() as conn:
        if killed_dirs:
            # Runs killed outside Python (SIGKILL, power loss) could not say so themselves.
            conn.execute(update(runs).where(runs.c.status == "running", runs.c.out_dir.in_(killed_dirs)).values(
                status="failed", finished_at=datetime.now(), error=json.dumps({"error": KILLED}, ensure_ascii=False)))
        conn.execute(insert(runs).values(status="running", **row))


def record_failure(engine: Engine, run_id: str, error: BaseException) -> None:
    """Mark the run failed, with the error and the last lines of its trace."""
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.run_id == run_id).values(
            status="failed", finished_at=datetime.now(),
            error=json.dumps({"error": str(error), "trace": traceback.format_exception(error)[-3:]},
                             ensure_ascii=False),
        ))


def store_results(conn: Connection, run_id: str, period: str, results: dict[str, pd.DataFrame]) -> None:
    """The result rows of a run, one table per result frame, inside the caller's transaction."""
    for table, frame in results.items():
        columns = [c.name for c in result_tables[table].columns if c.name not in ("run_id", "period")]
        clean = frame[columns].astype(object).where(frame[columns].notna(), None)
        rows = [{"run_id": run_id, "period": period, **row} for row in clean.to_dict("records")]
        if rows:
            conn.execute(insert(result_tables[table]), rows)


def mark_complete(conn: Connection, run_id: str) -> None:
    """Mark the run complete, inside the caller's transaction (the one that publishes its version)."""
    conn.execute(update(runs).where(runs.c.run_id == run_id).values(status="complete", finished_at=datetime.now()))


def input_files(conn: Connection, datasets: Iterable[str], state: DataState | None = None) -> list[dict]:
    """Every ingested file of `datasets` that counts (now, or in the data state `state`): name, dataset, SHA-256,
    kind (plain or correction) and row counts, in the order they came in."""
    c = ingested_files.c
    query = (select(c.file_name, c.dataset, c.sha256, c.kind, c.rows_read, c.rows_accepted, c.rows_rejected)
             .where(c.dataset.in_(list(datasets))).order_by(c.file_id))
    if state is not None and state.as_of:
        query = query.where(c.file_id.in_(list(state.active_files)))
    else:
        query = query.where(c.withdrawn.is_(False))
    return [dict(row) for row in conn.execute(query).mappings().all()]


def load_results(engine: Engine, table: str, period: str, before: datetime | None = None) -> pd.DataFrame | None:
    """The stored result rows of the newest complete run for `period` (of those finished `before`, when given: a
    reproduction reads what was published then), or None when there is none."""
    result = result_tables[table]
    query = (select(runs.c.run_id).join(result, result.c.run_id == runs.c.run_id)
             .where(runs.c.status == "complete", result.c.period == period)
             .order_by(runs.c.finished_at.desc()).limit(1))
    if before is not None:
        query = query.where(runs.c.finished_at < before)
    with engine.connect() as conn:
        run_id = conn.execute(query).scalar()
        if run_id is None:
            return None
        frame = pd.read_sql(select(result).where(result.c.run_id == run_id), conn)
    return frame.drop(columns=["run_id"])


def publications(engine: Engine) -> pd.DataFrame:
    """Every complete run with a publication (公示稿 or 正式): cycle, period, version, publication, published_on,
    window_start, window_end and its folder, by cycle, period and version."""
    c = runs.c
    query = (select(c.run_id, c.cycle, c.period, c.version, c.publication, c.published_on, c.window_start,
                    c.window_end, c.out_dir)
             .where(c.status == "complete", c.publication.is_not(None)).order_by(c.cycle, c.period, c.version))
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    dates = ["published_on", "window_start", "window_end"]
    return frame.astype({"version": "int64"}).assign(**{d: pd.to_datetime(frame[d]) for d in dates})


def _final(c):
    # A version is final once published as 正式; a cycle without a publicity window is final on the day issued.
    return or_(c.publication == "正式", and_(c.publication.is_(None), c.published_on.is_not(None)))


def final_published_on(engine: Engine, cycle: str, period: str, before: datetime | None = None):
    """The day the first final version of `cycle` and `period` was published (of those finished `before`, when
    given), or None while it has none: when the rectification clock started."""
    finals = final_versions(engine, cycle, before)
    found = finals.loc[finals["period"].eq(period), "published_on"]
    return found.iloc[0].date() if len(found) else None


def final_versions(engine: Engine, cycle: str, before: datetime | None = None) -> pd.DataFrame:
    """period, published_on: the day each period of `cycle` was first published final (by the runs finished
    `before`, when given)."""
    c = runs.c
    query = (select(c.period, func.min(c.published_on).label("published_on"))
             .where(c.status == "complete", _final(c), c.cycle == cycle).group_by(c.period).order_by(c.period))
    if before is not None:
        query = query.where(c.finished_at < before)
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    return frame.assign(published_on=pd.to_datetime(frame["published_on"]))
