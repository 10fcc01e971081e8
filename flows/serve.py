"""The local service: Prefect server with its UI, the process work pool, the deployments and a worker."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from tasks.errors import AssessError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WORK_POOL = "assessment"


def _prefect() -> list[str]:
    return [sys.executable, "-m", "prefect"]


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _check_port_free(host: str, port: int) -> None:
    """Refuse a port another process listens on: the server would not start, and the health check would find the
    other one and report this service as running."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise AssessError(f"端口 {port} 已被占用(可能已有一个服务在运行):请先停止它,或用 --port 指定其他端口") from exc


def service_environment(host: str, port: int, pool: str = WORK_POOL) -> dict[str, str]:
    """Environment for the server, the deploy step and the worker."""
    if not _is_loopback(host) and not os.environ.get("PREFECT_SERVER_API_AUTH_STRING"):
        raise AssessError(
            f"服务将监听非本机地址 {host}:必须先设置环境变量 PREFECT_SERVER_API_AUTH_STRING(形如 用户名:密码)"
        )
    _check_port_free(host, port)
    env = dict(os.environ)
    env.update({
        "PREFECT_API_URL": f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_API_URL": f"http://{host}:{port}/api",
        "ASSESS_HOME": str(PROJECT_ROOT),
        "ASSESS_WORK_POOL": pool,
    })
    # Prefect schedules runs 100 days ahead by default; a year ahead, the UI lists every cycle's
    # coming runs (the annual one included) and `assess schedule` can print them.
    env.setdefault("PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME", "P366D")
    if env.get("PREFECT_SERVER_API_AUTH_STRING"):
        env.setdefault("PREFECT_API_AUTH_STRING", env["PREFECT_SERVER_API_AUTH_STRING"])
    return env


def wait_until_healthy(api_url: str, timeout: float = 120) -> None:
    """Block until the Prefect API answers its health check."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssessError(f"Prefect 服务在 {timeout:.0f} 秒内未能启动:{api_url}")


def register_deployments(env: dict[str, str], pool: str = WORK_POOL) -> None:
    """Create the process work pool (if absent) and deploy every flow of prefect.yaml."""
    subprocess.run([*_prefect(), "work-pool", "create", pool, "--type", "process", "--overwrite"],
                   env=env, cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*_prefect(), "--no-prompt", "deploy", "--all", "--prefect-file", "prefect.yaml"],
                   env=env, cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL)


def start_server(env: dict[str, str], host: str, port: int) -> subprocess.Popen:
    """The Prefect server with its UI, as a child process."""
    return subprocess.Popen([*_prefect(), "server", "start", "--host", host, "--port", str(port)],
                            env=env, cwd=PROJECT_ROOT)


def start_worker(env: dict[str, str], pool: str = WORK_POOL) -> subprocess.Popen:
    """A process worker polling the work pool, as a child process."""
    return subprocess.Popen([*_prefect(), "worker", "start", "--pool", pool, "--type", "process"],
                            env=env, cwd=PROJECT_ROOT)


DEPLOYMENT_LABELS = {"quarterly-review": "季度评议写实", "half-year-comment": "半年点评写实",
                     "annual-assessment": "年度考核", "points-system": "积分制管理",
                     "on-site-review": "现场点评", "publicity-finalise": "公示期满发布正式版"}


def upcoming_runs(api_url: str, per_deployment: int = 3) -> list[dict]:
    """The next scheduled flow runs of every deployment, soonest first: deployment, start time, parameters."""
    deployments = httpx.post(f"{api_url}/deployments/filter", json={"limit": 50, "offset": 0}, timeout=10)
    deployments.raise_for_status()
    upcoming = []
    for deployment in sorted(deployments.json(), key=lambda d: d["name"]):
        runs = httpx.post(f"{api_url}/flow_runs/filter", timeout=10, json={
            "limit": per_deployment, "offset": 0, "sort": "EXPECTED_START_TIME_ASC",
            "deployments": {"id": {"any_": [deployment["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
        })
        runs.raise_for_status()
        upcoming += [{"deployment": deployment["name"], "start": datetime.fromisoformat(r["expected_start_time"]),
                      "parameters": r["parameters"]} for r in runs.json()]
    return upcoming


def _run_details(parameters: dict) -> str:
    """What a scheduled run is for: a cycle's period and reason, or the day the finalising flow reads."""
    if "reason" not in parameters:  # the finalising flow: no period, no reason
        return f"核定日期:{parameters.get('on') or '当天'}"
    return f"期次:{parameters.get('period') or '最近结束的一期'}  原因:{parameters['reason']}"


def schedule_text(runs: list[dict], tz: str = "Asia/Shanghai") -> str:
    """The upcoming runs as an administrator reads them, in the city's time."""
    if not runs:
        return "没有已排定的运行:请确认 `assess serve` 已启动且部署的计划处于启用状态。"
    lines = ["即将运行(北京时间):"]
    for run in runs:
        start = run["start"].astimezone(ZoneInfo(tz))
        label = DEPLOYMENT_LABELS.get(run["deployment"], run["deployment"])
        lines.append(f"  {start:%Y-%m-%d %H:%M}  {label}({run['deployment']})  {_run_details(run['parameters'])}")
    return "\n".join(lines)


def stop(*processes: subprocess.Popen) -> None:
    """Terminate child processes, then kill any that linger."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
