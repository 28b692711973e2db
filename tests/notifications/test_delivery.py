"""Sending for real: e-mails to an SMTP server started by the test, signed webhook calls to a local HTTP
server that first answers 500, retries with backoff, and failures recorded where the API shows them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from modelport.context import Context
from modelport.db.migrate import upgrade
from modelport.db.tables import DeploymentRow, ModelRow, UserRow
from modelport.schemas import Delivery
from modelport.services.delivery import DeliverySender, verify
from modelport.services.notifications import NotificationService
from modelport.stores.webhooks import WebhookStore
from tests.conftest import make_context
from tests.notifications.conftest import Mailbox, Receiver, free_port, wait_for

SECRET = "whsec-0123456789abcdef"


@pytest.fixture
def notify_ctx(tmp_path: Path) -> Iterator[Context]:
    """SQLite, e-mail on (to whatever port the test sets), retries after 0.2 s, 0.4 s..., no background
    sender: each test sends with ``DeliverySender.run_once`` when it wants to."""
    context = make_context(
        tmp_path,
        f"sqlite:///{tmp_path / 'modelport.db'}",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_starttls=False,
        smtp_from="modelport@example.com",
        notify_retry_seconds=0.2,
        notify_max_attempts=3,
        notify_timeout_seconds=5,
        notify_sender_enabled=False,
        notify_poll_seconds=0.1,
        public_url="https://modelport.example.com",
    )
    upgrade(context.db)
    with context.db.session() as s:
        owner = UserRow(username="owner", role="data_scientist", department="rd", email="owner@example.com")
        s.add(owner)
        s.flush()
        model = ModelRow(name="churn", title="Churn", department="rd", owner_id=owner.id)
        s.add(model)
        s.flush()
        s.add(DeploymentRow(name="churn-fr", model_id=model.id, version=1, market="FR", owner_id=owner.id))
    try:
        yield context
    finally:
        context.db.dispose()


def _deployment_id(ctx: Context) -> int:
    with ctx.db.session() as s:
        return int(s.scalar(select(DeploymentRow.id)) or 0)


def _add_webhook(ctx: Context, url: str) -> int:
    with ctx.db.session() as s:
        owner = s.scalar(select(UserRow.id).where(UserRow.username == "owner"))
        assert owner is not None
        return WebhookStore(s).create(owner, name="ops", url=url, secret=SECRET, events=[], scope="own").id


def _deliveries(ctx: Context, channel: str) -> list[Delivery]:
    with ctx.db.session() as s:
        return WebhookStore(s).list_deliveries(1, 50, channel=channel).items


def _notify(ctx: Context) -> str:
    return NotificationService(ctx).notify(
        "execution_failed",
        title="Run 42 of churn-fr failed",
        body="data row 3, column 'support_calls': expected a number",
        link="/runs/42",
        deployment_id=_deployment_id(ctx),
        data={"execution_id": 42},
    )


def test_the_owner_gets_an_email_at_the_smtp_server(notify_ctx: Context, smtp_server: Mailbox) -> None:
    notify_ctx.settings.smtp_port = smtp_server.port
    _notify(notify_ctx)
    assert DeliverySender(notify_ctx).run_once() == 1
    sender, recipients, message = wait_for(lambda: smtp_server.messages, what="the e-mail")[0]
    assert (sender, recipients) == ("modelport@example.com", ["owner@example.com"])
    assert message["Subject"] == "[modelport] Run 42 of churn-fr failed"
    assert message["To"] == "owner@example.com"
    text = message.get_payload(decode=True).decode()
    assert "data row 3, column 'support_calls': expected a number" in text
    assert "https://modelport.example.com/runs/42" in text
    [delivery] = _deliveries(notify_ctx, "email")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 1, None)
    assert delivery.delivered_at is not None


def test_an_unreachable_smtp_server_is_a_failed_attempt_retried_then_given_up(notify_ctx: Context) -> None:
    _notify(notify_ctx)  # nothing listens on the configured port
    sender = DeliverySender(notify_ctx)
    assert sender.run_once() == 1
    [first] = _deliveries(notify_ctx, "email")
    assert first.status == "pending" and first.attempts == 1
    assert first.last_error is not None and "Connection refused" in first.last_error
    assert first.next_attempt_at is not None and first.last_attempt_at is not None
    delay = (first.next_attempt_at - first.last_attempt_at).total_seconds()
    assert 0.15 < delay < 1.0  # notify_retry_seconds = 0.2
    for attempt in (2, 3):
        wait_for(lambda: sender.run_once() == 1, what=f"attempt {attempt}")
    [last] = _deliveries(notify_ctx, "email")
    assert (last.status, last.attempts, last.next_attempt_at) == ("failed", 3, None)


def _expected_signature(timestamp: str, body: bytes) -> str:
    """Computed here the way a receiver would, without modelport's code."""
    return "sha256=" + hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def test_a_webhook_is_signed_and_retried_after_a_500(notify_ctx: Context, receiver: Receiver) -> None:
    hook_id = _add_webhook(notify_ctx, receiver.url)
    receiver.statuses = [500]
    event_id = _notify(notify_ctx)
    sender = DeliverySender(notify_ctx)
    assert sender.run_once() == 2  # the e-mail (refused: nothing listens) and the webhook call
    [pending] = _deliveries(notify_ctx, "webhook")
    assert (pending.status, pending.response_status, pending.webhook_id) == ("pending", 500, hook_id)
    assert pending.last_error == "HTTP 500 Internal Server Error"  # not the answer's body
    wait_for(lambda: sender.run_once() and len(receiver.calls) == 2, what="the retry")
    [delivered] = _deliveries(notify_ctx, "webhook")
    assert (delivered.status, delivered.attempts, delivered.response_status) == ("delivered", 2, 200)
    assert delivered.last_error is None

    for call in receiver.calls:
        assert call.path == "/hooks/modelport"
        assert call.headers["Content-Type"] == "application/json"
        assert call.headers["X-Modelport-Event"] == "execution_failed"
        assert call.headers["X-Modelport-Delivery"] == str(delivered.id)
        timestamp = call.headers["X-Modelport-Timestamp"]
        assert abs(int(timestamp) - time.time()) < 60
        assert call.headers["X-Modelport-Signature"] == _expected_signature(timestamp, call.body)
        assert verify(SECRET, timestamp, call.body, call.headers["X-Modelport-Signature"])
        assert not verify("another-secret-value", timestamp, call.body, call.headers["X-Modelport-Signature"])
        payload = json.loads(call.body)
        assert payload["id"] == event_id
        assert payload["event"] == "execution_failed"
        assert payload["title"] == "Run 42 of churn-fr failed"
        assert payload["link"] == "https://modelport.example.com/runs/42"
        assert payload["subject"]["name"] == "churn-fr"
        assert payload["data"] == {"execution_id": 42}
    assert receiver.calls[0].body == receiver.calls[1].body  # the same event, byte for byte


