"""Self-service markets (open a model, deploy an open market, request a market) and bulk deployments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from modelport.api.params import Id, PageNo
from modelport.api.security import get_context, requires
from modelport.principal import Principal
from modelport.schemas import (
    Deployment,
    DeploymentBulkCreate,
    MarketRequest,
    MarketRequestApprove,
    MarketRequestCreate,
    MarketRequestDecline,
    MarketRequestStatus,
    Page,
    Role,
    SelfService,
    SelfServiceDeploy,
    SelfServiceOpen,
)
from modelport.services.deployments import DeploymentService
from modelport.services.markets import MarketService, RequestView

router = APIRouter(prefix="/api/v1", tags=["markets"])


@router.get("/models/{name}/self-service", operation_id="getSelfService", response_model=SelfService)
def get_self_service(
    name: str, request: Request, principal: Principal = requires(Role.viewer)
) -> SelfService:
    """Which markets of the model are open to self-service, its deployments, and what you may do."""
    return MarketService(get_context(request)).get(name, principal)


@router.put("/models/{name}/self-service", operation_id="openSelfService", response_model=SelfService)
def open_self_service(
    name: str, body: SelfServiceOpen, request: Request, principal: Principal = requires(Role.data_scientist)
) -> SelfService:
    """Open a version or alias of the model to self-service for markets (``["*"]``: all), or change it.

    The model's owner or an admin. Pending requests for a market this opens are approved."""
    return MarketService(get_context(request)).open(name, body, principal)


@router.delete("/models/{name}/self-service", operation_id="closeSelfService", status_code=204)
def close_self_service(
    name: str, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Response:
    """Close the model to self-service (its deployments stay)."""
    MarketService(get_context(request)).close(name, principal)
    return Response(status_code=204)


@router.post(
    "/models/{name}/self-service/deployments",
    operation_id="deploySelfService",
    response_model=Deployment,
    status_code=201,
)
def deploy_self_service(
    name: str, body: SelfServiceDeploy, request: Request, principal: Principal = requires(Role.business_user)
) -> Deployment:
    """Deploy the model for an open market; it follows the opened version or alias. 403 naming
    ``market`` when the market is not open (request it)."""
    return MarketService(get_context(request)).deploy(name, body, principal)


@router.post(
    "/models/{name}/market-requests",
    operation_id="requestMarket",
    response_model=MarketRequest,
    status_code=201,
)
def request_market(
    name: str,
    body: MarketRequestCreate,
    request: Request,
    principal: Principal = requires(Role.business_user),
) -> MarketRequest:
    """Ask the model's owner to open a market to self-service; the owner is notified."""
    return MarketService(get_context(request)).request_market(name, body, principal)


@router.get("/market-requests", operation_id="listMarketRequests", response_model=Page[MarketRequest])
def list_market_requests(
    request: Request,
    view: Annotated[
        RequestView, Query(description="received: for your models (all for admins); sent: yours.")
    ] = "received",
    model: Annotated[str | None, Query(max_length=100)] = None,
    status: MarketRequestStatus | None = None,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    principal: Principal = requires(Role.viewer),
) -> Page[MarketRequest]:
    """Market requests, newest first."""
    return MarketService(get_context(request)).list_requests(
        principal, view, page, page_size, model=model, status=status
    )


@router.post(
    "/market-requests/{request_id}/approve", operation_id="approveMarketRequest", response_model=MarketRequest
)
def approve_market_request(
    request_id: Id,
    request: Request,
    body: Annotated[MarketRequestApprove | None, Body()] = None,
    principal: Principal = requires(Role.data_scientist),
) -> MarketRequest:
    """Open the requested market (one click: no body); the requester is notified. A model not open yet
    needs the version or alias to open it with."""
    return MarketService(get_context(request)).approve(request_id, body or MarketRequestApprove(), principal)


@router.post(
    "/market-requests/{request_id}/decline", operation_id="declineMarketRequest", response_model=MarketRequest
)
def decline_market_request(
    request_id: Id,
    body: MarketRequestDecline,
    request: Request,
    principal: Principal = requires(Role.data_scientist),
) -> MarketRequest:
    """Decline a pending request with a reason; the requester is notified."""
    return MarketService(get_context(request)).decline(request_id, body, principal)


@router.post(
    "/deployments/bulk",
    operation_id="createDeployments",
    response_model=list[Deployment],
    status_code=201,
    tags=["deployments"],
)
def create_deployments(
    body: DeploymentBulkCreate, request: Request, principal: Principal = requires(Role.data_scientist)
) -> list[Deployment]:
    """Deploy one model for several markets: one deployment per market (``{name_prefix}-{market}``),
    one audit event each, all or none (an invalid market or a taken name creates none and is named)."""
    return DeploymentService(get_context(request)).create_many(body, principal)
