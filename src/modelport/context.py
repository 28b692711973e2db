"""The per-process state every layer shares: the settings, the metadata store, the artifact store, and
the long-lived objects of the process (caches, the micro-batcher, the prediction log writer).

Built once per process: by the app factory (:func:`modelport.api.app.create_app`), by the CLI, and by
a batch run's child process (:mod:`modelport.batch.child`). It sits at the bottom layer, so it knows
nothing of what it holds: each owner asks for its object with :meth:`Context.owned`, which makes it on
first use and keeps it for the life of the context. The objects held this way, by name:

========================  =====================================================================
``model cache``           :func:`modelport.serving.models.model_cache` (loaded models, LRU)
``deployment cache``      :func:`modelport.serving.online.deployment_cache` (resolved versions)
``micro-batcher``         :func:`modelport.serving.online.batcher_of`
``prediction log``        :func:`modelport.serving.predictionlog.writer_of`
``token cache``           :func:`modelport.api.tokencache.cache_of` (API token -> principal)
``notification wake``     :func:`modelport.services.notifications.wake_event` (deliveries queued)
========================  =====================================================================

No module keeps such state in a global: two contexts in one process (tests) share nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from modelport.artifacts import ArtifactStore
from modelport.db.engine import Database
from modelport.settings import Settings

T = TypeVar("T")


@dataclass
class Context:
    """Built once per process by the app factory, the CLI or a batch run's child process."""

    settings: Settings
    db: Database
    artifacts: ArtifactStore
    secret_key: str = field(default="", repr=False)
    _owned: dict[str, Any] = field(default_factory=dict, repr=False)
    _owned_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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
    def tmp_dir(self) -> Path:
        path = self.settings.home / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def owned(self, name: str, make: Callable[[], T]) -> T:
        """The process-wide object called ``name`` (see the module's table), made by ``make`` on first
        use; concurrent first uses make it once."""
        found = self._owned.get(name)  # a dict read is atomic: no lock on the hot path
        if found is None:
            with self._owned_lock:
                found = self._owned.get(name)
                if found is None:
                    found = self._owned[name] = make()
        return found
