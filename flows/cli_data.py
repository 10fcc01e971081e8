"""The `assess` commands for data over time (SPEC §6): withdraw, restore, history and reproduce."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from flows.cli_common import DbOption, db_url, fail
from flows.operator_log import OPERATOR_ERRORS
from tasks.errors import AssessError

FileArgument = Annotated[str, typer.Argument(help="文件名(如 complaints_2026.csv)或其 SHA-256")]
ReasonOption = Annotated[str, typer.Option("--reason", help="原因(必填,记入审计日志)")]
ByOption = Annotated[str | None, typer.Option("--by", help="操作人;默认取操作系统用户名")]


def withdraw(file: FileArgument, reason: ReasonOption, db: DbOption = None, by: ByOption = None) -> None:
    """撤回一个已入库文件:其数据不再计入,但不删除;文件再次报送时跳过,如需恢复请用 assess restore。"""
    from tasks.store.engine import get_engine
    from tasks.store.withdrawal import withdraw as withdraw_file

    try:
        change = withdraw_file(get_engine(db_url(db)), file, reason, by)
    except OPERATOR_ERRORS as exc:
        fail(exc)
    typer.echo(change.text("撤回"))


def restore(file: FileArgument, reason: ReasonOption, db: DbOption = None, by: ByOption = None) -> None:
    """恢复一个已撤回的文件:其数据重新计入(已被其后更正的记录除外)。"""
    from tasks.store.engine import get_engine
    from tasks.store.withdrawal import restore as restore_file

    try:
        change = restore_file(get_engine(db_url(db)), file, reason, by)
    except OPERATOR_ERRORS as exc:
        fail(exc)
    typer.echo(change.text("恢复"))


def history(
    dataset: Annotated[str | None, typer.Option("--dataset", help="只看一个数据集,如 survey_responses")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="只看含有该单位数据的文件,如 U0001")] = None,
    db: DbOption = None,
) -> None:
    """数据变动记录(审计日志):每次入库、更正、撤回与恢复的时间、操作人、原因和涉及行数。"""
    from tasks.store.audit import history as load_history, history_text
    from tasks.store.engine import get_engine

    try:
        events = load_history(get_engine(db_url(db)), dataset=dataset, unit=unit)
    except OPERATOR_ERRORS as exc:
        fail(exc)
    typer.echo(history_text(events, unit))


def reproduce(
    cycle: Annotated[str, typer.Argument(help="周期:quarterly、half-year、annual、points 或 on-site")],
    period: Annotated[str, typer.Argument(help="期次,如 2026H1")],
    version: Annotated[str, typer.Argument(help="版本,如 v1")],
    out: Annotated[Path, typer.Option("--out", help="结果输出目录(各版本所在处)")] = Path("data/out"),
    db: DbOption = None,
) -> None:
    """按某一版本生成时的数据状态重算该版本,逐个核对 CSV 文件的 SHA-256:一致,或列出差异。"""
    from tasks.outputs.reproduce import reproduce as reproduce_version

    try:
        number = re.fullmatch(r"[vV]?(\d+)", version.strip())
        if number is None:
            raise AssessError(f"版本应写作 v1、v2……,收到“{version}”")
        result = reproduce_version(out, cycle, period, int(number[1]), db_url(db))
    except OPERATOR_ERRORS as exc:
        fail(exc)
    typer.echo(result.text())
    if result.differences:
        raise typer.Exit(code=1)
