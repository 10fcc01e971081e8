"""`assess run` ends with exit status 0 after rendering dossiers in its own process (a run of one or two PDFs does
not start a pool): nothing it kept for rendering may outlive WeasyPrint's libraries at the interpreter's exit."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.reliability.helpers import PROJECT, cli_env

pytestmark = pytest.mark.slow


def test_a_run_that_renders_in_its_own_process_exits_cleanly(tmp_path):
    from tasks.sample.inbox import write_sample_inbox

    write_sample_inbox(tmp_path / "inbox", scale="tiny", seed=7, year=2026, years=2)
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "on-site", "--period", "2026-R13", "--inbox", str(tmp_path / "inbox"),
         "--out", str(tmp_path / "out"), "--db", f"sqlite:///{tmp_path / 'assess.db'}"],
        cwd=PROJECT, env=cli_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert (tmp_path / "out" / "on-site" / "2026-R13" / "latest" / "summary.pdf").is_file()
