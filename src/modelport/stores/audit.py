"""Audit store: append-only events (the database refuses UPDATE and DELETE on the table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modelport.db.tables import AuditEventRow
from modelport.principal import Principal
from modelport.schemas import AuditEvent, Page

SECRET_KEYS = ("password", "token", "secret", "authorization", "cookie")


def scrub(details: dict[str, Any]) -> dict[str, Any]:
    """Drop values whose key names a secret, so no secret ever reaches the audit log."""
    clean: dict[str, Any] = {}
    for key, value in details.items():
        if any(word in key.lower() for word in SECRET_KEYS) and key not in ("token_id", "token_name"):
            clean[key] = "***"
        elif isinstance(value, dict):
            clean[key] = scrub(value)
        else:
            clean[key] = value
    return clean


@dataclass(frozen=True)
class AuditFilter:
    """Which audit events to list: by ``actor`` (username), ``action``, ``target_type``, ``target``
    and a time range (``since`` included, ``until`` excluded); None or empty is no condition."""

    actor: str | None = None
    action: str | None = None
    target_type: str | None = None
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditStore:
    """The audit log: returns :class:`AuditEvent` objects, never rows. Appends flush in the caller's
    transaction, so an event is written with the change it records or not at all."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def append(
        self,
        *,
        action: str,
        target_type: str,
        target: str | None,
        actor_id: int | None,
        actor: str | None,
        details: dict[str, Any] | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> None:
        """Add one event to the log (flushed with the change it records, in the same transaction), its
        secrets scrubbed. Returns None; raises nothing."""
        self.s.add(
            AuditEventRow(
                action=action,
                target_type=target_type,
                target=target,
                actor_id=actor_id,
                actor=actor,
                details=scrub(details or {}),
                ip=ip,
                user_agent=(user_agent or "")[:255] or None,
            )
        )
        self.s.flush()

    def list_events(
        self,
        page: int,
        page_size: int,
        match: AuditFilter = AuditFilter(),
    ) -> Page[AuditEvent]:
        """Returns one page of events, newest first, those that ``match``. Raises nothing."""
        stmt = select(AuditEventRow)
        if match.actor:
            stmt = stmt.where(AuditEventRow.actor == match.actor)
        if match.action:
            stmt = stmt.where(AuditEventRow.action == match.action)
        if match.target_type:
            stmt = stmt.where(AuditEventRow.target_type == match.target_type)
        if match.target:
            stmt = stmt.where(AuditEventRow.target == match.target)
        if match.since:
            stmt = stmt.where(AuditEventRow.at >= match.since)
        if match.until:
            stmt = stmt.where(AuditEventRow.at < match.until)
        total = self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.s.scalars(
            stmt.order_by(AuditEventRow.id.desc()).offset((page - 1) * page_size).limit(page_size)
        )
        return Page(
            items=[
                AuditEvent(
                    id=r.id,
                    at=r.at,
                    actor=r.actor,
                    action=r.action,
                    target_type=r.target_type,
                    target=r.target,
                    details=r.details,
                    ip=r.ip,
                    user_agent=r.user_agent,
                )
                for r in rows
            ],
            total=total,
            page=page,
            page_size=page_size,
        )

    def actions(self) -> list[str]:
        """Returns the distinct action names, sorted. Raises nothing."""
        return sorted(self.s.scalars(select(AuditEventRow.action).distinct()))


def record(
    audit: AuditStore,
    principal: Principal | None,
    action: str,
    target_type: str,
    target: str | None,
    **details: Any,
) -> None:
    """Append an audit event for ``principal`` in the current transaction."""
    audit.append(
        action=action,
        target_type=target_type,
        target=target,
        actor_id=principal.user_id if principal else None,
        actor=principal.username if principal else None,
        details=details,
        ip=principal.ip if principal else None,
        user_agent=principal.user_agent if principal else None,
    )
