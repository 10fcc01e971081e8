"""The points and on-site datasets stored and loaded back, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import shutil

import pandas as pd

from schemas.datasets import DATASETS, POINTS_AND_ON_SITE, dataset_for_file
from tasks.sample.inbox import write_sample_inbox
from tasks.inbox.ingest import ingest_inbox
from tasks.store.datasets import load_dataset


def test_sample_files_of_the_two_cycles_round_trip(engine, tmp_path):
    full, inbox = tmp_path / "full", tmp_path / "inbox"
    write_sample_inbox(full, scale="tiny", seed=7, year=2026)
    inbox.mkdir()
    for path in full.iterdir():
        if path.name.startswith("units_") or dataset_for_file(path.name).name in POINTS_AND_ON_SITE:
            shutil.copy(path, inbox / path.name)
    report = ingest_inbox(inbox, engine, tmp_path / "archive")
    files = {f.dataset: f for f in report.files if f.dataset in POINTS_AND_ON_SITE}
    assert set(files) == set(POINTS_AND_ON_SITE)
    for name, file in files.items():
        stored = load_dataset(engine, name)
        # Every row read is stored or quarantined, and the planted bad rows are quarantined.
        assert (len(stored), file.rows_rejected >= 2) == (file.rows_read - file.rows_rejected, True), name
        assert list(stored.columns) == DATASETS[name].column_names
    review = load_dataset(engine, "site_reviews").set_index("review_id").loc["2026-R13"]
    assert review[["team", "region"]].tolist() == ["现场点评第十三组", "石门市"]
    assert review["ended_on"] - review["started_on"] == pd.Timedelta(days=3)
    events = load_dataset(engine, "point_events")
    # An empty 分值 stays empty (the rules give it the item's standard points), not 0.
    assert events["points"].dtype == "float64"
    assert events["points"].isna().any() and events["points"].dropna().gt(0).all()
