"""What makes a file written here survive a power cut: its folder's entries flushed to disk."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """The entries of `folder` (files renamed into it, created or removed) flushed to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
