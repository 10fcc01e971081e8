"""Dossiers a rerun need not render again: content-addressed by the templates and the context they are filled with
(and the characters the embedded faces were cut to, `fonts.cut_version`).

A version's manifest records, per PDF, the key of what it was rendered from (`renders`). The next version renders
only the PDFs whose key differs, or whose earlier file is gone; the others are hard-linked from the earlier
version (copied where the file system cannot link), and the manifest names them under `reused`.

The document number (`〔2026〕年考3号`) counts the versions, so it is left out of the key: a dossier whose content
did not change is the document first issued, and keeps that document's number.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tasks.dossiers.fonts import cut_version
from tasks.dossiers.render import TEMPLATES, PdfJob


@lru_cache(maxsize=1)
def templates_digest(folder: Path = TEMPLATES) -> str:
    """One digest of every template, partial and stylesheet: a change to any of them renders everything anew."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _canonical(value):
    """Values JSON does not know, in a text that is the same in every process (sets sorted)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


VERSION_FIELDS = ("doc_number",)  # context fields that name the version rather than the content
NOTE = "version_changes"  # the summary's 本版变更说明 (tasks/outputs/changes.py); `unchanged` when nothing changed


def render_key(job: PdfJob, leave_out: tuple[str, ...] = ()) -> str:
    """What the PDF of `job` is rendered from: the templates, the cut of the faces embedded, the template's name and
    the context (without the fields `leave_out`)."""
    content = {k: v for k, v in job.context.items() if k not in VERSION_FIELDS + leave_out}
    context = json.dumps(content, sort_keys=True, ensure_ascii=False, default=_canonical)
    parts = f"{templates_digest(TEMPLATES)}\0{cut_version()}\0{job.template}\0{context}"
    return hashlib.sha256(parts.encode()).hexdigest()


def content_key(job: PdfJob) -> str:
    """The render key without the change note: what a document says besides how its version came about."""
    return render_key(job, (NOTE,))


def _says_nothing_changed(job: PdfJob) -> bool:
    note = job.context.get(NOTE)
    return isinstance(note, dict) and bool(note.get("unchanged"))


@dataclass
class Reuse:
    """The jobs of a version split into those to render and those whose PDF an earlier version already has."""

    root: Path  # the version's folder, which the jobs' paths lie in
    keys: dict[str, str] = field(default_factory=dict)  # relative path → render key, every job
    contents: dict[str, str] = field(default_factory=dict)  # relative path → content key, every job
    reused: list[str] = field(default_factory=list)  # relative paths linked from the earlier version
    earlier: str | None = None  # the earlier version's name, when one was looked at

    def manifest(self) -> dict:
        return {"renders": self.keys, "contents": self.contents,
                "reused": {"from": self.earlier, "files": self.reused}}


def _earlier_keys(earlier: Path | None) -> tuple[dict[str, str], dict[str, str]]:
    """The render and content keys of the earlier version's PDFs (none for a version from before they were kept)."""
    if earlier is None or not (earlier / "manifest.json").is_file():
        return {}, {}
    manifest = json.loads((earlier / "manifest.json").read_text(encoding="utf-8"))
    return manifest.get("renders") or {}, manifest.get("contents") or {}


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)


def take_unchanged(jobs: list[PdfJob], root: Path, earlier: Path | None) -> tuple[list[PdfJob], Reuse]:
    """Link into `root` every PDF of `jobs` that `earlier` (a published version) rendered from the same templates and
    context and still holds; the jobs left to render, and what was reused.

    A summary whose change note says nothing changed against `earlier` (same data, same policy, same results) is
    `earlier`'s document when the rest of its content is the same: it keeps that document, change note included,
    and its key."""
    known, contents = _earlier_keys(earlier)
    reuse, left = Reuse(root, earlier=None if earlier is None else earlier.name), []
    for job in jobs:
        relative = job.path.relative_to(root).as_posix()
        key, content = render_key(job), content_key(job)
        source = None if earlier is None else earlier / relative
        same = known.get(relative) == key or (
            _says_nothing_changed(job) and relative in known and contents.get(relative) == content)
        reuse.contents[relative] = content
        if same and source is not None and source.is_file():
            _link(source, job.path)
            reuse.reused.append(relative)
            reuse.keys[relative] = known[relative]
        else:
            reuse.keys[relative] = key
            left.append(job)
    return left, reuse
