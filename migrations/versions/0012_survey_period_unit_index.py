"""survey answers lose their (period, unit) index: no query reads by it, and every stored answer paid for it

A period's survey answers are found by the key index, which leads with the period (SPEC §6 windows); no query
narrows the answers by period and unit. Keeping the index cost a province's intake about 1.2 µs for each of its
9.8 million answers (2 million answers into a table holding a period already: 18.7 s with it, 16.4 s without).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 18:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ds_survey_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_ds_survey_responses_period_unit")


def downgrade() -> None:
    with op.batch_alter_table("ds_survey_responses", schema=None) as batch_op:
        batch_op.create_index("ix_ds_survey_responses_period_unit", ["period", "unit_id"], unique=False)
