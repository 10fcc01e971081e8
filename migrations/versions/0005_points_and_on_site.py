"""points and on-site review: the 基层单位 registry, point events, 千分制 scorecards, reviews, questionnaires
and findings (SPEC §9)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _bookkeeping(table: str) -> list:
    """The columns and constraints every dataset table shares: row id, source file and row number."""
    return [
        sa.Column("_file_id", sa.Integer(), nullable=False),
        sa.Column("_row_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["_file_id"], ["ingested_files.file_id"],
                                name=op.f(f"fk_{table}__file_id_ingested_files")),
        sa.PrimaryKeyConstraint("_id", name=op.f(f"pk_{table}")),
    ]


def _row_id() -> sa.Column:
    return sa.Column("_id", sa.Integer(), autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "ds_organisations", _row_id(),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("org_type", sa.Text(), nullable=False),
        sa.Column("region", sa.String(length=50), nullable=False),
        sa.Column("township", sa.String(length=50), nullable=True),
        *_bookkeeping("ds_organisations"),
        sa.UniqueConstraint("org_id", name="uq_ds_organisations_key"),
    )
    op.create_table(
        "ds_point_events", _row_id(),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.String(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        *_bookkeeping("ds_point_events"),
        sa.UniqueConstraint("event_id", name="uq_ds_point_events_key"),
    )
    op.create_table(
        "ds_scorecards", _row_id(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("max_points", sa.Float(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        *_bookkeeping("ds_scorecards"),
        sa.UniqueConstraint("year", "person_id", "item", name="uq_ds_scorecards_key"),
    )
    op.create_table(
        "ds_site_reviews", _row_id(),
        sa.Column("review_id", sa.Text(), nullable=False),
        sa.Column("team", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=50), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        *_bookkeeping("ds_site_reviews"),
        sa.UniqueConstraint("review_id", name="uq_ds_site_reviews_key"),
    )
    op.create_table(
        "ds_site_questionnaires", _row_id(),
        sa.Column("review_id", sa.Text(), nullable=False),
        sa.Column("respondent_id", sa.String(length=40), nullable=False),
        sa.Column("respondent_type", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        *_bookkeeping("ds_site_questionnaires"),
        sa.UniqueConstraint("review_id", "respondent_id", "question", name="uq_ds_site_questionnaires_key"),
    )
    op.create_table(
        "ds_site_findings", _row_id(),
        sa.Column("review_id", sa.Text(), nullable=False),
        sa.Column("finding_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        *_bookkeeping("ds_site_findings"),
        sa.UniqueConstraint("finding_id", name="uq_ds_site_findings_key"),
    )


def downgrade() -> None:
    for table in ("ds_site_findings", "ds_site_questionnaires", "ds_site_reviews", "ds_scorecards",
                  "ds_point_events", "ds_organisations"):
        op.drop_table(table)
