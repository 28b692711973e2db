"""ORM tables of the metadata store. Only stores import this module; they return domain objects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from modelport.clock import utcnow as utcnow  # re-exported: the stores take it from here

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every dialect (SQLite drops the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(64))
    auth_source: Mapped[str] = mapped_column(String(16), default="local")
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class SessionRow(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64))


class ModelRow(Base):
    __tablename__ = "models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str] = mapped_column(String(64), index=True)
    markets: Mapped[list[Any]] = mapped_column(default=list)
    brands: Mapped[list[Any]] = mapped_column(default=list)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    use_case: Mapped[str | None] = mapped_column(String(200))
    visibility: Mapped[str] = mapped_column(String(16), default="company")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    version_count: Mapped[int] = mapped_column(Integer, default=0)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Set when archived: hidden from search unless asked for, and not deployable.
    archived_at: Mapped[datetime | None] = mapped_column(index=True)


class ModelLabelRow(Base):
    """One facet value of a model (market, brand, tag, flavor): filters and facet counts read this."""

    __tablename__ = "model_labels"

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)

    __table_args__ = (Index("ix_model_labels_kind_value", "kind", "value", "model_id"),)


class ModelVersionRow(Base):
    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    flavor: Mapped[str] = mapped_column(String(32), index=True)
    format: Mapped[str] = mapped_column(String(32))
    safe_format: Mapped[bool] = mapped_column(Boolean, default=False)
    model_type: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    artifact_uri: Mapped[str] = mapped_column(String(1024))
    artifact_sha256: Mapped[str] = mapped_column(String(64), index=True)
    artifact_size: Mapped[int] = mapped_column(BigInteger)
    input_schema: Mapped[dict[str, Any]] = mapped_column(default=dict)
    output_schema: Mapped[dict[str, Any]] = mapped_column(default=dict)
    example: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    training_data: Mapped[str | None] = mapped_column(String(1024))
    source_version: Mapped[str | None] = mapped_column(String(255))
    # The dataset and training a version came from, and a reference sample of its training data.
    lineage: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    reference: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("model_id", "version"),)


class ModelAliasRow(Base):
    __tablename__ = "model_aliases"

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), primary_key=True)
    alias: Mapped[str] = mapped_column(String(64), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id", ondelete="CASCADE"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEventRow(Base):
    """Append-only: triggers created by the migration refuse UPDATE and DELETE."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class DeploymentRow(Base):
    """A model version (or an alias it follows) serving one market, with an optional schedule."""

    __tablename__ = "deployments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    alias: Mapped[str | None] = mapped_column(String(64))
    market: Mapped[str] = mapped_column(String(100), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    cron: Mapped[str | None] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    input_spec: Mapped[dict[str, Any]] = mapped_column(default=dict)
    output_spec: Mapped[dict[str, Any]] = mapped_column(default=dict)
    engine: Mapped[str] = mapped_column(String(16), default="local")
    on_bad_rows: Mapped[str] = mapped_column(String(8), default="reject", server_default="reject")
    state: Mapped[str] = mapped_column(String(16), default="active")
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ExecutionRow(Base):
    """A unit of work on the queue: a run of a deployment (``kind`` score), the profile of a dataset
    version (profile) or a training (train). Workers claim queued rows; ``scheduled_for`` makes
    schedules exactly-once."""

    __tablename__ = "executions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="score", server_default="score")
    deployment_id: Mapped[int | None] = mapped_column(
        ForeignKey("deployments.id", ondelete="CASCADE"), index=True
    )
    # The dataset version a profile or a training reads (its visibility is the execution's).
    dataset_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="CASCADE"), index=True
    )
    trigger: Mapped[str] = mapped_column(String(16))
    triggered_by: Mapped[str | None] = mapped_column(String(64))
    scheduled_for: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    engine: Mapped[str] = mapped_column(String(16), default="local")
    input_ref: Mapped[dict[str, Any]] = mapped_column(default=dict)
    output_ref: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rows_read: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_written: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_total: Mapped[int | None] = mapped_column(BigInteger)
    progress: Mapped[float] = mapped_column(default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker_id: Mapped[str | None] = mapped_column(String(100))
    heartbeat_at: Mapped[datetime | None]
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("deployment_id", "scheduled_for"),
        Index("ix_executions_status_created", "status", "created_at"),
    )


class ExecutionLogRow(Base):
    __tablename__ = "execution_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    execution_id: Mapped[int] = mapped_column(ForeignKey("executions.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    level: Mapped[str] = mapped_column(String(8), default="info")
    message: Mapped[str] = mapped_column(Text)


