"""training: datasets and their versions, trainings; executions of any kind (score, profile, train);
lineage and reference data on model versions

Revision ID: 0009_training
Revises: 0008_on_bad_rows
Create Date: 2026-12-04 09:00:00

On SQLite, making ``executions.deployment_id`` nullable rebuilds the table (batch mode): the
foreign keys are switched off around the migration (:func:`modelport.db.migrate.upgrade`), so the
rebuild's ``DROP TABLE`` does not cascade to the execution logs.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_training"
down_revision = "0008_on_bad_rows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_datasets_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("name", name=op.f("uq_datasets_name")),
    )
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datasets_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_datasets_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data_sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=True),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("preview", sa.JSON(), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("parse_report", sa.JSON(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=True),
        sa.Column("profile_execution_id", sa.Integer(), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_versions_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_dataset_versions_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_versions")),
        sa.UniqueConstraint("dataset_id", "version", name=op.f("uq_dataset_versions_dataset_id_version")),
    )
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_versions_sha256"), ["sha256"], unique=False)

    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), server_default="score", nullable=False))
        batch_op.add_column(sa.Column("dataset_version_id", sa.Integer(), nullable=True))
        batch_op.alter_column("deployment_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_executions_dataset_version_id_dataset_versions"),
            "dataset_versions",
            ["dataset_version_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_executions_dataset_version_id"), ["dataset_version_id"], unique=False
        )

    op.create_table(
        "trainings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("execution_id", sa.Integer(), nullable=False),
        sa.Column("dataset_version_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=256), nullable=False),
        sa.Column("task", sa.String(length=16), nullable=True),
        sa.Column("metric", sa.String(length=16), nullable=True),
        sa.Column("budget_s", sa.Integer(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("leaderboard", sa.JSON(), nullable=False),
        sa.Column("best", sa.JSON(), nullable=True),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.Column("challenger", sa.JSON(), nullable=True),
        sa.Column("registered", sa.JSON(), nullable=False),
        sa.Column("model_sha256", sa.String(length=64), nullable=True),
        sa.Column("holdout_sha256", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.JSON(), nullable=True),
        sa.Column("mlflow_run_id", sa.String(length=64), nullable=True),
        sa.Column("code_version", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["executions.id"],
            name=op.f("fk_trainings_execution_id_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["dataset_versions.id"],
            name=op.f("fk_trainings_dataset_version_id_dataset_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_trainings_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainings")),
        sa.UniqueConstraint("execution_id", name=op.f("uq_trainings_execution_id")),
    )
    with op.batch_alter_table("trainings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trainings_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_trainings_dataset_version_id"), ["dataset_version_id"], unique=False
        )

    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lineage", sa.JSON(), server_default="{}", nullable=False))
        batch_op.add_column(sa.Column("reference", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.drop_column("reference")
        batch_op.drop_column("lineage")
    op.drop_table("trainings")
    # Profiles and trainings have no deployment: they cannot stay in a table that requires one.
    op.execute("DELETE FROM executions WHERE deployment_id IS NULL")
    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_executions_dataset_version_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_executions_dataset_version_id_dataset_versions"), type_="foreignkey"
        )
        batch_op.alter_column("deployment_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("dataset_version_id")
        batch_op.drop_column("kind")
    op.drop_table("dataset_versions")
    op.drop_table("datasets")
