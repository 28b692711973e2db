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
