"""Reading the audit log (admins only); events are written by the services that make the changes."""

from __future__ import annotations

from modelport.context import Context
from modelport.principal import Principal
from modelport.schemas import AuditEvent, Page, Role
from modelport.services.auth import require
from modelport.stores.audit import AuditFilter, AuditStore

__all__ = ["AuditFilter", "AuditService"]


class AuditService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def list_events(
        self,
        principal: Principal,
        page: int,
        page_size: int,
        match: AuditFilter = AuditFilter(),
    ) -> Page[AuditEvent]:
        """Events newest first, those that ``match``."""
        require(principal, Role.admin)
        with self.ctx.db.session() as s:
            return AuditStore(s).list_events(page, page_size, match)

    def actions(self, principal: Principal) -> list[str]:
        """The distinct actions in the log, for a filter."""
        require(principal, Role.admin)
        with self.ctx.db.session() as s:
            return AuditStore(s).actions()
