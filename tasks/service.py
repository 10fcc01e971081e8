"""The local service: Prefect server with its UI, the process work pool, the deployments and a worker."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import time
from pathlib import Path

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


def service_environment(host: str, port: int, pool: str = WORK_POOL) -> dict[str, str]:
    """Environment for the server, the deploy step and the worker."""
    if not _is_loopback(host) and not os.environ.get("PREFECT_SERVER_API_AUTH_STRING"):
        raise AssessError(
            f"服务将监听非本机地址 {host}:必须先设置环境变量 PREFECT_SERVER_API_AUTH_STRING(形如 用户名:密码)"
        )
    env = dict(os.environ)
    env.update({
        "PREFECT_API_URL": f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_API_URL": f"http://{host}:{port}/api",
        "ASSESS_HOME": str(PROJECT_ROOT),
        "ASSESS_WORK_POOL": pool,
    })
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
