"""An administrator reruns a half-year period from the Prefect UI's Custom run form in a real browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from schemas.policy import DEFAULT_POLICY

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # kept by CI; git-ignored
# What the form must show for each parameter of the half-year flow, in the order of the signature.
TITLES = ["期次", "重跑原因", "政策", "收件箱目录", "结果目录"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("server"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def _property(page, title: str):
    """The form property titled `title`."""
    return page.locator(".schema-form-property").filter(
        has=page.locator(".schema-form-property__label", has_text=re.compile(rf"^{title}( \(Optional\))?$")))


def _field(page, title: str):
    """The text input of the form property titled `title`."""
    return _property(page, title).locator("textarea, input").first


def _screenshot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy2(path, ARTIFACTS / f"ui_rerun_{name}.png")


def test_custom_run_from_the_ui_writes_a_new_version(service, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from tasks.sample.inbox import write_sample_inbox

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_sample_inbox(inbox, scale="tiny", seed=7, year=2026)
    # Delivered an hour ago: the deployment leaves files changed within its settle time for the next run.
    delivered = time.time() - 3600
    for path in inbox.rglob("*"):
        os.utime(path, (delivered, delivered))
    half_year = service.deployments()["half-year-comment"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        # The UI shows times in the browser's time zone: an administrator's is Beijing time.
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, timezone_id="Asia/Shanghai")
        page.goto(f"{service.ui}/deployments")
        page.locator("a[href*='/deployments/deployment/']").filter(has_text="half-year-comment").first.click()
        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_text("Custom run").click()

        labels = page.locator(".schema-form-property__label")
        expect(labels.first).to_be_visible()
        assert [re.sub(r" \(Optional\)$", "", t) for t in labels.all_inner_texts()] == TITLES
        expect(page.get_by_text("如 2026H1;留空则为最近结束的一期")).to_be_visible()
        policy = _property(page, "政策").locator("button.p-select-button__control")
        expect(policy).to_have_text(DEFAULT_POLICY)
        assert page.get_by_text(re.compile(r"postgres|sqlite|database|\bdb\b", re.I)).count() == 0
        _screenshot(page, tmp_path, "form")

        # No reason: the form will not submit a manual run.
        page.get_by_role("button", name="Submit").click()
        expect(page.get_by_text("'reason' is a required property")).to_be_visible()
        # A period of another cycle's form: the server refuses to create the run, by the form's pattern.
        _field(page, "期次").fill("2026Q1")
        _field(page, "重跑原因").fill("界面重跑:数据更正")
        page.get_by_role("button", name="Submit").click()
        expect(page.get_by_text(re.compile(r"Validation failed for field 'period'")).first).to_be_visible()
        _screenshot(page, tmp_path, "refused")
        assert re.search(r"/deployments/deployment/[^/]+/run", page.url)
        assert service.runs(half_year["id"], ["PENDING", "RUNNING", "COMPLETED", "FAILED", "CRASHED"]) == []

        _field(page, "期次").fill("2026H1")
        _field(page, "收件箱目录").fill(str(inbox))
        _field(page, "结果目录").fill(str(out))
        policy.focus()  # a select of the policy folder's files, by name
        page.keyboard.press("ArrowDown")
        options = page.locator(".p-select-option")
        expect(options.first).to_be_visible()
        assert options.all_inner_texts() == [DEFAULT_POLICY, "短名单"]
        options.filter(has_text="短名单").click()
        expect(policy).to_have_text("短名单")
        _screenshot(page, tmp_path, "filled")
        page.get_by_role("button", name="Submit").click()
        # After submitting, the UI shows the new flow run or the deployment's list of runs.
        page.wait_for_url(re.compile(r"/runs/flow-run/|tab=Runs"), timeout=30_000)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1_000)  # the page fades in
        _screenshot(page, tmp_path, "submitted")
        # The deployment's coming scheduled runs, as an administrator checks them.
        page.goto(f"{service.ui}/deployments/deployment/{half_year['id']}?tab=Upcoming")
        expect(page.get_by_text(re.compile(r"Scheduled for \d{4}/01/15 08:00:00 AM")).first).to_be_visible(timeout=30_000)
        page.wait_for_timeout(1_000)
        _screenshot(page, tmp_path, "upcoming")
        browser.close()

    run = service.wait_for_finished_run(half_year["id"])
    assert run["state"]["type"] == "COMPLETED", run["state"]
    assert run["parameters"]["period"] == "2026H1" and run["parameters"]["reason"] == "界面重跑:数据更正"
    latest = out / "half-year" / "2026H1" / "latest"
    assert latest.resolve().name == "v1"
    assert (latest / "summary.pdf").is_file() and (latest / "ranking.csv").is_file()
    manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reason"] == "界面重跑:数据更正"
    assert manifest["policy_file"] == str(service.root.resolve() / "data" / "policies" / "短名单.yaml")
    assert manifest["policy"]["half_year"]["key_management_count"] == 3
    assert service.service_errors() == []
