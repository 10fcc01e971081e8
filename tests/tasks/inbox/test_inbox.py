"""The inbox listing: which files are read now, which wait, which are passed by, and the dataset of each."""

from __future__ import annotations

import os
import time

import pytest

from schemas.datasets import dataset_for_file, near_miss
from tasks.inbox.listing import list_inbox

UNITS = "unit_id,unit_name,category,region,level,is_window\nU0001,市行政服务中心,政府涉企涉民部门,市直,市级,是\n"


@pytest.mark.parametrize("file_name, dataset, guess", [
    ("survey_responses_2026H1_第二批.csv", "survey_responses", None),  # the English name starts the file name
    ("群众满意度测评_2026H1.xlsx", "survey_responses", None),  # ... or the Chinese label of schemas/datasets.py
    ("窗口单位名册.xlsx", "units", None),
    ("commitment_status_2026Q1_季度评议.csv", "commitment_status", None),  # longest name, not commitments
    ("commitments_2026_公开承诺.csv", "commitments", None),
    ("commitments_status_2026Q1.csv", None, "commitment_status"),  # a near miss of a longer name: no guess
    ("unit_2026.csv", None, "units"),
    ("leader_comment_2026H1.csv", None, "leader_comments"),
    ("说明.txt", None, None),
])
def test_dataset_of_a_file_name(file_name, dataset, guess):
    found = dataset_for_file(file_name)
    assert (found.name if found else None) == dataset
    if dataset is None:
        assert near_miss(file_name) == guess


@pytest.mark.parametrize("age, settle, status", [
    (5, 60, "waiting"),  # a scheduled run: modified 5 s ago, maybe still copying
    (120, 60, None),  # settled for longer than the setting: read
    (0, 0, None),  # an operator's run: read at once
])
def test_recently_modified_files_wait_for_the_settle_time(tmp_path, age, settle, status):
    path = tmp_path / "units_2026.csv"
    path.write_text(UNITS, encoding="utf-8")
    now = time.time()
    os.utime(path, (now - age, now - age))
    listing = list_inbox(tmp_path, settle_seconds=settle, now=now)
    if status is None:
        assert [(f.name, f.dataset.name) for f in listing.files] == [("units_2026.csv", "units")]
        assert listing.passed == []
    else:
        assert listing.files == []
        assert [(p.name, p.status, p.note) for p in listing.passed] == [
            ("units_2026.csv", "waiting", "文件在最近 60 秒内仍有改动,可能仍在写入:本次未入库,留待下次运行")]


@pytest.mark.parametrize("tail, waits", [
    (b"U0002,\xe5\xb8\x82", True),  # cut inside the second field, no final newline: still copying
    (b"U0002,\xe5\xb8\x82\xe4\xbf\xa1\xe8\xae\xbf\xe5\xb1\x80,\xe5\x85\x9a\xe7\xbe\xa4\xe9\x83\xa8\xe9\x97\xa8,"
     b"\xe5\xb8\x82\xe7\x9b\xb4,\xe5\xb8\x82\xe7\xba\xa7,\xe5\x90\xa6", False),  # a full last row without newline
    (b"U0002,\xe5\xb8\x82\n", False),  # short row ending in a newline: validation rejects it, row by row
])
def test_a_csv_cut_off_mid_row_waits(tmp_path, tail, waits):
    (tmp_path / "units_2026.csv").write_bytes(UNITS.encode("utf-8") + tail)
    listing = list_inbox(tmp_path)
    assert [p.status for p in listing.passed] == (["waiting"] if waits else [])
    assert len(listing.files) == (0 if waits else 1)


def test_scheduled_deployments_let_files_settle_for_a_minute(monkeypatch):
    from pathlib import Path

    import yaml

    from tasks.settings import Settings

    spec = yaml.safe_load((Path(__file__).resolve().parents[3] / "prefect.yaml").read_text(encoding="utf-8"))
    for deployment in spec["deployments"]:
        # The worker starts each scheduled run with this environment; the settings read it as the settle time.
        for name, value in deployment["work_pool"]["job_variables"]["env"].items():
            monkeypatch.setenv(name, value)
        assert Settings().settle_seconds == 60, deployment["name"]
    monkeypatch.delenv("ASSESS_SETTLE_SECONDS")
    assert Settings().settle_seconds == 0  # an operator's `assess run` reads files just put there at once


def test_a_cut_off_csv_under_a_deep_title_block_waits(tmp_path):
    # The header may stand anywhere in the first 50 rows; the cut-off check counts its fields there too.
    title = "江城市窗口单位名册\n" * 12
    (tmp_path / "units_2026.csv").write_bytes(title.encode("utf-8") + UNITS.encode("utf-8") + "U0002,市".encode())
    assert [p.status for p in list_inbox(tmp_path).passed] == ["waiting"]


def test_a_broken_link_is_passed_by_and_stops_nobody(tmp_path):
    (tmp_path / "units_2026.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "units_old.csv").symlink_to(tmp_path / "gone.csv")
    listing = list_inbox(tmp_path)
    assert [f.name for f in listing.files] == ["units_2026.csv"]
    assert [(p.name, p.status, p.note) for p in listing.passed] == [
        ("units_old.csv", "ignored", "文件无法访问(可能是失效的快捷链接或已被移走),已跳过")]
