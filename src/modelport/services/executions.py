"""Executions: queue a run of a deployment (file, typed rows, its configured input, or its schedule),
follow it, cancel it, read its logs and results. (Uploaded datasets: :mod:`modelport.services.datasets`.)"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from modelport.batch.base import ERROR_COLUMNS
from modelport.columns import ModelSchema
from modelport.context import Context
from modelport.errors import Conflict, InvalidArgument, ModelportError, NotFound
from modelport.principal import Principal
from modelport.schemas import Execution, ExecutionLog, InputSpec, Page, ResultPage, Role
from modelport.services.auth import require
from modelport.services.catalog import check_filename
from modelport.services.datasets import json_records, parquet_page
from modelport.stores.audit import AuditStore, record
from modelport.stores.deployments import DeploymentStore
from modelport.stores.executions import ExecutionStore
from modelport.tabular.readers import detect_format, iter_batches, preview
from modelport.tabular.sql import unreachable
from modelport.tabular.validation import to_frame
from modelport.tabular.writers import convert, write_table


def check_columns(frame: pd.DataFrame, schema: ModelSchema, filename: str) -> None:
    """Refuse a file whose header lacks columns the model needs, before anything is queued."""
    missing = [c for c in schema.names() if c not in frame.columns]
    if missing:
        raise InvalidArgument(
            f"{filename} lacks the column(s) {', '.join(missing)} that the model needs",
            field="file",
            details={"missing": missing, "found": [str(c) for c in frame.columns]},
        )


class ExecutionService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # --- create ----------------------------------------------------------------------------------

    def _queue(
        self,
        ref: str,
        principal: Principal | None,
        trigger: str,
        input_ref: dict[str, Any],
        scheduled_for: Any = None,
    ) -> Execution:
        with self.ctx.db.session() as s:
            deployment = DeploymentStore(s).get(ref, principal)
            store = ExecutionStore(s)
            execution_id = store.create(
                deployment.id,
                trigger=trigger,
                triggered_by=principal.username if principal else "scheduler",
                scheduled_for=scheduled_for,
                input_ref=input_ref,
            )
            store.log(
                execution_id, f"queued by {principal.username if principal else 'the scheduler'} ({trigger})"
            )
            if principal is not None:
                record(
                    AuditStore(s),
                    principal,
                    "execution.create",
                    "deployment",
                    deployment.name,
                    execution=execution_id,
                    trigger=trigger,
                )
            return store.get(execution_id)

    def _schema(self, ref: str, principal: Principal) -> ModelSchema:
        """The input schema of the version serving deployment ``ref``; NotFound as
        :meth:`DeploymentStore.resolve`."""
        with self.ctx.db.session() as s:
            return ModelSchema.model_validate(DeploymentStore(s).resolve(ref, principal).input_schema)

    def run_file(self, ref: str, path: Path, filename: str, principal: Principal) -> Execution:
        """Queue a run on an uploaded file, after checking its columns against the model's schema."""
        require(principal, Role.business_user)
        check_filename(filename)
        fmt = detect_format(filename, path)
        schema = self._schema(ref, principal)
        check_columns(preview(path, fmt, rows=5), schema, filename)
        stored = self.ctx.artifacts.put_file(path)
        return self._queue(
            ref,
            principal,
            "manual",
            {"kind": "dataset", "sha256": stored.sha256, "filename": filename, "format": fmt},
        )

    def run_rows(self, ref: str, rows: list[dict[str, Any]], principal: Principal) -> Execution:
        """Queue a run on rows typed in a form (checked against the schema first)."""
        require(principal, Role.business_user)
        schema = self._schema(ref, principal)
        frame = to_frame(rows, schema)
        with tempfile.TemporaryDirectory(dir=self.ctx.tmp_dir) as tmp:
            path = write_table(frame, Path(tmp) / "rows.parquet", "parquet")
            stored = self.ctx.artifacts.put_file(path)
        return self._queue(
            ref,
            principal,
            "manual",
            {
                "kind": "dataset",
                "sha256": stored.sha256,
                "filename": "form.parquet",
                "format": "parquet",
                "rows": len(frame),
            },
        )

    def run_configured(
        self, ref: str, principal: Principal | None, trigger: str = "api", scheduled_for: Any = None
    ) -> Execution:
        """Queue a run on the deployment's configured input (API call or schedule).

        Refused before anything is queued when it cannot run: no stored input, its dataset or model
        file gone from the artifact store, the version or alias it serves gone, an unknown connection
        (and, for the scheduler, a connection that does not answer)."""
        if principal is not None:
            require(principal, Role.business_user)
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            deployment = store.get(ref, principal)
            name, spec = deployment.name, deployment.input
            resolved = store.resolve(deployment.id, None)
        self._check_runnable(name, spec, resolved.sha256, resolved.version, trigger == "schedule")
        return self._queue(ref, principal, trigger, configured_input_ref(spec), scheduled_for)

    def _check_runnable(
        self, name: str, spec: InputSpec, model_sha: str, version: int, scheduled: bool
    ) -> None:
        if spec.kind == "upload":
            if scheduled:
                raise InvalidArgument(
                    f"deployment {name!r} takes a file with each run, which a schedule cannot bring: "
                    f"give it a stored input (upload a dataset once: modelport deployments set-input "
                    f"{name} FILE; or a SQL query) or remove its schedule",
                    field="schedule",
                )
            raise InvalidArgument("this deployment takes a file with each run: upload one", field="file")
        if spec.kind == "dataset" and not (spec.dataset and self.ctx.artifacts.exists(spec.dataset)):
            raise InvalidArgument(
                f"the dataset of {name!r} ({spec.filename or 'no name'}, sha256 "
                f"{(spec.dataset or '?')[:12]}…) is no longer in the artifact store: upload it again "
                f"(modelport deployments set-input {name} FILE)",
                field="input.dataset",
            )
        if spec.kind == "sql":
            connections = self.ctx.settings.connections
            if spec.connection not in connections:
                known = ", ".join(sorted(connections)) or "none configured"
                raise InvalidArgument(
                    f"deployment {name!r} reads the connection {spec.connection!r}, which is not "
                    f"configured (MODELPORT_CONNECTIONS knows: {known})",
                    field="input.connection",
                )
            if scheduled:
                problem = unreachable(connections[spec.connection])
                if problem:
                    raise InvalidArgument(
                        f"the connection {spec.connection!r} of {name!r} does not answer: {problem}",
                        field="input.connection",
                    )
        if not self.ctx.artifacts.exists(model_sha):
            raise NotFound(
                f"the model file of version {version} served by {name!r} is missing from the artifact store"
            )

    def run_scheduled(self, deployment_id: int, due_at: datetime) -> Execution:
        """The run of deployment ``deployment_id`` due at ``due_at`` (the scheduler), once per due time.

        Returns the queued execution, or, when the due time cannot run (see :meth:`run_configured`;
        any :class:`ModelportError` while queuing), a ``failed`` execution whose ``error`` says why, so
        it shows in the runs list like any failed run. Raises :class:`Conflict` when the due time already
        has an execution (another scheduler was first), :class:`NotFound` when the deployment is gone.
        """
        try:
            return self.run_configured(str(deployment_id), None, "schedule", due_at)
        except Conflict:
            raise
        except ModelportError as exc:
            reason = exc.message
        with self.ctx.db.session() as s:
            deployment = DeploymentStore(s).get(deployment_id, None)
            store = ExecutionStore(s)
            execution_id = store.create(
                deployment.id,
                status="failed",
                trigger="schedule",
                triggered_by="scheduler",
                scheduled_for=due_at,
                version=deployment.resolved_version,
                input_ref=configured_input_ref(deployment.input),
                error=reason,
            )
            store.log(execution_id, f"the run due at {due_at.isoformat()} could not start: {reason}", "error")
            return store.get(execution_id)

    # --- read ------------------------------------------------------------------------------------

    def list_executions(
        self, principal: Principal, page: int, page_size: int, **filters: Any
    ) -> Page[Execution]:
        with self.ctx.db.session() as s:
            return ExecutionStore(s).list_executions(principal, page, page_size, **filters)

    def get(self, execution_id: int, principal: Principal) -> Execution:
        with self.ctx.db.session() as s:
            return ExecutionStore(s).get(execution_id, principal)

    def logs(self, execution_id: int, principal: Principal, after: int = 0) -> list[ExecutionLog]:
        with self.ctx.db.session() as s:
            store = ExecutionStore(s)
            store.get(execution_id, principal)  # NotFound unless the caller may see it
            return store.logs(execution_id, after)

    def cancel(self, execution_id: int, principal: Principal) -> Execution:
        require(principal, Role.business_user)
        with self.ctx.db.session() as s:
            store = ExecutionStore(s)
            execution = store.get(execution_id, principal)
            if (
                not principal.role.allows(Role.data_scientist)
                and execution.triggered_by != principal.username
            ):
                raise NotFound(f"no execution {execution_id} of yours to cancel")
            status = store.request_cancel(execution_id)
            store.log(execution_id, f"cancel requested by {principal.username}")
            record(
                AuditStore(s), principal, "execution.cancel", "execution", str(execution_id), status=status
            )
        return self.get(execution_id, principal)

    def _results_path(self, execution_id: int, principal: Principal) -> tuple[Execution, Path]:
        execution = self.get(execution_id, principal)
        sha = execution.output.get("sha256")
        if execution.status != "succeeded" or not sha:
            raise NotFound(f"execution {execution_id} has no results ({execution.status})")
        return execution, self.ctx.artifacts.local_cache_path(sha, self.ctx.cache_dir)

    def results(self, execution_id: int, principal: Principal, page: int, page_size: int) -> ResultPage:
        """One page of an execution's results, reading only the row groups it needs."""
        execution, path = self._results_path(execution_id, principal)
        if execution.output.get("format") == "parquet":
            return parquet_page(path, page, page_size)
        total = int(execution.output.get("rows", execution.rows_written))
        frame = pd.read_csv(path, skiprows=range(1, (page - 1) * page_size + 1), nrows=page_size)
        return ResultPage(
            columns=[str(c) for c in frame.columns],
            rows=json_records(frame),
            total=total,
            page=page,
            page_size=page_size,
        )

    def results_file(self, execution_id: int, principal: Principal, fmt: str) -> tuple[Path, str]:
        """A results file in ``fmt`` (csv, parquet, xlsx), converted when it is stored in another format."""
        execution, path = self._results_path(execution_id, principal)
        stored = execution.output.get("format", "parquet")
        name = f"{execution.deployment}-run-{execution_id}.{fmt}"
        if fmt == stored:
            return path, name
        target = self.ctx.cache_dir / f"{execution.output['sha256']}.{fmt}"
        if not target.exists():
            if fmt == "xlsx" and execution.rows_written > 1_000_000:
                raise InvalidArgument(
                    "Excel holds at most 1,048,576 rows: download CSV or Parquet", field="format"
                )
            chunks = iter_batches(path, stored, self.ctx.settings.batch_chunk_rows)
            convert(chunks, target, fmt)  # type: ignore[arg-type]
        return target, name

    def errors_file(self, execution_id: int, principal: Principal) -> tuple[Path, str]:
        """The rows a succeeded run left out (``on_bad_rows="skip"``): a CSV file of ``row`` (data
        row, 1 = the first after the header), ``column``, ``value``, ``reason``; only the header when
        it left none out. NotFound for a run that did not succeed (its error says what went wrong)."""
        execution = self.get(execution_id, principal)
        if execution.status != "succeeded":
            raise NotFound(f"execution {execution_id} has no errors file ({execution.status})")
        name = f"{execution.deployment}-run-{execution_id}-errors.csv"
        errors = execution.output.get("errors")
        if isinstance(errors, dict) and errors.get("sha256"):
            return self.ctx.artifacts.local_cache_path(str(errors["sha256"]), self.ctx.cache_dir), name
        empty = self.ctx.cache_dir / "errors-none.csv"
        if not empty.exists():
            write_table(pd.DataFrame(columns=ERROR_COLUMNS), empty, "csv")
        return empty, name


def configured_input_ref(spec: InputSpec) -> dict[str, Any]:
    """What a run on a deployment's configured input reads, as recorded on the execution (a dataset
    whose name has no known extension is read as Parquet)."""
    if spec.kind == "dataset":
        try:
            fmt: str = detect_format(spec.filename or "dataset.parquet")
        except InvalidArgument:
            fmt = "parquet"
        filename = spec.filename or "dataset"
        return {"kind": "dataset", "sha256": spec.dataset, "filename": filename, "format": fmt}
    if spec.kind == "sql":
        return {"kind": "sql", "connection": spec.connection, "query": spec.query}
    return {"kind": "upload"}
