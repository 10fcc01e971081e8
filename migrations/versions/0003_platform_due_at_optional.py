"""platform cases: `due_at` may be empty (SPEC §2.1: 媒体 cases often have no deadline)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ds_platform_cases', schema=None) as batch_op:
        batch_op.alter_column('due_at', existing_type=sa.DateTime(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('ds_platform_cases', schema=None) as batch_op:
        batch_op.alter_column('due_at', existing_type=sa.DateTime(), nullable=False)
