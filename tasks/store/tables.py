"""Database tables: one per inbox dataset (built from schemas/), plus files, rejections, runs and results."""

from __future__ import annotations

from sqlalchemy import (
    JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String,
    Table, Text, false,
)

from schemas.datasets import DATASETS, Dataset
from schemas.outputs import ASSESSMENT_COLUMNS, FULFILMENT_COLUMNS, INDIVIDUAL_COLUMNS, RANKING_COLUMNS

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_SQL_TYPES = {
    "str": lambda c: String(c.max_length) if c.max_length and c.max_length <= 255 else Text(),
    "int": lambda c: Integer(),
    "float": lambda c: Float(),
    "date": lambda c: Date(),
    "datetime": lambda c: DateTime(),
    "bool": lambda c: Boolean(),
}

ingested_files = Table(
    "ingested_files", metadata,
    Column("file_id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("file_name", Text, nullable=False),
    Column("dataset", String(40), nullable=False),
    Column("archived_as", Text, nullable=False),
    Column("ingested_at", DateTime, nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_accepted", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    # A file whose name contains 更正 replaces the stored rows with its keys (SPEC §6); any other file is plain.
    Column("kind", String(12), nullable=False, server_default="plain"),
    # Withdrawn (`assess withdraw`): its rows stop counting, nothing is deleted, and its SHA-256 stays known.
    Column("withdrawn", Boolean, nullable=False, server_default=false()),
)

# The audit log (SPEC §6): every ingest, correction, withdrawal, restore and re-validation, in order. A version's
# data state is the position (the last event_id) of this log when its data was read.
data_events = Table(
    "data_events", metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(12), nullable=False),  # ingest | correction | withdraw | restore | revalidate
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=True),
    Column("file_id", Integer, ForeignKey("ingested_files.file_id"), nullable=True, index=True),
    Column("dataset", String(40), nullable=True),
    Column("rows", Integer, nullable=False),
    Column("detail", JSON, nullable=True),
)

rejected_rows = Table(
    "rejected_rows", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_id", Integer, ForeignKey("ingested_files.file_id"), nullable=False, index=True),
    Column("dataset", String(40), nullable=False, index=True),
    Column("row_number", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("data", JSON, nullable=False),
    # Rejected only for a unit or subject nobody had registered yet: validated again at every later ingest.
    Column("awaiting_reference", Boolean, nullable=False, server_default=false()),
    Column("accepted_at", DateTime, nullable=True),  # when a later validation let the row in
    Column("accepted_event", Integer, nullable=True),  # the audit-log event that let it in
)


def _dataset_table(dataset: Dataset) -> Table:
    columns = [
        Column(c.name, _SQL_TYPES[c.type](c), nullable=not c.required) for c in dataset.columns
    ]
    return Table(
        f"ds_{dataset.name}", metadata,
        Column("_id", Integer, primary_key=True, autoincrement=True),
        *columns,
        Column("_file_id", Integer, ForeignKey("ingested_files.file_id"), nullable=False),
        Column("_row_number", Integer, nullable=False),
        Column("_event_id", Integer, nullable=False),  # the audit-log event that stored the row
        # The file whose row with the same key counts instead, and since when (a correction, or a restore).
        Column("_superseded_by", Integer, ForeignKey("ingested_files.file_id"), nullable=True),
        Column("_superseded_at", DateTime, nullable=True),
        # Not unique: a corrected key keeps its old rows (tasks/store/state.py says which row counts).
        Index(f"ix_ds_{dataset.name}_key", *dataset.key),
    )


dataset_tables: dict[str, Table] = {name: _dataset_table(d) for name, d in DATASETS.items()}
Index("ix_ds_platform_cases_received_at", dataset_tables["platform_cases"].c.received_at)
# The column each dataset's period window filters on (tasks/store/window.py), where neither its key nor the
# indexes above lead with it: a run finds its period's rows by index, however many years are stored.
WINDOW_INDEXED = {
    "commitments": "year", "commitment_status": "period", "deductions": "date", "vetoes": "date", "bonuses": "year",
    "exposures": "date", "complaints": "date", "leader_comments": "date", "rectification_plans": "period",
    "targets": "year", "point_events": "date", "site_findings": "review_id",
}
for _name, _column in WINDOW_INDEXED.items():
    Index(f"ix_ds_{_name}_{_column}", dataset_tables[_name].c[_column])

runs = Table(
    "runs", metadata,
    Column("run_id", String(64), primary_key=True),
    Column("cycle", String(20), nullable=False),
    Column("period", String(10), nullable=False),
    Column("version", Integer, nullable=True),
    Column("status", String(20), nullable=False),  # running | complete | failed
    Column("reason", Text, nullable=True),
    Column("policy_hash", String(64), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("out_dir", Text, nullable=True),
    Column("error", Text, nullable=True),
    # 公示稿 | 正式 for a cycle with a publicity window (SPEC §7), else empty; the window of a 公示稿.
    Column("publication", String(10), nullable=True),
    Column("published_on", Date, nullable=True),
    Column("window_start", Date, nullable=True),
    Column("window_end", Date, nullable=True),
    Index("ix_runs_cycle_period", "cycle", "period"),
)

_RESULT_TYPES = {
    "unit_id": String(32), "unit_name": Text(), "category": String(20), "person_id": String(40),
    "designation": String(20), "grade": String(10), "measure": String(20), "apology": String(20),
    "missing_components": Text(), "rank": Integer(), "warning_reasons": Text(), "sanction": Text(),
    "rank_low": Integer(), "rank_high": Integer(),
    "warning": Boolean(), "veto": Boolean(), "excellent": Boolean(),
    **{c: Integer() for c in ("due", "fulfilled", "in_progress", "adjusted", "overdue", "platform_cases",
                              "valid_responses", "abstentions", "valid_complaints",
                              "valid_complaints_two_years")},
}


def _result_table(name: str, columns: tuple[str, ...]) -> Table:
    return Table(
        name, metadata,
        Column("run_id", String(64), ForeignKey("runs.run_id"), primary_key=True),
        Column("period", String(10), nullable=False, index=True),
        *[Column(c, _RESULT_TYPES.get(c, Float()), primary_key=c in ("unit_id", "person_id"),
                 nullable=c not in ("unit_id", "person_id")) for c in columns],
    )


result_tables: dict[str, Table] = {
    "fulfilment": _result_table("result_fulfilment", FULFILMENT_COLUMNS),
    "ranking": _result_table("result_ranking", RANKING_COLUMNS),
    "assessment": _result_table("result_assessment", ASSESSMENT_COLUMNS),
    "individuals": _result_table("result_individuals", INDIVIDUAL_COLUMNS),
}
