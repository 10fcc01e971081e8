"""Memory a step has freed, handed back to the operating system before a later step needs it; and the objects a
long run of small documents keeps, set aside from Python's cyclic collector.

Arrow's memory pool and glibc's heap both keep freed memory for their own reuse. After a province's intake or a
500-page document the process keeps gigabytes it no longer uses, which the render workers beside it cannot have.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import pyarrow as pa


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library is another."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def give_back() -> None:
    """Freed memory returned to the system: cycles collected, then Arrow's pool and glibc's heap trimmed."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    if (trim := _malloc_trim()) is not None:
        trim(0)


def set_aside() -> None:
    """Everything alive now kept out of the cyclic collector's passes from here on.

    A render worker holds about 100,000 long-lived objects (the modules, WeasyPrint's fonts and the faces'
    stylesheet; a flow's process many more, its data too) and makes hundreds of thousands of short-lived ones a
    dossier; the collector's passes went over the long-lived ones again and again: 24-30 ms of a city unit dossier's
    260-310 ms in a worker, 13-15 ms with them set aside. Reference counting still frees whatever of them is let
    go; only a cycle among them waits for `gc.unfreeze`. The setting is the process's, not a thread's."""
    gc.collect()
    gc.freeze()


@contextmanager
def set_aside_while() -> Iterator[None]:
    """`set_aside` for the block; at its end the objects are back in the collector's sight (within a block
    that set them aside already, nothing changes). Blocks running at once in threads of one process (batches on a
    Dask worker's threads) share the setting: the first to end gives the objects back for all, which costs the
    others time, not memory."""
    if gc.get_freeze_count():
        yield
        return
    set_aside()
    try:
        yield
    finally:
        gc.unfreeze()
