"""Delivery of a published version: an archive folder with an index, and e-mail to each recipient."""

from __future__ import annotations

import html
import json
import mimetypes
import shutil
import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from schemas.outputs import CYCLE_LABELS
from schemas.policy import Policy, Recipient
from tasks.settings import Settings


@dataclass
class Delivery:
    """What one recipient receives from one version."""

    recipient: Recipient
    files: list[Path]
    sent: bool = False
    error: str | None = None


@dataclass
class DeliveryReport:
    """The outcome of delivering one version."""

    archive: Path
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def failed(self) -> list[Delivery]:
        """Deliveries whose e-mail could not be sent."""
        return [d for d in self.deliveries if not d.sent]


def documents_for(recipient: Recipient, version_dir: Path) -> list[Path]:
    """The PDFs of a version meant for a recipient, in a stable order."""
    wanted = set(recipient.documents)
    files = [version_dir / f"{name}.pdf" for name in ("summary", "publicity") if name in wanted]
    if "units" in wanted:
        files += sorted((version_dir / "units").glob("*.pdf"))
    return [f for f in files if f.is_file()]


def archive_version(version_dir: Path, archive_root: Path, cycle: str, period: str,
                    deliveries: list[Delivery]) -> Path:
    """Copies of what each recipient receives, with an index page, under the archive folder."""
    target = archive_root / cycle / period / version_dir.name
    target.mkdir(parents=True, exist_ok=True)
    rows = []
    for delivery in deliveries:
        folder = target / delivery.recipient.name
        folder.mkdir(exist_ok=True)
        for path in delivery.files:
            shutil.copy2(path, folder / path.name)
        names = "、".join(html.escape(p.name) for p in delivery.files) or "(无)"
        rows.append(f"<tr><td>{html.escape(delivery.recipient.name)}</td>"
                    f"<td>{html.escape(delivery.recipient.email)}</td><td>{names}</td></tr>")
    title = f"{CYCLE_LABELS[cycle]} {period} {version_dir.name} 送达清单"
    (target / "index.html").write_text(
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<h1>{html.escape(title)}</h1><p>生成时间:{datetime.now():%Y-%m-%d %H:%M}</p>"
        "<table border='1' cellpadding='4'><tr><th>接收人</th><th>邮箱</th><th>文件</th></tr>"
        + "".join(rows) + "</table>", encoding="utf-8")
    return target


def compose(recipient: Recipient, files: list[Path], policy: Policy, cycle: str, period: str,
            version: str) -> EmailMessage:
    """The e-mail carrying a recipient's PDFs."""
    message = EmailMessage()
    message["Subject"] = f"【{policy.city}】{period} {CYCLE_LABELS[cycle]}结果材料({version})"
    message["From"] = policy.delivery.sender
    message["To"] = recipient.email
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="assessment.local")
    listing = "\n".join(f"  {i}. {p.name}" for i, p in enumerate(files, 1))
    message.set_content(
        f"{recipient.name}:\n\n{policy.issuer}现将{period}{CYCLE_LABELS[cycle]}结果材料({version})"
        f"送达,共 {len(files)} 份:\n{listing}\n\n请查收。\n")
    for path in files:
        kind, _ = mimetypes.guess_type(path.name)
        maintype, subtype = (kind or "application/pdf").split("/")
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return message


def send(message: EmailMessage, settings: Settings) -> None:
    """Hand one message to the SMTP server named by the settings."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


def plan(version_dir: Path, policy: Policy) -> list[Delivery]:
    """One delivery per leader recipient of the policy."""
    return [Delivery(r, documents_for(r, version_dir))
            for r in policy.delivery.recipients if r.role == "leader"]


def write_report(report: DeliveryReport) -> Path:
    """The delivery outcome as JSON beside the archived copies."""
    path = report.archive / "delivery.json"
    path.write_text(json.dumps([
        {"recipient": d.recipient.name, "email": d.recipient.email, "files": [p.name for p in d.files],
         "sent": d.sent, "error": d.error} for d in report.deliveries
    ], ensure_ascii=False, indent=2), encoding="utf-8")
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
