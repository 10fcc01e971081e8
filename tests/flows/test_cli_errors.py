"""`assess run` tells an operator what is wrong in one Chinese line, exits 2 and keeps the trace in the log file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _assess(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSESS_DATA_DIR": str(tmp_path / "data"), "PREFECT_HOME": str(tmp_path / "prefect"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def _run_args(tmp_path: Path, *extra: str) -> list[str]:
    (tmp_path / "inbox").mkdir(exist_ok=True)
    return ["run", "half-year", "--period", "2026H1", "--inbox", str(tmp_path / "inbox"),
            "--out", str(tmp_path / "out"), "--db", f"sqlite:///{tmp_path / 'assess.db'}", *extra]


def _error_line(result: subprocess.CompletedProcess, tmp_path: Path) -> str:
    """The one line that starts with 错误:, after checking that nothing else of the failure reached the terminal."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output and "╭" not in output
    (line,) = [line for line in output.splitlines() if "错误:" in line]
    log = (tmp_path / "data" / "logs" / "assess.log").resolve()
    assert line.endswith(f"(详细记录见 {log})")
    assert "Traceback (most recent call last)" in log.read_text(encoding="utf-8")
    return line.removesuffix(f"(详细记录见 {log})")


def _policy(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "policy.yaml"
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.mark.parametrize("case", ["misspelt key", "GBK policy", "read-only out"])
def test_operator_errors_before_the_run_starts(tmp_path, case):
    if case == "misspelt key":
        # A misspelt key used to print a 333-line traceback before the message.
        extra = ["--policy", _policy(tmp_path, "half_year:\n  key_managment_units: 10\n")]
        expected = f"错误:政策文件 {tmp_path / 'policy.yaml'} 有误 — 字段 half_year.key_managment_units:"
    elif case == "GBK policy":
        # A policy saved by a Chinese Windows editor in GBK used to give a bare UnicodeDecodeError.
        extra = ["--policy", _policy(tmp_path, "timezone: Asia/Shanghai\n# 城市政策\n", "gbk")]
        expected = (f"错误:政策文件“{tmp_path / 'policy.yaml'}”不是 UTF-8 编码(第 27 个字节无法解码):"
                    "请在编辑器中另存为 UTF-8 后重试")
    else:
        # Even root may not create a folder under /sys: the OSError traceback becomes one line.
        extra = ["--out", "/sys/assess-out"]
        expected = "错误:结果输出目录“/sys/assess-out”无法写入("
    # A repeated option takes its last value: the extra --out replaces the default one.
    line = _error_line(_assess(tmp_path, *_run_args(tmp_path, *extra)), tmp_path)
    assert line.startswith(expected), line
    if case == "read-only out":
        assert line.endswith("):请检查目录权限或用 --out 指定其他目录")


def test_a_file_refused_inside_the_run_is_one_line(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "units_2026.csv").write_text("unit_id,unit_name\nU0001,市行政服务中心\n", encoding="utf-8")
    # Prefect used to print an 89-line traceback of the flow run before the message.
    line = _error_line(_assess(tmp_path, *_run_args(tmp_path)), tmp_path)
    assert line == ("错误:文件“units_2026.csv”无法读取:缺少必需的列 “单位类别”(category)、“所属地区”(region)、"
                    "“层级”(level)、“是否窗口单位”(is_window)")
