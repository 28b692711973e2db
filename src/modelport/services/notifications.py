"""Notifications: who hears about an event, in the web app, by e-mail and by webhook.

Other code calls one entry point, :meth:`NotificationService.notify`, inside its own transaction or in
one of its own. It writes one in-app notification per recipient and queues the e-mails and webhook
calls; the :class:`~modelport.services.delivery.DeliverySender` of ``modelport serve`` and
``modelport worker`` sends them outside the request, with retries.

Who hears: the owner of the subject (a deployment's owner, or a model's), the users who follow the
deployment or its model, and any ``recipients`` the caller names; only active users who may see the
model. Webhooks of scope ``own`` hear what their owner hears; those of scope ``all`` hear everything.

The executions code reports through :func:`execution_failed` and :func:`schedule_skipped`, which never
raise: a notification that cannot be written is logged, and the run's own state stays as recorded.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import event
from sqlalchemy.orm import Session

from modelport.clock import utcnow
from modelport.context import Context
from modelport.errors import InvalidArgument, NotFound
from modelport.principal import Principal
from modelport.schemas import (
    Deployment,
    MarkedRead,
    Notification,
    NotificationKind,
    Page,
    Role,
    Subject,
    Subscription,
    SubscriptionCreate,
)
from modelport.services.auth import require
from modelport.stores.deployments import DeploymentStore
from modelport.stores.executions import ExecutionStore
from modelport.stores.notifications import NotificationStore, Recipient
from modelport.stores.webhooks import WebhookStore

log = logging.getLogger("modelport.notifications")


def wake_event(ctx: Context) -> threading.Event:
    """Set when deliveries were queued, so this process's sender sends them without waiting its poll."""
    return ctx.owned("notification wake", threading.Event)


def absolute_link(ctx: Context, link: str | None) -> str | None:
    """``link`` (a path in the web app) as a full URL, for e-mails and webhooks."""
    if not link:
        return None
    st = ctx.settings
    base = st.public_url or f"http://{st.host}:{st.port}"
    return base.rstrip("/") + "/" + link.lstrip("/")


EVENT_NAMESPACE = uuid.UUID("5b0c6f0e-3d1c-4f7e-9a51-6d2f1e0c9a11")


@dataclass(frozen=True)
class Event:
    id: str
    kind: str
    title: str
    body: str
    link: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class Audience:
    deployment_id: int | None
    model_id: int | None
    recipients: list[int]
    owner: bool
    watchers: bool


