"""Executions: queue a run of a deployment (file, typed rows, its configured input, or its schedule),
follow it, cancel it, read its logs and results."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from modelport.columns import ModelSchema
from modelport.context import Context
from modelport.db.tables import DeploymentRow
from modelport.errors import InvalidArgument, NotFound
from modelport.principal import Principal
from modelport.schemas import Dataset, Execution, ExecutionLog, InputSpec, Page, ResultPage, Role
from modelport.services.auth import require
from modelport.services.catalog import check_filename
from modelport.stores.audit import AuditStore, record
from modelport.stores.deployments import DeploymentStore
from modelport.stores.executions import ExecutionStore
from modelport.tabular.readers import detect_format, iter_batches, preview
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

    # --- datasets --------------------------------------------------------------------------------

    def upload_dataset(self, path: Path, filename: str, principal: Principal) -> Dataset:
        """Store an input file (CSV, Excel, Parquet) in the artifact store after reading its first rows."""
        require(principal, Role.business_user)
        check_filename(filename)
        fmt = detect_format(filename)
        head = preview(path, fmt, rows=10)
        ref = self.ctx.artifacts.put_file(path)
        with self.ctx.db.session() as s:
            record(
                AuditStore(s),
                principal,
                "dataset.upload",
                "dataset",
                ref.sha256,
                filename=filename,
                size=ref.size,
            )
        return Dataset(
            sha256=ref.sha256,
            filename=filename,
            format=fmt,
            size=ref.size,
            columns=[str(c) for c in head.columns],
            preview=_records(head),
        )

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
            row = DeploymentStore(s).row(ref, principal)
            store = ExecutionStore(s)
            execution_id = store.create(
                row,
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
                    row.name,
                    execution=execution_id,
                    trigger=trigger,
                )
            return store.get(execution_id)

    def _schema(self, ref: str, principal: Principal) -> tuple[DeploymentRow, ModelSchema]:
        with self.ctx.db.session() as s:
            store = DeploymentStore(s)
            resolved = store.resolve(ref, principal)
            return store.row(ref, principal), ModelSchema.model_validate(resolved.input_schema)

    def run_file(self, ref: str, path: Path, filename: str, principal: Principal) -> Execution:
        """Queue a run on an uploaded file, after checking its columns against the model's schema."""
        require(principal, Role.business_user)
        check_filename(filename)
        fmt = detect_format(filename)
        _, schema = self._schema(ref, principal)
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
        _, schema = self._schema(ref, principal)
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
        """Queue a run on the deployment's configured input (API call or schedule)."""
        if principal is not None:
            require(principal, Role.business_user)
        with self.ctx.db.session() as s:
            row = DeploymentStore(s).row(ref, principal)
            spec = InputSpec.model_validate(row.input_spec)
        if spec.kind == "upload":
            raise InvalidArgument("this deployment takes a file with each run: upload one", field="file")
        if spec.kind == "dataset":
            input_ref = {
                "kind": "dataset",
                "sha256": spec.dataset,
                "filename": spec.filename or "dataset",
                "format": detect_format(spec.filename or "dataset.parquet"),
            }
        else:
            input_ref = {"kind": "sql", "connection": spec.connection, "query": spec.query}
        return self._queue(ref, principal, trigger, input_ref, scheduled_for)

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
            store.row(execution_id, principal)
            return store.logs(execution_id, after)

    def cancel(self, execution_id: int, principal: Principal) -> Execution:
        require(principal, Role.business_user)
        with self.ctx.db.session() as s:
            store = ExecutionStore(s)
            row = store.row(execution_id, principal)
            if not principal.role.allows(Role.data_scientist) and row.triggered_by != principal.username:
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
        offset = (page - 1) * page_size
        if execution.output.get("format") == "parquet":
            pf = pq.ParquetFile(path)
            total = pf.metadata.num_rows
            frames, seen = [], 0
            for group in range(pf.num_row_groups):
                n = pf.metadata.row_group(group).num_rows
                if seen + n > offset and seen < offset + page_size:
                    frames.append(pf.read_row_group(group).to_pandas().iloc[max(0, offset - seen) :])
                seen += n
            frame = (
                pd.concat(frames).head(page_size) if frames else pd.DataFrame(columns=pf.schema_arrow.names)
            )
        else:
            total = int(execution.output.get("rows", execution.rows_written))
            frame = pd.read_csv(path, skiprows=range(1, offset + 1), nrows=page_size)
        return ResultPage(
            columns=[str(c) for c in frame.columns],
            rows=_records(frame),
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


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    import json

    return list(json.loads(frame.to_json(orient="records", date_format="iso")))
