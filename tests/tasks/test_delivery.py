"""Delivery: the archive index, e-mail with the PDFs attached over a real SMTP server, and failures."""

from __future__ import annotations

import email
from email import policy as email_policy

import pytest

from tests.helpers import free_port
from aiosmtpd.controller import Controller

from schemas.policy import Policy
from tasks import delivery
from tasks.settings import Settings


class _Inbox:
    """An SMTP handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 OK"




@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def version_dir(tmp_path):
    folder = tmp_path / "out" / "half-year" / "2026H1" / "v3"
    (folder / "units").mkdir(parents=True)
    (folder / "summary.pdf").write_bytes(b"%PDF-1.7 summary")
    (folder / "publicity.pdf").write_bytes(b"%PDF-1.7 publicity")
    (folder / "units" / "U0007.pdf").write_bytes(b"%PDF-1.7 unit 7")
    return folder


POLICY = Policy.model_validate({"delivery": {"recipients": [
    {"name": "王书记", "email": "wang@city.gov", "documents": ["summary", "units"]},
    {"name": "李部长", "email": "li@city.gov", "documents": ["summary", "publicity"]},
    {"name": "办公室", "email": "office@city.gov", "role": "admin"},
]}})


def test_each_leader_gets_exactly_their_pdfs(smtp_server, version_dir):
    inbox, port = smtp_server
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port)
    planned = delivery.plan(version_dir, POLICY)
    for item in planned:
        delivery.send(delivery.compose(item.recipient, item.files, POLICY, "half-year", "2026H1", "v3"), settings)

    received = {m["To"]: m for m in inbox.messages}
    assert set(received) == {"wang@city.gov", "li@city.gov"}  # the admin gets no dossiers
    attachments = {to: [(a.get_filename(), a.get_content()) for a in m.iter_attachments()]
                   for to, m in received.items()}
    assert attachments["wang@city.gov"] == [("summary.pdf", b"%PDF-1.7 summary"), ("U0007.pdf", b"%PDF-1.7 unit 7")]
    assert attachments["li@city.gov"] == [("summary.pdf", b"%PDF-1.7 summary"), ("publicity.pdf", b"%PDF-1.7 publicity")]
    assert received["li@city.gov"]["Subject"] == "【江城市】2026H1 半年点评写实结果材料(v3)"


def test_archive_keeps_copies_and_an_index(version_dir, tmp_path):
    planned = delivery.plan(version_dir, POLICY)
    archive = delivery.archive_version(version_dir, tmp_path / "deliveries", "half-year", "2026H1", planned)
    assert archive == tmp_path / "deliveries" / "half-year" / "2026H1" / "v3"
    assert sorted(p.name for p in (archive / "王书记").iterdir()) == ["U0007.pdf", "summary.pdf"]
    index = (archive / "index.html").read_text(encoding="utf-8")
    assert "王书记" in index and "li@city.gov" in index and "publicity.pdf" in index


def test_unreachable_server_raises(version_dir):
    settings = Settings(smtp_host="127.0.0.1", smtp_port=free_port())
    item = delivery.plan(version_dir, POLICY)[0]
    with pytest.raises(OSError):
        delivery.send(delivery.compose(item.recipient, item.files, POLICY, "half-year", "2026H1", "v3"), settings)


def test_failure_notice_goes_to_admins_only():
    messages = delivery.failure_message(POLICY, "annual", "2026", "失败原因")
    assert [m["To"] for m in messages] == ["office@city.gov"]
    assert messages[0]["Subject"] == "【江城市】2026 年度考核运行失败"
