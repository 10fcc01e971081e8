"""A cycle run lets go of its inputs before it renders: the dossiers of a large run need the memory more."""

from __future__ import annotations

import gc
import weakref

import pytest

from tests.helpers import sample_workspace

pytestmark = pytest.mark.slow


def test_inputs_let_go_before_rendering_but_the_units(tmp_path, prefect_harness, monkeypatch):
    import flows.cycle
    import tasks.cycles.common as common
    from flows.on_site_review import on_site_review

    loaded, alive = {}, []
    read, render = common.cycle_data, flows.cycle.render_version

    def reading(*args, **kwargs):
        data = read(*args, **kwargs)
        loaded.update({name: weakref.ref(frame) for name, frame in data.frames.items()})
        return data

    def rendering(*args, **kwargs):
        gc.collect()
        alive.append(sorted(name for name, ref in loaded.items() if ref() is not None))
        return render(*args, **kwargs)

    monkeypatch.setattr(common, "cycle_data", reading)
    monkeypatch.setattr(flows.cycle, "render_version", rendering)
    with sample_workspace(tmp_path) as (inbox, out, _):
        on_site_review("2026-R13", reason="现场点评结束", inbox=str(inbox), out=str(out))
    assert len(loaded) >= 4  # the review's registries, questionnaires and findings
    assert alive == [["units"] if "units" in loaded else []]