class PredictionLogRow(Base):
    """A sampled online prediction (inputs and outputs), kept for drift monitoring."""

    __tablename__ = "prediction_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    inputs: Mapped[list[Any]] = mapped_column(default=list)
    outputs: Mapped[list[Any]] = mapped_column(default=list)
    latency_ms: Mapped[float] = mapped_column(default=0.0)


class SelfServiceRow(Base):
    """A model opened to self-service: business users may deploy this version or alias themselves."""

    __tablename__ = "self_service"

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int | None] = mapped_column(Integer)
    alias: Mapped[str | None] = mapped_column(String(64))
    all_markets: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SelfServiceMarketRow(Base):
    """One market open to self-service (a row each, so approving two requests at once loses neither)."""

    __tablename__ = "self_service_markets"

    model_id: Mapped[int] = mapped_column(
        ForeignKey("self_service.model_id", ondelete="CASCADE"), primary_key=True
    )
    market: Mapped[str] = mapped_column(String(100), primary_key=True)


class MarketRequestRow(Base):
    """A business user's request that a model be opened for one more market."""

    __tablename__ = "market_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    market: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_market_requests_model_id_status", "model_id", "status"),)


class NotificationRow(Base):
    """One in-app notification of one user. ``event_id`` ties the copies of one event together."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    # What the event is about; no foreign key, so a notification outlives a deleted deployment.
    subject_type: Mapped[str | None] = mapped_column(String(16))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    subject_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)


class SubscriptionRow(Base):
    """A user who follows a deployment or a model (exactly one of the two) to hear its events."""

    __tablename__ = "notification_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    deployment_id: Mapped[int | None] = mapped_column(
        ForeignKey("deployments.id", ondelete="CASCADE"), index=True
    )
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "deployment_id"),
        UniqueConstraint("user_id", "model_id"),
        CheckConstraint("(deployment_id IS NULL) <> (model_id IS NULL)", name="one_subject"),
    )


class WebhookRow(Base):
    """An HTTP endpoint that receives events as signed JSON POSTs. ``secret`` is never returned."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(255))
    events: Mapped[list[Any]] = mapped_column(default=list)
    scope: Mapped[str] = mapped_column(String(16), default="own")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DeliveryRow(Base):
    """One e-mail or webhook call to make, with its attempts: the sender claims due pending rows."""

    __tablename__ = "notification_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address: Mapped[str | None] = mapped_column(String(320))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_notification_deliveries_status_next", "status", "next_attempt_at"),)


class DatasetRow(Base):
    """A named dataset; its content lives in versions. Visible as models are (company or restricted)."""

    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default="company")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class DatasetVersionRow(Base):
    """One version of a dataset: the file as uploaded (``sha256``), the parsed rows as Parquet
    (``data_sha256``, what profiles and trainings read), its parse report, profile and cleaning steps."""

    __tablename__ = "dataset_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    data_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int | None] = mapped_column(BigInteger)
    columns: Mapped[list[Any]] = mapped_column(default=list)
    preview: Mapped[list[Any]] = mapped_column(default=list)
    source: Mapped[dict[str, Any]] = mapped_column(default=dict)
    parse_report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # No foreign key: the execution table points here already (a cycle would complicate deletes).
    profile_execution_id: Mapped[int | None] = mapped_column(Integer)
    steps: Mapped[list[Any]] = mapped_column(default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("dataset_id", "version"),)


class TrainingRow(Base):
    """A training run: its request, live leaderboard, evaluation and files (the fitted pipeline and the
    holdout rows). Its status and progress are its execution's."""

    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    execution_id: Mapped[int] = mapped_column(ForeignKey("executions.id", ondelete="CASCADE"), unique=True)
    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str] = mapped_column(String(256))
    task: Mapped[str | None] = mapped_column(String(16))
    metric: Mapped[str | None] = mapped_column(String(16))
    budget_s: Mapped[int] = mapped_column(Integer)
    steps: Mapped[list[Any]] = mapped_column(default=list)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    leaderboard: Mapped[list[Any]] = mapped_column(default=list)
    best: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    challenger: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    registered: Mapped[list[Any]] = mapped_column(default=list)
    model_sha256: Mapped[str | None] = mapped_column(String(64))
    holdout_sha256: Mapped[str | None] = mapped_column(String(64))
    # A sample of the training rows (Parquet) and their statistics: the reference of registered versions.
    reference: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    mlflow_run_id: Mapped[str | None] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(64), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
