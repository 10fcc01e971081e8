"""What a reader may see after any interruption: only complete versions, and a database without half-writes."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, func, select

from tasks.store.tables import dataset_tables, ingested_files, rejected_rows, result_tables, runs
from tests.reliability.helpers import assert_complete

_COMMITTED = re.compile(r"^v\d+$")


def assert_versions_sound(period_folder: Path) -> list[str]:
    """Every committed version is complete and `latest` is absent or names the newest one; their names."""
    if not period_folder.exists():
        return []
    committed = sorted((p.name for p in period_folder.iterdir() if _COMMITTED.match(p.name)),
                       key=lambda n: int(n[1:]))
    for name in committed:
        assert_complete(period_folder / name)
    latest = period_folder / "latest"
    if committed:
        assert os.readlink(latest) == committed[-1]
    else:
        assert not latest.exists() and not latest.is_symlink()
    return committed


def assert_database_sound(db: str) -> dict[str, int]:
    """Every ingested file is wholly stored and results belong to complete runs only; the counts seen."""
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            files = conn.execute(select(ingested_files.c.file_id, ingested_files.c.dataset,
                                        ingested_files.c.rows_accepted, ingested_files.c.rows_rejected)).all()
            for file_id, dataset, accepted, rejected in files:
                table = dataset_tables[dataset]
                stored = conn.execute(select(func.count()).where(table.c._file_id == file_id)).scalar_one()
                # A quarantined row let in later by re-validation stays listed, marked with when it got in.
                quarantined = conn.execute(select(func.count()).select_from(rejected_rows)
                                           .where(rejected_rows.c.file_id == file_id,
                                                  rejected_rows.c.accepted_at.is_(None))).scalar_one()
                assert (stored, quarantined) == (accepted, rejected)
            complete = set(conn.execute(select(runs.c.run_id).where(runs.c.status == "complete")).scalars())
            for table in result_tables.values():
                owners = set(conn.execute(select(table.c.run_id).distinct()).scalars())
                assert owners <= complete, table.name
            return {"files": len(files), "complete_runs": len(complete)}
    finally:
        engine.dispose()


def run_statuses(db: str) -> Counter:
    """How many runs the database records in each status (running, complete, failed)."""
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return Counter(conn.execute(select(runs.c.status)).scalars())
    finally:
        engine.dispose()
