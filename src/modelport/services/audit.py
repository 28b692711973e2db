"""Reading the audit log (admins only); events are written by the services that make the changes."""

from __future__ import annotations

from datetime import datetime

from modelport.context import Context
from modelport.principal import Principal
from modelport.schemas import AuditEvent, Page, Role
from modelport.services.auth import require
from modelport.stores.audit import AuditStore


class AuditService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def list_events(
        self,
        principal: Principal,
        page: int,
        page_size: int,
        *,
        actor: str | None = None,
        action: str | None = None,
        target_type: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page[AuditEvent]:
        """Events newest first, filtered by the arguments given."""
        require(principal, Role.admin)
        with self.ctx.db.session() as s:
            return AuditStore(s).list_events(
                page,
                page_size,
                actor=actor,
                action=action,
                target_type=target_type,
                target=target,
                since=since,
                until=until,
            )

    def actions(self, principal: Principal) -> list[str]:
        """The distinct actions in the log, for a filter."""
        require(principal, Role.admin)
        with self.ctx.db.session() as s:
            return AuditStore(s).actions()
