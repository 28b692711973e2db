"""archived models: models.archived_at (hidden from search unless asked for, not deployable)

Revision ID: 0007_archived_models
Revises: 0005_self_service
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_archived_models"
down_revision = "0005_self_service"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("models") as batch:
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_models_archived_at"), ["archived_at"])


def downgrade() -> None:
    with op.batch_alter_table("models") as batch:
        batch.drop_index(batch.f("ix_models_archived_at"))
        batch.drop_column("archived_at")
