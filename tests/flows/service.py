"""`assess serve` started for a test: its API, its log, and what the log says went wrong."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.helpers import free_port

DEPLOYMENTS = {"quarterly-review", "half-year-comment", "annual-assessment", "points-system",
               "on-site-review", "publicity-finalise"}
TERMINAL = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"]


@dataclass
class Service:
    """A running `assess serve`: where its API answers and where it logs."""

    api: str
    log: Path
    root: Path

    @property
    def ui(self) -> str:
        """The address of the Prefect UI."""
        return self.api.removesuffix("/api")

    def post(self, path: str, body: dict | list | None = None):
        """The JSON answer of the API to a POST."""
        response = httpx.post(f"{self.api}{path}", json=body if body is not None else {}, timeout=10)
        response.raise_for_status()
        return response.json()

    def deployments(self) -> dict[str, dict]:
        """The registered deployments by name."""
        return {d["name"]: d for d in self.post("/deployments/filter", {"limit": 20, "offset": 0})}

    def runs(self, deployment_id: str, states: list[str]) -> list[dict]:
        """The deployment's flow runs in those states, soonest first."""
        return self.post("/flow_runs/filter", {
            "limit": 50, "offset": 0, "sort": "EXPECTED_START_TIME_ASC",
            "deployments": {"id": {"any_": [deployment_id]}},
            "flow_runs": {"state": {"type": {"any_": states}}},
        })

    def wait_for_finished_run(self, deployment_id: str, timeout: float = 420) -> dict:
        """The deployment's first flow run to reach a final state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            finished = self.runs(deployment_id, TERMINAL)
            if finished:
                return finished[0]
            time.sleep(3)
        raise AssertionError("no flow run finished in time:\n" + self.log.read_text(errors="replace")[-3000:])

    def service_errors(self) -> list[str]:
        """ERROR lines of Prefect's own services in the log (server, scheduler, worker), not of the flows' runs, nor
        a worker heartbeat that Prefect's SQLite database refused while the machine was busy (`TRANSIENT`)."""
        lines = [line for entry in _entries(self.log.read_text(errors="replace")) if not TRANSIENT.search(entry)
                 for line in entry.splitlines()]
        return [line for line in lines if re.search(r"\bERROR\b|Traceback", line)
                and not re.search(r"(Flow|Task) run '", line)]


# Prefect's server writes each worker heartbeat to its database; on SQLite, when another write holds the database, the
# write fails with "database is locked", Prefect logs it as an ERROR, closes the worker's channel and the worker
# opens a new one (prefect/server/utilities/worker_channel.py). No run is affected; any other ERROR still counts.
TRANSIENT = re.compile(r"\A\S+ \| ERROR +\| prefect\.server\.utilities\.worker_channel - Worker channel heartbeat "
                       r"persistence failed\b.*sqlite3\.OperationalError: database is locked", re.DOTALL)
# A log entry starts with its time and level ("23:59:50.593 | ERROR   | …"); the lines after it (a traceback) are its.
ENTRY_START = re.compile(r"^\d\d:\d\d:\d\d\.\d+ \| ", re.MULTILINE)


def _entries(text: str) -> list[str]:
    starts = [m.start() for m in ENTRY_START.finditer(text)]
    bounds = [0, *starts] if not starts or starts[0] else starts
    return [text[a:b] for a, b in zip(bounds, [*bounds[1:], len(text)]) if text[a:b]]


@contextmanager
def serving(root: Path, **env_extra: str) -> Iterator[Service]:
    """`python -m flows.cli serve` on a free port with its own Prefect home and data folder, stopped afterwards."""
    port = free_port()
    env = dict(os.environ, PREFECT_HOME=str(root / "prefect"), ASSESS_DATA_DIR=str(root / "data"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="INFO", **env_extra)
    env.pop("PREFECT_API_URL", None)
    log = root / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--port", str(port)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    service = Service(f"http://127.0.0.1:{port}/api", log, root)
    try:
        _wait_until_ready(service, process)
        yield service
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _wait_until_ready(service: Service, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, service.log.read_text(errors="replace")[-3000:]
        try:
            if set(service.deployments()) == DEPLOYMENTS and service.post(
                    "/work_pools/assessment/workers/filter", {"limit": 5, "offset": 0}):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(2)
    raise AssertionError("service did not come up:\n" + service.log.read_text(errors="replace")[-3000:])
