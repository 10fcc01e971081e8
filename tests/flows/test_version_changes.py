"""End to end: a rerun under a stricter policy publishes v2 with changes.csv, 本版变更说明 and its manifest link."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import pdf_text, read_csv, sample_workspace

PERIOD = "2026Q2"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def versions(tmp_path_factory, prefect_harness):
    """2026Q2 reviewed with the defaults (v1), then with a platform-satisfaction line of 95 % (v2), then again (v3)."""
    from flows.quarterly_review import quarterly_review

    root = tmp_path_factory.mktemp("changes")
    (root / "strict.yaml").write_text("quarterly:\n  satisfaction_warning_below: 0.95\n", encoding="utf-8")
    with sample_workspace(root) as (inbox, out, _db):
        kwargs = {"inbox": str(inbox), "out": str(out)}
        first = Path(quarterly_review(period=PERIOD, reason="定期运行", **kwargs))
        second = Path(quarterly_review(period=PERIOD, reason="提高平台满意度预警线", policy="strict", **kwargs))
        third = Path(quarterly_review(period=PERIOD, reason="复核", policy="strict", **kwargs))
        from tasks.outputs.reproduce import reproduce

        # v1 under the defaults, v2 under the stricter policy: each from the policy its manifest holds.
        reproduced = [reproduce(out, "quarterly", PERIOD, n, _db) for n in (1, 2)]
    return first, second, third, reproduced


def test_each_version_is_reproduced_under_its_own_policy(versions):
    assert [(r.version, r.differences) for r in versions[3]] == [("v1", {}), ("v2", {})]
    assert all(r.compared >= 3 for r in versions[3])  # fulfilment.csv, publicity.csv, rejected/…, changes.csv


def test_the_first_version_has_no_changes(versions):
    first = versions[0]
    assert not (first / "changes.csv").exists()
    assert json.loads((first / "manifest.json").read_text(encoding="utf-8"))["replaces"] is None
    assert "本版变更说明" not in pdf_text(first / "summary.pdf")


def test_changes_list_exactly_the_units_whose_warning_flipped(versions):
    first, second = versions[0], versions[1]
    before = read_csv(first / "fulfilment.csv").set_index("unit_id")
    after = read_csv(second / "fulfilment.csv").set_index("unit_id")
    flipped = sorted(after.index[after["warning"] != before.loc[after.index, "warning"]])
    assert flipped  # a stricter line warns more units
    changes = read_csv(second / "changes.csv")
    assert list(changes.columns) == ["unit_id", "unit_name", "field", "before", "after", "cause"]
    assert sorted(changes["unit_id"]) == flipped
    assert set(changes["field"]) == {"预警"} and set(zip(changes["before"], changes["after"])) == {("否", "是")}
    assert set(changes["cause"]) == {"政策变更"}
    assert json.loads((second / "manifest.json").read_text(encoding="utf-8"))["replaces"] == "v1"
    summary = pdf_text(second / "summary.pdf")
    assert "本版变更说明本版替代此前印发的v1,以本版为准。变更原因:政策变更。" in summary
    assert f"有{len(flipped)}项结果变化,涉及{len(flipped)}个单位。" in summary
    first_row = changes.iloc[0]
    assert "".join(f"{first_row['unit_id']}{first_row['unit_name']}预警否是".split()) in summary


def test_a_rerun_on_the_same_data_and_policy_changes_nothing(versions):
    second, third = versions[1], versions[2]
    assert read_csv(third / "changes.csv").empty
    manifest = json.loads((third / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["replaces"] == "v2" and manifest["reason"] == "复核"
    # Its summary is v2's document, number and change note included: nothing in it changed.
    summary = pdf_text(third / "summary.pdf")
    assert summary == pdf_text(second / "summary.pdf") and "变更原因:政策变更。" in summary


def test_a_rerun_that_changes_nothing_renders_no_pdf(versions):
    second, third = versions[1], versions[2]
    manifest = json.loads((third / "manifest.json").read_text(encoding="utf-8"))
    pdfs = sorted(p.relative_to(third).as_posix() for p in third.rglob("*.pdf"))
    assert manifest["reused"]["from"] == "v2" and sorted(manifest["reused"]["files"]) == pdfs
    assert len(pdfs) > 2 and set(manifest["renders"]) == set(pdfs)
    assert all((third / p).stat().st_ino == (second / p).stat().st_ino for p in pdfs)
    earlier = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["renders"] == earlier["renders"] and manifest["contents"] == earlier["contents"]
