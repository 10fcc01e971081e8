"""Shared cycle tasks: delivery retried then reported, results kept whatever the mail server does."""

from __future__ import annotations

import email
import json
from email import policy as email_policy

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from prefect import flow
from prefect.context import get_run_context

from schemas.policy import Policy
from tasks.cycles import common as pipeline
from tasks.cycles import deliver
from tasks.periods import last_completed_period
from tasks.outputs.versions import start_version
from tasks.settings import get_settings
from tests.helpers import free_port


class _FlakyInbox:
    """An SMTP handler that answers 451 (try again later) to the first `failures` messages."""

    def __init__(self, failures: int, code: str = "451 Requested action aborted: try again later") -> None:
        self.failures = failures
        self.code = code
        self.attempts = 0
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts <= self.failures:
            return self.code
        self.messages.append(email.message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 OK"


POLICY = Policy.model_validate({"delivery": {"recipients": [
    {"name": "王书记", "email": "wang@city.gov", "documents": ["summary"]},
]}})


@pytest.fixture
def published(tmp_path, data_dir):
    version = start_version(tmp_path / "out", "half-year", "2026H1")
    version.path_for("summary.pdf").write_bytes(b"%PDF-1.7 summary")
    folder = version.commit({"run_id": "r1"})
    run = pipeline.Run("r1", "half-year", "2026H1", POLICY, None, "测试", version)
    return run, folder


def _smtp(monkeypatch, failures: int, code: str = "451 Requested action aborted: try again later"):
    handler = _FlakyInbox(failures, code)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("ASSESS_SMTP_PORT", str(controller.port))
    get_settings.cache_clear()
    return handler, controller


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(deliver.send_mail_task, "retry_delay_seconds", [0, 0, 0])


def _deliver(run, folder):
    @flow
    def deliver_only():
        return deliver.deliver_task(run, folder)

    return deliver_only()


def test_a_delivery_that_fails_twice_is_retried_and_sent_once(prefect_harness, published, monkeypatch):
    run, folder = published
    handler, controller = _smtp(monkeypatch, failures=2)
    try:
        report = _deliver(run, folder)
    finally:
        controller.stop()
    assert handler.attempts == 3
    assert [m["To"] for m in handler.messages] == ["wang@city.gov"]
    assert [(d.recipient.name, d.sent) for d in report.deliveries] == [("王书记", True)]
    assert [m.answer for m in report.deliveries[0].mails] == ["250 OK"]


def test_a_mail_refused_for_good_is_not_retried(prefect_harness, published, monkeypatch):
    # 554 is a permanent refusal: asking again cannot help, it is recorded at once.
    run, folder = published
    handler, controller = _smtp(monkeypatch, failures=99, code="554 5.7.1 Message rejected")
    try:
        report = _deliver(run, folder)
    finally:
        controller.stop()
    assert handler.attempts == 1
    assert [m.answer for m in report.deliveries[0].mails] == ["554 5.7.1 Message rejected"]


def test_a_delivery_that_keeps_failing_is_reported_and_loses_nothing(prefect_harness, published, monkeypatch):
    run, folder = published
    handler, controller = _smtp(monkeypatch, failures=99)
    try:
        report = _deliver(run, folder)
    finally:
        controller.stop()
    assert handler.attempts == 4  # the first try and three retries
    assert [(d.recipient.name, d.sent) for d in report.deliveries] == [("王书记", False)]
    recorded = json.loads((report.archive / "delivery.json").read_text(encoding="utf-8"))
    assert recorded[0]["sent"] is False
    assert recorded[0]["mails"][0]["answer"] == "451 Requested action aborted: try again later"
    assert (folder / "summary.pdf").read_bytes() == b"%PDF-1.7 summary"  # the result is untouched
    assert (report.archive / "王书记" / "summary.pdf").read_bytes() == b"%PDF-1.7 summary"


def test_run_names_carry_the_period(prefect_harness):
    @flow(flow_run_name=pipeline.run_namer("half-year"))
    def named(period: str | None = None) -> str:
        return get_run_context().flow_run.name

    assert named("2026H1") == "half-year-2026H1"
    assert named() == f"half-year-{last_completed_period('half-year')}"
    assert named("2026Q1") == "half-year-2026Q1"  # the flow refuses it; the name still says what was asked


@pytest.mark.parametrize(("scheduled", "expected"), [
    (datetime(2026, 7, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")), "2026H1"),
    (datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai")), "2025H2"),
    # The city's clock decides: 16:30 UTC on 30 June is already 1 July in Shanghai.
    (datetime(2026, 6, 30, 16, 30, tzinfo=ZoneInfo("UTC")), "2026H1"),
])
def test_default_period_follows_the_scheduled_time(monkeypatch, scheduled, expected):
    monkeypatch.setattr(pipeline, "current_run", SimpleNamespace(scheduled_start_time=scheduled, parameters={}))
    assert pipeline.period_of_run("half-year", None) == expected
    assert pipeline.period_of_run("half-year", "2025H1") == "2025H1"
