"""Loaded models for online predictions: a bounded, thread-safe LRU cache keyed by the file's sha256.

The key is the content hash, so an alias that moves to another version simply asks for another key;
an old version stays cached until it is the least recently used.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from modelport.artifacts import ArtifactStore
from modelport.context import Context
from modelport.flavors import LoadedModel, load_model
from modelport.monitoring import MODEL_CACHE_SIZE


class ModelCache:
    """At most ``size`` loaded models; concurrent requests for one model load it once."""

    def __init__(
        self,
        artifacts: ArtifactStore,
        cache_dir: Path,
        size: int,
        on_change: Callable[[int], None] | None = None,
    ) -> None:
        self._artifacts = artifacts
        self._cache_dir = cache_dir
        self._size = size
        self._models: OrderedDict[str, LoadedModel] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}
        self._on_change = on_change

    def __len__(self) -> int:
        return len(self._models)

    def get(self, sha256: str, flavor: str) -> LoadedModel:
        """The model stored under ``sha256``, loading it (verified) on a miss."""
        with self._lock:
            model = self._models.get(sha256)
            if model is not None:
                self._models.move_to_end(sha256)
                return model
            key_lock = self._loading.setdefault(sha256, threading.Lock())
        with key_lock:
            with self._lock:
                model = self._models.get(sha256)
            if model is not None:
                return model
            path = self._artifacts.local_cache_path(sha256, self._cache_dir)
            model = load_model(path, flavor)
            with self._lock:
                self._models[sha256] = model
                self._models.move_to_end(sha256)
                while len(self._models) > self._size:
                    self._models.popitem(last=False)
                self._loading.pop(sha256, None)
                if self._on_change:
                    self._on_change(len(self._models))
            return model


def model_cache(ctx: Context) -> ModelCache:
    """The process's cache of loaded models (online predictions), owned by ``ctx``."""
    return ctx.owned(
        "model cache",
        lambda: ModelCache(ctx.artifacts, ctx.cache_dir, ctx.settings.model_cache_size, MODEL_CACHE_SIZE.set),
    )
