"""Delivery over a real SMTP server: routing by region, mails split under the size limit, refusals recorded."""

from __future__ import annotations

import email
import json
import os
from collections import Counter
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from schemas.policy import Policy
from tasks.outputs import delivery
from tasks.settings import Settings
from tests.helpers import free_port


class _Inbox:
    """An SMTP handler that keeps every message, refusing any that carries the attachment named `refuse`."""

    def __init__(self, refuse: str | None = None) -> None:
        self.refuse = refuse
        self.messages: list[email.message.EmailMessage] = []
        self.sizes: list[int] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email_policy.default)
        if self.refuse in [a.get_filename() for a in message.iter_attachments()]:
            return "554 5.7.1 Message rejected by policy"
        self.messages.append(message)
        self.sizes.append(len(envelope.content))
        return "250 2.0.0 Ok: queued"


def _server(handler: _Inbox):
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    controller = _server(inbox)
    yield inbox, Settings(smtp_host="127.0.0.1", smtp_port=controller.port)
    controller.stop()


UNITS = {"U0001": "东湖区", "U0002": "东湖区", "U0003": "西山县", "U0004": "市直"}


@pytest.fixture
def version_dir(tmp_path):
    folder = tmp_path / "out" / "half-year" / "2026H1" / "v3"
    (folder / "units").mkdir(parents=True)
    (folder / "summary.pdf").write_bytes(b"%PDF-1.7 summary")
    (folder / "publicity.pdf").write_bytes(b"%PDF-1.7 publicity")
    for unit in UNITS:
        (folder / "units" / f"{unit}.pdf").write_bytes(b"%PDF-1.7 " + unit.encode() + os.urandom(3000))
    return folder


def _policy(*recipients: dict, max_mail_mb: float = 20) -> Policy:
    return Policy.model_validate({"delivery": {"recipients": list(recipients), "max_mail_mb": max_mail_mb}})


CITY = {"name": "王书记", "email": "wang@city.gov"}
EAST = {"name": "东湖区委书记", "email": "east@city.gov", "regions": ["东湖区"]}
WEST = {"name": "西山县委书记", "email": "west@city.gov", "regions": ["西山县"]}
OFFICE = {"name": "办公室", "email": "office@city.gov", "role": "admin"}


def _send_all(planned, policy, settings):
    delivery.deliver(planned, lambda m: delivery.send(m, settings), policy, "half-year", "2026H1", "v3")


def _attachments(messages) -> dict[str, list[str]]:
    received: dict[str, list[str]] = {}
    for message in messages:
        received.setdefault(message["To"], []).extend(a.get_filename() for a in message.iter_attachments())
    return received


@pytest.mark.parametrize("recipient, expected", [
    # A city leader (no regions) receives the summary, the publicity list and every singled-out unit's dossier.
    (CITY, ["summary.pdf", "publicity.pdf", "U0001.pdf", "U0002.pdf", "U0003.pdf", "U0004.pdf"]),
    # A county secretary receives the summary, the publicity list and only their region's dossiers.
    (EAST, ["summary.pdf", "publicity.pdf", "U0001.pdf", "U0002.pdf"]),
    (WEST, ["summary.pdf", "publicity.pdf", "U0003.pdf"]),
    # A region with no singled-out unit: the summary and the publicity list only.
    ({"name": "南岭区委书记", "email": "south@city.gov", "regions": ["南岭区"]}, ["summary.pdf", "publicity.pdf"]),
    # Documents narrow what is sent, regions narrow the dossiers among them.
    ({**EAST, "documents": ["units"]}, ["U0001.pdf", "U0002.pdf"]),
])
def test_each_recipient_receives_what_is_theirs(smtp_server, version_dir, recipient, expected):
    inbox, settings = smtp_server
    policy = _policy(recipient, OFFICE)
    planned = delivery.plan(version_dir, policy, UNITS)
    _send_all(planned, policy, settings)
    assert _attachments(inbox.messages) == {recipient["email"]: expected}  # the admin receives no dossiers
    assert inbox.messages[0]["Subject"] == "【江城市】2026H1 半年点评写实结果材料(v3)"


