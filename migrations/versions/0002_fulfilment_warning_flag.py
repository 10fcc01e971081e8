"""fulfilment results: `warning` becomes a boolean, its reasons move to `warning_reasons`

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('result_fulfilment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warning_reasons', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('warning_flag', sa.Boolean(), nullable=True))
    # Results already stored keep their reasons; a unit was warned exactly when it had any.
    op.execute("UPDATE result_fulfilment SET warning_reasons = COALESCE(warning, ''), "
               "warning_flag = (COALESCE(warning, '') <> '')")
    with op.batch_alter_table('result_fulfilment', schema=None) as batch_op:
        batch_op.drop_column('warning')
        batch_op.alter_column('warning_flag', new_column_name='warning', existing_type=sa.Boolean())


def downgrade() -> None:
    with op.batch_alter_table('result_fulfilment', schema=None) as batch_op:
        batch_op.drop_column('warning')
        batch_op.alter_column('warning_reasons', new_column_name='warning', existing_type=sa.Text())
