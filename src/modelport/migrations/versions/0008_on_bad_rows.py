"""deployments.on_bad_rows: what a run does with rows that do not fit the model's input schema

Revision ID: 0008_on_bad_rows
Revises: 0007_archived_models
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_on_bad_rows"
down_revision = "0007_archived_models"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deployments") as batch:
        batch.add_column(
            sa.Column("on_bad_rows", sa.String(length=8), server_default="reject", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("deployments") as batch:
        batch.drop_column("on_bad_rows")
