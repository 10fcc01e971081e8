"""Versioned publishing: safe paths, CSV bytes, version numbers, manifest and the `latest` link."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tasks.errors import InvalidPeriod, UnsafePath
from tasks.outputs.versions import latest_version, list_versions, safe_child, start_version, sweep_orphans, write_csv


@pytest.mark.parametrize("parts", [
    ("..", "etc"),                 # parent step leaves base
    ("a/../../b",),                # parent step hidden inside a part
    ("/etc/passwd",),              # absolute part replaces base
    ("a", "\\\\server\\x"),        # Windows-style absolute part
    ("C:\\x",),                    # drive letter
    ("",),                         # empty part
])
def test_safe_child_rejects_escapes(tmp_path, parts):
    with pytest.raises(UnsafePath):
        safe_child(tmp_path, *parts)


def test_safe_child_rejects_symlink_out_and_accepts_nested(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    base = tmp_path / "base"
    base.mkdir()
    (base / "link").symlink_to(outside)
    # a symlink inside base that points out of it
    with pytest.raises(UnsafePath):
        safe_child(base, "link", "f.txt")
    # plain nested names stay inside and are joined unchanged
    assert safe_child(base, "units", "U001.pdf") == base / "units" / "U001.pdf"


@pytest.mark.parametrize("text, written", [
    ("=SUM(A1)", "'=SUM(A1)"),   # formula
    ("+1", "'+1"),               # plus sign starts a formula in Excel
    ("-x", "'-x"),               # minus sign
    ("@cmd", "'@cmd"),           # Lotus-style function
    ("\tx", "'\tx"),             # leading tab
    ("窗口=1", "窗口=1"),         # '=' not at the start is harmless
    ("U001", "U001"),            # ordinary text
])
def test_text_cells_starting_a_formula_are_neutralised(tmp_path, text, written):
    path = write_csv(tmp_path / "t.csv", pd.DataFrame({"unit_name": [text]}), ["unit_name"])
    assert path.read_text(encoding="utf-8-sig") == f"unit_name\n{written}\n"


def test_numbers_are_not_neutralised(tmp_path):
    frame = pd.DataFrame({"score": [-0.5], "mixed": pd.Series([-2.25], dtype=object)})
    path = write_csv(tmp_path / "t.csv", frame, ["score", "mixed"])
    # numeric cells, also inside an object column, keep their sign
    assert path.read_text(encoding="utf-8-sig") == "score,mixed\n-0.5,-2.25\n"


def test_exact_bytes_of_a_tiny_frame(tmp_path):
    frame = pd.DataFrame({
        "unit_id": ["U2", "U1"],
        "unit_name": ["税务局", "=HYPERLINK()"],
        "score": [1 / 3, np.nan],
        "rank": pd.array([2, None], dtype="Int64"),
        "veto": [True, False],
        "extra": ["not written", "not written"],
    })
    path = write_csv(tmp_path / "out.csv", frame, ["rank", "unit_id", "unit_name", "score", "veto"])
    # BOM, columns in the order asked, full precision, empty cells for missing, true/false, \n endings
    assert path.read_bytes() == (
        b"\xef\xbb\xbfrank,unit_id,unit_name,score,veto\n"
        + "2,U2,税务局,0.3333333333333333,true\n".encode()
        + b",U1,'=HYPERLINK(),,false\n"
    )
    again = write_csv(tmp_path / "again.csv", frame, ["rank", "unit_id", "unit_name", "score", "veto"])
    assert again.read_bytes() == path.read_bytes()


def test_floats_round_trip(tmp_path):
    values = [0.1 + 0.2, 123456789.12345679, 1e-20, 87.30000000000001]
    path = write_csv(tmp_path / "f.csv", pd.DataFrame({"score": values}), ["score"])
    assert pd.read_csv(path, encoding="utf-8-sig")["score"].tolist() == values


def test_missing_column_is_named(tmp_path):
    with pytest.raises(KeyError, match="grade"):
        write_csv(tmp_path / "x.csv", pd.DataFrame({"a": [1]}), ["a", "grade"])


def test_versions_number_up_and_latest_moves_only_on_commit(tmp_path):
    first = start_version(tmp_path, "half-year", "2026H1")
    assert (first.number, first.path.name) == (1, ".v1.partial")
    first.write_text("notes.txt", "一")
    # nothing is published before commit
    assert latest_version(tmp_path, "half-year", "2026H1") is None
    assert first.commit({"run_id": "r1"}) == tmp_path / "half-year" / "2026H1" / "v1"
    assert latest_version(tmp_path, "half-year", "2026H1") == tmp_path / "half-year" / "2026H1" / "v1"
    second = start_version(tmp_path, "half-year", "2026H1")
    assert second.number == 2
    # v2 exists only as partial: latest still names v1
    assert latest_version(tmp_path, "half-year", "2026H1").name == "v1"
    second.commit({})
    assert os.readlink(tmp_path / "half-year" / "2026H1" / "latest") == "v2"
    assert list_versions(tmp_path, "half-year", "2026H1") == [1, 2]


def test_an_older_run_committing_late_does_not_move_latest_back(tmp_path):
    older = start_version(tmp_path, "annual", "2026")
    newer = start_version(tmp_path, "annual", "2026")
    newer.commit({})
    older.commit({})
    assert (latest_version(tmp_path, "annual", "2026").name, list_versions(tmp_path, "annual", "2026")) == ("v2", [1, 2])


def test_abandon_leaves_no_version_and_latest_unchanged(tmp_path):
    start_version(tmp_path, "quarterly", "2026Q1").commit({})
    with pytest.raises(RuntimeError):
        with start_version(tmp_path, "quarterly", "2026Q1") as version:
            version.write_text("summary.txt", "半成品")
            raise RuntimeError("boom")
    folder = tmp_path / "quarterly" / "2026Q1"
    assert sorted(p.name for p in folder.iterdir()) == [".latest.lock", "latest", "v1"]
    assert latest_version(tmp_path, "quarterly", "2026Q1").name == "v1"


def test_manifest_lists_every_file_with_its_hash(tmp_path):
    version = start_version(tmp_path, "half-year", "2026H2")
    version.write_csv("ranking.csv", pd.DataFrame({"unit_id": ["U1"]}), ["unit_id"])
    pdf = version.path_for("units/U1.pdf")
    pdf.write_bytes(b"%PDF-1.7 test")
    folder = version.commit({"run_id": "abc", "policy_sha256": "00"})
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"] == [
        {"path": "ranking.csv", "sha256": hashlib.sha256(b"\xef\xbb\xbfunit_id\nU1\n").hexdigest(), "bytes": 14},
        {"path": "units/U1.pdf", "sha256": hashlib.sha256(b"%PDF-1.7 test").hexdigest(), "bytes": 13},
    ]
    assert {k: manifest[k] for k in ("run_id", "policy_sha256", "version", "cycle", "period")} == {
        "run_id": "abc", "policy_sha256": "00", "version": 1, "cycle": "half-year", "period": "2026H2"}
    assert list(manifest) == sorted(manifest)


@pytest.mark.parametrize("relative", ["../x.csv", "/tmp/x.csv", "units/../../x.csv"])
def test_version_files_stay_inside(tmp_path, relative):
    version = start_version(tmp_path, "annual", "2026")
    with pytest.raises(UnsafePath):
        version.write_text(relative, "x")


@pytest.mark.parametrize("cycle, period, error", [
    ("annual", "2026H1", InvalidPeriod),   # period of another cycle
    ("annual", "../..", InvalidPeriod),    # path-like period never reaches the file system
    ("weekly", "2026", ValueError),        # unknown cycle
])
def test_start_version_checks_cycle_and_period(tmp_path, cycle, period, error):
    with pytest.raises(error):
        start_version(tmp_path, cycle, period)


def _reserve(args) -> list[int]:
    out, count = args
    return [start_version(Path(out), "half-year", "2026H1").number for _ in range(count)]


def test_concurrent_runs_get_distinct_numbers(tmp_path):
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        numbers = pool.map(_reserve, [(str(tmp_path), 15), (str(tmp_path), 15)])
    flat = numbers[0] + numbers[1]
    assert sorted(flat) == list(range(1, 31))


def _reserve_and_die(out: str) -> None:
    version = start_version(Path(out), "half-year", "2026H1")
    version.write_text("summary.txt", "半成品")
    os.kill(os.getpid(), 9)  # killed as SIGKILL kills: no cleanup runs


def test_a_killed_runs_unfinished_version_is_swept_and_a_live_one_is_kept(tmp_path):
    start_version(tmp_path, "half-year", "2026H1").commit({})                     # v1, committed
    child = multiprocessing.get_context("spawn").Process(target=_reserve_and_die, args=(str(tmp_path),))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == -9
    live = start_version(tmp_path, "half-year", "2026H1")                           # v3, this process runs it
    folder = tmp_path / "half-year" / "2026H1"
    (folder / ".v9.partial").mkdir()          # being reserved right now: no owner lock yet, so not touched
    assert (folder / ".v2.partial" / "summary.txt").exists()
    assert sweep_orphans(tmp_path, "half-year", "2026H1") == [2]
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith((".v", "v"))) == [".v3.partial",
                                                                                           ".v9.partial", "v1"]
    assert sweep_orphans(tmp_path, "half-year", "2026H1") == []
    # The owner lock never reaches the published version or its manifest.
    published = live.commit({})
    assert not (published / ".owner").exists()
    assert [o["path"] for o in json.loads((published / "manifest.json").read_text())["outputs"]] == []
    assert sweep_orphans(tmp_path, "half-year", "2026H1") == []
