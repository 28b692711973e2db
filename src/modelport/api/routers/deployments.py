"""Deployments, their schedule preview, and online predictions."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from modelport.api import tokencache
from modelport.api.params import PageNo
from modelport.api.security import authenticate, get_context, requires
from modelport.api.uploads import spooled
from modelport.errors import InvalidArgument
from modelport.principal import Principal
from modelport.schemas import (
    Deployment,
    DeploymentCreate,
    DeploymentUpdate,
    LoggedPrediction,
    Page,
    PredictResponse,
    Role,
    SchedulePreview,
    ScheduleSpec,
)
from modelport.services.auth import require
from modelport.services.deployments import DeploymentService, next_runs
from modelport.services.predictions import PredictionFilter, PredictionLogService
from modelport.serving.body import parse_json

router = APIRouter(prefix="/api/v1", tags=["deployments"])


@router.get("/deployments", operation_id="listDeployments", response_model=Page[Deployment])
def list_deployments(
    request: Request,
    model: str | None = None,
    market: str | None = None,
    state: Literal["active", "paused"] | None = None,
    scheduled: bool | None = None,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    principal: Principal = requires(Role.viewer),
) -> Page[Deployment]:
    """Deployments of the models you can see, filtered by model, market, state, schedule."""
    return DeploymentService(get_context(request)).list_deployments(
        principal, page, page_size, model=model, market=market, state=state, scheduled=scheduled
    )


@router.post("/deployments", operation_id="createDeployment", response_model=Deployment, status_code=201)
def create_deployment(
    body: DeploymentCreate, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Deployment:
    """Deploy a model version (or the alias it should follow) for a market, optionally on a schedule.

    A schedule needs a stored input, a dataset (``input.kind = "dataset"``) or a SQL query
    (``"sql"``); with ``"upload"`` (a file with each run) it is refused, naming ``schedule``."""
    return DeploymentService(get_context(request)).create(body, principal)


@router.get("/deployments/{ref}", operation_id="getDeployment", response_model=Deployment)
def get_deployment(ref: str, request: Request, principal: Principal = requires(Role.viewer)) -> Deployment:
    """A deployment by id or name."""
    return DeploymentService(get_context(request)).get(ref, principal)


@router.patch("/deployments/{ref}", operation_id="updateDeployment", response_model=Deployment)
def update_deployment(
    ref: str, body: DeploymentUpdate, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Deployment:
    """Change a deployment; a schedule on an input that is a file with each run is refused (``schedule``)."""
    return DeploymentService(get_context(request)).update(ref, body, principal)


@router.put("/deployments/{ref}/input", operation_id="setDeploymentInput", response_model=Deployment)
def set_deployment_input(
    ref: str,
    request: Request,
    file: Annotated[UploadFile, File(description="CSV, Excel (.xlsx) or Parquet, with the model's columns.")],
    principal: Principal = requires(Role.data_scientist),
) -> Deployment:
    """Make an uploaded file the deployment's input (a dataset, replacing its previous input): what its
    schedule and runs without a file read from now on. The header must hold the model's columns."""
    ctx = get_context(request)
    with spooled(file, ctx.tmp_dir, ctx.settings.max_upload_bytes, "file") as path:
        return DeploymentService(ctx).set_input_file(ref, path, file.filename or "", principal)


@router.post("/deployments/{ref}/pause", operation_id="pauseDeployment", response_model=Deployment)
def pause_deployment(
    ref: str, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Deployment:
    """Stop the schedule and refuse predictions until resumed."""
    return DeploymentService(get_context(request)).set_state(ref, "paused", principal)


@router.post("/deployments/{ref}/resume", operation_id="resumeDeployment", response_model=Deployment)
def resume_deployment(
    ref: str, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Deployment:
    return DeploymentService(get_context(request)).set_state(ref, "active", principal)


@router.delete("/deployments/{ref}", operation_id="deleteDeployment", status_code=204)
def delete_deployment(
    ref: str, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Response:
    DeploymentService(get_context(request)).delete(ref, principal)
    return Response(status_code=204)


@router.get(
    "/deployments/{ref}/template",
    operation_id="downloadDeploymentTemplate",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}, "application/octet-stream": {}}}},
)
def download_template(
    ref: str,
    request: Request,
    format: Literal["csv", "xlsx"] = "csv",  # noqa: A002 - the query parameter's name
    principal: Principal = requires(Role.viewer),
) -> FileResponse:
    """A file to fill in for a run: the columns the model takes (the version serving the deployment
    now) as a header, and the version's example row."""
    path, name = DeploymentService(get_context(request)).template_file(ref, principal, format)
    media = "text/csv" if format == "csv" else "application/octet-stream"
    return FileResponse(path, filename=name, media_type=media)