class NotificationService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # --- the entry point -------------------------------------------------------------------------

    def notify(
        self,
        kind: NotificationKind,
        *,
        title: str,
        body: str = "",
        link: str | None = None,
        deployment_id: int | None = None,
        model_id: int | None = None,
        recipients: Iterable[int] = (),
        owner: bool = True,
        watchers: bool = True,
        data: dict[str, Any] | None = None,
        once: str | None = None,
        session: Session | None = None,
    ) -> str:
        """Tell the audience of an event about it; returns the event id.

        The subject is the deployment ``deployment_id`` or else the model ``model_id`` (or none).
        ``owner``: the subject's owner hears; ``watchers``: its followers hear; ``recipients``: user ids
        that hear too. ``data`` goes into the webhook payload as is. ``once``: a key naming the event
        (``execution_failed:42``); notifying it again does nothing. With ``session``, everything is
        written in the caller's transaction (and sent once it commits); without, in a new one.
        """
        event_id = str(uuid.uuid5(EVENT_NAMESPACE, once)) if once else str(uuid.uuid4())
        news = Event(event_id, kind, title[:200], body, link, data or {})
        audience = Audience(deployment_id, model_id, list(recipients), owner, watchers)
        if session is None:
            with self.ctx.db.session() as own:
                self._notify(own, news, audience)
            wake_event(self.ctx).set()
            return event_id
        self._notify(session, news, audience)
        wake = wake_event(self.ctx)
        event.listen(session, "after_commit", lambda _s: wake.set(), once=True)
        return event_id

    def _notify(self, s: Session, news: Event, who: Audience) -> None:
        store = NotificationStore(s)
        if store.seen(news.id):
            log.info("event %s %s: notified already", news.kind, news.id)
            return
        subject, model_id, user_ids = None, who.model_id, list(who.recipients)
        if who.deployment_id is not None or who.model_id is not None:
            about = store.about(deployment_id=who.deployment_id, model_id=who.model_id)
            subject, model_id = about.subject, about.model_id
            user_ids += [about.owner_id] if who.owner else []
        audience = store.audience(
            model_id=model_id, deployment_id=who.deployment_id, user_ids=user_ids, watchers=who.watchers
        )
        store.add(
            [r.user_id for r in audience],
            event_id=news.id,
            kind=news.kind,
            title=news.title,
            body=news.body,
            link=news.link,
            subject=subject,
        )
        self._queue(s, news, subject, audience)
        log.info("event %s %s: %d recipient(s)", news.kind, news.id, len(audience))

    def _queue(self, s: Session, news: Event, subject: Subject | None, audience: list[Recipient]) -> None:
        """Queue the e-mails (when SMTP is configured) and the calls of the webhooks that listen."""
        url = absolute_link(self.ctx, news.link)
        store = WebhookStore(s)
        if self.ctx.settings.smtp_host:
            text = news.body + (f"\n\n{url}" if url else "") + "\n\n-- \nmodelport: what you own or follow"
            for r in audience:
                if r.email:
                    store.add_delivery(
                        event_id=news.id,
                        kind=news.kind,
                        channel="email",
                        payload={"subject": f"[modelport] {news.title}", "text": text},
                        user_id=r.user_id,
                        address=r.email,
                    )
        payload = {
            "id": news.id,
            "event": news.kind,
            "created_at": utcnow().isoformat(),
            "title": news.title,
            "body": news.body,
            "link": url,
            "subject": subject.model_dump() if subject else None,
            "data": news.data,
        }
        for webhook_id in store.listening(news.kind, {r.user_id for r in audience}):
            store.add_delivery(
                event_id=news.id, kind=news.kind, channel="webhook", payload=payload, webhook_id=webhook_id
            )

    # --- my notifications ------------------------------------------------------------------------

    def list_mine(
        self, principal: Principal, page: int, page_size: int, unread: bool | None = None
    ) -> Page[Notification]:
        with self.ctx.db.session() as s:
            return NotificationStore(s).list_for(principal.user_id, page, page_size, unread=unread)

    def unread_count(self, principal: Principal) -> int:
        with self.ctx.db.session() as s:
            return NotificationStore(s).unread_count(principal.user_id)

    def mark_read(self, notification_id: int, principal: Principal) -> Notification:
        with self.ctx.db.session() as s:
            return NotificationStore(s).mark_read(principal.user_id, notification_id)

    def mark_all_read(self, principal: Principal, up_to: int | None = None) -> MarkedRead:
        with self.ctx.db.session() as s:
            return MarkedRead(updated=NotificationStore(s).mark_all_read(principal.user_id, up_to))

    # --- subscriptions ---------------------------------------------------------------------------

    def _subject_ids(
        self, s: Session, principal: Principal, deployment: str | None, model: str | None
    ) -> dict[str, int]:
        """``{"deployment_id": ..}`` or ``{"model_id": ..}`` of a subject ``principal`` may see."""
        if deployment is not None:
            return {"deployment_id": DeploymentStore(s).get(deployment, principal).id}
        if model is not None:
            return {"model_id": NotificationStore(s).visible_model_id(model, principal)}
        return {}

    def subscribe(self, body: SubscriptionCreate, principal: Principal) -> Subscription:
        """Follow a deployment or a model the caller may see (following again changes nothing)."""
        require(principal, Role.viewer)
        with self.ctx.db.session() as s:
            store = NotificationStore(s)
            ids = self._subject_ids(s, principal, body.deployment, body.model)
            subscription_id = store.subscribe(principal.user_id, **ids)
            return next(x for x in store.subscriptions(principal.user_id, **ids) if x.id == subscription_id)

    def subscriptions(
        self, principal: Principal, deployment: str | None = None, model: str | None = None
    ) -> list[Subscription]:
        """The caller's subscriptions, optionally to one deployment or model (to show a Follow toggle)."""
        if deployment is not None and model is not None:
            raise InvalidArgument("give deployment or model, not both", field="model")
        with self.ctx.db.session() as s:
            ids = self._subject_ids(s, principal, deployment, model)
            return NotificationStore(s).subscriptions(principal.user_id, **ids)

    def unsubscribe(self, subscription_id: int, principal: Principal) -> None:
        with self.ctx.db.session() as s:
            NotificationStore(s).unsubscribe(principal.user_id, subscription_id)


