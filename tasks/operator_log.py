"""What an operator reads when a command fails: one Chinese line on the terminal, the full trace in the log file."""

from __future__ import annotations

import logging
import traceback
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from tasks.errors import AssessError
from tasks.settings import get_settings

# Problems of the operator's making (files, settings, permissions), as opposed to defects of the program.
OPERATOR_ERRORS = (AssessError, ValidationError, UnicodeDecodeError, OSError)


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
    if isinstance(exc, AssessError):
        text = str(exc)
    elif isinstance(exc, ValidationError):
        problems = "; ".join(f"字段 {'.'.join(str(p) for p in e['loc'])}:{e['msg']}" for e in exc.errors())
        text = f"设置校验失败:{problems}"
    elif isinstance(exc, UnicodeDecodeError):
        text = f"文件不是 UTF-8 编码(第 {exc.start + 1} 个字节无法解码):请另存为 UTF-8 后重试"
    elif isinstance(exc, OSError):
        where = f"“{exc.filename}”" if exc.filename else ""
        text = f"无法读写文件{where}:{exc.strerror or exc}"
    else:
        text = str(exc)
    return " ".join(text.split())


class _TracebackToLog(logging.Filter):
    """Keeps records that carry a trace off the console: they go to the operator log instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info:
            return True
        path = log_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write(f"\n=== {datetime.now():%Y-%m-%d %H:%M:%S} {record.name}: {record.getMessage()}\n")
                log.write("".join(traceback.format_exception(*record.exc_info)))
        except OSError:
            pass
        return False


@contextmanager
def quiet_tracebacks():
    """While a cycle runs in this process, Prefect's error records with traces reach the log file, not the console."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    keeper = _TracebackToLog()
    for handler in handlers:
        handler.addFilter(keeper)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(keeper)
