"""Crash safety: a half-year run killed during intake, after storage and while rendering leaves nothing half-made."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.reliability.helpers import assert_complete, half_year_inbox, start_cycle, write_policy
from tests.reliability.state import assert_database_sound, assert_versions_sound, run_statuses

pytestmark = pytest.mark.slow
DEADLINE = 240


def _archived(root: Path, folder: Path) -> bool:
    """Inbox files are being copied to the archive, which happens inside the storage transaction."""
    return any(p.is_file() for p in (root / "data" / "archive").rglob("*"))


def _partial(root: Path, folder: Path) -> bool:
    """A version folder is reserved: intake has committed and the run is computing."""
    return any(p.name.endswith(".partial") for p in folder.glob(".v*"))


def _rendering(root: Path, folder: Path) -> bool:
    """A dossier PDF has appeared in the unfinished version."""
    return any(folder.glob(".v*.partial/**/*.pdf"))


KILL_POINTS = [("during intake", _archived), ("after storage", _partial), ("while rendering", _rendering)]


def _kill_when(process, seen, root: Path, folder: Path) -> None:
    deadline = time.monotonic() + DEADLINE
    while not seen(root, folder):
        assert process.poll() is None, f"the run ended (code {process.returncode}) before the kill point"
        assert time.monotonic() < deadline, "the kill point never came"
        time.sleep(0.02)
    # The run's whole process group: the flow, its temporary Prefect server and the PDF workers.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_killed_runs_leave_nothing_half_made_and_a_rerun_completes(tmp_path):
    inbox = half_year_inbox(tmp_path / "inbox")
    out, db, policy = tmp_path / "out", f"sqlite:///{tmp_path / 'assess.db'}", write_policy(tmp_path)
    folder = out / "half-year" / "2026H1"
    for name, seen in KILL_POINTS:
        process = start_cycle(tmp_path, inbox, out, db, policy, log_name=f"{name}.log")
        try:
            _kill_when(process, seen, tmp_path, folder)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        assert process.returncode == -signal.SIGKILL
        # Nothing was committed before the version's manifest, so no version and no result is visible.
        assert assert_versions_sound(folder) == [], name
        assert assert_database_sound(db)["complete_runs"] == 0, name
    process = start_cycle(tmp_path, inbox, out, db, policy, log_name="rerun.log")
    assert process.wait(timeout=DEADLINE) == 0, (tmp_path / "rerun.log").read_text(encoding="utf-8")
    committed = assert_versions_sound(folder)
    assert len(committed) == 1
    manifest = assert_complete(folder / committed[0])
    # Each inbox file is stored exactly once, whichever run got it in.
    assert sorted(f["file_name"] for f in manifest["inputs"]) == sorted(p.name for p in inbox.iterdir())
    assert assert_database_sound(db) == {"files": len(list(inbox.iterdir())), "complete_runs": 1}
    # The killed runs' unfinished folders are swept and their runs closed as failed, not left "running".
    assert not list(folder.glob(".v*.partial"))
    statuses = run_statuses(db)
    assert statuses["complete"] == 1 and statuses["running"] == 0 and statuses["failed"] >= 1, statuses
