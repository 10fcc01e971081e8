"""Helpers the tests share: reading published CSVs and PDFs back, digests, free ports."""

from __future__ import annotations

import hashlib
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

CODE_COLUMNS = ("unit_id", "person_id", "单位编码")


def read_csv(path: Path) -> pd.DataFrame:
    """A published CSV with its code columns kept as text and empty cells as missing."""
    return pd.read_csv(path, encoding="utf-8-sig", dtype=dict.fromkeys(CODE_COLUMNS, str),
                       keep_default_na=False, na_values=[""])


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def deliver(folder: Path, files: dict[str, str]) -> Path:
    """A new inbox `folder` holding `files` (name → text, written as UTF-8)."""
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def file_hashes(folder: Path) -> dict[str, str]:
    """The SHA-256 of every file below `folder`, by relative path."""
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def pdf_text(pdf: Path) -> str:
    """The PDF's text with all white space removed, so wrapped table cells read whole."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return "".join(text.split())


# The faces the stylesheet names: the four cut to the common characters, and the same four whole for a character
# outside the cut; any other font in a dossier is a fallback for a glyph they all lack.
DOSSIER_FACES = {f"{family}{weight}" for family in ("Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC")
                 for weight in ("-Common", "-Common-Bold", "", "-Bold")}


def dossier_fonts_are_sound(pdf: Path) -> bool:
    """Whether every font of the PDF is embedded and one of the stylesheet's Simplified Chinese faces."""
    fonts = pdf_fonts(pdf)
    return bool(fonts) and all(embedded and name in DOSSIER_FACES for name, embedded in fonts)


def pdf_fonts(pdf: Path) -> list[tuple[str, bool]]:
    """Each font of the PDF as (name without subset prefix, embedded)."""
    lines = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout.splitlines()
    rows = [line.split() for line in lines[2:] if line.strip()]
    return [(row[0].split("+")[-1], row[-5] == "yes") for row in rows]


def stages_left(engine, spool: Path) -> list[str]:
    """The ingest stages still there: SQLite stage files beside the database, or PostgreSQL spool folders in `spool`
    (and stage tables, as earlier versions made them)."""
    from sqlalchemy import inspect

    from tasks.store import bulk

    if engine.dialect.name == "sqlite":
        database = Path(engine.url.database)
        return sorted(p.name for p in database.parent.glob(f".{database.name}{bulk.STAGE_PREFIX}*"))
    return sorted([p.name for p in Path(spool).glob(f"{bulk.STAGE_PREFIX}*")]
                  + [t for t in inspect(engine).get_table_names() if t.startswith(bulk.STAGE_PREFIX)])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def sample_workspace(root: Path) -> Iterator[tuple[Path, Path, str]]:
    """The tiny two-year sample inbox under `root`, with a data folder, database and policy folder (`root`) of its own."""
    from tasks.sample.inbox import write_sample_inbox
    from tasks.settings import get_settings

    with pytest.MonkeyPatch.context() as patch:
        db = f"sqlite:///{root / 'assess.db'}"
        patch.setenv("ASSESS_DATA_DIR", str(root / "data"))
        patch.setenv("DATABASE_URL", db)
        patch.setenv("ASSESS_POLICY_DIR", str(root))
        get_settings.cache_clear()
        try:
            write_sample_inbox(root / "inbox", scale="tiny", seed=7, year=2026, years=2)
            yield root / "inbox", root / "out", db
        finally:
            get_settings.cache_clear()
