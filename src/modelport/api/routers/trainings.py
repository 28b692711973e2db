"""Trainings: start one on a dataset, follow its leaderboard, cancel it, register its best pipeline.
Its logs are its execution's (``GET /executions/{training.execution}/logs``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from modelport.api.params import Id, PageNo
from modelport.api.security import get_context, requires
from modelport.principal import Principal
from modelport.schemas import (
    ExecutionStatus,
    ModelVersion,
    Page,
    Role,
    Training,
    TrainingCreate,
    TrainingRegister,
)
from modelport.services.training import TrainingService

router = APIRouter(prefix="/api/v1", tags=["trainings"])


@router.post("/trainings", operation_id="startTraining", response_model=Training, status_code=202)
def start_training(
    body: TrainingCreate, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Training:
    """Queue a training on a dataset version, after checking the request against its columns and rows
    (422 naming the field at fault)."""
    return TrainingService(get_context(request)).start(body, principal)


@router.get("/trainings", operation_id="listTrainings", response_model=Page[Training])
def list_trainings(
    request: Request,
    dataset: Annotated[str | None, Query(max_length=100)] = None,
    status: ExecutionStatus | None = None,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    principal: Principal = requires(Role.viewer),
) -> Page[Training]:
    """Trainings of the datasets the caller may see, newest first."""
    return TrainingService(get_context(request)).list_trainings(principal, page, page_size, dataset, status)


@router.get("/trainings/{training_id}", operation_id="getTraining", response_model=Training)
def get_training(training_id: Id, request: Request, principal: Principal = requires(Role.viewer)) -> Training:
    """A training with its live leaderboard, and its evaluation once it has ended."""
    return TrainingService(get_context(request)).get(training_id, principal)


@router.post("/trainings/{training_id}/cancel", operation_id="cancelTraining", response_model=Training)
def cancel_training(
    training_id: Id, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Training:
    """Cancel a queued training at once, or stop a running one."""
    return TrainingService(get_context(request)).cancel(training_id, principal)


@router.post(
    "/trainings/{training_id}/register",
    operation_id="registerTraining",
    response_model=ModelVersion,
    status_code=201,
)
def register_training(
    training_id: Id,
    body: TrainingRegister,
    request: Request,
    principal: Principal = requires(Role.data_scientist),
) -> ModelVersion:
    """Register the best pipeline as the next version of a model (created from the card when new),
    with its lineage, reference data and a challenger report against the model's champion."""
    return TrainingService(get_context(request)).register(training_id, body, principal)
