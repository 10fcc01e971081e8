"""A correction touching two datasets is seen by a run whole or not at all, with the run and the correction in two
processes (SPEC §6), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tasks.inbox.ingest import ingest_inbox
from tests.reliability.helpers import PROJECT

UNITS = ("unit_id,unit_name,category,region,level,is_window\n"
         "U0001,市行政服务中心,政府涉企涉民部门,市直,市级,是\nU0002,市税务局,政府涉企涉民部门,市直,市级,是\n")
SURVEY = ("period,respondent_id,respondent_group,unit_id,dimension,grade\n"
          "2026H1,R1,机关,U0001,精神状态,满意\n2026H1,R2,社会各界,U0002,精神状态,满意\n")
# One batch, one transaction: the unit renamed and an answer regraded.
CORRECTIONS = {
    "更正_units_2026.csv": UNITS.replace("市行政服务中心", "市政务服务中心"),
    "更正_survey_responses_2026H1.csv": SURVEY.replace("U0001,精神状态,满意", "U0001,精神状态,不满意"),
}
OLD, NEW = ["市行政服务中心", "满意"], ["市政务服务中心", "不满意"]

# A run's loading, paused after its first dataset (units) until the test says go.
READER = """
import json, sys, time
from pathlib import Path
import tasks.cycles.common as common
from tasks.store import datasets

url, signals = sys.argv[1], Path(sys.argv[2])
load = datasets.load_dataset

def paused(source, name, **kwargs):
    frame = load(source, name, **kwargs)
    if name == "units":
        (signals / "units-read").touch()
        while not (signals / "go").exists():
            time.sleep(0.05)
    return frame

common.load_dataset = paused
frames = common.cycle_data(url, "half-year", "2026H1").frames
units, survey = frames["units"].set_index("unit_id"), frames["survey_responses"].set_index("unit_id")
print(json.dumps([units.loc["U0001", "unit_name"], str(survey.loc["U0001", "grade"])], ensure_ascii=False))
"""

# The correction batch, paused inside its transaction after its first file until the test says go.
WRITER = """
import sys, time
from pathlib import Path
import tasks.inbox.ingest as ingest
from tasks.store.engine import get_engine

url, inbox, archive, signals = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
store = ingest.store_file

def paused(conn, item, *args, **kwargs):
    file_id = store(conn, item, *args, **kwargs)
    if item.dataset.name == "units":
        (signals / "units-written").touch()
        while not (signals / "go").exists():
            time.sleep(0.05)
    return file_id

ingest.store_file = paused
ingest.ingest_inbox(inbox, get_engine(url), archive)
"""


def _wait_for(path: Path, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(process.communicate())
        assert time.monotonic() < deadline, f"{path.name} never came"
        time.sleep(0.05)


def _deliver(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _seen(db_url: str) -> list[str]:
    from tasks.cycles.common import cycle_data

    frames = cycle_data(db_url, "half-year", "2026H1").frames
    units, survey = frames["units"].set_index("unit_id"), frames["survey_responses"].set_index("unit_id")
    return [units.loc["U0001", "unit_name"], str(survey.loc["U0001", "grade"])]


@pytest.fixture
def stored(engine, tmp_path):
    ingest_inbox(_deliver(tmp_path / "first", {"units_2026.csv": UNITS, "survey_responses_2026H1.csv": SURVEY}),
                 engine, tmp_path / "archive")
    return _deliver(tmp_path / "corrections", CORRECTIONS)


def test_a_run_reading_across_a_correction_sees_none_of_it(db_url, stored, tmp_path):
    signals = tmp_path / "signals"
    signals.mkdir()
    reader = subprocess.Popen([sys.executable, "-c", READER, db_url, str(signals)], cwd=PROJECT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(signals / "units-read", reader)
    # The correction commits while the run is between its two datasets.
    ingest_inbox(stored, _engine(db_url), tmp_path / "archive")
    (signals / "go").touch()
    out, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err
    assert json.loads(out) == OLD
    assert _seen(db_url) == NEW  # the next run sees all of it


def test_a_run_starting_while_a_correction_is_being_made_sees_none_of_it(db_url, stored, tmp_path):
    signals = tmp_path / "signals"
    signals.mkdir()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, db_url, str(stored), str(tmp_path / "archive"),
                               str(signals)], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(signals / "units-written", writer)
    # The units correction is written, the survey correction not yet: the run reads neither.
    assert _seen(db_url) == OLD
    (signals / "go").touch()
    _, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    assert _seen(db_url) == NEW


def _engine(db_url: str):
    from tasks.store.engine import get_engine

    return get_engine(db_url)