# --- hooks for the executions code ----------------------------------------------------------------


def _local(at: datetime, timezone: str) -> str:
    """``at`` in the schedule's own time zone, as people read it: ``2026-12-07 06:00 Europe/Paris``."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone, timezone = ZoneInfo("UTC"), "UTC"
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M} {timezone}"


def _zone(deployment: Deployment) -> str:
    return deployment.schedule.timezone if deployment.schedule else "UTC"


def execution_failed(ctx: Context, execution_id: int) -> str | None:
    """Tell the deployment's audience that execution ``execution_id`` failed; returns the event id.

    Call it once the execution is recorded as failed. Never raises (logs instead)."""
    try:
        with ctx.db.session() as s:
            try:
                run = ExecutionStore(s).get(execution_id)
                if run.deployment_id is None:  # a profile or a training: its own page tells
                    return None
                dep = DeploymentStore(s).get(run.deployment_id, None)
            except NotFound:
                return None
            if run.status != "failed":
                return None
            when = f" scheduled for {_local(run.scheduled_for, _zone(dep))}" if run.scheduled_for else ""
            by = f" started by {run.triggered_by}" if run.triggered_by and run.trigger != "schedule" else ""
            body = (
                f"{run.error or 'The run failed.'}\n\n"
                f"Deployment {dep.name} (market {dep.market}), {run.trigger} run{when}{by}."
            )
            return NotificationService(ctx).notify(
                "execution_failed",
                title=f"Run {execution_id} of {dep.name} failed",
                body=body,
                link=f"/runs/{execution_id}",
                deployment_id=dep.id,
                once=f"execution_failed:{execution_id}:{run.created_at.isoformat()}",  # ids can be reused
                data={
                    "execution_id": execution_id,
                    "deployment": dep.name,
                    "market": dep.market,
                    "trigger": run.trigger,
                    "scheduled_for": run.scheduled_for.isoformat() if run.scheduled_for else None,
                    "error": run.error,
                },
                session=s,
            )
    except Exception:  # noqa: BLE001 - a notification must never break the run's bookkeeping
        log.exception("could not notify the failure of execution %s", execution_id)
        return None


def schedule_skipped(
    ctx: Context, deployment_id: int, due_at: datetime, reason: str, execution_id: int | None = None
) -> str | None:
    """Tell the deployment's audience that its run due at ``due_at`` could not run, and why (the failed
    execution that records it, when there is one). Never raises (logs instead)."""
    try:
        with ctx.db.session() as s:
            try:
                dep = DeploymentStore(s).get(deployment_id, None)
            except NotFound:
                return None
            link = f"/runs/{execution_id}" if execution_id else f"/deployments/{dep.name}"
            return NotificationService(ctx).notify(
                "schedule_skipped",
                title=f"Scheduled run of {dep.name} could not run",
                body=f"The run due at {_local(due_at, _zone(dep))} did not start: {reason}",
                link=link,
                deployment_id=dep.id,
                once=f"schedule_skipped:{dep.id}:{dep.created_at.isoformat()}:{due_at.isoformat()}",
                data={
                    "deployment": dep.name,
                    "market": dep.market,
                    "due_at": due_at.isoformat(),
                    "reason": reason,
                    "execution_id": execution_id,
                },
                session=s,
            )
    except Exception:  # noqa: BLE001 - a notification must never stop the scheduler
        log.exception("could not notify the skipped run of deployment %s at %s", deployment_id, due_at)
        return None
