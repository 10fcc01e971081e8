"""appeals and appeal decisions (SPEC §7: 复核申请, 复核决定)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _bookkeeping(table: str) -> list:
    """The columns and constraints every dataset table carries besides its own columns (tasks/models.py)."""
    return [
        sa.Column("_file_id", sa.Integer(), nullable=False),
        sa.Column("_row_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["_file_id"], ["ingested_files.file_id"],
                                name=op.f(f"fk_{table}__file_id_ingested_files")),
        sa.PrimaryKeyConstraint("_id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("appeal_id", name=f"uq_{table}_key"),
    ]


def upgrade() -> None:
    op.create_table(
        "ds_appeals",
        sa.Column("_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appeal_id", sa.String(length=40), nullable=False),
        sa.Column("cycle", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.String(length=32), nullable=False),
        sa.Column("filed_at", sa.Date(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=False),
        *_bookkeeping("ds_appeals"),
    )
    op.create_table(
        "ds_appeal_decisions",
        sa.Column("_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appeal_id", sa.String(length=40), nullable=False),
        sa.Column("decided_at", sa.Date(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_bookkeeping("ds_appeal_decisions"),
    )


def downgrade() -> None:
    op.drop_table("ds_appeal_decisions")
    op.drop_table("ds_appeals")
