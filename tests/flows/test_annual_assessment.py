"""End to end: two consecutive years of the annual assessment on the tiny sample, PDFs read back."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import dossier_fonts_are_sound, file_hashes, pdf_fonts, pdf_text, read_csv, sample_workspace
from pandas.testing import assert_series_equal

from schemas.datasets import CYCLE_DATASETS
from schemas.outputs import ASSESSMENT_COLUMNS, INDIVIDUAL_COLUMNS
from schemas.policy import Policy
from tasks.store.engine import get_engine
from tasks.rules.annual import assessment, half_year_scores
from tasks.rules.individuals import individual_sanctions
from tasks.store.datasets import load_dataset


@pytest.fixture(scope="module")
def years(tmp_path_factory, prefect_harness):
    """The tiny sample inbox, assessed for 2025, then twice for 2026 (the second time with every unit)."""
    from flows.annual_assessment import annual_assessment

    with sample_workspace(tmp_path_factory.mktemp("annual")) as (inbox, out, db):
        kwargs = {"inbox": str(inbox), "out": str(out)}
        first = annual_assessment(period="2025", reason="定期运行", **kwargs)
        second = annual_assessment(period="2026", reason="定期运行", **kwargs)
        snapshot = file_hashes(second)
        third = annual_assessment(period="2026", all_units=True, reason="全部单位出具报告", **kwargs)
    return {"db": db, "out": out, "v2025": Path(first), "v1": Path(second), "v2": Path(third), "snapshot": snapshot}


pytestmark = pytest.mark.slow


def test_versions_and_latest(years):
    folder = years["out"] / "annual" / "2026"
    assert years["v1"] == folder / "v1" and years["v2"] == folder / "v2"
    assert os.readlink(folder / "latest") == "v2"
    # The second run wrote a new version and left the first exactly as it was.
    assert file_hashes(years["v1"]) == years["snapshot"]
    assert {"assessment.csv", "individuals.csv", "publicity.csv", "publicity.pdf", "summary.pdf",
            "manifest.json"} <= {p.name for p in years["v1"].iterdir()}


def test_csv_columns_and_values_agree_with_the_rules(years):
    got = read_csv(years["v1"] / "assessment.csv")
    individuals = read_csv(years["v1"] / "individuals.csv")
    assert list(got.columns) == list(ASSESSMENT_COLUMNS)
    assert list(individuals.columns) == list(INDIVIDUAL_COLUMNS)
    engine = get_engine(years["db"])
    names = CYCLE_DATASETS["annual"]["required"] + CYCLE_DATASETS["annual"]["optional"]
    data = {name: load_dataset(engine, name) for name in names}
    policy = Policy()
    half = half_year_scores({"2026H1": None, "2026H2": None}, data["survey_responses"], data["units"],
                            policy.half_year)
    previous = read_csv(years["v2025"] / "assessment.csv")
    expected = assessment(data, half, previous, 2026, policy.annual).set_index("unit_id")
    got = got.set_index("unit_id").loc[expected.index]
    for column in ("platform_score", "superior_score", "service_object_score", "composite", "deductions",
                   "bonus", "final_score", "growth"):
        assert np.allclose(got[column].astype(float), expected[column].astype(float), equal_nan=True), column
    for column in ("grade", "measure", "apology", "missing_components"):
        assert_series_equal(got[column].astype(object).where(got[column].notna(), None),
                            expected[column].astype(object).where(expected[column].notna(), None),
                            check_names=False, check_dtype=False)
    assert got["rank"].astype("Int64").tolist() == expected["rank"].tolist()
    assert got["veto"].tolist() == expected["veto"].tolist()
    assert got["excellent"].tolist() == expected["excellent"].tolist()
    sanctions = individual_sanctions(data["complaints"], 2026, policy.annual.dismissal_two_year_complaints)
    assert individuals["person_id"].tolist() == sanctions["person_id"].tolist()
    assert individuals["sanction"].tolist() == sanctions["sanction"].tolist()


def test_unit_dossiers_for_measures_or_every_unit(years):
    frame = read_csv(years["v1"] / "assessment.csv")
    assert (frame["apology"].notna() & frame["measure"].isna()).any()  # units that apologise: no dossier of their own
    measured = frame[frame["measure"].notna()]
    assert sorted(p.stem for p in (years["v1"] / "units").glob("*.pdf")) == sorted(measured["unit_id"])
    assert sorted(p.stem for p in (years["v2"] / "units").glob("*.pdf")) == sorted(frame["unit_id"])


def test_pdfs_name_the_units_and_embed_their_fonts(years):
    frame = read_csv(years["v1"] / "assessment.csv")
    summary = pdf_text(years["v1"] / "summary.pdf")
    measured = frame[frame["measure"].notna()]
    assert not measured.empty
    for name in measured["unit_name"]:
        assert "".join(name.split()) in summary
    unit = measured.iloc[0]
    dossier = pdf_text(years["v1"] / "units" / f"{unit['unit_id']}.pdf")
    assert "".join(unit["unit_name"].split()) in dossier
    assert "得分形成过程" in dossier and unit["measure"] in dossier
    publicity = pdf_text(years["v1"] / "publicity.pdf")
    assert all("".join(name.split()) in publicity for name in frame["unit_name"])
    for pdf in [years["v1"] / "summary.pdf", years["v1"] / "publicity.pdf", *(years["v1"] / "units").glob("*.pdf")]:
        assert dossier_fonts_are_sound(pdf), (pdf, pdf_fonts(pdf))
