"""Freed memory goes back to the operating system when a step hands it back."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc

from tasks.memory import give_back, set_aside_while


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


class _Node:
    def __init__(self) -> None:
        self.other = self  # a reference cycle: only the cyclic collector frees it


def _tracked(node: object) -> bool:
    """Whether the cyclic collector's passes reach `node` (a set-aside object is in none of its generations)."""
    return any(o is node for o in gc.get_objects())


def test_objects_set_aside_while_rendering_are_freed_after_and_new_garbage_within():
    before = _Node()
    probe = weakref.ref(before)
    with set_aside_while():
        assert not _tracked(before)
        made_within = weakref.ref(_Node())  # garbage made while the block runs: still collected
        gc.collect()
        assert made_within() is None
        del before
        gc.collect()
        assert probe() is not None  # a cycle among the set-aside objects waits for the block's end
        with set_aside_while():  # an inner block leaves them set aside
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert probe() is None


def test_a_render_worker_sets_its_long_lived_objects_aside_once_its_keeper_is_made(tmp_path):
    # The worker's initializer, in a process of its own as in the pool: modules, fonts and the faces' stylesheet
    # (about 100,000 objects) are out of the collector's passes for the worker's life.
    script = ("import gc, sys, tempfile; from pathlib import Path; sys.path.insert(0, '.')\n"
              "from tasks.dossiers import render; from tasks.dossiers.fonts import face_rules\n"
              "render._keep_in_this_worker(face_rules(), Path(sys.argv[1]))\n"
              "print(gc.get_freeze_count(), isinstance(render._worker_keeper, render.Keeper))\n"
              "render._worker_keeper.close()\n")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    count, kept = done.stdout.split()
    assert int(count) > 50_000 and kept == "True"
