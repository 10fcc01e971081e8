"""The last step every cycle shares: the published version archived per leader and e-mailed, every answer kept."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from schemas.outputs import CYCLE_LABELS
from tasks.cycles.common import Run
from tasks.outputs import delivery
from tasks.settings import get_settings


def _worth_retrying(task, task_run, state) -> bool:
    """Retry a mail the server may take later (network trouble, 4xx), never one it refused for good (5xx)."""
    try:
        state.result()
    except smtplib.SMTPResponseException as exc:
        return exc.smtp_code < 500
    except smtplib.SMTPRecipientsRefused as exc:
        return all(code < 500 for code, _ in exc.recipients.values())
    except OSError:
        return True
    except Exception:
        return False
    return False


@task(name="send-mail", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_jitter_factor=0.2, retry_condition_fn=_worth_retrying)
def send_mail_task(message: EmailMessage) -> str:
    """Hand one e-mail to the SMTP server, retried with backoff; returns the server's answer."""
    return delivery.send(message, get_settings())


@task(name="deliver", cache_policy=NO_CACHE)
def deliver_task(run: Run, folder: Path, units: pd.DataFrame | None = None) -> delivery.DeliveryReport:
    """Archive what each leader receives, e-mail it in mails under the size limit, and record every answer."""
    regions = None if units is None else dict(zip(units["unit_id"].astype(str), units["region"]))
    planned = delivery.plan(folder, run.policy, regions)
    archive = delivery.archive_version(folder, Path(folder).parents[2] / "deliveries", run.cycle,
                                       run.period, planned)
    report = delivery.DeliveryReport(archive, planned)
    for note in (f"{d.recipient.name}:{note}" for d in planned for note in d.notes):
        get_run_logger().warning("送达提示:%s", note)
    label = folder.name if run.replaces is None else f"{folder.name},替代此前送达的 v{run.replaces}"
    delivery.deliver(planned, send_mail_task, run.policy, run.cycle, run.period, label)
    delivery.write_report(report, run.cycle, run.period, folder.name)
    if report.failed:
        names = "、".join(d.recipient.name for d in report.failed)
        create_markdown_artifact(
            key=f"delivery-failed-{run.cycle}", description="送达失败",
            markdown=f"# 送达失败\n\n{CYCLE_LABELS[run.cycle]} {run.period} {folder.name} 未能全部发送给:{names}。\n\n"
                     f"结果文件完好,已存于 `{folder}`;送达记录与副本在 `{archive}`(见 index.html)。"
                     "请检查邮件服务器设置后重新发送。")
        get_run_logger().error("送达失败:%s", names)
    return report


