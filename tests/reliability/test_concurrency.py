"""Concurrency: two runs of the same half-year started together end in two complete versions, or one clear refusal."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.reliability.helpers import half_year_inbox, start_cycle, write_policy
from tests.reliability.state import assert_database_sound, assert_versions_sound

pytestmark = pytest.mark.slow
DEADLINE = 300


def test_two_runs_of_one_period_started_together(tmp_path):
    inbox = half_year_inbox(tmp_path / "inbox")
    out, db, policy = tmp_path / "out", f"sqlite:///{tmp_path / 'assess.db'}", write_policy(tmp_path)
    processes = [start_cycle(tmp_path, inbox, out, db, policy, log_name=f"run{n}.log") for n in (1, 2)]
    try:
        codes = [p.wait(timeout=DEADLINE) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
    logs = [(tmp_path / f"run{n}.log").read_text(encoding="utf-8", errors="replace") for n in (1, 2)]
    finished = [log for code, log in zip(codes, logs) if code == 0]
    refused = [log for code, log in zip(codes, logs) if code != 0]
    assert finished, logs
    # A refused run exits with the operator's error line, in Chinese, not a traceback alone.
    assert all(code in (0, 2) for code in codes), logs
    assert all("错误:" in log for log in refused), refused
    committed = assert_versions_sound(out / "half-year" / "2026H1")
    assert committed == [f"v{n}" for n in range(1, len(finished) + 1)]
    assert not list((out / "half-year" / "2026H1").glob(".v*.partial"))
    # The inbox is stored once although both runs read it at the same moment.
    assert assert_database_sound(db) == {"files": len(list(inbox.iterdir())), "complete_runs": len(finished)}


# Both processes import first, then start migrating at the same instant (argv[2]), as two scheduled runs do.
RACE_SCRIPT = ("import sys, time\nfrom tasks.store.engine import get_engine\n"
               "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\nget_engine(sys.argv[1])\nprint('migrated')\n")


@pytest.mark.parametrize("attempt", range(3))
def test_two_processes_migrate_a_new_sqlite_file_together(tmp_path, attempt):
    """Two runs started together on a new SQLite file: one creates the schema, the other waits and finds it."""
    import subprocess
    import sys

    import time

    url, start = f"sqlite:///{tmp_path / 'new.db'}", str(time.time() + 8)
    procs = [subprocess.Popen([sys.executable, "-c", RACE_SCRIPT, url, start], cwd=Path(__file__).resolve().parents[2],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [p.communicate(timeout=300) for p in procs]
    # Before the lock, the loser died with “table ingested_files already exists”.
    assert [(p.returncode, out) for p, (out, _) in zip(procs, outcomes)] == [(0, "migrated\n")] * 2, outcomes