def test_mails_stay_under_the_limit_and_carry_every_pdf_once(smtp_server, version_dir):
    inbox, settings = smtp_server
    # 14 KB: a mail holds the summary and the publicity list (tiny) and dossiers of ~4.7 KB encoded, not all six.
    policy = _policy(CITY, EAST, max_mail_mb=0.014)
    planned = delivery.plan(version_dir, policy, UNITS)
    _send_all(planned, policy, settings)

    limit = int(0.014 * delivery.MEGABYTE)
    assert all(size < limit for size in inbox.sizes), inbox.sizes
    received = _attachments(inbox.messages)
    everything = ["summary.pdf", "publicity.pdf", "U0001.pdf", "U0002.pdf", "U0003.pdf", "U0004.pdf"]
    assert Counter(received[CITY["email"]]) == Counter(everything)  # every PDF exactly once
    assert Counter(received[EAST["email"]]) == Counter(everything[:4])
    city = [m for m in inbox.messages if m["To"] == CITY["email"]]
    total = len(city)
    assert [[a.get_filename() for a in m.iter_attachments()] for m in city] == \
        [["summary.pdf", "publicity.pdf", "U0001.pdf"], ["U0002.pdf", "U0003.pdf"], ["U0004.pdf"]]
    assert [m["Subject"] for m in city] == [f"【江城市】2026H1 半年点评写实结果材料(v3)(第 {i}/{total} 封)"
                                            for i in range(1, total + 1)]
    for number, message in enumerate(city, 1):
        body = message.get_body(("plain",)).get_content()
        names = [a.get_filename() for a in message.iter_attachments()]
        assert f"材料分 {total} 封邮件发送,本封为第 {number} 封,本封共 {len(names)} 份" in body
        assert all(f". {name}" in body for name in names)  # each mail lists what it carries
    record = {d.recipient.name: d for d in planned}["王书记"]
    assert [(m.number, m.total, m.sent, m.answer) for m in record.mails] == \
        [(i, total, True, "250 2.0.0 Ok: queued") for i in range(1, total + 1)]


def test_the_default_limit_keeps_a_small_delivery_in_one_mail(version_dir):
    # 20 MB by default: six small PDFs are one mail.
    assert [len(m.files) for m in delivery.plan(version_dir, _policy(CITY), UNITS)[0].mails] == [6]


def test_a_refused_mail_is_recorded_and_the_others_still_go(tmp_path, version_dir):
    inbox = _Inbox(refuse="U0002.pdf")  # the city leader's second mail; the county secretary never gets it
    controller = _server(inbox)
    try:
        policy = _policy(CITY, WEST, max_mail_mb=0.014)
        planned = delivery.plan(version_dir, policy, UNITS)
        _send_all(planned, policy, Settings(smtp_host="127.0.0.1", smtp_port=controller.port))
    finally:
        controller.stop()
    report = delivery.DeliveryReport(delivery.archive_version(version_dir, tmp_path / "deliveries", "half-year",
                                                              "2026H1", planned), planned)
    delivery.write_report(report, "half-year", "2026H1", "v3")

    city = planned[0]
    assert [(m.number, m.sent) for m in city.mails] == [(1, True), (2, False), (3, True)]
    assert [m["Subject"][-9:] for m in inbox.messages if m["To"] == CITY["email"]] == \
        [f"(第 {m.number}/{m.total} 封)" for m in city.mails if m.sent]
    assert [d.recipient.name for d in report.failed] == ["王书记"]
    record = json.loads((report.archive / "delivery.json").read_text(encoding="utf-8"))
    assert record[0]["sent"] is False
    assert record[0]["mails"][1] == {"number": 2, "total": city.mails[0].total, "files": [p.name for p in city.mails[1].files],
                                     "bytes": city.mails[1].size, "sent": False,
                                     "answer": "554 5.7.1 Message rejected by policy"}
    assert record[1]["recipient"] == "西山县委书记" and record[1]["sent"] is True
    index = (report.archive / "index.html").read_text(encoding="utf-8")
    assert "送达失败:王书记" in index and "554 5.7.1 Message rejected by policy" in index
    assert index.count("已接收") == sum(m.sent for d in planned for m in d.mails)


