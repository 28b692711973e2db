"""Running one execution, inside the worker's child process: materialise the input, score it with the
deployment's engine, store the results, and record the outcome. The parent process (the worker)
handles what the child cannot: a crash, the time limit, a cancellation it must enforce."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from modelport.batch.base import BatchJob, Cancelled
from modelport.batch.cleanup import owned_prefix
from modelport.batch.engines import get_engine
from modelport.columns import ModelSchema
from modelport.context import Context
from modelport.errors import InvalidArgument, ModelportError
from modelport.schemas import OutputSpec
from modelport.stores.deployments import DeploymentStore
from modelport.stores.executions import ExecutionStore, StaleAttempt
from modelport.tabular.sql import append_file, read_query

log = logging.getLogger("modelport.executor")


class DbReporter:
    """Progress, logs and cancellation through the metadata store, written at most once a second.
    Every write is fenced by the attempt: StaleAttempt once it no longer holds the execution."""

    def __init__(self, ctx: Context, execution_id: int, attempt: int, total: int | None) -> None:
        self.ctx, self.execution_id, self.attempt, self.total = ctx, execution_id, attempt, total
        self._last = 0.0
        self._cancelled = False

    def progress(self, rows_read: int, rows_written: int) -> None:
        now = time.monotonic()
        if now - self._last < 1.0:
            return
        self._last = now
        fraction = min(0.99, rows_read / self.total) if self.total else 0.0
        with self.ctx.db.session() as s:
            store = ExecutionStore(s)
            store.progress(
                self.execution_id,
                self.attempt,
                rows_read=rows_read,
                rows_written=rows_written,
                progress=fraction,
            )
            self._cancelled = store.cancel_requested(self.execution_id)

    def log(self, message: str) -> None:
        with self.ctx.db.session() as s:
            ExecutionStore(s).log(self.execution_id, message, attempt=self.attempt)

    def cancelled(self) -> bool:
        return self._cancelled


def _materialise(
    ctx: Context, input_ref: dict[str, Any], market: str, folder: Path, reporter: DbReporter
) -> tuple[Path, str]:
    """A local file with the execution's input rows, and its format."""
    if input_ref.get("kind") == "dataset":
        return ctx.artifacts.local_cache_path(str(input_ref["sha256"]), ctx.cache_dir), str(
            input_ref["format"]
        )
    if input_ref.get("kind") == "sql":
        url = ctx.settings.connections.get(str(input_ref.get("connection")))
        if url is None:
            raise InvalidArgument(
                f"unknown connection {input_ref.get('connection')!r}", field="input.connection"
            )
        path = folder / "input.parquet"
        params = {"market": market} if ":market" in str(input_ref["query"]) else {}
        rows = read_query(url, str(input_ref["query"]), params, path, ctx.settings.batch_chunk_rows)
        reporter.log(f"read {rows} rows from connection {input_ref['connection']}")
        return path, "parquet"
    raise InvalidArgument(f"unknown input kind {input_ref.get('kind')!r}")


def _append_to_table(ctx: Context, results: Path, fmt: str, out: OutputSpec, reporter: DbReporter) -> None:
    """Append the results to a SQL table in one transaction: all rows or none."""
    url = ctx.settings.connections[str(out.connection)]
    append_file(url, str(out.table), results, fmt, ctx.settings.batch_chunk_rows)
    reporter.log(f"appended the results to {out.connection}:{out.table}")


def run_execution(ctx: Context, execution_id: int, attempt: int) -> str:
    """Run ``attempt`` of a claimed (``running``) execution to its end; returns its final status, or
    ``stale`` when the attempt lost the execution meanwhile (its writes were refused, its partial output
    discarded: the results are written in this attempt's own folder and published only by the fenced
    final write)."""
    try:
        return _run(ctx, execution_id, attempt)
    except StaleAttempt:
        log.warning("execution %s: attempt %s no longer holds it; stopped", execution_id, attempt)
        return "stale"


