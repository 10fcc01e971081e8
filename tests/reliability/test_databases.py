"""SQLite and PostgreSQL give byte-identical outputs for all three cycles; a rerun gives the same bytes again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import POSTGRES_ADMIN_URL, POSTGRES_AVAILABLE, _drop_postgres_database, _postgres_database
from tests.helpers import sha256
from tests.reliability.helpers import write_policy

RUNS = (("half-year", "2026H1"), ("quarterly", "2026Q4"), ("annual", "2026"))
pytestmark = pytest.mark.slow


def _run_all(root: Path, inbox: Path, policy: Path, db: str, runs=RUNS) -> dict[str, Path]:
    from flows.annual_assessment import annual_assessment
    from flows.half_year_comment import half_year_comment
    from flows.quarterly_review import quarterly_review
    from tasks.settings import get_settings

    flows = {"half-year": half_year_comment, "quarterly": quarterly_review, "annual": annual_assessment}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSESS_DATA_DIR", str(root / "data"))
        patch.setenv("DATABASE_URL", db)
        patch.setenv("ASSESS_POLICY_DIR", str(policy.parent))
        get_settings.cache_clear()
        folders = {cycle: Path(flows[cycle](period=period, reason="测试", inbox=str(inbox), out=str(root / "out"),
                                            policy=policy.stem))
                   for cycle, period in runs}
    get_settings.cache_clear()
    return folders


def _csv_digests(folders: dict[str, Path]) -> dict[str, str]:
    return {f"{cycle}/{p.relative_to(folder).as_posix()}": sha256(p)
            for cycle, folder in folders.items() for p in sorted(folder.rglob("*.csv"))}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, prefect_harness):
    """The three cycles on the tiny sample, on SQLite (twice) and on PostgreSQL when it is reachable."""
    from tasks.store.engine import get_engine
    from tasks.sample.inbox import write_sample_inbox

    root = tmp_path_factory.mktemp("databases")
    inbox = root / "inbox"
    write_sample_inbox(inbox, scale="tiny", seed=11, year=2026, years=1)
    policy = write_policy(root)
    results = {"sqlite": _run_all(root / "sqlite", inbox, policy, f"sqlite:///{root / 'assess.db'}")}
    # The rerun is the half-year only: its dossiers are few, and it exercises intake skipping and versioning.
    results["sqlite-again"] = _run_all(root / "sqlite", inbox, policy, f"sqlite:///{root / 'assess.db'}", RUNS[:1])
    if POSTGRES_AVAILABLE:
        url = _postgres_database()
        try:
            results["postgresql"] = _run_all(root / "postgresql", inbox, policy, url)
        finally:
            get_engine(url).dispose()
            get_engine.cache_clear()
            _drop_postgres_database(url)
    return results


def test_every_cycle_writes_its_csvs(runs):
    names = {Path(k).name for k in _csv_digests(runs["sqlite"])}
    assert {"ranking.csv", "fulfilment.csv", "assessment.csv", "individuals.csv", "publicity.csv"} <= names
    assert [f.name for f in runs["sqlite"].values()] == ["v1", "v1", "v1"]


def test_rerun_on_the_same_inputs_and_policy_gives_the_same_bytes(runs):
    assert [f.name for f in runs["sqlite-again"].values()] == ["v2"]
    again = _csv_digests(runs["sqlite-again"])
    # v2 also says what changed against v1: nothing, so its changes.csv is the header alone.
    changes = runs["sqlite-again"]["half-year"] / "changes.csv"
    assert again.pop("half-year/changes.csv") and changes.read_text(encoding="utf-8-sig").splitlines() == [
        "unit_id,unit_name,field,before,after,cause"]
    assert again == _csv_digests({"half-year": runs["sqlite"]["half-year"]})


def test_postgresql_and_sqlite_give_the_same_bytes(runs):
    if "postgresql" not in runs:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}")
    assert _csv_digests(runs["postgresql"]) == _csv_digests(runs["sqlite"])
