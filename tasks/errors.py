"""Errors an operator reads: each message is in Chinese and names the file, field or period at fault."""

from __future__ import annotations


class AssessError(Exception):
    """A problem the operator must fix before the run can go on."""


class UnreadableFile(AssessError):
    """A delivered file that cannot be read at all, or lacks a required column."""

    def __init__(self, file_name: str, problem: str) -> None:
        super().__init__(f"文件“{file_name}”无法读取:{problem}")
        self.file_name = file_name
        self.problem = problem


class MissingDataset(AssessError):
    """A dataset the cycle needs has no accepted rows."""

    def __init__(self, cycle_label: str, dataset: str, label: str, period: str | None = None) -> None:
        scope = f"{period}的" if period else ""
        super().__init__(f"{cycle_label}缺少{scope}必需数据“{label}”({dataset}):请将该数据文件放入收件箱后重新运行")
        self.dataset = dataset


class InvalidPeriod(AssessError):
    """A period parameter that is not of the cycle's form."""

    def __init__(self, period: str, expected: str) -> None:
        super().__init__(f"期次“{period}”格式不正确,应为 {expected}")
        self.period = period


class UnsafePath(AssessError):
    """A path parameter that would leave its folder."""

    def __init__(self, path: str) -> None:
        super().__init__(f"路径“{path}”不安全:不允许跳出指定文件夹")


def retry_io_only(task, task_run, state) -> bool:
    """Retry only what a retry can mend: I/O errors, not bad data or bad settings."""
    try:
        state.result()
    except AssessError:
        return False
    except OSError:
        return True
    except Exception:
        return False
    return False