def _run(ctx: Context, execution_id: int, attempt: int) -> str:
    with ctx.db.session() as s:
        execution = ExecutionStore(s).get(execution_id)
        deployments = DeploymentStore(s)
        if execution.deployment_id is None:
            raise ValueError(f"execution {execution_id} is a {execution.kind}, not a run of a deployment")
        deployment = deployments.get(execution.deployment_id, None)
        input_ref, market, engine_name = dict(execution.input), deployment.market, execution.engine
        output = deployment.output
        on_bad_rows = deployment.on_bad_rows
        try:
            resolved = deployments.resolve(deployment.id, None)
        except ModelportError as exc:
            ExecutionStore(s).finish(execution_id, "failed", attempt=attempt, error=exc.message)
            return "failed"
        ExecutionStore(s).progress(execution_id, attempt, version=resolved.version)
        ExecutionStore(s).log(
            execution_id,
            f"running {deployment.name} (version {resolved.version}, "
            f"{engine_name} engine, attempt {attempt})",
            attempt=attempt,
        )
    reporter = DbReporter(ctx, execution_id, attempt, input_ref.get("rows"))
    folder = Path(tempfile.mkdtemp(prefix=execution_folder_prefix(execution_id, attempt), dir=ctx.tmp_dir))
    try:
        input_path, input_format = _materialise(ctx, input_ref, market, folder, reporter)
        if reporter.total is None and input_format == "parquet":
            import pyarrow.parquet as pq

            reporter.total = pq.ParquetFile(input_path).metadata.num_rows
        job = BatchJob(
            input_path=input_path,
            input_format=input_format,
            model_path=ctx.artifacts.local_cache_path(resolved.sha256, ctx.cache_dir),
            flavor=resolved.flavor,
            schema=ModelSchema.model_validate(resolved.input_schema),
            output_path=folder / f"results.{output.format}",
            output_format=output.format,
            chunk_rows=ctx.settings.batch_chunk_rows,
            total_rows=reporter.total,
            options={"spark_master": ctx.settings.spark_master},
            on_bad_rows=on_bad_rows,
            errors_path=folder / "errors.csv",
        )
        started = time.monotonic()
        result = get_engine(engine_name).run(job, reporter)
        with ctx.db.session() as s:  # no output leaves this attempt's folder unless it still holds the run
            ExecutionStore(s).check(execution_id, attempt)
        stored = ctx.artifacts.put_file(job.output_path)
        output_ref: dict[str, Any] = {
            "sha256": stored.sha256,
            "size": stored.size,
            "format": output.format,
            "rows": result.rows_written,
        }
        if result.rejected_rows and job.errors_path is not None:
            errors = ctx.artifacts.put_file(job.errors_path)
            output_ref["errors"] = {
                "sha256": errors.sha256,
                "size": errors.size,
                "rows": result.rejected_rows,
            }
            reporter.log(
                f"skipped {result.rejected_rows} row(s) that do not fit the model's input schema: "
                "see the errors file"
            )
        if output.connection:
            _append_to_table(ctx, job.output_path, output.format, output, reporter)
        seconds = time.monotonic() - started
        with ctx.db.session() as s:
            store = ExecutionStore(s)
            store.log(
                execution_id,
                f"scored {result.rows_read} rows in {seconds:.1f} s, peak memory {_peak_mib():,} MiB",
                attempt=attempt,
            )
            store.finish(
                execution_id,
                "succeeded",
                attempt=attempt,
                rows_read=result.rows_read,
                rows_written=result.rows_written,
                progress=1.0,
                summary=result.summary,
                output_ref=output_ref,
            )
        return "succeeded"
    except StaleAttempt:
        raise  # not this attempt's run any more: record nothing
    except Cancelled:
        with ctx.db.session() as s:
            ExecutionStore(s).finish(
                execution_id, "cancelled", attempt=attempt, error="cancelled while running"
            )
        return "cancelled"
    except ModelportError as exc:
        _fail(ctx, execution_id, attempt, exc.message)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any failure of a run is recorded on the run
        log.exception("execution %s failed", execution_id)
        _fail(ctx, execution_id, attempt, f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=5))
        return "failed"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _peak_mib() -> int:
    """This process's peak resident memory so far, in MiB: the kernel's ``VmHWM``. (``ru_maxrss`` is no
    use here: Linux carries it across ``exec``, so a child reports at least its parent's peak.)"""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux


def execution_folder_prefix(execution_id: int, attempt: int) -> str:
    """Name prefix of an attempt's working folder under ``tmp/``: the execution, the attempt and the
    process that owns it (so :func:`~modelport.batch.cleanup.sweep` tells a live run's folder from a
    dead one's)."""
    return owned_prefix(f"execution-{execution_id}-a{attempt}")


def _fail(ctx: Context, execution_id: int, attempt: int, message: str, trace: str | None = None) -> None:
    with ctx.db.session() as s:
        store = ExecutionStore(s)
        store.log(execution_id, message, "error", attempt=attempt)
        if trace:
            store.log(execution_id, trace, "debug", attempt=attempt)
        store.finish(execution_id, "failed", attempt=attempt, error=message[:2000])
