"""Webhook store: webhook endpoints and the queue of deliveries (e-mails and webhook calls).

A delivery is ``pending`` until it is ``delivered`` or, after its last attempt, ``failed``. Senders
claim a due pending delivery with one guarded UPDATE that also pushes its ``next_attempt_at`` a lease
ahead, so two senders never send the same attempt, and a sender that dies mid-send leaves the
delivery to be retried when the lease ends. Methods flush; the caller's session commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select, update
from sqlalchemy.orm import Session

from modelport.db.tables import DeliveryRow, WebhookRow, utcnow
from modelport.errors import Conflict, NotFound
from modelport.schemas import Delivery, Page, Webhook
from modelport.stores.users import usernames


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        event_id=row.event_id,
        kind=row.kind,
        channel=row.channel,
        webhook_id=row.webhook_id,
        address=row.address,
        status=row.status,
        attempts=row.attempts,
        response_status=row.response_status,
        last_error=row.last_error,
        payload=row.payload,
        created_at=row.created_at,
        last_attempt_at=row.last_attempt_at,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        delivered_at=row.delivered_at,
    )


def _theirs(user_id: int) -> ColumnElement[bool]:
    """The deliveries a user may see: the calls of their webhooks and the e-mails sent to them."""
    mine = select(WebhookRow.id).where(WebhookRow.owner_id == user_id)
    return or_(DeliveryRow.webhook_id.in_(mine), DeliveryRow.user_id == user_id)


@dataclass(frozen=True)
class Attempt:
    """One attempt at a delivery, as the sender makes it (``number``: this attempt's, from 1)."""

    delivery_id: int
    channel: str
    kind: str
    number: int
    payload: dict[str, Any]
    address: str | None
    url: str | None
    secret: str | None = field(repr=False)
    active: bool


class WebhookStore:
    def __init__(self, session: Session) -> None:
        self.s = session

    # --- webhooks --------------------------------------------------------------------------------

    def _row(self, webhook_id: int, owner_id: int | None) -> WebhookRow:
        stmt = select(WebhookRow).where(WebhookRow.id == webhook_id)
        if owner_id is not None:
            stmt = stmt.where(WebhookRow.owner_id == owner_id)
        row = self.s.scalar(stmt)
        if row is None:
            raise NotFound(f"no webhook {webhook_id}")
        return row

    def create(self, owner_id: int, **fields: Any) -> Webhook:
        """Add a webhook owned by ``owner_id`` (fields: name, url, secret, events, scope, active); returns
        it. Raises nothing."""
        row = WebhookRow(owner_id=owner_id, **fields)
        self.s.add(row)
        self.s.flush()
        return self._to_domain([row])[0]

    def get(self, webhook_id: int, owner_id: int | None = None) -> Webhook:
        """Returns the webhook ``webhook_id``; raises NotFound if there is none, or (``owner_id`` given) it
        is another user's."""
        return self._to_domain([self._row(webhook_id, owner_id)])[0]

    def update(self, webhook_id: int, owner_id: int | None, **changes: Any) -> Webhook:
        """Set the given fields (a ``secret`` too) and ``updated_at``; returns the webhook. Raises NotFound
        as :meth:`get` does."""
        row = self._row(webhook_id, owner_id)
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        self.s.flush()
        return self._to_domain([row])[0]

    def delete(self, webhook_id: int, owner_id: int | None = None) -> None:
        """Delete a webhook and (by cascade) its deliveries. Returns None; raises NotFound as :meth:`get`
        does."""
        self.s.delete(self._row(webhook_id, owner_id))
        self.s.flush()

    def list_webhooks(self, owner_id: int | None, page: int, page_size: int) -> Page[Webhook]:
        """Returns one page of the webhooks of ``owner_id`` (None: everyone's), newest first. Raises
        nothing."""
        stmt = select(WebhookRow)
        if owner_id is not None:
            stmt = stmt.where(WebhookRow.owner_id == owner_id)
        total = self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = list(
            self.s.scalars(
                stmt.order_by(WebhookRow.id.desc()).offset((page - 1) * page_size).limit(page_size)
            )
        )
        return Page(items=self._to_domain(rows), total=total, page=page, page_size=page_size)

    def _to_domain(self, rows: list[WebhookRow]) -> list[Webhook]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        counts = {
            webhook_id: (pending or 0, failed or 0)
            for webhook_id, pending, failed in self.s.execute(
                select(
                    DeliveryRow.webhook_id,
                    func.sum(case((DeliveryRow.status == "pending", 1), else_=0)),
                    func.sum(case((DeliveryRow.status == "failed", 1), else_=0)),
                )
                .where(DeliveryRow.webhook_id.in_(ids))
                .group_by(DeliveryRow.webhook_id)
            ).tuples()
        }
        owners = usernames(self.s, (r.owner_id for r in rows))
        return [
            Webhook(
                id=r.id,
                name=r.name,
                url=r.url,
                events=r.events,
                scope=r.scope,
                active=r.active,
                owner=owners.get(r.owner_id, ""),
                pending_deliveries=int(counts.get(r.id, (0, 0))[0]),
                failed_deliveries=int(counts.get(r.id, (0, 0))[1]),
                created_at=r.created_at,
                updated_at=r.updated_at,
            )
            for r in rows
        ]

    def listening(self, kind: str, recipient_ids: set[int]) -> list[int]:
        """Returns the ids of the active webhooks that take ``kind``: those of scope ``all``, and those of
        scope ``own`` whose owner is among the event's recipients. Raises nothing."""
        rows = self.s.scalars(select(WebhookRow).where(WebhookRow.active.is_(True)).order_by(WebhookRow.id))
        return [
            r.id
            for r in rows
            if (not r.events or kind in r.events) and (r.scope == "all" or r.owner_id in recipient_ids)
        ]

    # --- deliveries ------------------------------------------------------------------------------

    def add_delivery(
        self,
        *,
        event_id: str,
        kind: str,
        channel: str,
        payload: dict[str, Any],
        webhook_id: int | None = None,
        user_id: int | None = None,
        address: str | None = None,
    ) -> int:
        """Queue a delivery, due now; returns its id. Raises nothing."""
        row = DeliveryRow(
            event_id=event_id,
            kind=kind,
            channel=channel,
            payload=payload,
            webhook_id=webhook_id,
            user_id=user_id,
            address=address,
            status="pending",
            attempts=0,
            next_attempt_at=utcnow(),
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def _delivery_row(self, delivery_id: int, owner_id: int | None) -> DeliveryRow:
        stmt = select(DeliveryRow).where(DeliveryRow.id == delivery_id)
        if owner_id is not None:
            stmt = stmt.where(_theirs(owner_id))
        row = self.s.scalar(stmt)
        if row is None:
            raise NotFound(f"no delivery {delivery_id}")
        return row

    def get_delivery(self, delivery_id: int, owner_id: int | None = None) -> Delivery:
        """Returns the delivery ``delivery_id``; raises NotFound if there is none, or (``owner_id``
        given) it is neither a call of that user's webhook nor an e-mail to them."""
        return _delivery(self._delivery_row(delivery_id, owner_id))

    def attempt_of(self, delivery_id: int) -> Attempt | None:
        """Returns what one attempt at a delivery needs (its webhook's URL and secret included), or None
        if the delivery is gone. Raises nothing. For the sender only: the secret never leaves the process."""
        row = self.s.get(DeliveryRow, delivery_id)
        if row is None:
            return None
        hook = self.s.get(WebhookRow, row.webhook_id) if row.webhook_id is not None else None
        return Attempt(
            delivery_id=row.id,
            channel=row.channel,
            kind=row.kind,
            number=row.attempts,
            payload=dict(row.payload),
            address=row.address,
            url=hook.url if hook else None,
            secret=hook.secret if hook else None,
            active=hook.active if hook else False,
        )

    def claim(
        self, now: datetime, lease: timedelta, delivery_id: int | None = None, due_by: datetime | None = None
    ) -> int | None:
        """Take the oldest pending delivery due by ``due_by`` (default ``now``), or ``delivery_id`` if it is
        due, for one attempt: counts the attempt and moves ``next_attempt_at`` a ``lease`` past ``now``.
        Returns the id of the delivery claimed, or None when nothing is due; raises nothing."""
        due_by = due_by or now
        due = select(DeliveryRow.id).where(
            DeliveryRow.status == "pending", DeliveryRow.next_attempt_at <= due_by
        )
        if delivery_id is not None:
            due = due.where(DeliveryRow.id == delivery_id)
        due = due.order_by(DeliveryRow.next_attempt_at, DeliveryRow.id).limit(1)
        if self.s.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        claimed = self.s.scalar(
            update(DeliveryRow)
            .where(
                DeliveryRow.id == due.scalar_subquery(),
                DeliveryRow.status == "pending",
                DeliveryRow.next_attempt_at <= due_by,
            )
            .values(attempts=DeliveryRow.attempts + 1, last_attempt_at=now, next_attempt_at=now + lease)
            .returning(DeliveryRow.id)
        )
        return int(claimed) if claimed is not None else None

    def delivered(self, delivery_id: int, response_status: int | None = None) -> None:
        """Record a pending delivery as delivered (with the HTTP status of a webhook's answer). Returns
        None; raises nothing (a delivery no longer pending is left as it is)."""
        self.s.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, DeliveryRow.status == "pending")
            .values(
                status="delivered",
                delivered_at=utcnow(),
                next_attempt_at=None,
                response_status=response_status,
                last_error=None,
            )
        )

    def attempt_failed(
        self, delivery_id: int, error: str, response_status: int | None, retry_at: datetime | None
    ) -> None:
        """Record a failed attempt: pending again until ``retry_at``, or failed for good when None.
        Returns None; raises nothing (a delivery no longer pending is left as it is)."""
        self.s.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, DeliveryRow.status == "pending")
            .values(
                status="pending" if retry_at is not None else "failed",
                next_attempt_at=retry_at,
                response_status=response_status,
                last_error=error[:2000],
            )
        )

    def retry(self, delivery_id: int, owner_id: int | None = None) -> None:
        """Queue a failed delivery again, due now, with a fresh count of attempts. Returns None; raises
        NotFound as :meth:`get_delivery` does, Conflict if it is not failed."""
        row = self._delivery_row(delivery_id, owner_id)
        if row.status != "failed":
            raise Conflict(f"delivery {delivery_id} is {row.status}: only a failed one can be retried")
        row.status, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
        self.s.flush()

    def list_deliveries(
        self,
        page: int,
        page_size: int,
        *,
        owner_id: int | None = None,
        webhook_id: int | None = None,
        channel: str | None = None,
        status: str | None = None,
    ) -> Page[Delivery]:
        """Returns one page of deliveries, newest first; ``owner_id``: only those of that user's
        webhooks and e-mails. Raises nothing."""
        stmt = select(DeliveryRow)
        if owner_id is not None:
            stmt = stmt.where(_theirs(owner_id))
        if webhook_id is not None:
            stmt = stmt.where(DeliveryRow.webhook_id == webhook_id)
        if channel is not None:
            stmt = stmt.where(DeliveryRow.channel == channel)
        if status is not None:
            stmt = stmt.where(DeliveryRow.status == status)
        total = self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.s.scalars(
            stmt.order_by(DeliveryRow.id.desc()).offset((page - 1) * page_size).limit(page_size)
        )
        return Page(items=[_delivery(r) for r in rows], total=total, page=page, page_size=page_size)
