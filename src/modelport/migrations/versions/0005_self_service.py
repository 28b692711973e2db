"""self-service markets: a model opened to business users for some markets, and market requests

Revision ID: 0005_self_service
Revises: 0004_notifications
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_self_service"
down_revision = "0004_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "self_service",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("alias", sa.String(length=64), nullable=True),
        sa.Column("all_markets", sa.Boolean(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_self_service_model_id_models"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_self_service_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_self_service_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("model_id", name=op.f("pk_self_service")),
    )
    op.create_table(
        "self_service_markets",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["self_service.model_id"],
            name=op.f("fk_self_service_markets_model_id_self_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "market", name=op.f("pk_self_service_markets")),
    )
    op.create_table(
        "market_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=100), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_market_requests_model_id_models"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_market_requests_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_market_requests_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_requests")),
    )
    with op.batch_alter_table("market_requests", schema=None) as batch_op:
        batch_op.create_index("ix_market_requests_model_id_status", ["model_id", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_market_requests_requested_by_id"), ["requested_by_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("market_requests")
    op.drop_table("self_service_markets")
    op.drop_table("self_service")
