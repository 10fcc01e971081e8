"""Memory a step has freed, handed back to the operating system before a later step needs it.

Arrow's memory pool and glibc's heap both keep freed memory for their own reuse. After a province's intake or a
500-page document the process keeps gigabytes it no longer uses, which the render workers beside it cannot have.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
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
