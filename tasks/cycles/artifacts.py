"""The two Prefect artifacts every cycle publishes with a version: whom its results single out, and a summary."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from tasks.dossiers.common import records


# Prefect does not publish an event over 1.5 MB, and an artifact's creation event carries its table: the table as
# JSON with every non-ASCII character escaped, escaped once more inside the event (about 1.2 times its length). A
# province's 4,961 units with a measure or apology came to 2.5 MB, and the server refused the event with a warning.
# A list shows as many of its first rows as keep its JSON within ARTIFACT_BYTES, how many there are, and where all are.
ARTIFACT_BYTES = 1_000_000


def shown_rows(table: pd.DataFrame) -> list[dict]:
    """The first rows of `table` whose JSON, as Prefect stores a table artifact, stays within ARTIFACT_BYTES."""
    rows = records(table)
    size = len(json.dumps(rows))
    while size > ARTIFACT_BYTES:
        rows = rows[:max(1, int(len(rows) * ARTIFACT_BYTES / size * 0.98))]  # rows differ in length: a little less
        size = len(json.dumps(rows))
    return rows


def publish(key: str, list_name: str, table: pd.DataFrame, list_description: str, heading: str, body: str,
            notes: list[str], folder: Path, full_list: str, report: str = "汇总报告") -> None:
    """`<key>-<list_name>`: the table (its first rows when long, `shown_rows`), Chinese headers and all, the whole
    list being in the version's file `full_list`; `<key>-summary`: the heading, the figures in `body`, the notes as
    a list, and where the version's summary.pdf is."""
    rows = shown_rows(table)
    if len(rows) < len(table):
        list_description += (f"(共 {len(table):,} 行,此处列出前 {len(rows):,} 行;"
                             f"全部见 {folder / full_list})")
    create_table_artifact(key=f"{key}-{list_name}", table=rows, description=list_description)
    listed = "".join(f"- {note}\n" for note in notes)
    create_markdown_artifact(key=f"{key}-summary", description=f"{heading}结果", markdown=(
        f"# {heading}\n\n{body}\n\n{listed}\n{report}:`{folder / 'summary.pdf'}`\n"))
