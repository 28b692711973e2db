"""Deployments: a model version (or an alias it follows) per market, its schedule, and predictions."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter
from sqlalchemy.orm import Session

from modelport.clock import utcnow
from modelport.columns import ModelSchema
from modelport.context import Context
from modelport.errors import AlreadyExists, Conflict, Forbidden, InvalidArgument, NotFound
from modelport.principal import Principal
from modelport.schemas import (
    Deployment,
    DeploymentBulkCreate,
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
from modelport.services.catalog import check_filename
from modelport.services.datasets import store_dataset
from modelport.services.executions import check_columns
from modelport.serving.online import OnlinePredictor
from modelport.stores.audit import AuditStore, record
from modelport.stores.catalog import CatalogStore
from modelport.stores.deployments import DeploymentStore
from modelport.tabular.readers import detect_format, preview
from modelport.tabular.writers import write_template


def next_runs(schedule: ScheduleSpec, count: int = 5, after: datetime | None = None) -> list[datetime]:
    """The next ``count`` run times of a schedule, as aware datetimes in its time zone."""
    tz = ZoneInfo(schedule.timezone)
    start = (after or utcnow()).astimezone(tz)
    it = croniter(schedule.cron, start)
    return [it.get_next(datetime) for _ in range(count)]


def next_run_utc(cron: str, timezone: str, after: datetime) -> datetime:
    return next_runs(ScheduleSpec(cron=cron, timezone=timezone), 1, after)[0].astimezone(ZoneInfo("UTC"))


NAME_MAX = 100  # what deployments.name holds (and SLUG allows)


def deployment_name(prefix: str, market: str) -> str:
    """``{prefix}-{market}`` as a deployment name: lowercase, other characters as one hyphen
    (``churn`` and ``UK`` make ``churn-uk``)."""
    return f"{prefix}-" + re.sub(r"[^a-z0-9]+", "-", market.lower()).strip("-")


def check_schedule_input(schedule: ScheduleSpec | str | None, inp: InputSpec, name: str) -> None:
    """A schedule needs a stored input (a dataset or a SQL query): a due time brings no file.

    Raises :class:`InvalidArgument` naming the field ``schedule`` when a scheduled deployment would
    take a file with each run."""
    if schedule and inp.kind == "upload":
        raise InvalidArgument(
            f"a schedule needs a stored input, and {name!r} would take a file with each run, which no "
            "due time brings: give it a dataset (a file uploaded once: input kind 'dataset' with the "
            "sha256 from POST /api/v1/datasets, PUT /api/v1/deployments/{ref}/input, the SDK's "
            "dataset=... or the CLI's --dataset FILE) or a SQL query (input kind 'sql'), "
            "or remove the schedule",
            field="schedule",
        )


def check_bad_rows(engine: str, on_bad_rows: str) -> None:
    """Skipping bad rows is done by the local engine only: refuse it with Spark."""
    if on_bad_rows == "skip" and engine != "local":
        raise InvalidArgument(
            f"on_bad_rows 'skip' is done by the local engine only, not by {engine}: use the local "
            "engine, or on_bad_rows 'reject'",
            field="on_bad_rows",
        )


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

    def _may_change(self, deployment: Deployment, principal: Principal) -> None:
        require(principal, Role.data_scientist)
        if not principal.is_admin and deployment.owner != principal.username:
            raise Forbidden("only the deployment's owner or an admin may change it")

    def check_new(self, data: DeploymentCreate) -> None:
        """The checks of a new deployment that need no transaction: version or alias, a schedule's
        stored input, the engine, the input and output (InvalidArgument naming the field)."""
        if (data.version is None) == (data.alias is None):
            raise InvalidArgument("give either version or alias (exactly one)", field="version")
        check_schedule_input(data.schedule, data.input, data.name)
        if data.engine == "spark":
            from modelport.batch.engines import check_engine

            check_engine("spark")
        check_bad_rows(data.engine, data.on_bad_rows)
        self._check_io(data.input, data.output)

    def create(self, data: DeploymentCreate, principal: Principal) -> Deployment:
        require(principal, Role.data_scientist)
        self.check_new(data)
        with self.ctx.db.session() as s:
            return self.create_in(s, data, principal)

    def create_many(self, data: DeploymentBulkCreate, principal: Principal) -> list[Deployment]:
        """One deployment per market, named ``{name_prefix}-{market}``, in one transaction: a name
        that is taken or too long creates none, and the error names the market (``markets.<i>``)."""
        require(principal, Role.data_scientist)
        prefix = data.name_prefix or data.model
        common = data.model_dump(exclude={"markets", "name_prefix"})
        items: list[DeploymentCreate] = []
        named: dict[str, str] = {}
        for i, market in enumerate(data.markets):
            name = deployment_name(prefix, market)
            if len(name) > NAME_MAX:
                raise InvalidArgument(
                    f"market {market}: the name {name!r} is longer than {NAME_MAX} characters; "
                    "give a shorter name_prefix",
                    field=f"markets.{i}",
                )
            if name in named:
                raise InvalidArgument(
                    f"markets {named[name]} and {market} would both be named {name!r}", field=f"markets.{i}"
                )
            named[name] = market
            items.append(DeploymentCreate(name=name, market=market, **common))
        for item in items:
            self.check_new(item)
        with self.ctx.db.session() as s:
            created: list[Deployment] = []
            for i, item in enumerate(items):
                try:
                    created.append(self.create_in(s, item, principal, batch=data.markets))
                except AlreadyExists as exc:
                    raise AlreadyExists(
                        f"market {item.market}: {exc.message}; none of the {len(items)} deployments "
                        "was created",
                        field=f"markets.{i}",
                    ) from None
            return created

    def create_in(self, s: Session, data: DeploymentCreate, principal: Principal, **audit: Any) -> Deployment:
        """Write a deployment that :meth:`check_new` accepted, in the caller's transaction, with its
        audit event (``audit``: more details for it, e.g. ``via``). The caller checks the role.
        Raises NotFound (model), InvalidArgument (version or alias), AlreadyExists (name)."""
        model = CatalogStore(s).get_model(data.model, principal)
        if model.state == "archived":
            raise Conflict(f"model {data.model!r} is archived: restore it to deploy it", field="model")
        ref = str(data.version) if data.version is not None else str(data.alias)
        try:
            CatalogStore(s).get_version(data.model, ref, principal)
        except NotFound:
            field = "version" if data.version is not None else "alias"
            raise InvalidArgument(f"model {data.model!r} has no {field} {ref!r}", field=field) from None
        now = utcnow()
        created = DeploymentStore(s).create(
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
            on_bad_rows=data.on_bad_rows,
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
            **audit,
        )
        return created

    def get(self, ref: str, principal: Principal) -> Deployment:
        with self.ctx.db.session() as s:
            return DeploymentStore(s).get(ref, principal)

    def template_file(self, ref: str, principal: Principal, fmt: str) -> tuple[Path, str]:
        """A file of the columns the deployment's model takes (the version serving it now), with the
        version's example row, to fill in for a run: CSV or Excel. Returns its path and file name."""
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            deployment = store.get(ref, principal)
            resolved = store.resolve(deployment.id, principal)
            version = CatalogStore(s).get_version(deployment.model, str(resolved.version), principal)
        example = version.example.get("input", {}) if isinstance(version.example, dict) else {}
        columns = version.input_schema.names()
        key = hashlib.sha256(json.dumps([columns, example], default=str).encode()).hexdigest()[:24]
        target = self.ctx.cache_dir / "templates" / f"{key}.{fmt}"
        if not target.exists():
            write_template(columns, example, target, fmt)  # type: ignore[arg-type]
        return target, f"{resolved.deployment}-template.{fmt}"

    def list_deployments(
        self, principal: Principal, page: int, page_size: int, **filters: Any
    ) -> Page[Deployment]:
        with self.ctx.db.session() as s:
            return DeploymentStore(s).list_deployments(principal, page, page_size, **filters)

    def update(self, ref: str, data: DeploymentUpdate, principal: Principal) -> Deployment:
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            current = store.get(ref, principal)
            self._may_change(current, principal)
            changes = data.model_dump(exclude_unset=True)
            values: dict[str, Any] = {}
            if "version" in changes or "alias" in changes:
                version, alias = changes.get("version"), changes.get("alias")
                if (version is None) == (alias is None):
                    raise InvalidArgument("give either version or alias (exactly one)", field="version")
                try:
                    CatalogStore(s).get_version(current.model, str(version or alias), principal)
                except NotFound:
                    raise InvalidArgument(
                        f"model {current.model!r} has no version or alias {version or alias!r}",
                        field="version" if version else "alias",
                    ) from None
                values["version"], values["alias"] = version, alias
            cron = current.schedule.cron if current.schedule else None
            if "schedule" in changes:
                schedule = data.schedule
                cron = schedule.cron if schedule else None
                values["cron"] = cron
                values["timezone"] = schedule.timezone if schedule else "UTC"
                values["next_run_at"] = (
                    next_run_utc(schedule.cron, schedule.timezone, utcnow()) if schedule else None
                )
            inp = data.input or current.input
            out = data.output or current.output
            if "schedule" in changes or "input" in changes:
                # only when one of them changes: an unrelated edit of a deployment stored before this
                # rule (scheduled, taking a file with each run) stays possible
                check_schedule_input(cron, inp, current.name)
            self._check_io(inp, out)
            values["input_spec"], values["output_spec"] = inp.model_dump(), out.model_dump()
            for key in ("market", "description", "params", "engine", "on_bad_rows"):
                if changes.get(key) is not None:
                    values[key] = changes[key]
            check_bad_rows(
                values.get("engine", current.engine), values.get("on_bad_rows", current.on_bad_rows)
            )
            updated = store.update(current.id, **values)
            record(
                AuditStore(s),
                principal,
                "deployment.update",
                "deployment",
                current.name,
                fields=sorted(changes),
            )
            return updated

    def set_input_file(self, ref: str, path: Path, filename: str, principal: Principal) -> Deployment:
        """Store the file ``path`` as a dataset and make it the deployment's input, in place of its
        dataset, query or per-run upload (runs already made keep theirs). Its header is checked against
        the serving version's input schema first; audited as ``deployment.set_input``."""
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            current = store.get(ref, principal)
            self._may_change(current, principal)
            try:
                schema: ModelSchema | None = ModelSchema.model_validate(
                    store.resolve(current.id, principal).input_schema
                )
            except NotFound:  # its alias points nowhere: no schema to check the file against
                schema = None
        check_filename(filename)
        if schema is not None:
            check_columns(preview(path, detect_format(filename, path), rows=5), schema, filename)
        dataset = store_dataset(self.ctx, path, filename)
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            current = store.get(ref, principal)
            self._may_change(current, principal)
            before, out = current.input, current.output
            inp = InputSpec(kind="dataset", dataset=dataset.sha256, filename=filename)
            self._check_io(inp, out)
            updated = store.update(current.id, input_spec=inp.model_dump())
            record(
                AuditStore(s),
                principal,
                "deployment.set_input",
                "deployment",
                current.name,
                dataset=dataset.sha256,
                filename=filename,
                size=dataset.size,
                rows_previewed=len(dataset.preview),
                previous=before.dataset if before.kind == "dataset" else before.kind,
            )
            return updated

    def set_state(self, ref: str, state: str, principal: Principal) -> Deployment:
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            current = store.get(ref, principal)
            self._may_change(current, principal)
            values: dict[str, Any] = {"state": state}
            if state == "active" and current.schedule:
                schedule = current.schedule
                values["next_run_at"] = next_run_utc(schedule.cron, schedule.timezone, utcnow())
            updated = store.update(current.id, **values)
            record(
                AuditStore(s),
                principal,
                f"deployment.{'resume' if state == 'active' else 'pause'}",
                "deployment",
                current.name,
            )
            return updated

    def delete(self, ref: str, principal: Principal) -> None:
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            current = store.get(ref, principal)
            self._may_change(current, principal)
            store.delete(current.id)
            record(AuditStore(s), principal, "deployment.delete", "deployment", current.name)

    # --- online predictions: the hot path lives in modelport.serving.online ----------------------------

    def predict(self, ref: str, body: Any, principal: Principal) -> PredictResponse:
        """Check ``body`` against the serving version's input schema and predict (in this thread)."""
        require(principal, Role.business_user)
        return OnlinePredictor(self.ctx).predict(ref, body, principal)

    async def predict_online(
        self, ref: str, body: Any, principal: Principal
    ) -> tuple[dict[str, Any], Callable[[], Awaitable[None]] | None]:
        """:meth:`predict` for the event loop (see :meth:`OnlinePredictor.predict_online`)."""
        require(principal, Role.business_user)
        return await OnlinePredictor(self.ctx).predict_online(ref, body, principal)
