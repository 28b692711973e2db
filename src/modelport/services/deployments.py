"""Deployments: a model version (or an alias it follows) per market, its schedule, and predictions."""

from __future__ import annotations

import asyncio
import functools
import random
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas
from croniter import croniter
from prometheus_client import Counter, Histogram

from modelport.columns import ModelSchema
from modelport.db.engine import Database
from modelport.db.tables import DeploymentRow, ModelRow, utcnow
from modelport.errors import Conflict, Forbidden, InvalidArgument, NotFound
from modelport.flavors.base import Prediction
from modelport.monitoring import PREDICTION_LATENCY, PREDICTION_REQUESTS, PREDICTIONS
from modelport.principal import Principal
from modelport.runtime.batching import MicroBatcher
from modelport.runtime.outputs import prediction_records
from modelport.runtime.validation import parse_body, to_frame
from modelport.schemas import (
    Deployment,
    DeploymentCreate,
    DeploymentUpdate,
    InputSpec,
    OutputSpec,
    Page,
    PredictResponse,
    Role,
    ScheduleSpec,
)
from modelport.services.auth import require
from modelport.services.caching import TTLCache, watch
from modelport.services.context import Context, record
from modelport.services.predictionlog import PredictionLogEntry, writer_of
from modelport.stores.audit import AuditStore
from modelport.stores.catalog import CatalogStore
from modelport.stores.deployments import DeploymentStore, ResolvedVersion
from modelport.stores.executions import ExecutionStore


def next_runs(schedule: ScheduleSpec, count: int = 5, after: datetime | None = None) -> list[datetime]:
    """The next ``count`` run times of a schedule, as aware datetimes in its time zone."""
    tz = ZoneInfo(schedule.timezone)
    start = (after or utcnow()).astimezone(tz)
    it = croniter(schedule.cron, start)
    return [it.get_next(datetime) for _ in range(count)]


def next_run_utc(cron: str, timezone: str, after: datetime) -> datetime:
    return next_runs(ScheduleSpec(cron=cron, timezone=timezone), 1, after)[0].astimezone(ZoneInfo("UTC"))


