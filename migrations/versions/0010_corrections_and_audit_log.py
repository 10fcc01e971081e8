"""data over time: correction files, withdrawal, the audit log and data states (SPEC §6)

Every dataset row records the audit-log event that stored it and, once another row with its key counts
instead, which file superseded it and when. Keys are no longer unique: a corrected key keeps its old rows.
Files already stored get one ingest event each, in the order they came in.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# (dataset, key) as in schemas/datasets.py at this revision.
KEYS = (
    ("units", ("unit_id",)), ("subjects", ("subject_id",)), ("commitments", ("commitment_id",)),
    ("commitment_status", ("commitment_id", "period")),
    ("survey_responses", ("period", "respondent_id", "unit_id", "dimension")),
    ("platform_cases", ("case_id",)), ("superior_scores", ("year", "unit_id", "evaluator")),
    ("deductions", ("record_id",)), ("vetoes", ("record_id",)), ("bonuses", ("record_id",)),
    ("exposures", ("record_id",)), ("complaints", ("complaint_id",)), ("leader_comments", ("comment_id",)),
    ("rectification_plans", ("unit_id", "period")), ("targets", ("target_id",)), ("appeals", ("appeal_id",)),
    ("appeal_decisions", ("appeal_id",)), ("organisations", ("org_id",)), ("point_events", ("event_id",)),
    ("scorecards", ("year", "person_id", "item")), ("site_reviews", ("review_id",)),
    ("site_questionnaires", ("review_id", "respondent_id", "question")), ("site_findings", ("finding_id",)),
)
LEGACY_ACTOR = "(本功能启用前入库)"


def upgrade() -> None:
    with op.batch_alter_table("ingested_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=12), server_default="plain", nullable=False))
        batch_op.add_column(sa.Column("withdrawn", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "data_events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("dataset", sa.String(length=40), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["file_id"], ["ingested_files.file_id"],
                                name=op.f("fk_data_events_file_id_ingested_files")),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_data_events")),
    )
    with op.batch_alter_table("data_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_events_file_id"), ["file_id"], unique=False)
    with op.batch_alter_table("rejected_rows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_event", sa.Integer(), nullable=True))
    op.execute(sa.text(
        "INSERT INTO data_events (at, kind, actor, file_id, dataset, rows) "
        f"SELECT ingested_at, 'ingest', '{LEGACY_ACTOR}', file_id, dataset, rows_accepted "
        "FROM ingested_files ORDER BY file_id"))
    op.execute(sa.text(
        "UPDATE rejected_rows SET accepted_event = (SELECT max(e.event_id) FROM data_events e "
        "WHERE e.at <= rejected_rows.accepted_at) WHERE accepted_at IS NOT NULL"))
    for dataset, key in KEYS:
        table = f"ds_{dataset}"
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("_event_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("_superseded_by", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("_superseded_at", sa.DateTime(), nullable=True))
        op.execute(sa.text(f'UPDATE "{table}" SET _event_id = (SELECT e.event_id FROM data_events e '
                           f'WHERE e.file_id = "{table}"._file_id)'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("_event_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(f"fk_{table}__superseded_by_ingested_files", "ingested_files",
                                        ["_superseded_by"], ["file_id"])
            batch_op.drop_constraint(f"uq_{table}_key", type_="unique")
            batch_op.create_index(f"ix_{table}_key", list(key), unique=False)


def downgrade() -> None:
    for dataset, key in reversed(KEYS):
        table = f"ds_{dataset}"
        # Only the rows that count survive the return to unique keys: the superseded and withdrawn go.
        op.execute(sa.text(f'DELETE FROM "{table}" WHERE _superseded_by IS NOT NULL OR _file_id IN '
                           "(SELECT file_id FROM ingested_files WHERE withdrawn)"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_key")
            batch_op.create_unique_constraint(f"uq_{table}_key", list(key))
            batch_op.drop_constraint(f"fk_{table}__superseded_by_ingested_files", type_="foreignkey")
            batch_op.drop_column("_superseded_at")
            batch_op.drop_column("_superseded_by")
            batch_op.drop_column("_event_id")
    with op.batch_alter_table("rejected_rows", schema=None) as batch_op:
        batch_op.drop_column("accepted_event")
    with op.batch_alter_table("data_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_events_file_id"))
    op.drop_table("data_events")
    with op.batch_alter_table("ingested_files", schema=None) as batch_op:
        batch_op.drop_column("withdrawn")
        batch_op.drop_column("kind")
