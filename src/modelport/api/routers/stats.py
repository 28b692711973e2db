"""The home dashboard's numbers, and what the web app's forms offer (connections, audit actions)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from modelport.api.security import get_context, requires
from modelport.principal import Principal
from modelport.schemas import Role
from modelport.services.audit import AuditService
from modelport.services.stats import Stats, StatsService

router = APIRouter(prefix="/api/v1", tags=["stats"])


class Connection(BaseModel):
    name: str
    kind: str


@router.get("/stats", operation_id="getStats", response_model=Stats)
def get_stats(request: Request, principal: Principal = requires(Role.viewer)) -> Stats:
    """Counts of models, versions, deployments and runs, the most-run models, market x department."""
    return StatsService(get_context(request)).dashboard(principal)


@router.get("/connections", operation_id="listConnections", response_model=list[Connection])
def list_connections(request: Request, _p: Principal = requires(Role.data_scientist)) -> list[Connection]:
    """The configured SQL connections by name and kind (never their URLs, which hold secrets)."""
    from sqlalchemy.engine import make_url

    items = []
    for name, url in sorted(get_context(request).settings.connections.items()):
        try:
            kind = make_url(url).get_backend_name()
        except Exception:  # noqa: BLE001 - a malformed URL is still listed, as unknown
            kind = "unknown"
        items.append(Connection(name=name, kind=kind))
    return items


@router.get("/audit/actions", operation_id="listAuditActions", response_model=list[str])
def list_audit_actions(request: Request, principal: Principal = requires(Role.admin)) -> list[str]:
    """The distinct actions in the audit log, for a filter."""
    return AuditService(get_context(request)).actions(principal)
