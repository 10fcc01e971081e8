"""The two Prefect artifacts every cycle publishes with a version: whom its results single out, and a summary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from tasks.dossiers.common import records


def publish(key: str, list_name: str, table: pd.DataFrame, list_description: str, heading: str, body: str,
            notes: list[str], folder: Path, report: str = "汇总报告") -> None:
    """`<key>-<list_name>`: the table, Chinese headers and all; `<key>-summary`: the heading, the figures in
    `body`, the notes as a list, and where the version's summary.pdf is."""
    create_table_artifact(key=f"{key}-{list_name}", table=records(table), description=list_description)
    listed = "".join(f"- {note}\n" for note in notes)
    create_markdown_artifact(key=f"{key}-summary", description=f"{heading}结果", markdown=(
        f"# {heading}\n\n{body}\n\n{listed}\n{report}:`{folder / 'summary.pdf'}`\n"))
