"""An administrator reruns a half-year period from the Prefect UI in a real browser."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("server"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]




@pytest.fixture
def service(tmp_path):
    """`assess serve` on a free port, with its own Prefect home and data folder."""
    port = free_port()
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"), ASSESS_DATA_DIR=str(tmp_path / "data"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        _wait_for_deployments(api, process, tmp_path / "serve.log")
        yield api
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _wait_for_deployments(api: str, process: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            found = httpx.post(f"{api}/deployments/filter", json={"limit": 10, "offset": 0}, timeout=5).json()
            workers = httpx.post(f"{api}/work_pools/assessment/workers/filter", json={"limit": 5, "offset": 0},
                                 timeout=5).json()
            if len(found) == 3 and workers:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(2)
    raise AssertionError("service did not come up:\n" + log.read_text(errors="replace")[-3000:])


def _wait_for_run(api: str, deployment_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = httpx.post(f"{api}/flow_runs/filter", timeout=5, json={
            "limit": 5, "offset": 0, "sort": "EXPECTED_START_TIME_DESC",
            "deployments": {"id": {"any_": [deployment_id]}},
            "flow_runs": {"state": {"type": {"any_": ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"]}}},
        }).json()
        if runs:
            return runs[0]
        time.sleep(2)
    raise AssertionError("the custom run did not finish in time")


def test_custom_run_from_the_ui_writes_a_new_version(service, tmp_path):
    from playwright.sync_api import sync_playwright

    from tasks.sample_data import write_sample_inbox

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_sample_inbox(inbox, scale="tiny", seed=7, year=2026)
    deployments = httpx.post(f"{service}/deployments/filter", json={"limit": 10, "offset": 0}).json()
    assert {d["name"] for d in deployments} == {"quarterly-review", "half-year-comment", "annual-assessment"}
    assert all(d["schedules"] for d in deployments)  # each shows its next scheduled runs
    half_year = next(d for d in deployments if d["name"] == "half-year-comment")

    ui = service.removesuffix("/api")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{ui}/deployments")
        page.locator("a[href*='/deployments/deployment/']").filter(has_text="half-year-comment").first.click()
        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_text("Custom run").click()
        page.get_by_role("button", name="str", exact=True).first.click()  # period: from None to a text value
        fields = page.locator("input[type=text], textarea")
        values = {1: "2026H1", 2: str(inbox), 3: str(out)}
        for index, value in values.items():
            fields.nth(index).fill(value)
        fields.nth(fields.count() - 1).fill("界面重跑:数据更正")
        page.get_by_role("button", name="Submit").click()
        # After submitting, the UI shows the new flow run or the deployment's list of runs.
        page.wait_for_url(re.compile(r"/runs/flow-run/|tab=Runs"), timeout=30_000)
        page.screenshot(path=str(tmp_path / "submitted.png"))
        browser.close()

    run = _wait_for_run(service, half_year["id"])
    assert run["state"]["type"] == "COMPLETED", run["state"]
    assert run["parameters"]["period"] == "2026H1" and run["parameters"]["reason"] == "界面重跑:数据更正"
    latest = out / "half-year" / "2026H1" / "latest"
    assert latest.resolve().name == "v1"
    assert (latest / "summary.pdf").is_file() and (latest / "ranking.csv").is_file()
    assert "界面重跑:数据更正" in (latest / "manifest.json").read_text(encoding="utf-8")
