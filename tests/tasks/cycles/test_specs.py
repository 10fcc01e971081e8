"""Every cycle's spec on a tiny stored sample: computed, written and turned into dossiers with its plain steps.

The flows run these same functions as tasks (flows/cycle.py); here they run bare, as the benchmarks call them,
and every dossier of every cycle is rendered to HTML: each template renders with the context its cycle builds.
"""

from __future__ import annotations

import uuid
from datetime import date

import pandas as pd
import pytest

from schemas.policy import Policy
from tasks.cycles.common import Run, cycle_data, data_quality
from tasks.cycles.registry import SPECS
from tasks.cycles.spec import CycleRun
from tasks.dossiers.render import render_html
from tasks.inbox.ingest import ingest_inbox
from tasks.outputs.publication import draft_publication, final_publication, with_publication
from tasks.outputs.versions import start_version
from tasks.sample.inbox import write_sample_inbox
from tasks.store.engine import get_engine

PERIODS = {"quarterly": "2026Q2", "half-year": "2026H1", "annual": "2026", "points": "2026", "on-site": "2026-R13"}
# The templates each cycle's dossiers use: every one must be rendered here.
TEMPLATES = {
    "quarterly": {"quarterly_summary.html", "quarterly_publicity.html", "quarterly_unit.html"},
    "half-year": {"half_year_summary.html", "half_year_publicity.html", "half_year_unit.html"},
    "annual": {"annual_summary.html", "annual_publicity.html", "annual_unit.html"},
    "points": {"points_summary.html", "points_publicity.html"},
    "on-site": {"on_site_summary.html"},
}
STANDALONE = ("points", "on-site")
APPEALS = pd.DataFrame({
    "appeal_id": ["A1"], "unit_id": ["U0001"], "filed_at": pd.to_datetime(["2027-01-22"]), "item": ["排名"],
    "reason": ["有异议"], "status": ["受理"], "refusal_reason": [""], "decision": ["维持"],
    "decided_at": pd.to_datetime(["2027-02-01"]), "note": ["维持原结果"],
})  # cycles whose results no later run reads: they store no result tables


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("specs")
    write_sample_inbox(folder / "inbox", scale="tiny", seed=5, year=2026)
    db_url = f"sqlite:///{folder / 'assess.db'}"
    ingest_inbox(folder / "inbox", get_engine(db_url), folder / "archive")
    return db_url, folder


@pytest.mark.parametrize("code", sorted(SPECS))
def test_spec_computes_writes_and_renders_every_dossier(stored, code):

    db_url, folder = stored
    spec, period, policy = SPECS[code], PERIODS[code], Policy()
    run = Run(str(uuid.uuid4()), code, period, policy, None, "测试", start_version(folder / "out", code, period))
    cycle = CycleRun(db_url, cycle_data(db_url, code, period).frames, run, {"all_units": True})

    outcome = spec.compute(cycle)
    tables = spec.results(outcome)
    assert bool(tables) == (code not in STANDALONE)
    registered = set(cycle.data["units"]["unit_id"]) if "units" in cycle.data else set()
    for name, table in tables.items():
        assert len(table) > 0, name
        assert set(table["unit_id"].dropna()) <= registered, name  # results speak only of registered units

    written = spec.write_files(cycle, outcome)
    for path in written:
        read = pd.read_excel if path.suffix == ".xlsx" else pd.read_csv
        assert len(read(path)) > 0, path.name

    jobs = spec.dossiers(cycle, outcome, data_quality(db_url, code, period))
    assert {job.template for job in jobs} == TEMPLATES[code]
    assert len({job.path for job in jobs}) == len(jobs)  # no dossier overwrites another
    for job in jobs:
        html = render_html(job.template, job.context)
        assert f"<title>{job.context['title']}</title>" in html, job.path.name
        assert job.context["issuer"] == policy.issuer
        assert "公示期:" not in html  # no window unless one is published

    # Any cycle may be given a publicity window (policy `cycles_with_window`): its summary and list then state it.
    draft = draft_publication(code, date(2027, 1, 20), Policy.model_validate(
        {"publicity": {"cycles_with_window": [code]}}))
    final = final_publication({"version": 1, "window_start": draft.window_start, "window_end": draft.window_end},
                              date(2027, 2, 3), APPEALS)
    for job in with_publication(jobs, draft, policy):
        if "publication" in job.context:
            assert "公示期:2027年1月21日至2027年1月27日" in render_html(job.template, job.context), job.path.name
    for job in with_publication(jobs, final, policy):
        if "publication" in job.context:
            html = render_html(job.template, job.context)
            assert "现正式公布" in html if job.path.name == "publicity.pdf" else "本版为正式版" in html, job.path.name


def test_every_cycle_template_is_rendered_here():
    from pathlib import Path

    names = {p.name for p in (Path(__file__).resolve().parents[3] / "templates").glob("*.html")}
    cycle_templates = {n for n in names if not n.startswith("_") and n not in ("ingest_report.html", "delivery_index.html")}
    assert set().union(*TEMPLATES.values()) == cycle_templates


def test_each_cycle_loads_only_its_period_window(stored):
    # A run reads the rows of its period (SPEC §6), not every row stored: the sample holds a whole year.
    db_url, _ = stored
    half = cycle_data(db_url, "half-year", "2026H1").frames
    assert set(half["survey_responses"]["period"]) == {"2026H1"}
    assert set(half["leader_comments"]["date"].dt.month) <= set(range(1, 7))
    quarter = cycle_data(db_url, "quarterly", "2026Q2").frames
    received = quarter["platform_cases"]["received_at"]
    assert received.min() >= pd.Timestamp("2026-04-01") and received.max() < pd.Timestamp("2026-07-01")
    assert set(quarter["commitment_status"]["period"]) == {"2026Q1", "2026Q2"}
    site = cycle_data(db_url, "on-site", "2026-R13").frames
    assert set(site["site_questionnaires"]["review_id"]) == {"2026-R13"} and len(site["site_reviews"]) == 1
    # Registries are read whole.
    from tasks.store.datasets import load_dataset
    from tasks.store.engine import get_engine

    assert len(half["units"]) == len(load_dataset(get_engine(db_url), "units"))
