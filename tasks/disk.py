"""Files on disk: their SHA-256, and what makes a file written here survive a power cut (its data and its folder's
entries flushed to disk)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """The entries of `folder` (files renamed into it, created or removed) flushed to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path, sync: bool = False) -> str:
    """The SHA-256 of the file at `path`, read a megabyte at a time; with `sync`, its data flushed to disk as well
    (a file just written that a manifest is about to vouch for)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
        if sync:
            os.fsync(handle.fileno())
    return digest.hexdigest()