def test_a_tampered_or_replayed_call_fails_verification(notify_ctx: Context, receiver: Receiver) -> None:
    _add_webhook(notify_ctx, receiver.url)
    _notify(notify_ctx)
    DeliverySender(notify_ctx).run_once()
    [call] = receiver.calls
    timestamp, header = call.headers["X-Modelport-Timestamp"], call.headers["X-Modelport-Signature"]
    assert verify(SECRET, timestamp, call.body, header)
    assert not verify(SECRET, timestamp, call.body.replace(b"42", b"43"), header)
    assert not verify(SECRET, str(int(timestamp) + 1), call.body, header)
    assert not verify(
        SECRET,
        str(int(time.time()) - 3600),
        call.body,
        _expected_signature(str(int(time.time()) - 3600), call.body),
    )


def test_a_webhook_that_keeps_failing_is_failed_and_visible(notify_ctx: Context, receiver: Receiver) -> None:
    hook_id = _add_webhook(notify_ctx, receiver.url)
    receiver.statuses = [503, 503, 503]
    _notify(notify_ctx)
    sender = DeliverySender(notify_ctx)
    sender.start()  # the background thread this time (enabled is False: start does nothing)
    assert sender._thread is None
    notify_ctx.settings.notify_sender_enabled = True
    sender.start()
    try:
        wait_for(lambda: _deliveries(notify_ctx, "webhook")[0].status == "failed", what="the last attempt")
    finally:
        sender.stop()
    [failed] = _deliveries(notify_ctx, "webhook")
    assert (failed.attempts, failed.response_status) == (3, 503)
    assert failed.last_error == "HTTP 503 Service Unavailable"
    assert len(receiver.calls) == 3
    with notify_ctx.db.session() as s:
        webhook = WebhookStore(s).list_webhooks(None, 1, 10).items[0]
    assert (webhook.id, webhook.failed_deliveries, webhook.pending_deliveries) == (hook_id, 1, 0)


def test_a_switched_off_webhook_gets_no_more_calls(notify_ctx: Context, receiver: Receiver) -> None:
    hook_id = _add_webhook(notify_ctx, receiver.url)
    _notify(notify_ctx)
    with notify_ctx.db.session() as s:
        WebhookStore(s).update(hook_id, None, active=False)
    DeliverySender(notify_ctx).run_once()
    [delivery] = _deliveries(notify_ctx, "webhook")
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error == "the webhook was switched off"
    assert receiver.calls == []
    _notify(notify_ctx)  # a new event: an inactive webhook is not even queued
    assert len(_deliveries(notify_ctx, "webhook")) == 1


def test_redirects_are_not_followed(notify_ctx: Context, receiver: Receiver) -> None:
    _add_webhook(notify_ctx, receiver.url)
    receiver.statuses = [302]
    _notify(notify_ctx)
    DeliverySender(notify_ctx).run_once()
    [delivery] = _deliveries(notify_ctx, "webhook")
    assert (delivery.status, delivery.response_status, delivery.last_error) == (
        "pending",
        302,
        "HTTP 302 Found",
    )
