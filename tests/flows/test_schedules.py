"""Schedules that fire: `assess serve` lists every cycle's next runs at its cron times and runs one when it is due."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_ADMIN_URL, POSTGRES_AVAILABLE
from tests.flows.service import Service, serving

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("server")]

CITY = ZoneInfo("Asia/Shanghai")
HORIZON = timedelta(days=366)  # how far ahead `assess serve` has Prefect schedule runs
ENOUGH = 3  # Prefect's scheduler stops at three runs (PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS)
# prefect.yaml: 08:00 in Asia/Shanghai on these days of these months.
CRONS = {
    "quarterly-review": ((1, 4, 7, 10), 10),  # the 10th day after a quarter ends
    "half-year-comment": ((1, 7), 15),
    "annual-assessment": ((1,), 20),
    "points-system": ((1,), 25),
}
DAILY = {"publicity-finalise": 9}  # every day at 09:00: the 公示稿 whose window has closed become 正式
ON_DEMAND = ("on-site-review",)  # deployed without a schedule: an administrator names the review to report on


def cron_times(months: tuple[int, ...], day: int, after: datetime, until: datetime) -> list[datetime]:
    """Every 08:00 Asia/Shanghai on `day` of `months` strictly after `after` and up to `until`."""
    times = [datetime(year, month, day, 8, 0, tzinfo=CITY)
             for year in range(after.year, until.year + 1) for month in months]
    return [t for t in times if after < t <= until]


def daily_times(hour: int, after: datetime, count: int = ENOUGH) -> list[datetime]:
    """The first `count` times `hour`:00 Asia/Shanghai strictly after `after`."""
    first = after.astimezone(CITY).replace(hour=hour, minute=0, second=0, microsecond=0)
    first += timedelta(days=1) if first <= after else timedelta()
    return [first + timedelta(days=k) for k in range(count)]


def _scheduled(service: Service) -> dict[str, list[datetime]]:
    return {name: [datetime.fromisoformat(r["expected_start_time"]) for r in service.runs(d["id"], ["SCHEDULED"])]
            for name, d in service.deployments().items()}


def _assert_upcoming_runs_at_cron_times(service: Service, started: datetime,
                                        timeout: float = 120) -> dict[str, list[datetime]]:
    """Within `timeout` seconds each deployment has its scheduled runs at exactly its cron times."""
    expected = {name: cron_times(months, day, started, started + HORIZON)[:ENOUGH]
                for name, (months, day) in CRONS.items()}
    expected |= {name: daily_times(hour, started) for name, hour in DAILY.items()}
    assert all(expected.values())
    expected |= {name: [] for name in ON_DEMAND}  # and an on-demand deployment has none
    deadline = datetime.now(CITY) + timedelta(seconds=timeout)
    while True:
        scheduled = _scheduled(service)
        if scheduled == expected or datetime.now(CITY) > deadline:
            break
        time.sleep(3)
    assert scheduled == expected
    return expected


@pytest.fixture(scope="module")
def started():
    return datetime.now(CITY)


def test_every_deployment_lists_its_next_runs_at_the_cron_times(service, started):
    # e.g. on 1 December 2026: quarterly 2027-01-10, -04-10, -07-10; half-year 2027-01-15 and
    # -07-15; annual 2027-01-20 — each at 08:00 +08:00, created by Prefect's scheduler within two minutes.
    _assert_upcoming_runs_at_cron_times(service, started)
    scheduled = service.runs(service.deployments()["quarterly-review"]["id"], ["SCHEDULED"])
    assert {r["parameters"]["reason"] for r in scheduled} == {"定期运行"}  # the schedule fills in the reason
    assert all("auto-scheduled" in r["tags"] for r in scheduled)


def test_assess_schedule_prints_the_next_runs_in_chinese(service, started):
    from typer.testing import CliRunner

    from flows.cli import app

    expected = _assert_upcoming_runs_at_cron_times(service, started)
    labels = {"annual-assessment": "年度考核", "half-year-comment": "半年点评写实", "quarterly-review": "季度评议写实",
              "points-system": "积分制管理", "publicity-finalise": "公示期满发布正式版"}
    details = dict.fromkeys(CRONS, "期次:最近结束的一期  原因:定期运行") | dict.fromkeys(DAILY, "核定日期:当天")
    result = CliRunner().invoke(app, ["schedule", "--api", service.api])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["即将运行(北京时间):"] + [
        f"  {t:%Y-%m-%d %H:%M}  {labels[name]}({name})  {details[name]}"
        for name in sorted(expected) for t in expected[name]]


def test_a_schedule_that_falls_due_runs_and_writes_a_version(service, tmp_path):
    from tasks.periods import last_completed_period
    from tasks.sample.inbox import write_sample_inbox

    due = (datetime.now(CITY) + timedelta(seconds=90)).replace(second=0, microsecond=0) + timedelta(minutes=1)
    period = last_completed_period("quarterly", now=due)  # an empty period: the quarter that ended last
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_sample_inbox(inbox, scale="tiny", seed=7, year=int(period[:4]), years=2)
    deployment = service.deployments()["quarterly-review"]
    service.post(f"/deployments/{deployment['id']}/schedules", [{
        "schedule": {"cron": f"{due.minute} {due.hour} * * *", "timezone": "Asia/Shanghai"}, "active": True,
        "parameters": {"inbox": str(inbox), "out": str(out), "reason": "定期运行"},
    }])

    run = service.wait_for_finished_run(deployment["id"])
    assert datetime.fromisoformat(run["expected_start_time"]) == due
    assert "auto-scheduled" in run["tags"]
    assert (run["name"], run["state"]["type"]) == (f"quarterly-{period}", "COMPLETED"), run["state"]
    latest = out / "quarterly" / period / "latest"
    assert latest.resolve().name == "v1"
    assert (latest / "fulfilment.csv").is_file() and (latest / "summary.pdf").is_file()
    manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["run_id"], manifest["reason"]) == (run["id"], "定期运行")
    assert service.service_errors() == []


@pytest.mark.skipif(not POSTGRES_AVAILABLE, reason="PostgreSQL is not reachable")
def test_schedules_fire_with_postgresql_as_the_prefect_database(tmp_path):
    name = f"prefect_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+asyncpg://postgres@{admin.url.host}:{admin.url.port or 5432}/{name}"
    try:
        started = datetime.now(CITY)
        with serving(tmp_path, PREFECT_API_DATABASE_CONNECTION_URL=url) as service:
            _assert_upcoming_runs_at_cron_times(service, started)
            assert service.service_errors() == []
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
