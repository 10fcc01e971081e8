"""The two Prefect artifacts every cycle publishes with a version: whom its results single out, and a summary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from tasks.dossiers.common import records


# Prefect does not publish an event over 1.5 MB, and an artifact's creation event carries its table: a province's
# 4,961 units with a measure or apology came to 2.5 MB (about 500 bytes a row), and the server refused the event with
# a warning. A list shows its first rows, how many there are, and where all of them are.
ARTIFACT_ROWS = 2_000


def publish(key: str, list_name: str, table: pd.DataFrame, list_description: str, heading: str, body: str,
            notes: list[str], folder: Path, report: str = "汇总报告") -> None:
    """`<key>-<list_name>`: the table (its first `ARTIFACT_ROWS` rows), Chinese headers and all; `<key>-summary`:
    the heading, the figures in `body`, the notes as a list, and where the version's summary.pdf is."""
    if len(table) > ARTIFACT_ROWS:
        list_description += (f"(共 {len(table):,} 行,此处列出前 {ARTIFACT_ROWS:,} 行;"
                             f"全部见本版本目录 {folder} 中的 CSV 文件)")
    create_table_artifact(key=f"{key}-{list_name}", table=records(table.head(ARTIFACT_ROWS)),
                          description=list_description)
    listed = "".join(f"- {note}\n" for note in notes)
    create_markdown_artifact(key=f"{key}-summary", description=f"{heading}结果", markdown=(
        f"# {heading}\n\n{body}\n\n{listed}\n{report}:`{folder / 'summary.pdf'}`\n"))
