"""Webhooks: admins and data scientists register endpoints that receive events; everyone who manages
one sees its deliveries, failures included.

A data scientist manages their own webhooks (scope ``own``: the events they hear about); an admin
manages every webhook and may give one the scope ``all`` (every event of the instance). The secret is
write-only: stored to sign calls, never returned, never audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from modelport.clock import utcnow
from modelport.context import Context
from modelport.errors import Forbidden
from modelport.principal import Principal
from modelport.schemas import Delivery, Page, Role, Webhook, WebhookCreate, WebhookUpdate
from modelport.services.auth import require
from modelport.services.delivery import DeliverySender
from modelport.services.notifications import wake_event
from modelport.stores.audit import AuditStore, record
from modelport.stores.webhooks import WebhookStore


def _owner_filter(principal: Principal) -> int | None:
    """Admins reach every webhook; others only their own."""
    return None if principal.is_admin else principal.user_id


class WebhookService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _check_scope(self, scope: str | None, principal: Principal) -> None:
        if scope == "all" and not principal.is_admin:
            raise Forbidden("only an admin may create a webhook of scope 'all'", field="scope")

    def create(self, body: WebhookCreate, principal: Principal) -> Webhook:
        require(principal, Role.data_scientist)
        self._check_scope(body.scope, principal)
        with self.ctx.db.session() as s:
            store = WebhookStore(s)
            hook = store.create(
                principal.user_id,
                name=body.name,
                url=body.url,
                secret=body.secret.get_secret_value(),
                events=list(dict.fromkeys(body.events)),
                scope=body.scope,
                active=body.active,
            )
            record(AuditStore(s), principal, "webhook.create", "webhook", str(hook.id), name=body.name)
            return hook

    def list_webhooks(self, principal: Principal, page: int, page_size: int) -> Page[Webhook]:
        """An admin's view: every webhook; a data scientist's: their own."""
        require(principal, Role.data_scientist)
        with self.ctx.db.session() as s:
            return WebhookStore(s).list_webhooks(_owner_filter(principal), page, page_size)

    def update(self, webhook_id: int, body: WebhookUpdate, principal: Principal) -> Webhook:
        require(principal, Role.data_scientist)
        self._check_scope(body.scope, principal)
        changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"secret"})
        changes = {k: v for k, v in changes.items() if v is not None}
        if "events" in changes:
            changes["events"] = list(dict.fromkeys(changes["events"]))
        if body.secret is not None:
            changes["secret"] = body.secret.get_secret_value()
        with self.ctx.db.session() as s:
            store = WebhookStore(s)
            hook = store.update(webhook_id, _owner_filter(principal), **changes)
            changed = sorted(changes)  # names only: the secret's value is never audited
            record(AuditStore(s), principal, "webhook.update", "webhook", str(hook.id), changed=changed)
            return hook

    def delete(self, webhook_id: int, principal: Principal) -> None:
        require(principal, Role.data_scientist)
        with self.ctx.db.session() as s:
            store = WebhookStore(s)
            hook = store.get(webhook_id, _owner_filter(principal))
            record(AuditStore(s), principal, "webhook.delete", "webhook", str(hook.id), name=hook.name)
            store.delete(hook.id)

    def send_test(self, webhook_id: int, principal: Principal) -> Delivery:
        """Queue a ``webhook_test`` call to the webhook and make its first attempt now; the answer is the
        delivery after that attempt (retries, if it failed, follow in the background)."""
        require(principal, Role.data_scientist)
        sender = DeliverySender(self.ctx)
        with self.ctx.db.session() as s:
            store = WebhookStore(s)
            hook = store.get(webhook_id, _owner_filter(principal))
            event_id = str(uuid.uuid4())
            delivery_id = store.add_delivery(
                event_id=event_id,
                kind="webhook_test",
                channel="webhook",
                webhook_id=hook.id,
                payload={
                    "id": event_id,
                    "event": "webhook_test",
                    "created_at": utcnow().isoformat(),
                    "title": f"Test of webhook {hook.name}",
                    "body": f"{principal.username} sent this test call from modelport.",
                    "link": None,
                    "subject": None,
                    "data": {"webhook_id": hook.id},
                },
            )
            # Claimed before it commits, so no background sender takes this first attempt.
            store.claim(utcnow(), sender.lease, delivery_id)
        return sender.send_claimed(delivery_id)

    def deliveries(
        self,
        principal: Principal,
        page: int,
        page_size: int,
        *,
        webhook_id: int | None = None,
        channel: str | None = None,
        status: str | None = None,
    ) -> Page[Delivery]:
        """Deliveries, newest first: an admin's view has them all; a data scientist's, those of their own
        webhooks and the e-mails sent to them."""
        require(principal, Role.data_scientist)
        with self.ctx.db.session() as s:
            store = WebhookStore(s)
            if webhook_id is not None:
                store.get(webhook_id, _owner_filter(principal))  # NotFound unless theirs (or an admin)
            return store.list_deliveries(
                page,
                page_size,
                owner_id=_owner_filter(principal),
                webhook_id=webhook_id,
                channel=channel,
                status=status,
            )

    def retry(self, delivery_id: int, principal: Principal) -> Delivery:
        """Queue a failed delivery again: any for an admin; for others, one they can list (a call of
        their webhook, or an e-mail to them)."""
        require(principal, Role.data_scientist)
        with self.ctx.db.session() as s:
            store = WebhookStore(s)
            store.retry(delivery_id, _owner_filter(principal))
            record(AuditStore(s), principal, "delivery.retry", "delivery", str(delivery_id))
        wake_event(self.ctx).set()
        with self.ctx.db.session() as s:
            return WebhookStore(s).get_delivery(delivery_id)
