"""End to end: the quarterly review of 2026Q2 on the tiny sample, run twice, CSVs and PDFs read back."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import dossier_fonts_are_sound, file_hashes, pdf_fonts, pdf_text, read_csv, sample_workspace
from pandas.testing import assert_frame_equal

from schemas.outputs import FULFILMENT_COLUMNS
from schemas.policy import Policy
from tasks.store.engine import get_engine
from tasks.errors import InvalidPeriod
from tasks.cycles.quarterly.report import PUBLICITY_COLUMNS
from tasks.rules.commitments import quarterly_review as review_rules
from tasks.store.datasets import load_dataset

PERIOD = "2026Q2"
# Two runs with ingestion and rendering take a little over a minute beside the Prefect harness.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def quarter(tmp_path_factory, prefect_harness):
    """The tiny sample inbox reviewed for 2026Q2 twice: v1, then a rerun as v2."""
    from flows.quarterly_review import quarterly_review

    with sample_workspace(tmp_path_factory.mktemp("quarterly")) as (inbox, out, db):
        kwargs = {"inbox": str(inbox), "out": str(out)}
        first = Path(quarterly_review(period=PERIOD, reason="定期运行", **kwargs))
        snapshot = file_hashes(first)
        second = Path(quarterly_review(period=PERIOD, reason="数据更正后复核", **kwargs))
    engine = get_engine(db)
    data = {name: load_dataset(engine, name) for name in ("units", "commitments", "commitment_status",
                                                          "platform_cases")}
    return {"db": db, "out": out, "v1": first, "v2": second, "snapshot": snapshot, "data": data}


def test_versions_and_latest(quarter):
    folder = quarter["out"] / "quarterly" / PERIOD
    assert (quarter["v1"], quarter["v2"]) == (folder / "v1", folder / "v2")
    assert os.readlink(folder / "latest") == "v2"
    # The rerun wrote a new version and left the first exactly as it was.
    assert file_hashes(quarter["v1"]) == quarter["snapshot"]
    assert {"fulfilment.csv", "publicity.csv", "publicity.pdf", "summary.pdf", "manifest.json", "units",
            "rejected"} <= {p.name for p in quarter["v1"].iterdir()}


def test_fulfilment_csv_agrees_with_the_rules(quarter):
    data = quarter["data"]
    got = read_csv(quarter["v1"] / "fulfilment.csv")
    assert list(got.columns) == list(FULFILMENT_COLUMNS)
    expected = review_rules(data["units"], data["commitments"], data["commitment_status"], data["platform_cases"],
                            PERIOD, Policy().quarterly)
    got["warning_reasons"] = got["warning_reasons"].fillna("")
    assert_frame_equal(got, expected, check_dtype=False)
    # The sample has warned and unwarned units, overdue commitments and platform cases: the run is not vacuous.
    assert got["warning"].dtype == bool and 0 < expected["warning"].sum() < len(expected)
    assert expected["overdue"].sum() > 0 and expected["platform_cases"].sum() > 0


def test_publicity_csv_lists_every_unit(quarter):
    got = read_csv(quarter["v1"] / "publicity.csv")
    fulfilment = read_csv(quarter["v1"] / "fulfilment.csv")
    assert list(got.columns) == list(PUBLICITY_COLUMNS.values())
    assert sorted(got["单位名称"]) == sorted(fulfilment["unit_name"])
    assert got["逾期未兑现(项)"].sum() == fulfilment["overdue"].sum()


def test_manifest_and_stored_results(quarter):
    from tasks.store.engine import get_engine
    from tasks.store.runs import load_results

    manifest = json.loads((quarter["v2"] / "manifest.json").read_text(encoding="utf-8"))
    fulfilment = read_csv(quarter["v2"] / "fulfilment.csv")
    assert manifest["reason"] == "数据更正后复核"
    assert manifest["row_counts"] == {"fulfilment": len(fulfilment)}
    assert manifest["policy_sha256"] == Policy().digest()
    assert {f["dataset"] for f in manifest["inputs"]} == {"units", "commitments", "commitment_status",
                                                          "platform_cases"}
    stored = load_results(get_engine(quarter["db"]), "fulfilment", PERIOD)
    stored = stored.sort_values("unit_id", ignore_index=True)[list(FULFILMENT_COLUMNS)]
    stored["warning_reasons"] = stored["warning_reasons"].fillna("")
    fulfilment["warning_reasons"] = fulfilment["warning_reasons"].fillna("")
    assert_frame_equal(stored, fulfilment, check_dtype=False)


def test_dossiers_name_the_warned_units(quarter):
    fulfilment = read_csv(quarter["v1"] / "fulfilment.csv")
    warned = fulfilment[fulfilment["warning"]]
    # One dossier per warned unit, and no other.
    assert sorted(p.stem for p in (quarter["v1"] / "units").glob("*.pdf")) == sorted(warned["unit_id"])
    summary = pdf_text(quarter["v1"] / "summary.pdf")
    for row in warned.itertuples():
        assert row.unit_name in summary
        dossier = pdf_text(quarter["v1"] / "units" / f"{row.unit_id}.pdf")
        assert row.unit_name in dossier
        assert all("".join(reason.split()) in dossier for reason in row.warning_reasons.split("；"))
    assert "关于2026年第二季度公开承诺评议写实情况的通报" in summary and "—1—" in summary
    publicity = pdf_text(quarter["v1"] / "publicity.pdf")
    assert "承诺履行情况公示" in publicity
    # Units without a warning are listed in the publicity list and the workbook, not again in the summary.
    quiet = fulfilment.loc[~fulfilment["warning"], "unit_name"]
    assert len(quiet) and all(name in publicity for name in quiet)
    assert not any(name in summary for name in quiet) and "fulfilment.xlsx" in summary


def test_every_font_is_embedded_and_one_of_the_stylesheets_faces(quarter):
    for pdf in sorted(quarter["v1"].rglob("*.pdf")):
        assert dossier_fonts_are_sound(pdf), (pdf.name, pdf_fonts(pdf))


def test_a_period_of_another_cycle_is_refused_before_anything_is_written(quarter):
    from flows.quarterly_review import quarterly_review

    with pytest.raises(InvalidPeriod):
        quarterly_review(period="2026H1", reason="测试", inbox=str(quarter["out"] / "nowhere"),
                         out=str(quarter["out"]))
    assert sorted(p.name for p in (quarter["out"] / "quarterly").iterdir()) == [PERIOD]


def test_cli_refuses_a_period_not_of_the_quarterly_form(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["run", "quarterly", "--period", "2026H1", "--inbox", str(tmp_path / "inbox"),
                                      "--out", str(tmp_path / "out"), "--db", f"sqlite:///{tmp_path / 'a.db'}"])
    assert result.exit_code == 2
    assert "期次“2026H1”格式不正确,应为 YYYYQ1 至 YYYYQ4,如 2026Q3" in result.output
    assert not (tmp_path / "out").exists()


def test_artifacts_list_the_warned_units(quarter):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    keys = ["quarterly-2026q2-warnings", "quarterly-2026q2-summary"]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))
    latest = {a.key: a for a in sorted(artifacts, key=lambda a: a.created)}
    fulfilment = read_csv(quarter["v2"] / "fulfilment.csv")
    table = json.loads(latest[keys[0]].data) if isinstance(latest[keys[0]].data, str) else latest[keys[0]].data
    assert sorted(row["单位编码"] for row in table) == sorted(fulfilment.loc[fulfilment["warning"], "unit_id"])
    assert str(quarter["v2"] / "summary.pdf") in latest[keys[1]].data
