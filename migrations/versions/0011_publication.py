"""publicity drafts and final versions (SPEC §7: 公示稿, 正式): each run's publication and its window

A run of a cycle with a publicity window publishes a 公示稿 (publicity draft) whose window runs from
`window_start` to `window_end`; the finalising run publishes it as 正式 (final). `published_on` is the day a
version was published, in the city's time zone: the rectification clock of a final half-year starts from it.
Runs of cycles without a window, and runs stored before this revision, have no publication.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publication", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("published_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("window_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("window_end", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("window_end")
        batch_op.drop_column("window_start")
        batch_op.drop_column("published_on")
        batch_op.drop_column("publication")
