"""Notification store: in-app notifications, subscriptions, and who hears about an event.

Methods flush; the caller's session commits. Every read of a user's notifications or subscriptions
filters by that user, so one user never reaches another's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from modelport.db.tables import (
    DeliveryRow,
    DeploymentRow,
    ModelRow,
    NotificationRow,
    SubscriptionRow,
    UserRow,
    utcnow,
)
from modelport.errors import NotFound
from modelport.principal import Principal
from modelport.schemas import Notification, Page, Role, Subject, Subscription
from modelport.stores.catalog import visible_to


@dataclass(frozen=True)
class Recipient:
    """A user who hears about an event (``email`` None: in-app only)."""

    user_id: int
    username: str
    email: str | None


@dataclass(frozen=True)
class About:
    """The subject of an event, the model it belongs to, and its owner."""

    subject: Subject
    model_id: int
    owner_id: int


def _notification(row: NotificationRow) -> Notification:
    subject = (
        Subject(type=row.subject_type, id=row.subject_id, name=row.subject_name or "")
        if row.subject_type and row.subject_id is not None
        else None
    )
    return Notification(
        id=row.id,
        event_id=row.event_id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        link=row.link,
        subject=subject,
        created_at=row.created_at,
        read_at=row.read_at,
    )


class NotificationStore:
    def __init__(self, session: Session) -> None:
        self.s = session

    # --- in-app notifications --------------------------------------------------------------------

    def add(
        self,
        user_ids: list[int],
        *,
        event_id: str,
        kind: str,
        title: str,
        body: str,
        link: str | None,
        subject: Subject | None,
    ) -> int:
        """One notification per user in ``user_ids``; returns how many were written. Raises nothing."""
        for user_id in user_ids:
            self.s.add(
                NotificationRow(
                    user_id=user_id,
                    event_id=event_id,
                    kind=kind,
                    title=title[:200],
                    body=body,
                    link=link,
                    subject_type=subject.type if subject else None,
                    subject_id=subject.id if subject else None,
                    subject_name=subject.name[:100] if subject else None,
                )
            )
        self.s.flush()
        return len(user_ids)

    def seen(self, event_id: str) -> bool:
        """Returns whether event ``event_id`` was notified already (to anyone, or to any webhook).
        Raises nothing."""
        for table in (NotificationRow, DeliveryRow):
            if self.s.scalar(select(table.id).where(table.event_id == event_id).limit(1)) is not None:
                return True
        return False

    def list_for(
        self, user_id: int, page: int, page_size: int, *, unread: bool | None = None
    ) -> Page[Notification]:
        """Returns one page of ``user_id``'s notifications, newest first; ``unread`` True: only unread,
        False: only read. Raises nothing."""
        stmt = select(NotificationRow).where(NotificationRow.user_id == user_id)
        if unread is True:
            stmt = stmt.where(NotificationRow.read_at.is_(None))
        elif unread is False:
            stmt = stmt.where(NotificationRow.read_at.is_not(None))
        total = self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.s.scalars(
            stmt.order_by(NotificationRow.id.desc()).offset((page - 1) * page_size).limit(page_size)
        )
        return Page(items=[_notification(r) for r in rows], total=total, page=page, page_size=page_size)

    def unread_count(self, user_id: int) -> int:
        """Returns how many of ``user_id``'s notifications are unread. Raises nothing."""
        return (
            self.s.scalar(
                select(func.count())
                .select_from(NotificationRow)
                .where(NotificationRow.user_id == user_id, NotificationRow.read_at.is_(None))
            )
            or 0
        )

    def mark_read(self, user_id: int, notification_id: int) -> Notification:
        """Mark one of ``user_id``'s notifications read (again: no change); returns it. Raises NotFound
        if it is not theirs."""
        row = self.s.scalar(
            select(NotificationRow).where(
                NotificationRow.id == notification_id, NotificationRow.user_id == user_id
            )
        )
        if row is None:
            raise NotFound(f"no notification {notification_id}")
        if row.read_at is None:
            row.read_at = utcnow()
            self.s.flush()
        return _notification(row)

    def mark_all_read(self, user_id: int, up_to: int | None = None) -> int:
        """Mark ``user_id``'s unread notifications read (those with id <= ``up_to`` when given); returns
        how many were marked. Raises nothing."""
        stmt = update(NotificationRow).where(
            NotificationRow.user_id == user_id, NotificationRow.read_at.is_(None)
        )
        if up_to is not None:
            stmt = stmt.where(NotificationRow.id <= up_to)
        return int(self.s.execute(stmt.values(read_at=utcnow())).rowcount)  # type: ignore[attr-defined]

    # --- subscriptions ---------------------------------------------------------------------------

    def about(self, *, deployment_id: int | None = None, model_id: int | None = None) -> About:
        """Returns what an event of the deployment ``deployment_id`` (else of the model ``model_id``) is
        about; raises NotFound if it does not exist."""
        if deployment_id is not None:
            dep = self.s.get(DeploymentRow, deployment_id)
            if dep is None:
                raise NotFound(f"no deployment {deployment_id}")
            return About(Subject(type="deployment", id=dep.id, name=dep.name), dep.model_id, dep.owner_id)
        model = self.s.get(ModelRow, model_id) if model_id is not None else None
        if model is None:
            raise NotFound(f"no model {model_id}")
        return About(Subject(type="model", id=model.id, name=model.name), model.id, model.owner_id)

    def visible_model_id(self, name: str, principal: Principal) -> int:
        """Returns the id of the model ``name``; raises NotFound (field ``model``) if there is none or
        ``principal`` may not see it."""
        found = self.s.scalar(select(ModelRow.id).where(ModelRow.name == name, visible_to(principal)))
        if found is None:
            raise NotFound(f"no model named {name!r}", field="model")
        return found

    def subscribe(
        self, user_id: int, *, deployment_id: int | None = None, model_id: int | None = None
    ) -> int:
        """Follow a deployment or a model; returns the subscription id (the existing one if followed).
        Raises nothing (the caller checked that the subject exists)."""
        key = (
            SubscriptionRow.deployment_id == deployment_id
            if deployment_id is not None
            else SubscriptionRow.model_id == model_id
        )
        found = self.s.scalar(select(SubscriptionRow.id).where(SubscriptionRow.user_id == user_id, key))
        if found is not None:
            return found
        row = SubscriptionRow(user_id=user_id, deployment_id=deployment_id, model_id=model_id)
        self.s.add(row)
        self.s.flush()
        return row.id

    def unsubscribe(self, user_id: int, subscription_id: int) -> None:
        """Delete one of ``user_id``'s subscriptions. Returns None; raises NotFound if it is not theirs."""
        row = self.s.scalar(
            select(SubscriptionRow).where(
                SubscriptionRow.id == subscription_id, SubscriptionRow.user_id == user_id
            )
        )
        if row is None:
            raise NotFound(f"no subscription {subscription_id}")
        self.s.delete(row)
        self.s.flush()

    def subscriptions(
        self, user_id: int, *, deployment_id: int | None = None, model_id: int | None = None
    ) -> list[Subscription]:
        """Returns ``user_id``'s subscriptions, newest first, optionally those of one deployment or
        model. Raises nothing."""
        stmt = (
            select(SubscriptionRow, DeploymentRow.name, ModelRow.name)
            .outerjoin(DeploymentRow, DeploymentRow.id == SubscriptionRow.deployment_id)
            .outerjoin(ModelRow, ModelRow.id == SubscriptionRow.model_id)
            .where(SubscriptionRow.user_id == user_id)
        )
        if deployment_id is not None:
            stmt = stmt.where(SubscriptionRow.deployment_id == deployment_id)
        if model_id is not None:
            stmt = stmt.where(SubscriptionRow.model_id == model_id)
        out: list[Subscription] = []
        for row, deployment, model in self.s.execute(stmt.order_by(SubscriptionRow.id.desc())).tuples():
            subject = (
                Subject(type="deployment", id=row.deployment_id, name=deployment or "")
                if row.deployment_id is not None
                else Subject(type="model", id=row.model_id or 0, name=model or "")
            )
            out.append(Subscription(id=row.id, subject=subject, created_at=row.created_at))
        return out

    # --- audience --------------------------------------------------------------------------------

    def audience(
        self,
        *,
        model_id: int | None,
        deployment_id: int | None = None,
        user_ids: list[int] | None = None,
        watchers: bool = True,
    ) -> list[Recipient]:
        """Active users who hear about an event: ``user_ids`` (the owner...), plus (``watchers``) the
        subscribers of the deployment and of its model; only those who may see the model (when given).
        Returns them as :class:`Recipient` objects; raises nothing."""
        ids = set(user_ids or [])
        clauses = [UserRow.id.in_(ids)] if ids else []
        if watchers:
            followed = []
            if deployment_id is not None:
                followed.append(SubscriptionRow.deployment_id == deployment_id)
            if model_id is not None:
                followed.append(SubscriptionRow.model_id == model_id)
            if followed:
                clauses.append(UserRow.id.in_(select(SubscriptionRow.user_id).where(or_(*followed))))
        if not clauses:
            return []
        stmt = select(UserRow).where(and_(UserRow.is_active.is_(True), or_(*clauses)))
        out = []
        for user in self.s.scalars(stmt.order_by(UserRow.id)):
            if model_id is not None and not self._sees(user, model_id):
                continue
            out.append(Recipient(user.id, user.username, user.email))
        return out

    def _sees(self, user: UserRow, model_id: int) -> bool:
        """Whether ``user`` may see the model (the catalog's one visibility rule)."""
        principal = Principal(user.id, user.username, Role(user.role), user.department)
        return (
            self.s.scalar(select(ModelRow.id).where(ModelRow.id == model_id, visible_to(principal)))
            is not None
        )
