"""Online predictions, the hot path of the API: from a request body to the answer.

One request: the version serving the deployment is resolved (cached for a second or so, see
:mod:`modelport.serving.caching`); the body is parsed (:mod:`modelport.serving.body`) and its rows
checked against the version's input schema (:func:`modelport.tabular.validation.to_frame`); the model
comes from the process's model cache (:mod:`modelport.serving.models`); concurrent requests for one
model are scored in one call (:mod:`modelport.serving.batching`); the answer is shaped by
:func:`modelport.tabular.outputs.prediction_records`; the sampled prediction log is written after the
answer is sent (:mod:`modelport.serving.predictionlog`).

Who may predict is checked by the caller (:meth:`modelport.services.deployments.DeploymentService.predict`).
Traffic routing between versions (canary, shadow) and explanations will live in this package, beside
this module.
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pandas
from prometheus_client import Counter, Histogram

from modelport.columns import ModelSchema
from modelport.context import Context
from modelport.errors import Conflict
from modelport.flavors.base import Prediction
from modelport.monitoring import PREDICTION_LATENCY, PREDICTION_REQUESTS, PREDICTIONS
from modelport.principal import Principal
from modelport.schemas import PredictResponse
from modelport.serving.batching import MicroBatcher
from modelport.serving.body import parse_body
from modelport.serving.caching import TTLCache, watch
from modelport.serving.models import model_cache
from modelport.serving.predictionlog import PredictionLogEntry, writer_of
from modelport.stores.deployments import DeploymentStore, ResolvedVersion
from modelport.stores.executions import ExecutionStore
from modelport.tabular.outputs import prediction_records
from modelport.tabular.validation import to_frame, unknown_categories


class OnlinePredictor:
    """Online predictions of one context's deployments (cheap to make: its state is the context's)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _serving(self, ref: str, principal: Principal) -> _Serving:
        """The version serving ``ref`` for ``principal``, from the cache or the store."""
        cache = deployment_cache(self.ctx)
        key = _serving_key(ref, principal)
        serving = cache.get(key) if cache is not None else None
        if serving is not None:
            return serving
        generation = cache.generation if cache is not None else 0
        with self.ctx.db.session() as s:
            resolved = DeploymentStore(s).resolve(ref, principal)
        labels = (resolved.deployment, str(resolved.version))
        schema = ModelSchema.model_validate(resolved.input_schema)
        serving = _Serving(
            resolved,
            schema,
            any(c.categories and c.on_unknown_category == "flag" for c in schema.columns),
            (
                PREDICTION_REQUESTS.labels(*labels),
                PREDICTIONS.labels(*labels),
                PREDICTION_LATENCY.labels(*labels),
            ),
        )
        if cache is not None:
            cache.put(key, serving, generation)
        return serving

    def _score(self, serving: _Serving, frame: pandas.DataFrame) -> Prediction:
        resolved = serving.resolved
        return model_cache(self.ctx).get(resolved.sha256, resolved.flavor).predict(frame)

    def _answer(
        self, serving: _Serving, frame: pandas.DataFrame, prediction: Prediction, started: float
    ) -> tuple[dict[str, Any], PredictionLogEntry | None]:
        """The JSON-ready answer (the fields of PredictResponse), and the prediction log entry to
        write if this request was sampled (None otherwise)."""
        resolved = serving.resolved
        predictions, probabilities = prediction_records(prediction)
        request_id = f"{random.getrandbits(128):032x}"  # noqa: S311 - an id, not a secret (uuid4: 10x slower)
        elapsed = time.perf_counter() - started
        requests, rows, latency = serving.metrics
        requests.inc()
        rows.inc(len(predictions))
        latency.observe(elapsed)
        answer = {
            "predictions": predictions,
            "probabilities": probabilities,
            "version": resolved.version,
            "deployment": resolved.deployment,
            "request_id": request_id,
            "warnings": _warnings(frame, serving.schema) if serving.flags_categories else [],
        }
        rate = self.ctx.settings.prediction_log_rate
        if not (rate > 0 and random.random() < rate):  # noqa: S311 - sampling, not security
            return answer, None
        entry = PredictionLogEntry(
            resolved.deployment_id, resolved.version, request_id, frame, predictions, elapsed * 1000
        )
        return answer, entry

    def predict(self, ref: str, body: Any, principal: Principal) -> PredictResponse:
        """Check ``body`` against the serving version's input schema and predict (in this thread)."""
        started = time.perf_counter()
        serving = self._serving(ref, principal)
        _check_active(serving)
        frame = to_frame(parse_body(body, self.ctx.settings.predict_max_rows), serving.schema)
        answer, entry = self._answer(serving, frame, self._score(serving, frame), started)
        if entry is not None:
            with self.ctx.db.session() as s:
                entry.write(ExecutionStore(s))
        return PredictResponse.model_validate(answer)

    async def predict_online(
        self, ref: str, body: Any, principal: Principal
    ) -> tuple[dict[str, Any], Callable[[], Awaitable[None]] | None]:
        """:meth:`predict` for the event loop: the answer as a dict, and (when this request was sampled
        for the prediction log) the coroutine function that logs it, to await after answering.

        Small requests are checked in the loop (tens of microseconds) and scored with the other
        requests for the same model that arrive meanwhile (one call); large requests are checked and
        scored in a thread of their own. Nothing here waits on the store when the caches are warm.
        """
        started = time.perf_counter()
        cache = deployment_cache(self.ctx)
        serving = cache.get(_serving_key(ref, principal)) if cache is not None else None
        if serving is None:
            serving = await asyncio.to_thread(self._serving, ref, principal)
        _check_active(serving)
        rows = parse_body(body, self.ctx.settings.predict_max_rows)
        if len(rows) > ONLINE_CHECK_ROWS:

            def alone() -> tuple[dict[str, Any], PredictionLogEntry | None]:
                frame = to_frame(rows, serving.schema)
                return self._answer(serving, frame, self._score(serving, frame), started)

            answer, entry = await asyncio.to_thread(alone)
        else:
            frame = to_frame(rows, serving.schema)
            resolved = serving.resolved
            prediction = await batcher_of(self.ctx).submit(
                (resolved.sha256, resolved.flavor), functools.partial(self._score, serving), frame
            )
            answer, entry = self._answer(serving, frame, prediction, started)
        if entry is None:
            return answer, None
        return answer, functools.partial(writer_of(self.ctx).write, entry)


