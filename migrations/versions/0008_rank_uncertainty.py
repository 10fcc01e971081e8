"""ranking results: the 95 % rank interval and the probability of being designated (SPEC §8)

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-04 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("result_ranking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rank_low", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rank_high", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("p_designated", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("result_ranking", schema=None) as batch_op:
        batch_op.drop_column("p_designated")
        batch_op.drop_column("rank_high")
        batch_op.drop_column("rank_low")
