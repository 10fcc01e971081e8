"""What the `assess` commands share: the database and policy options, and failing in one Chinese line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[str | None, typer.Option("--db", help="数据库地址;默认取 DATABASE_URL 或数据目录下的 SQLite 文件")]
PolicyOption = Annotated[Path | None, typer.Option("--policy", help="政策文件(.yaml),其别名表与时区用于读取数据;默认使用内置标准")]


def db_url(db: str | None) -> str:
    """--db, else the deployment's database."""
    from tasks.settings import get_settings

    return db or get_settings().db_url


def fail(exc: BaseException) -> None:
    """Exit 2 with one Chinese line; the full trace goes to the log file, which the line names."""
    from flows.operator_log import log_failure, operator_message

    log = log_failure(exc)
    typer.secho(f"错误:{operator_message(exc)}(详细记录见 {log})", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)
