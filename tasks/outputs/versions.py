"""Versioned outputs: `<out>/<cycle>/<period>/v<N>/`, a manifest, and `latest` switched only after commit.

CSV conventions (SPEC §4 leaves booleans open): booleans are written `true`/`false`, since the
columns that hold them (`warning`, `veto`, `excellent`) are read by programs and by Excel filters
alike; floats keep full precision (shortest repr that round-trips); a missing value is an empty
cell; a text cell that a spreadsheet would run as a formula is prefixed with `'`.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath, PureWindowsPath

import pandas as pd

from schemas.outputs import CYCLES
from tasks.disk import fsync_dir, sha256_file
from tasks.errors import UnsafePath
from tasks.outputs.excel import write_xlsx
from tasks.periods import check_period

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_VERSION = re.compile(r"^(?:v(\d+)|\.v(\d+)\.partial)$")
_OWNER = ".owner"  # in an unfinished version: locked by the process building it for as long as it lives
_owned: dict[Path, int] = {}  # unfinished version folder -> the descriptor holding its owner lock


def safe_child(base: Path, *parts: str) -> Path:
    """`base` joined with `parts`; UnsafePath when a part is absolute or the result would leave `base`."""
    base = Path(base)
    for part in parts:
        text = str(part)
        pure = PurePosixPath(text.replace("\\", "/"))
        if not text or pure.is_absolute() or PureWindowsPath(text).drive or ".." in pure.parts:
            raise UnsafePath(text)
    child = base.joinpath(*parts)
    # Resolving follows symlinks, so a link inside base that points elsewhere is caught too.
    if not child.resolve().is_relative_to(base.resolve()):
        raise UnsafePath(str(PurePosixPath(*parts)))
    return child


def _text_cells(column: pd.Series, is_text: pd.Series | bool = True) -> pd.Series:
    text = column.astype("string")
    risky = (text.str.startswith(_FORMULA_START) & is_text).fillna(False)
    return text.mask(risky, "'" + text)


def _cells(column: pd.Series) -> pd.Series:
    """One column as the text of its CSV cells (missing values as <NA>)."""
    if pd.api.types.is_bool_dtype(column):
        return column.map({True: "true", False: "false"}, na_action="ignore").astype("string")
    if pd.api.types.is_float_dtype(column):
        return column.astype("float64").map(repr, na_action="ignore").astype("string")
    if pd.api.types.is_numeric_dtype(column):
        return column.astype("string")
    if pd.api.types.is_datetime64_any_dtype(column):
        midnight = (column.dropna() == column.dropna().dt.normalize()).all()
        return column.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S").astype("string")
    if column.dtype == object:
        # Mixed columns keep their numbers as numbers: only the values that are text get escaped.
        is_text = column.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)
        return _text_cells(column.map(_object_cell, na_action="ignore"), is_text)
    return _text_cells(column)


def _object_cell(value) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return pd.NA
    if isinstance(value, float):
        return repr(float(value))
    return str(value)


def write_csv(path: Path, frame: pd.DataFrame, columns: Sequence[str]) -> Path:
    """`frame[columns]` as UTF-8-with-BOM CSV at `path`: deterministic bytes, formulas neutralised."""
    path = Path(path)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"输出缺少列:{'、'.join(missing)}")
    cells = pd.DataFrame({name: _cells(frame[name]) for name in columns}, index=frame.index)
    path.parent.mkdir(parents=True, exist_ok=True)
    cells.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n", na_rep="")
    return path


def _numbers(folder: Path) -> list[int]:
    """Version numbers in `folder`, committed and in progress."""
    if not folder.is_dir():
        return []
    return [int(m.group(1) or m.group(2)) for m in map(_VERSION.match, os.listdir(folder)) if m]


def _period_folder(out: Path, cycle: str, period: str) -> Path:
    if cycle not in CYCLES:
        raise ValueError(f"未知的周期“{cycle}”,应为 {'、'.join(CYCLES)} 之一")
    return safe_child(Path(out), cycle, check_period(cycle, period))


class Version:
    """One version of a cycle's outputs for a period, built in `.v<N>.partial/` until committed."""

    def __init__(self, folder: Path, cycle: str, period: str, number: int) -> None:
        self.folder, self.cycle, self.period, self.number = folder, cycle, period, number
        self.path = folder / f".v{number}.partial"
        self.final_path = folder / f"v{number}"
        self.committed = False

    def __repr__(self) -> str:
        return f"Version({self.cycle}/{self.period}/v{self.number})"

    def __enter__(self) -> Version:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None and not self.committed:
            self.abandon()

    def path_for(self, relative: str) -> Path:
        """Where the file `relative` of this version goes (its folders created)."""
        target = safe_child(self.path, *PurePosixPath(relative.replace("\\", "/")).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_csv(self, relative: str, frame: pd.DataFrame, columns: Sequence[str]) -> Path:
        """`frame[columns]` written as the CSV `relative` of this version."""
        return write_csv(self.path_for(relative), frame, columns)

    def write_xlsx(self, relative: str, frame: pd.DataFrame, columns: Sequence[str], sheet: str) -> Path:
        """`frame[columns]` as the workbook `relative` of this version (Chinese headers, frozen, filtered), dated the
        day it is made."""
        return write_xlsx(self.path_for(relative), frame, columns, sheet, datetime.combine(date.today(), time()))

    def write_text(self, relative: str, text: str) -> Path:
        """`text` written as the UTF-8 file `relative` of this version."""
        target = self.path_for(relative)
        target.write_text(text, encoding="utf-8", newline="\n")
        return target

    def outputs(self) -> list[dict]:
        """Path, SHA-256 and size of every file written so far, sorted by path."""
        files = sorted(p for p in self.path.rglob("*")
                       if p.is_file() and p.name not in ("manifest.json", _OWNER))
        return [{"path": p.relative_to(self.path).as_posix(), "sha256": sha256_file(p, sync=True),
                 "bytes": p.stat().st_size} for p in files]

    def commit(self, manifest: dict) -> Path:
        """Write manifest.json, publish the folder as v<N>, and point `latest` at it if it is the newest."""
        record = {**manifest, "version": self.number, "cycle": self.cycle, "period": self.period,
                  "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                  "outputs": self.outputs()}
        target = self.path / "manifest.json"
        with target.open("w", encoding="utf-8", newline="\n") as handle:
            json.dump(record, handle, ensure_ascii=False, indent=2, sort_keys=True, default=str)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        (self.path / _OWNER).unlink(missing_ok=True)
        for folder in {p.parent for p in self.path.rglob("*")} | {self.path}:
            fsync_dir(folder)
        os.rename(self.path, self.final_path)
        fsync_dir(self.folder)
        self.committed = True
        _release(self.path)
        _advance_latest(self.folder, self.number)
        return self.final_path

    def abandon(self) -> None:
        """Remove the unfinished folder; `latest` and earlier versions are left as they are."""
        if not self.committed:
            shutil.rmtree(self.path, ignore_errors=True)
            _release(self.path)


def _claim(partial: Path) -> None:
    """Lock `partial`'s owner file for this process; the lock is visible only once it is held."""
    temporary = partial / f"{_OWNER}-{os.getpid()}"
    fd = os.open(temporary, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.replace(temporary, partial / _OWNER)  # the lock belongs to the inode, so it moves with the name
    _owned[partial] = fd


def _release(partial: Path) -> None:
    fd = _owned.pop(partial, None)
    if fd is not None:
        os.close(fd)


def _orphaned(partial: Path) -> bool:
    """True when the process that built `partial` is gone: its owner lock is free (the kernel drops it).

    A lock this process holds counts as taken too: each open() is its own file description to flock.
    """
    try:
        fd = os.open(partial / _OWNER, os.O_RDONLY)
    except OSError:  # no owner file yet (being reserved), or already removed by another sweep
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def sweep_orphans(out: Path, cycle: str, period: str) -> list[int]:
    """Remove the unfinished versions whose run was killed; their numbers, so the runs can be closed too."""
    folder = _period_folder(out, cycle, period)
    if not folder.is_dir():
        return []
    swept = []
    for name in sorted(os.listdir(folder)):
        match = _VERSION.match(name)
        if match and match.group(2) and _orphaned(folder / name):
            shutil.rmtree(folder / name, ignore_errors=True)
            swept.append(int(match.group(2)))
    return swept


def _advance_latest(folder: Path, number: int) -> None:
    # The lock makes read-compare-switch one step, so a slower, older run never moves latest back.
    with (folder / ".latest.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = _latest_number(folder)
        if current is not None and current >= number:
            return
        temporary = folder / f"latest.tmp-{os.getpid()}"
        temporary.unlink(missing_ok=True)
        os.symlink(f"v{number}", temporary)
        os.replace(temporary, folder / "latest")
        fsync_dir(folder)


def _latest_number(folder: Path) -> int | None:
    link = folder / "latest"
    if not link.is_symlink():
        return None
    match = _VERSION.match(os.readlink(link))
    return int(match.group(1)) if match and match.group(1) else None


def start_version(out: Path, cycle: str, period: str) -> Version:
    """A new version folder `.v<N>.partial`, N one above every version there, reserved atomically."""
    folder = _period_folder(out, cycle, period)
    folder.mkdir(parents=True, exist_ok=True)
    number = max(_numbers(folder), default=0) + 1
    while True:
        try:
            os.mkdir(folder / f".v{number}.partial")
        except FileExistsError:
            number += 1
            continue
        # Another run may have committed v<N> between our listing and our mkdir.
        if not (folder / f"v{number}").exists():
            _claim(folder / f".v{number}.partial")
            return Version(folder, cycle, check_period(cycle, period), number)
        os.rmdir(folder / f".v{number}.partial")
        number += 1


def latest_version(out: Path, cycle: str, period: str) -> Path | None:
    """The folder `latest` points at, or None before the first commit."""
    folder = _period_folder(out, cycle, period)
    number = _latest_number(folder)
    return folder / f"v{number}" if number is not None else None


def list_versions(out: Path, cycle: str, period: str) -> list[int]:
    """Numbers of the committed versions, ascending."""
    folder = _period_folder(out, cycle, period)
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for m in map(_VERSION.match, os.listdir(folder)) if m and m.group(1))
