"""Delivery of a published version: what each recipient receives, in mails under the size limit, and the record."""

from __future__ import annotations

import json
import mimetypes
import shutil
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from schemas.outputs import CYCLE_LABELS
from schemas.policy import Policy, Recipient
from tasks.settings import Settings

MEGABYTE = 1_000_000  # a mail server's "20 MB" limit, read the strict way
_PART_OVERHEAD = 600  # MIME headers of one attachment, with room for a long file name
_MAIL_OVERHEAD = 4_000  # the mail's own headers and the text part


@dataclass
class Mail:
    """One e-mail of a delivery: its place in the series, what it carries, and what the server answered."""

    number: int
    total: int
    files: list[Path]
    size: int = 0
    sent: bool = False
    answer: str | None = None


@dataclass
class Delivery:
    """What one recipient receives from one version, in one or more mails."""

    recipient: Recipient
    files: list[Path]
    mails: list[Mail] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the administrator should know: unknown regions, big files

    @property
    def sent(self) -> bool:
        """Every mail of the delivery was accepted by the mail server."""
        return bool(self.mails) and all(m.sent for m in self.mails)


@dataclass
class DeliveryReport:
    """The outcome of delivering one version."""

    archive: Path
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def failed(self) -> list[Delivery]:
        """Deliveries with a mail the server did not accept."""
        return [d for d in self.deliveries if not d.sent]


def documents_for(recipient: Recipient, version_dir: Path, unit_regions: Mapping[str, str] | None = None) -> list[Path]:
    """The PDFs of a version meant for a recipient: a regional recipient gets only their regions' unit dossiers."""
    wanted = set(recipient.documents)
    files = [version_dir / f"{name}.pdf" for name in ("summary", "publicity") if name in wanted]
    if "units" in wanted:
        units = sorted((version_dir / "units").glob("*.pdf"))
        if recipient.regions is not None:
            regions, known = set(recipient.regions), unit_regions or {}
            units = [p for p in units if known.get(p.stem) in regions]
        files += units
    return [f for f in files if f.is_file()]


def attachment_size(path: Path) -> int:
    """The bytes a file adds to a mail: base64 in 76-character lines, plus its part headers."""
    encoded = -(-path.stat().st_size // 3) * 4
    return encoded + 2 * -(-encoded // 76) + _PART_OVERHEAD


def split_mails(files: list[Path], limit_bytes: int) -> list[Mail]:
    """The files packed in order into mails that each stay under the limit (a file too big alone gets its own mail)."""
    groups: list[list[Path]] = []
    size = 0
    for path in files:
        extra = attachment_size(path)
        if not groups or size + extra > limit_bytes:
            groups.append([])
            size = _MAIL_OVERHEAD
        groups[-1].append(path)
        size += extra
    return [Mail(i, len(groups), group) for i, group in enumerate(groups or [[]], 1)]


def plan(version_dir: Path, policy: Policy, unit_regions: Mapping[str, str] | None = None) -> list[Delivery]:
    """One delivery per leader recipient of the policy, its files split into mails under `max_mail_mb`."""
    limit = int(policy.delivery.max_mail_mb * MEGABYTE)
    deliveries = []
    for recipient in (r for r in policy.delivery.recipients if r.role == "leader"):
        files = documents_for(recipient, version_dir, unit_regions)
        notes = _region_notes(recipient, unit_regions) + _oversized_notes(files, policy.delivery.max_mail_mb)
        deliveries.append(Delivery(recipient, files, split_mails(files, limit), notes))
    return deliveries


def _region_notes(recipient: Recipient, unit_regions: Mapping[str, str] | None) -> list[str]:
    """A region of the recipient that no registered unit belongs to: most likely a typing error in the policy."""
    if recipient.regions is None or unit_regions is None:
        return []
    known = set(unit_regions.values())
    return [f"政策所列地区“{region}”没有任何登记单位,请核对地区名称" for region in recipient.regions
            if region not in known]


def _oversized_notes(files: list[Path], max_mail_mb: float) -> list[str]:
    """A file that alone exceeds the mail limit: it still goes, alone, and the record says so."""
    limit = int(max_mail_mb * MEGABYTE)
    return [f"{path.name} 编码后约 {attachment_size(path) / MEGABYTE:.1f} MB,超过单封邮件上限 {max_mail_mb:g} MB,"
            "已单独一封发送,可能被邮件服务器拒收" for path in files if attachment_size(path) + _MAIL_OVERHEAD > limit]


def compose(recipient: Recipient, mail: Mail, policy: Policy, cycle: str, period: str,
            version: str) -> EmailMessage:
    """The e-mail carrying one mail's PDFs; a series is numbered “第 2/3 封” and each lists what it carries."""
    label = CYCLE_LABELS[cycle]
    part = f"(第 {mail.number}/{mail.total} 封)" if mail.total > 1 else ""
    message = EmailMessage()
    message["Subject"] = f"【{policy.city}】{period} {label}结果材料({version}){part}"
    message["From"] = policy.delivery.sender
    message["To"] = recipient.email
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="assessment.local")
    listing = "\n".join(f"  {i}. {p.name}" for i, p in enumerate(mail.files, 1))
    series = f"材料分 {mail.total} 封邮件发送,本封为第 {mail.number} 封," if mail.total > 1 else ""
    message.set_content(
        f"{recipient.name}:\n\n{policy.issuer}现将{period}{label}结果材料({version})送达。"
        f"{series}本封共 {len(mail.files)} 份:\n{listing}\n\n请查收。\n")
    for path in mail.files:
        kind, _ = mimetypes.guess_type(path.name)
        maintype, subtype = (kind or "application/pdf").split("/")
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return message


def send(message: EmailMessage, settings: Settings) -> str:
    """Hand one message to the SMTP server named by the settings; returns the server's answer to it."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.ehlo_or_helo_if_needed()
        code, answer = smtp.mail(message["From"])
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, answer, message["From"])
        code, answer = smtp.rcpt(message["To"])
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({message["To"]: (code, answer)})
        code, answer = smtp.data(wire_bytes(message))
        if code != 250:
            raise smtplib.SMTPDataError(code, answer)
        return f"{code} {answer.decode(errors='replace')}"


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as it goes over SMTP: CRLF line ends (smtplib leaves bytes as they are)."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def error_text(error: BaseException) -> str:
    """A failed mail as the record shows it: the server's code and words when it answered."""
    if isinstance(error, smtplib.SMTPResponseException):
        answer = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{error.smtp_code} {answer}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in error.recipients.values())
    if isinstance(error, OSError):
        return f"无法连接邮件服务器({type(error).__name__}: {error.strerror or error})"
    return f"{type(error).__name__}: {error}"


