"""All settings of modelport, in one typed object read from ``MODELPORT_*`` environment variables.

The settings are flat (``MODELPORT_DATABASE_URL`` rather than ``MODELPORT_DB__URL``) because an
operator types them in a shell, a compose file or a Helm chart: one short name per knob reads best.
They are built by the app factory and the CLI, never at import time, so tests can build their own.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Settings of one modelport process (API server, worker or CLI)."""

    model_config = SettingsConfigDict(env_prefix="MODELPORT_", extra="ignore")

    home: Path = Field(
        default=Path(".modelport"),
        description="Folder of the embedded defaults: SQLite file, local artifact store, secret key.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the metadata store. Default: SQLite file `<home>/modelport.db`. "
        "PostgreSQL: `postgresql+psycopg://user:pass@host:5432/db`.",
    )
    artifact_root: str | None = Field(
        default=None,
        description="Where model files and results live: a local folder (default `<home>/artifacts`) "
        "or `s3://bucket/prefix` for S3 / MinIO.",
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="Endpoint of an S3-compatible store (MinIO); empty for AWS S3."
    )
    s3_access_key_id: str | None = Field(default=None, description="S3 access key id.")
    s3_secret_access_key: SecretStr | None = Field(default=None, description="S3 secret access key.")
    s3_region: str | None = Field(default=None, description="S3 region name.")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that signs CSRF tokens. Default: a random key created once in `<home>/secret_key`. "
        "Set the same value on every API replica.",
    )
    max_upload_bytes: int = Field(
        default=512 * 1024 * 1024,
        gt=0,
        description="Largest accepted upload (model file or dataset), in bytes.",
    )
    host: str = Field(default="127.0.0.1", description="Address `modelport serve` binds to.")
    port: int = Field(default=8000, description="Port `modelport serve` listens on.")
    demo: bool = Field(
        default=False,
        description="Demo mode: demo catalog and users on an empty database; binds to 127.0.0.1 only.",
    )
    cookie_secure: bool = Field(
        default=True,
        description="Send the session cookie only over HTTPS (browsers treat localhost as secure).",
    )
    session_ttl_hours: int = Field(default=12, gt=0, description="Lifetime of a web session.")
    token_default_ttl_days: int = Field(default=90, gt=0, description="Default lifetime of a new API token.")
    token_max_ttl_days: int = Field(default=365, gt=0, description="Longest lifetime an API token may have.")
    login_max_failures: int = Field(
        default=5, gt=0, description="Failed logins in a row before an account is locked for a while."
    )
    login_lockout_minutes: int = Field(
        default=15, gt=0, description="How long a locked account stays locked."
    )
    search_max_page_size: int = Field(default=200, gt=0, description="Largest page size a list may ask for.")
    log_level: str = Field(default="info", description="Log level of the server.")
    public_url: str | None = Field(
        default=None,
        description="URL users reach modelport at (for SSO redirects); default http://<host>:<port>.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (JSON list); none by default.",
    )
    login_rate_limit_per_minute: int = Field(
        default=30, gt=0, description="Sign-in attempts accepted per client address and minute."
    )
    local_login_enabled: bool = Field(
        default=True, description="Accept username/password sign-in (switch off when everyone uses SSO)."
    )

    # --- single sign-on (OpenID Connect) ---
    oidc_issuer: str | None = Field(
        default=None, description="Issuer URL of the OpenID Connect provider; SSO is off when empty."
    )
    oidc_client_id: str | None = Field(default=None, description="Client id of modelport at the provider.")
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="Client secret (empty for a public client using PKCE only)."
    )
    oidc_scopes: str = Field(default="openid profile email", description="Scopes asked at sign-in.")
    oidc_audience: str | None = Field(
        default=None, description="Audience required in bearer access tokens; default the client id."
    )
    oidc_role_claim: str = Field(
        default="realm_access.roles", description="Dotted path of the claim that carries roles or groups."
    )
    oidc_role_mapping: dict[str, str] = Field(
        default_factory=dict,
        description='Claim value -> role (JSON), e.g. {"ml-admins": "admin"}; role names map to themselves.',
    )
    oidc_default_role: str | None = Field(
        default="viewer", description="Role of a signed-in user whose claim maps to none; empty refuses them."
    )
    oidc_username_claim: str = Field(default="preferred_username", description="Claim used as the username.")
    oidc_department_claim: str | None = Field(
        default="department", description="Claim used as the department."
    )

    # --- running models ---
    worker_enabled: bool = Field(default=True, description="Run an embedded worker inside `modelport serve`.")
    worker_concurrency: int = Field(
        default=1, gt=0, description="Executions one worker runs at the same time."
    )
    worker_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often an idle worker looks for work."
    )
    worker_lease_seconds: int = Field(
        default=30,
        gt=2,
        description="A running execution whose worker has not sent a heartbeat for this long is recovered.",
    )
    worker_shutdown_grace_seconds: float = Field(
        default=20.0,
        ge=0,
        description="On SIGTERM a worker stops claiming and lets a running execution finish for this long, "
        "then stops it and queues it again without counting an attempt (keep it under the orchestrator's "
        "kill delay, e.g. Kubernetes' 30 s).",
    )
    execution_max_retries: int = Field(
        default=1, ge=0, description="Retries of an execution whose worker was lost."
    )
    execution_timeout_seconds: int = Field(
        default=3600, gt=0, description="Longest run of one batch execution."
    )
    execution_memory_mb: int = Field(
        default=4096, gt=0, description="Memory limit of a batch execution's process."
    )
    batch_chunk_rows: int = Field(
        default=50_000, gt=0, description="Rows read, scored and written per chunk."
    )
    training_slack_seconds: int = Field(
        default=120,
        ge=0,
        description="Time a training may take beyond its budget (final fit, evaluation, saving) before "
        "its process is stopped; half the budget when that is longer.",
    )
    mlflow_tracking_uri: str | None = Field(
        default=None,
        description="MLflow tracking server that training runs, their metrics and best models are mirrored "
        "to (e.g. http://mlflow:5000); no mirroring when empty. Needs the `mlflow` extra.",
    )
    scheduler_enabled: bool = Field(
        default=True, description="Turn cron schedules into executions in this process."
    )
    scheduler_poll_seconds: float = Field(
        default=5.0, gt=0, description="How often the scheduler looks for due runs."
    )
    model_cache_size: int = Field(
        default=16, gt=0, description="Loaded models kept in memory for online predictions."
    )
    predict_max_rows: int = Field(
        default=10_000, gt=0, description="Most rows one online prediction request may carry."
    )
    prediction_log_rate: float = Field(
        default=0.1, ge=0, le=1, description="Share of online predictions logged with inputs and outputs."
    )
    spark_master: str = Field(default="local[*]", description="Spark master URL of the Spark batch engine.")
    connections: dict[str, str] = Field(
        default_factory=dict,
        description='Named SQL connections for inputs and outputs (JSON), e.g. {"warehouse": "postgresql+psycopg://..."}.',
    )
    token_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a process trusts an API token it checked; a revoked token is refused at once "
        "by the process that revoked it, by other processes and replicas within this delay. 0: never cached.",
    )
    deployment_cache_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How long a process reuses the version a deployment resolved to (alias moves and pauses "
        "made elsewhere are seen within this delay). 0: resolved on every prediction.",
    )
    predict_batch_max_rows: int = Field(
        default=256,
        gt=0,
        description="Online predictions arriving together for one model are scored in one call of up to "
        "this many rows (1 turns micro-batching off).",
    )
    predict_batch_wait_ms: float = Field(
        default=0.0,
        ge=0,
        le=50,
        description="How long an idle model waits for more requests before scoring; 0: at once "
        "(requests still gather while the model is busy).",
    )

    # --- notifications (e-mail and webhooks) ---
    smtp_host: str | None = Field(
        default=None, description="SMTP server that sends notification e-mails; e-mail is off when empty."
    )
    smtp_port: int = Field(default=587, gt=0, lt=65536, description="Port of the SMTP server.")
    smtp_from: str = Field(
        default="modelport@localhost", description="Sender address of notification e-mails."
    )
    smtp_username: str | None = Field(default=None, description="SMTP user name; no sign-in when empty.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password (never logged).")
    smtp_starttls: bool = Field(
        default=True, description="Upgrade the SMTP connection with STARTTLS before signing in."
    )
    notify_sender_enabled: bool = Field(
        default=True,
        description="Send queued e-mails and webhook calls from this process (`modelport serve` and "
        "`modelport worker`); several senders may run.",
    )
    notify_poll_seconds: float = Field(
        default=2.0, gt=0, description="How often the sender looks for e-mails and webhook calls to send."
    )
    notify_max_attempts: int = Field(
        default=5, ge=1, le=20, description="Attempts of one e-mail or webhook call before it is failed."
    )
    notify_retry_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Wait before the first retry of a failed delivery; doubled at each further attempt.",
    )
    notify_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Time limit of one SMTP session or webhook call."
    )

    def resolved_database_url(self) -> str:
        """The metadata store URL, defaulting to the SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'modelport.db').resolve()}"

    def resolved_artifact_root(self) -> str:
        """The artifact store root, defaulting to a local folder under ``home``."""
        if self.artifact_root:
            return self.artifact_root
        return str((self.home / "artifacts").resolve())

    def resolved_secret_key(self) -> str:
        """The CSRF signing key: the setting, else a random key kept in ``<home>/secret_key``."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.home / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.home.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(key)
        tmp.chmod(0o600)
        tmp.replace(path)
        return key
