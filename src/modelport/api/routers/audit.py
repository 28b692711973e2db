"""The audit log, for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from modelport.api.params import PageNo
from modelport.api.security import get_context, requires
from modelport.principal import Principal
from modelport.schemas import AuditEvent, Page, Role
from modelport.services.audit import AuditFilter, AuditService

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit", operation_id="listAuditEvents", response_model=Page[AuditEvent])
def list_audit(
    request: Request,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    actor: str | None = None,
    action: str | None = None,
    target_type: str | None = None,
    target: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    principal: Principal = requires(Role.admin),
) -> Page[AuditEvent]:
    """Events newest first, filtered by actor, action, target and time."""
    match = AuditFilter(actor, action, target_type, target, since, until)
    return AuditService(get_context(request)).list_events(principal, page, page_size, match)