PREDICT_EXAMPLES = {
    "records": {"value": {"inputs": [{"tenure_months": 12, "monthly_spend": 42.5}]}},
    "dataframe_split": {"value": {"dataframe_split": {"columns": ["tenure_months"], "data": [[12]]}}},
    "dataframe_records": {"value": {"dataframe_records": [{"tenure_months": 12}]}},
}


async def _predict_caller(request: Request) -> Principal:
    """``requires(Role.business_user)`` for the predict route, in the event loop when it can be.

    A modelport API token seen in the last few seconds is recognised from memory (no I/O, so no thread
    hand-off); any other caller is authenticated the usual way, in a thread.
    """
    principal = tokencache.cached_principal(request)
    if principal is None:
        principal = await run_in_threadpool(authenticate, request)
    require(principal, Role.business_user)
    request.state.principal = principal
    return principal


_predict_caller.required_role = Role.business_user  # type: ignore[attr-defined]


# The body is read by the route itself (FastAPI's body parameter costs more than the whole check of a
# row); the OpenAPI document still describes it, as FastAPI would.
PREDICT_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "object", "additionalProperties": True, "title": "Body"},
            "examples": PREDICT_EXAMPLES,
        }
    },
}


@router.post(
    "/deployments/{ref}/predict",
    operation_id="predict",
    response_model=PredictResponse,
    openapi_extra={"requestBody": PREDICT_BODY},
)
async def predict(ref: str, request: Request, principal: Principal = Depends(_predict_caller)) -> Response:
    """Predict for rows as ``inputs`` records, or MLflow's ``dataframe_split`` or ``dataframe_records``."""
    body = parse_json(await request.body())
    answer, log = await DeploymentService(get_context(request)).predict_online(ref, body, principal)
    try:
        content = orjson.dumps(answer)
    except TypeError:  # a value orjson does not know (an exotic model output): the slower, lenient way
        content = json.dumps(jsonable_encoder(answer)).encode()
    return Response(
        content, media_type="application/json", background=BackgroundTask(log) if log is not None else None
    )


@router.get(
    "/deployments/{ref}/predictions", operation_id="listPredictions", response_model=Page[LoggedPrediction]
)
def list_predictions(
    ref: str,
    request: Request,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Only this model version.")] = None,
    since: Annotated[datetime | None, Query(description="From this time (included).")] = None,
    until: Annotated[datetime | None, Query(description="Before this time (excluded).")] = None,
    request_id: Annotated[str | None, Query(max_length=64, description="One request, by its id.")] = None,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    principal: Principal = requires(Role.viewer),
) -> Page[LoggedPrediction]:
    """The deployment's logged online predictions, newest first: inputs, outputs, version, latency and
    time of each request logged (``MODELPORT_PREDICTION_LOG_RATE`` of them, at most 100 rows each)."""
    match = PredictionFilter(version=version, since=since, until=until, request_id=request_id)
    return PredictionLogService(get_context(request)).list_predictions(ref, principal, page, page_size, match)


@router.get("/schedules/preview", operation_id="previewSchedule", response_model=SchedulePreview)
def preview_schedule(
    cron: Annotated[str, Query(max_length=120, examples=["0 6 * * 1"])],
    timezone: Annotated[str, Query(max_length=64)] = "UTC",
    count: Annotated[int, Query(ge=1, le=50)] = 5,
    _p: Principal = requires(Role.viewer),
) -> SchedulePreview:
    """The next run times of a cron expression in a time zone."""
    try:
        spec = ScheduleSpec(cron=cron, timezone=timezone)
    except ValueError as exc:
        errors: list[Any] = getattr(exc, "errors", lambda: [])()
        field = str(errors[0]["loc"][0]) if errors else "cron"
        message = str(errors[0]["msg"]).removeprefix("Value error, ") if errors else str(exc)
        raise InvalidArgument(message, field=field) from None
    return SchedulePreview(cron=cron, timezone=timezone, next=next_runs(spec, count))
