"""What every service needs: the settings, the metadata store and the artifact store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelport.artifacts import ArtifactStore
from modelport.db.engine import Database
from modelport.principal import Principal
from modelport.runtime.models import ModelCache
from modelport.settings import Settings
from modelport.stores.audit import AuditStore


@dataclass
class Context:
    """Built once per process by the app factory or the CLI."""

    settings: Settings
    db: Database
    artifacts: ArtifactStore
    secret_key: str = field(default="", repr=False)
    _models: ModelCache | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Context:
        return cls(
            settings=settings,
            db=Database(settings.resolved_database_url()),
            artifacts=ArtifactStore.from_settings(settings),
            secret_key=settings.resolved_secret_key(),
        )

    @property
    def cache_dir(self) -> Path:
        path = self.settings.home / "cache"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def models(self) -> ModelCache:
        """The process's cache of loaded models (online predictions)."""
        if self._models is None:
            from modelport.monitoring import MODEL_CACHE_SIZE

            self._models = ModelCache(
                self.artifacts, self.cache_dir, self.settings.model_cache_size, MODEL_CACHE_SIZE.set
            )
        return self._models

    @property
    def tmp_dir(self) -> Path:
        path = self.settings.home / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path


def record(
    audit: AuditStore,
    principal: Principal | None,
    action: str,
    target_type: str,
    target: str | None,
    **details: Any,
) -> None:
    """Append an audit event for ``principal`` in the current transaction."""
    audit.append(
        action=action,
        target_type=target_type,
        target=target,
        actor_id=principal.user_id if principal else None,
        actor=principal.username if principal else None,
        details=details,
        ip=principal.ip if principal else None,
        user_agent=principal.user_agent if principal else None,
    )
