"""Freed memory goes back to the operating system when a step hands it back."""

from __future__ import annotations

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc

from tasks.memory import give_back


def test_memory_freed_by_arrow_goes_back_to_the_system():
    def resident() -> int:
        return psutil.Process().memory_info().rss >> 20

    give_back()
    start = resident()
    tables = [pc.add(pa.array(np.arange(20_000_000)), i) for i in range(4)]  # 640 MB from Arrow's pool
    assert resident() > start + 500
    del tables
    give_back()
    # Arrow's pool keeps what it freed for itself (the resident size does not move on `del`) until handed back.
    assert resident() < start + 100
