"""Reproduction (SPEC §6): a published version recomputed from the data as it stood when it was made, its CSV files
checked against the SHA-256 its manifest recorded."""

from __future__ import annotations

import difflib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from schemas.policy import Policy
from tasks.cycles.common import Run, cycle_data, recorded_state, rejected_files
from tasks.cycles.registry import SPECS
from tasks.cycles.spec import CycleRun, version_changes
from tasks.disk import sha256_file
from tasks.errors import AssessError
from tasks.outputs.versions import Version, list_versions, safe_child, start_version
from tasks.periods import check_period
from tasks.store.engine import get_engine
from tasks.store.state import state_at
from tasks.store.tables import runs

SHOWN_LINES = 6  # differing lines shown per file


@dataclass
class Reproduction:
    """The outcome: the CSV files compared, and per differing file what differs."""

    version: str
    compared: int = 0
    differences: dict[str, list[str]] = field(default_factory=dict)

    def text(self) -> str:
        if not self.differences:
            return f"一致:{self.version} 的 {self.compared} 个 CSV 文件按当时的数据重算,SHA-256 与清单完全相同。"
        lines = [f"不一致:{self.version} 的 {self.compared} 个 CSV 文件中有 {len(self.differences)} 个与清单不同:"]
        for name, detail in self.differences.items():
            lines.append(f"— {name}")
            lines += [f"    {line}" for line in detail]
        return "\n".join(lines)


def _options(manifest: dict) -> dict:
    """The run's own options, as its manifest recorded them."""
    options = {"all_units": bool(manifest.get("all_units", False))}
    if manifest.get("sample_seed") is not None:
        options["seed"] = int(manifest["sample_seed"])
    return options


def _manifest(out: Path, cycle: str, period: str, number: int) -> tuple[Path, dict]:
    if cycle not in SPECS:
        raise AssessError(f"未知的周期“{cycle}”,应为 {'、'.join(SPECS)} 之一")
    folder = safe_child(Path(out), cycle, check_period(cycle, period))
    if number not in list_versions(out, cycle, period):
        raise AssessError(f"{folder} 下没有已发布的版本 v{number}")
    manifest = json.loads((folder / f"v{number}" / "manifest.json").read_text(encoding="utf-8"))
    if not (manifest.get("data_state") or {}).get("position"):
        raise AssessError(f"v{number} 生成于记录数据状态之前,清单中没有数据状态,无法按当时的数据复现")
    return folder, manifest


def _differences(expected: Path, actual: Path) -> list[str]:
    if not actual.is_file():
        return ["重算未生成此文件"]
    if not expected.is_file():
        return ["重算内容与清单记录的 SHA-256 不同(已发布的文件不在原处,无法逐行比较)"]
    before = expected.read_text(encoding="utf-8-sig").splitlines()
    after = actual.read_text(encoding="utf-8-sig").splitlines()
    diff = [line for line in difflib.unified_diff(before, after, "清单所记", "按当时数据重算", lineterm="", n=0)
            if not line.startswith("@@")]
    return diff[:SHOWN_LINES] + ([f"……另有 {len(diff) - SHOWN_LINES} 行不同"] if len(diff) > SHOWN_LINES else [])


def reproduce(out: Path, cycle: str, period: str, number: int, db_url: str) -> Reproduction:
    """Recompute v`number` of `cycle` `period` under `out` from the data state its manifest recorded, with the
    policy, options and earlier published results of then, and compare its CSV files with the manifest's."""
    folder, manifest = _manifest(out, cycle, period, number)
    spec = SPECS[cycle]
    engine = get_engine(db_url)
    with engine.connect() as conn:
        started_at = conn.execute(select(runs.c.started_at).where(runs.c.run_id == manifest["run_id"])).scalar()
        state = state_at(conn, manifest["data_state"]["position"], started_at)
    data = cycle_data(db_url, cycle, period, state)
    replaces = manifest.get("replaces")
    with tempfile.TemporaryDirectory(prefix="assess-reproduce-") as scratch:
        version = start_version(Path(scratch), cycle, period)
        run = Run(manifest["run_id"], cycle, period, Policy.model_validate(manifest["policy"]),
                  manifest.get("policy_file"), manifest["reason"], version, started_at=started_at,
                  replaces=int(replaces[1:]) if replaces else None, state=state,
                  previous_state=recorded_state(folder / replaces) if replaces else None, window=data.window)
        cycle_run = CycleRun(db_url, data.frames, run, _options(manifest))
        outcome = spec.compute(cycle_run)
        rejected_files(db_url, run)
        spec.write_files(cycle_run, outcome)
        version_changes(spec, cycle_run, published=folder)
        return _compare(folder / f"v{number}", manifest, version)


def _compare(published: Path, manifest: dict, version: Version) -> Reproduction:
    recorded = {o["path"]: o["sha256"] for o in manifest["outputs"] if o["path"].endswith(".csv")}
    made = {p.relative_to(version.path).as_posix() for p in version.path.rglob("*.csv")}
    result = Reproduction(published.name, compared=len(recorded | dict.fromkeys(made)))
    for name in sorted(set(recorded) | made):
        if name not in recorded:
            result.differences[name] = ["清单中没有此文件,重算却生成了它"]
        elif name not in made or sha256_file(version.path / name) != recorded[name]:
            result.differences[name] = _differences(published / name, version.path / name)
    return result