def deliver(deliveries: list[Delivery], send_one: Callable[[EmailMessage], str], policy: Policy, cycle: str,
            period: str, version: str) -> None:
    """Send every mail of every delivery; a refused mail is recorded and the others still go."""
    for item in deliveries:
        for mail in item.mails:
            message = compose(item.recipient, mail, policy, cycle, period, version)
            mail.size = len(wire_bytes(message))
            try:
                mail.answer, mail.sent = send_one(message), True
            except Exception as exc:  # whatever the server or the network did, the next mail still goes
                mail.answer = error_text(exc)


def archive_version(version_dir: Path, archive_root: Path, cycle: str, period: str,
                    deliveries: list[Delivery]) -> Path:
    """Copies of what each recipient receives, under the archive folder."""
    target = archive_root / cycle / period / version_dir.name
    target.mkdir(parents=True, exist_ok=True)
    for delivery in deliveries:
        folder = target / delivery.recipient.name
        folder.mkdir(exist_ok=True)
        for path in delivery.files:
            shutil.copy2(path, folder / path.name)
    return target


def _records(report: DeliveryReport) -> list[dict]:
    return [{
        "recipient": d.recipient.name, "email": d.recipient.email, "regions": d.recipient.regions,
        "files": [p.name for p in d.files], "sent": d.sent, "notes": d.notes,
        "mails": [{"number": m.number, "total": m.total, "files": [p.name for p in m.files], "bytes": m.size,
                   "sent": m.sent, "answer": m.answer} for m in d.mails],
    } for d in report.deliveries]


def write_report(report: DeliveryReport, cycle: str, period: str, version: str) -> Path:
    """The delivery record: delivery.json and the index page, per recipient and per mail, beside the copies."""
    from tasks.dossiers.render import environment

    records = _records(report)
    path = report.archive / "delivery.json"
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    page = environment().get_template("delivery_index.html").render(
        title=f"{CYCLE_LABELS[cycle]} {period} {version} 送达清单", made_at=f"{datetime.now():%Y-%m-%d %H:%M}",
        deliveries=records, failed=[r["recipient"] for r in records if not r["sent"]])
    (report.archive / "index.html").write_text(page, encoding="utf-8")
    return path


def failure_message(policy: Policy, cycle: str, period: str, text: str) -> list[EmailMessage]:
    """Failure notices to the administrators of the policy."""
    messages = []
    for admin in (r for r in policy.delivery.recipients if r.role == "admin"):
        message = EmailMessage()
        message["Subject"] = f"【{policy.city}】{period} {CYCLE_LABELS[cycle]}运行失败"
        message["From"] = policy.delivery.sender
        message["To"] = admin.email
        message["Date"] = formatdate(localtime=True)
        message.set_content(text)
        messages.append(message)
    return messages