def test_the_index_escapes_what_it_shows(tmp_path, version_dir):
    policy = _policy({"name": "王书记<img src=x onerror=alert(1)>", "email": "x@city.gov"})
    planned = delivery.plan(version_dir, policy, UNITS)
    report = delivery.DeliveryReport(delivery.archive_version(version_dir, tmp_path / "d", "half-year", "2026H1",
                                                              planned), planned)
    delivery.write_report(report, "half-year", "2026H1", "v3")
    index = (report.archive / "index.html").read_text(encoding="utf-8")
    assert "<img" not in index and "王书记&lt;img src=x onerror=alert(1)&gt;" in index


def test_archive_keeps_copies_per_recipient(version_dir, tmp_path):
    planned = delivery.plan(version_dir, _policy(CITY, EAST), UNITS)
    archive = delivery.archive_version(version_dir, tmp_path / "deliveries", "half-year", "2026H1", planned)
    assert archive == tmp_path / "deliveries" / "half-year" / "2026H1" / "v3"
    assert sorted(p.name for p in (archive / "东湖区委书记").iterdir()) == \
        ["U0001.pdf", "U0002.pdf", "publicity.pdf", "summary.pdf"]


def test_unreachable_server_raises(version_dir):
    settings = Settings(smtp_host="127.0.0.1", smtp_port=free_port())
    item = delivery.plan(version_dir, _policy(CITY))[0]
    with pytest.raises(OSError):
        delivery.send(delivery.compose(item.recipient, item.mails[0], _policy(CITY), "half-year", "2026H1", "v3"),
                      settings)


def test_failure_notice_goes_to_admins_only():
    messages = delivery.failure_message(_policy(CITY, OFFICE), "annual", "2026", "失败原因")
    assert [m["To"] for m in messages] == ["office@city.gov"]
    assert messages[0]["Subject"] == "【江城市】2026 年度考核运行失败"


def test_a_region_no_unit_belongs_to_is_noted(version_dir):
    # 东胡区 is a typing error for 东湖区: the secretary would silently receive no dossier without the note.
    planned = delivery.plan(version_dir, _policy({**EAST, "regions": ["东胡区", "东湖区"]}), UNITS)
    assert planned[0].notes == ["政策所列地区“东胡区”没有任何登记单位,请核对地区名称"]
    assert delivery.plan(version_dir, _policy(EAST), UNITS)[0].notes == []


def test_a_file_over_the_mail_limit_goes_alone_and_is_noted(version_dir):
    # Under a 16 KB limit two ~4.7 KB dossiers share a mail; a 28 KB one is over the limit by itself.
    (version_dir / "units" / "U0001.pdf").write_bytes(b"%PDF-1.7 " + os.urandom(20_000))
    planned = delivery.plan(version_dir, _policy({**CITY, "documents": ["units"]}, max_mail_mb=0.016), UNITS)[0]
    assert [[p.name for p in m.files] for m in planned.mails] == [["U0001.pdf"], ["U0002.pdf", "U0003.pdf"],
                                                                  ["U0004.pdf"]]
    assert planned.notes == ["U0001.pdf 编码后约 0.0 MB,超过单封邮件上限 0.016 MB,已单独一封发送,可能被邮件服务器拒收"]


def test_a_refused_connection_is_recorded_in_chinese():
    assert delivery.error_text(ConnectionRefusedError(111, "Connection refused")) == \
        "无法连接邮件服务器(ConnectionRefusedError: Connection refused)"


@pytest.mark.parametrize("recipient, field", [
    ({**CITY, "role": "leaders"}, "role"),          # a misspelt role would have dropped the recipient silently
    ({**CITY, "documents": ["summary", "unit"]}, "documents"),  # a misspelt document kind sent nothing of it
    ({**CITY, "email": "wang.city.gov"}, "email"),
])
def test_a_misspelt_recipient_is_refused(recipient, field):
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as error:
        _policy(recipient)
    assert field in str(error.value)
