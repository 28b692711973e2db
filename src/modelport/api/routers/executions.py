"""Executions (runs of deployments, profiles, trainings): start, follow, cancel, logs, results."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile

from modelport.api.downloads import EXCEL_CSV, csv_for_excel
from modelport.api.params import Id, PageNo
from modelport.api.security import get_context, requires
from modelport.api.uploads import spooled
from modelport.errors import InvalidArgument
from modelport.principal import Principal
from modelport.schemas import (
    TERMINAL_STATUSES,
    Execution,
    ExecutionLog,
    ExecutionRows,
    ExecutionStatus,
    Page,
    ResultPage,
    Role,
)
from modelport.services.executions import ExecutionService

router = APIRouter(prefix="/api/v1", tags=["executions"])


@router.post(
    "/deployments/{ref}/executions", operation_id="runDeployment", response_model=Execution, status_code=202
)
async def run_deployment(
    ref: str,
    request: Request,
    principal: Principal = requires(Role.business_user),
) -> Execution:
    """Start a run: a multipart ``file`` (CSV, Excel, Parquet), a JSON body ``{"rows": [...]}`` typed in
    a form, or no body at all to read the deployment's configured input."""
    ctx = get_context(request)
    service = ExecutionService(ctx)
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if not isinstance(upload, StarletteUploadFile):
            raise InvalidArgument("send the input as a multipart field named 'file'", field="file")

        def run_file() -> Execution:
            with spooled(upload, ctx.tmp_dir, ctx.settings.max_upload_bytes, "file") as path:
                return service.run_file(ref, path, upload.filename or "", principal)

        return await run_in_threadpool(run_file)
    raw = await request.body()
    if raw.strip():
        try:
            body = ExecutionRows.model_validate_json(raw)
        except ValueError as exc:
            errors: list[Any] = getattr(exc, "errors", lambda: [])()
            where = ".".join(str(p) for p in errors[0]["loc"]) if errors else "body"
            message = str(errors[0]["msg"]) if errors else "invalid JSON"
            raise InvalidArgument(f"{where}: {message}", field=where) from None
        return await run_in_threadpool(service.run_rows, ref, body.rows, principal)
    return await run_in_threadpool(service.run_configured, ref, principal, "api")


@router.get("/executions", operation_id="listExecutions", response_model=Page[Execution])
def list_executions(
    request: Request,
    deployment: str | None = None,
    model: str | None = None,
    status: ExecutionStatus | None = None,
    trigger: Literal["manual", "schedule", "api"] | None = None,
    since: datetime | None = None,
    kind: Annotated[
        Literal["score", "profile", "train", "any"],
        Query(description="score: runs of deployments (the default); profile, train; any: all kinds."),
    ] = "score",
    dataset: Annotated[str | None, Query(max_length=100, description="Profiles and trainings of it.")] = None,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    principal: Principal = requires(Role.viewer),
) -> Page[Execution]:
    """Executions, newest first, filtered by kind, deployment (id or name), model, dataset, status,
    trigger and time."""
    return ExecutionService(get_context(request)).list_executions(
        principal,
        page,
        page_size,
        deployment=deployment,
        model=model,
        status=status,
        trigger=trigger,
        since=since,
        kind=None if kind == "any" else kind,
        dataset=dataset,
    )


@router.get("/executions/{execution_id}", operation_id="getExecution", response_model=Execution)
def get_execution(
    execution_id: Id, request: Request, principal: Principal = requires(Role.viewer)
) -> Execution:
    return ExecutionService(get_context(request)).get(execution_id, principal)


@router.post("/executions/{execution_id}/cancel", operation_id="cancelExecution", response_model=Execution)
def cancel_execution(
    execution_id: Id, request: Request, principal: Principal = requires(Role.business_user)
) -> Execution:
    """Cancel a queued run at once, or stop a running one (its worker kills it within seconds)."""
    return ExecutionService(get_context(request)).cancel(execution_id, principal)


@router.get(
    "/executions/{execution_id}/logs", operation_id="getExecutionLogs", response_model=list[ExecutionLog]
)
def get_logs(
    execution_id: Id,
    request: Request,
    after: Annotated[int, Query(ge=0, le=2**31 - 1, description="Only lines after this log id.")] = 0,
    principal: Principal = requires(Role.viewer),
) -> list[ExecutionLog]:
    """The run's log lines (poll with ``after``, or use ``/logs/stream``)."""
    return ExecutionService(get_context(request)).logs(execution_id, principal, after)


@router.get(
    "/executions/{execution_id}/logs/stream",
    operation_id="streamExecutionLogs",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_logs(
    execution_id: Id, request: Request, principal: Principal = requires(Role.viewer)
) -> StreamingResponse:
    """Server-sent events: log lines and status changes while the run goes on; ends when it ends."""
    service = ExecutionService(get_context(request))
    await run_in_threadpool(service.get, execution_id, principal)

    async def events() -> AsyncIterator[str]:
        after, last_state = 0, None
        while True:
            lines = await run_in_threadpool(service.logs, execution_id, principal, after)
            for line in lines:
                after = line.id
                yield f"event: log\ndata: {line.model_dump_json()}\n\n"
            execution = await run_in_threadpool(service.get, execution_id, principal)
            state = (execution.status, round(execution.progress, 3), execution.rows_read)
            if state != last_state:
                last_state = state
                yield f"event: status\ndata: {json.dumps(execution.model_dump(mode='json'))}\n\n"
            if execution.status in TERMINAL_STATUSES or await request.is_disconnected():
                return
            await asyncio.sleep(0.5)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@router.get(
    "/executions/{execution_id}/results", operation_id="getExecutionResults", response_model=ResultPage
)
def get_results(
    execution_id: Id,
    request: Request,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 100,
    principal: Principal = requires(Role.viewer),
) -> ResultPage:
    """One page of the results: the input columns and the predictions."""
    return ExecutionService(get_context(request)).results(execution_id, principal, page, page_size)


@router.get(
    "/executions/{execution_id}/results/download",
    operation_id="downloadExecutionResults",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}, "text/csv": {}}}},
)
def download_results(
    execution_id: Id,
    request: Request,
    format: Annotated[  # noqa: A002 - the query parameter's name
        Literal["csv", "csv-excel", "parquet", "xlsx"],
        Query(description="csv-excel: CSV with a UTF-8 byte-order mark, so that Excel shows accents right."),
    ] = "csv",
    principal: Principal = requires(Role.viewer),
) -> Response:
    """The results as CSV (plain, or for Excel), Parquet or Excel."""
    service = ExecutionService(get_context(request))
    if format == EXCEL_CSV:
        path, name = service.results_file(execution_id, principal, "csv")
        return csv_for_excel(path, name)
    path, name = service.results_file(execution_id, principal, format)
    return FileResponse(path, filename=name, media_type="application/octet-stream")


@router.get(
    "/executions/{execution_id}/errors",
    operation_id="downloadExecutionErrors",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def download_errors(
    execution_id: Id, request: Request, principal: Principal = requires(Role.viewer)
) -> FileResponse:
    """The rows a run left out because they do not fit the model's input schema (deployments with
    ``on_bad_rows: "skip"``), as CSV: ``row`` (data row of the input, 1 = the first after the header),
    ``column``, ``value``, ``reason``; only the header when it left none out
    (``summary.rejected_rows``). 404 for a run that did not succeed."""
    path, name = ExecutionService(get_context(request)).errors_file(execution_id, principal)
    return FileResponse(path, filename=name, media_type="text/csv")
