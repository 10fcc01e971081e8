"""Shared pieces of the reliability tests: a small inbox, a short policy, reading versions back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from schemas.datasets import DATASETS
from tests.helpers import sha256
from tasks.inbox.reader import read_table

PROJECT = Path(__file__).resolve().parents[2]
# Short designation lists keep rendering brief; the counts are policy settings.
POLICY = "half_year:\n  key_management_count: 2\n  key_supervision_count: 1\n"
HALF_YEAR_FILES = ("units_", "survey_responses_2026H1", "subjects_", "leader_comments_2026H1")


def half_year_inbox(folder: Path, seed: int = 7, names: dict[int, str] | None = None) -> Path:
    """The tiny sample's files a 2026H1 half-year reads; roster rows renamed by position when `names` is given."""
    from tasks.sample.inbox import write_sample_inbox

    full = folder.parent / f"{folder.name}-full"
    write_sample_inbox(full, scale="tiny", seed=seed, year=2026, years=1)
    folder.mkdir(parents=True, exist_ok=True)
    for path in full.iterdir():
        if path.name.startswith(HALF_YEAR_FILES):
            shutil.copy(path, folder / path.name)
    shutil.rmtree(full)
    if names:
        roster = folder / "units_名册.xlsx"
        units = read_table(roster, DATASETS["units"])
        for position, name in names.items():
            units.loc[position, "unit_name"] = name
        units[DATASETS["units"].column_names].to_csv(folder / "units_名册.csv", index=False, encoding="utf-8")
        roster.unlink()
    return folder


def write_policy(folder: Path) -> Path:
    """The short-list policy file."""
    path = folder / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return path




def assert_complete(version: Path) -> dict:
    """Check that `version` holds exactly what its manifest lists, with matching digests; the manifest."""
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    present = {p.relative_to(version).as_posix(): sha256(p) for p in version.rglob("*")
               if p.is_file() and p.name != "manifest.json"}
    assert present == listed
    assert {"ranking.csv", "publicity.csv", "summary.pdf", "publicity.pdf"} <= set(listed)
    return manifest




def cli_env(root: Path) -> dict[str, str]:
    """Environment for an `assess` subprocess: its own data folder and Prefect home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "ASSESS_", "DATABASE_URL"))}
    env.update(ASSESS_DATA_DIR=str(root / "data"), PREFECT_HOME=str(root / "prefect"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    return env


def start_cycle(root: Path, inbox: Path, out: Path, db: str, policy: Path, period: str = "2026H1",
                log_name: str = "run.log") -> subprocess.Popen:
    """`assess run half-year` as a child in its own process group (so it can be killed with its helpers)."""
    log = (root / log_name).open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", "half-year", "--period", period, "--inbox", str(inbox),
         "--out", str(out), "--db", db, "--policy", str(policy)],
        cwd=PROJECT, env=cli_env(root), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
