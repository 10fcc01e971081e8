"""What an operator reads when a command fails: one Chinese line on the terminal, the full trace in the log file."""

from __future__ import annotations

import errno
import logging
import traceback
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from schemas.policy import PolicyError
from tasks.errors import AssessError
from tasks.settings import get_settings

# Problems of the operator's making (files, settings, permissions), as opposed to defects of the program.
OPERATOR_ERRORS = (AssessError, PolicyError, ValidationError, UnicodeDecodeError, OSError)


def log_path() -> Path:
    """The operator log: `<data folder>/logs/assess.log`."""
    return get_settings().data_dir / "logs" / "assess.log"


def log_failure(exc: BaseException) -> Path:
    """Append the full trace of `exc` to the operator log; the log's path."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"\n=== {datetime.now():%Y-%m-%d %H:%M:%S} 错误:{operator_message(exc)}\n")
            log.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass  # a log that cannot be written must not hide the message itself
    return path.resolve()


def operator_message(exc: BaseException) -> str:
    """The problem in one Chinese line."""
    if isinstance(exc, (AssessError, PolicyError)):
        text = str(exc)
    elif isinstance(exc, ValidationError):
        problems = "; ".join(f"字段 {'.'.join(str(p) for p in e['loc'])}:{e['msg']}" for e in exc.errors())
        text = f"设置校验失败:{problems}"
    elif isinstance(exc, UnicodeDecodeError):
        text = f"文件不是 UTF-8 编码(第 {exc.start + 1} 个字节无法解码):请另存为 UTF-8 后重试"
    elif isinstance(exc, OSError):
        where = f"“{exc.filename}”" if exc.filename else ""
        text = f"无法读写{where}:{os_problem(exc)}"
    else:
        text = str(exc)
    return " ".join(text.split())


_OS_PROBLEMS = {errno.EACCES: "没有权限", errno.EPERM: "不允许此操作(没有权限)", errno.EROFS: "位于只读的文件系统",
                errno.ENOENT: "路径不存在", errno.ENOTDIR: "路径中的某一级不是目录", errno.ENOSPC: "磁盘空间不足",
                errno.EISDIR: "是目录而不是文件"}


def os_problem(exc: OSError) -> str:
    """What an OS error means, in Chinese."""
    return _OS_PROBLEMS.get(exc.errno, f"系统错误 {exc.errno}:{exc.strerror or exc}")


def _to_log(record: logging.LogRecord) -> None:
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"\n=== {datetime.now():%Y-%m-%d %H:%M:%S} {record.name}: {record.getMessage()}\n")
            log.write("".join(traceback.format_exception(*record.exc_info)))
    except OSError:
        pass


@contextmanager
def quiet_tracebacks():
    """While a cycle runs in this process, Prefect's console shows no trace: records with one go to the log file.

    Prefect configures its logging again when its temporary server starts, replacing any filter set on its
    handlers beforehand, so the console handler's class is what is changed, for the duration only.
    """
    from prefect.logging.handlers import PrefectConsoleHandler

    emit = PrefectConsoleHandler.emit

    def emit_without_trace(handler, record):
        if record.exc_info:
            _to_log(record)
            return
        emit(handler, record)

    PrefectConsoleHandler.emit = emit_without_trace
    try:
        yield
    finally:
        PrefectConsoleHandler.emit = emit
