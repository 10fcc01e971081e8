"""period windows: an index on the column each dataset's window filters on (SPEC §6)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 23:05:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# (dataset, column) as in tasks/store/tables.py WINDOW_INDEXED at this revision.
INDEXED = (
    ("commitments", "year"), ("commitment_status", "period"), ("deductions", "date"), ("vetoes", "date"),
    ("bonuses", "year"), ("exposures", "date"), ("complaints", "date"), ("leader_comments", "date"),
    ("rectification_plans", "period"), ("targets", "year"), ("point_events", "date"), ("site_findings", "review_id"),
)


def upgrade() -> None:
    for dataset, column in INDEXED:
        with op.batch_alter_table(f"ds_{dataset}", schema=None) as batch_op:
            batch_op.create_index(f"ix_ds_{dataset}_{column}", [column], unique=False)


def downgrade() -> None:
    for dataset, column in reversed(INDEXED):
        with op.batch_alter_table(f"ds_{dataset}", schema=None) as batch_op:
            batch_op.drop_index(f"ix_ds_{dataset}_{column}")