ONLINE_CHECK_ROWS = 64
"""Requests of more rows are checked (and scored, alone) in a thread rather than in the event loop."""

INLINE_SECONDS = 0.005
"""A model whose calls take less than this is scored in the event loop: no thread hand-off, and no
contention for the GIL between the loop and a scoring thread (measured: 8-15 % less CPU per request
at 8 and 32 clients for a 2.5 ms call); the loop then pauses at most about this long per batch."""

SERVING_TABLES = ("deployments", "model_versions", "model_aliases", "models")
"""A commit changing one of these clears the cache of resolved deployments."""


@dataclass(frozen=True)
class _Serving:
    """What serves a deployment, as an online prediction needs it."""

    resolved: ResolvedVersion
    schema: ModelSchema
    flags_categories: bool
    """Whether some column flags values outside its categories (the answer's warnings)."""
    metrics: tuple[Counter, Counter, Histogram]
    """The prediction metrics' children for this deployment and version (requests, rows, latency)."""


def _warnings(frame: pandas.DataFrame, schema: ModelSchema) -> list[dict[str, Any]]:
    """The answer's warnings: the request's values outside their column's known categories."""
    return [
        {"row": u.row, "column": u.column, "value": u.value, "reason": u.reason}
        for u in unknown_categories(frame, schema)
    ]


def _serving_key(ref: str, principal: Principal) -> tuple[Any, ...]:
    # What the deployment's visibility depends on (stores.catalog.visible_to).
    return (ref, principal.user_id, principal.role, principal.department)


def _check_active(serving: _Serving) -> None:
    if serving.resolved.state != "active":
        raise Conflict(f"deployment {serving.resolved.deployment!r} is paused")


def deployment_cache(ctx: Context) -> TTLCache[tuple[Any, ...], _Serving] | None:
    """The cache of resolved deployments of ``ctx`` (None when disabled by the setting)."""
    ttl = ctx.settings.deployment_cache_seconds
    if ttl <= 0:
        return None

    def make() -> TTLCache[tuple[Any, ...], _Serving]:
        cache: TTLCache[tuple[Any, ...], _Serving] = TTLCache(ttl)
        watch(cache, *SERVING_TABLES)
        return cache

    return ctx.owned("deployment cache", make)


def batcher_of(ctx: Context) -> MicroBatcher:
    """The micro-batcher of ``ctx``'s online predictions."""
    st = ctx.settings
    return ctx.owned(
        "micro-batcher",
        lambda: MicroBatcher(
            max_rows=st.predict_batch_max_rows,
            max_wait=st.predict_batch_wait_ms / 1000,
            inline_seconds=INLINE_SECONDS,
        ),
    )
