"""changes.csv and the 本版变更说明 of a version after the first: compared with the version it replaces."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tasks.dossiers.common import records
from tasks.dossiers.render import PdfJob
from tasks.outputs.versions import Version
from tasks.rules.changes import CHANGE_COLUMNS, UNCHANGED, Compared, change_causes, event_causes, result_changes

SHOWN = 30  # changes listed in the summary; changes.csv has them all


@dataclass
class VersionChanges:
    """What differs from the version this one replaces, and why."""

    replaces: int
    cause: str
    changes: pd.DataFrame


@dataclass
class FileEvents:
    """The files ingested, corrected, withdrawn or restored since the version replaced (audit-log events: event_id,
    kind, file_id, file_name), and the units their rows concern (file_id, unit_id)."""

    events: pd.DataFrame
    units: pd.DataFrame


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype="str", keep_default_na=False, na_values=[""])


def compare_versions(version: Version, replaces: int | None, compared: tuple[Compared, ...], inputs: list[dict],
                     policy_sha: str, published: Path | None = None,
                     files: FileEvents | None = None) -> VersionChanges | None:
    """Write changes.csv into `version` against v`replaces` (its result files, its manifest) in the folder of the
    published versions (`published`, else the version's own); None for a first version. Result files are read as
    text on both sides, so what is compared is what was published.

    The causes name the `files` events since the version replaced, each unit's own where a file changed its
    rows; where the replaced version predates the audit log, the files that came or went by their SHA-256.
    """
    if replaces is None:
        return None
    previous = (published or version.folder) / f"v{replaces}"
    manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    if files is None:
        cause, per_unit = change_causes(manifest, inputs, policy_sha), pd.Series(dtype="str")
    else:
        cause, per_unit = event_causes(files.events, files.units, manifest.get("policy_sha256") != policy_sha)
    found = [result_changes(_read(previous / c.file), _read(version.path_for(c.file)), c, cause)
             for c in compared if (previous / c.file).is_file()]
    changes = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=CHANGE_COLUMNS)
    changes["cause"] = changes["unit_id"].map(per_unit).fillna(changes["cause"]).astype("str")
    version.write_csv("changes.csv", changes, CHANGE_COLUMNS)
    return VersionChanges(replaces, cause, changes)


def with_changes(jobs: list[PdfJob], changes: VersionChanges | None) -> list[PdfJob]:
    """The jobs, the summary's context told what changed (its 本版变更说明), when this version replaces one."""
    if changes is None:
        return jobs
    note = {"replaces": f"v{changes.replaces}", "cause": changes.cause, "count": len(changes.changes),
            "units": int(changes.changes["unit_id"].nunique()), "rows": records(changes.changes.head(SHOWN)),
            "more": max(len(changes.changes) - SHOWN, 0),
            "unchanged": changes.cause == UNCHANGED and changes.changes.empty}
    return [PdfJob(j.template, {**j.context, "version_changes": note}, j.path) if j.path.name == "summary.pdf" else j
            for j in jobs]