class DeploymentService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _check_io(self, inp: InputSpec, out: OutputSpec) -> None:
        connections = self.ctx.settings.connections
        if inp.kind == "dataset":
            if not inp.dataset:
                raise InvalidArgument("a dataset input needs the dataset's sha256", field="input.dataset")
            if not self.ctx.artifacts.exists(inp.dataset):
                raise InvalidArgument(
                    f"no dataset {inp.dataset[:12]}…: upload it first", field="input.dataset"
                )
        if inp.kind == "sql":
            if not inp.connection or inp.connection not in connections:
                known = ", ".join(sorted(connections)) or "none configured"
                raise InvalidArgument(
                    f"unknown connection {inp.connection!r} (known: {known})", field="input.connection"
                )
            if not inp.query:
                raise InvalidArgument("a SQL input needs a query", field="input.query")
        if (out.connection is None) != (out.table is None):
            raise InvalidArgument("a table output needs both connection and table", field="output.table")
        if out.connection is not None and out.connection not in connections:
            raise InvalidArgument(f"unknown connection {out.connection!r}", field="output.connection")

    def _may_change(self, row: DeploymentRow, principal: Principal) -> None:
        require(principal, Role.data_scientist)
        if not principal.is_admin and row.owner_id != principal.user_id:
            raise Forbidden("only the deployment's owner or an admin may change it")

    def create(self, data: DeploymentCreate, principal: Principal) -> Deployment:
        require(principal, Role.data_scientist)
        if (data.version is None) == (data.alias is None):
            raise InvalidArgument("give either version or alias (exactly one)", field="version")
        if data.engine == "spark":
            from modelport.runtime.engines import check_engine

            check_engine("spark")
        self._check_io(data.input, data.output)
        with self.ctx.db.session() as s:
            model = CatalogStore(s).get_model(data.model, principal)
            ref = str(data.version) if data.version is not None else str(data.alias)
            try:
                CatalogStore(s).get_version(data.model, ref, principal)
            except NotFound:
                field = "version" if data.version is not None else "alias"
                raise InvalidArgument(f"model {data.model!r} has no {field} {ref!r}", field=field) from None
            now = utcnow()
            row = DeploymentStore(s).create(
                name=data.name,
                model_id=model.id,
                version=data.version,
                alias=data.alias,
                market=data.market,
                description=data.description,
                owner_id=principal.user_id,
                params=data.params,
                cron=data.schedule.cron if data.schedule else None,
                timezone=data.schedule.timezone if data.schedule else "UTC",
                next_run_at=next_run_utc(data.schedule.cron, data.schedule.timezone, now)
                if data.schedule
                else None,
                input_spec=data.input.model_dump(),
                output_spec=data.output.model_dump(),
                engine=data.engine,
                state="active",
            )
            record(
                AuditStore(s),
                principal,
                "deployment.create",
                "deployment",
                data.name,
                model=data.model,
                version=data.version,
                alias=data.alias,
                market=data.market,
            )
            return DeploymentStore(s).to_domain(row)

    def get(self, ref: str, principal: Principal) -> Deployment:
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            return store.to_domain(store.row(ref, principal))

    def list_deployments(
        self, principal: Principal, page: int, page_size: int, **filters: Any
    ) -> Page[Deployment]:
        with self.ctx.db.session() as s:
            return DeploymentStore(s).list_deployments(principal, page, page_size, **filters)

    def update(self, ref: str, data: DeploymentUpdate, principal: Principal) -> Deployment:
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            row = store.row(ref, principal)
            self._may_change(row, principal)
            changes = data.model_dump(exclude_unset=True)
            if "version" in changes or "alias" in changes:
                version, alias = changes.get("version"), changes.get("alias")
                if (version is None) == (alias is None):
                    raise InvalidArgument("give either version or alias (exactly one)", field="version")
                model = s.get(ModelRow, row.model_id)
                assert model is not None
                try:
                    CatalogStore(s).get_version(model.name, str(version or alias), principal)
                except NotFound:
                    raise InvalidArgument(
                        f"model {model.name!r} has no version or alias {version or alias!r}",
                        field="version" if version else "alias",
                    ) from None
                row.version, row.alias = version, alias
            if "schedule" in changes:
                schedule = data.schedule
                row.cron = schedule.cron if schedule else None
                row.timezone = schedule.timezone if schedule else "UTC"
                row.next_run_at = (
                    next_run_utc(schedule.cron, schedule.timezone, utcnow()) if schedule else None
                )
            inp = data.input or InputSpec.model_validate(row.input_spec)
            out = data.output or OutputSpec.model_validate(row.output_spec)
            self._check_io(inp, out)
            row.input_spec, row.output_spec = inp.model_dump(), out.model_dump()
            for key in ("market", "description", "params", "engine"):
                if changes.get(key) is not None:
                    setattr(row, key, changes[key])
            store.touch(row)
            record(
                AuditStore(s), principal, "deployment.update", "deployment", row.name, fields=sorted(changes)
            )
            return store.to_domain(row)

    def set_state(self, ref: str, state: str, principal: Principal) -> Deployment:
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            row = store.row(ref, principal)
            self._may_change(row, principal)
            row.state = state
            if state == "active" and row.cron:
                row.next_run_at = next_run_utc(row.cron, row.timezone, utcnow())
            store.touch(row)
            record(
                AuditStore(s),
                principal,
                f"deployment.{'resume' if state == 'active' else 'pause'}",
                "deployment",
                row.name,
            )
            return store.to_domain(row)

    def delete(self, ref: str, principal: Principal) -> None:
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            row = store.row(ref, principal)
            self._may_change(row, principal)
            name = row.name
            s.delete(row)
            s.flush()
            record(AuditStore(s), principal, "deployment.delete", "deployment", name)

    # --- online predictions ----------------------------------------------------------------------------
    #
    # The hot path of the API. What it reads from the store (the caller's token, the version serving the
    # deployment) is cached for a second or so (see modelport.services.caching); concurrent requests for
    # one model are scored in one call (modelport.runtime.batching); the sampled prediction log is
    # written after the answer is sent.

    def _serving(self, ref: str, principal: Principal) -> _Serving:
        """The version serving ``ref`` for ``principal``, from the cache or the store."""
        cache = _serving_cache(self.ctx)
        key = _serving_key(ref, principal)
        serving = cache.get(key) if cache is not None else None
        if serving is not None:
            return serving
        generation = cache.generation if cache is not None else 0
        with self.ctx.db.session() as s:
            resolved = DeploymentStore(s).resolve(ref, principal)
        labels = (resolved.deployment, str(resolved.version))
        serving = _Serving(
            resolved,
            ModelSchema.model_validate(resolved.input_schema),
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
        return self.ctx.models.get(resolved.sha256, resolved.flavor).predict(frame)

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
        require(principal, Role.business_user)
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
        require(principal, Role.business_user)
        started = time.perf_counter()
        cache = _serving_cache(self.ctx)
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
            prediction = await _batcher(self.ctx).submit(
                (resolved.sha256, resolved.flavor), functools.partial(self._score, serving), frame
            )
            answer, entry = self._answer(serving, frame, prediction, started)
        if entry is None:
            return answer, None
        return answer, functools.partial(writer_of(self.ctx.db).write, entry)


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
    metrics: tuple[Counter, Counter, Histogram]
    """The prediction metrics' children for this deployment and version (requests, rows, latency)."""


def _serving_key(ref: str, principal: Principal) -> tuple[Any, ...]:
    # What the deployment's visibility depends on (stores.catalog.visible_to).
    return (ref, principal.user_id, principal.role, principal.department)


def _check_active(serving: _Serving) -> None:
    if serving.resolved.state != "active":
        raise Conflict(f"deployment {serving.resolved.deployment!r} is paused")


_serving_caches: weakref.WeakKeyDictionary[Database, TTLCache[tuple[Any, ...], _Serving]] = (
    weakref.WeakKeyDictionary()
)
_batchers: weakref.WeakKeyDictionary[Database, MicroBatcher] = weakref.WeakKeyDictionary()


def _serving_cache(ctx: Context) -> TTLCache[tuple[Any, ...], _Serving] | None:
    ttl = ctx.settings.deployment_cache_seconds
    if ttl <= 0:
        return None
    cache = _serving_caches.get(ctx.db)
    if cache is None:
        cache = TTLCache(ttl)
        watch(cache, *SERVING_TABLES)
        cache = _serving_caches.setdefault(ctx.db, cache)
    return cache


def _batcher(ctx: Context) -> MicroBatcher:
    batcher = _batchers.get(ctx.db)
    if batcher is None:
        st = ctx.settings
        batcher = MicroBatcher(
            max_rows=st.predict_batch_max_rows,
            max_wait=st.predict_batch_wait_ms / 1000,
            inline_seconds=INLINE_SECONDS,
        )
        batcher = _batchers.setdefault(ctx.db, batcher)
    return batcher
