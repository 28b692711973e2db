"""Sending queued notifications: e-mail by SMTP, webhooks as signed JSON POSTs, retried with backoff.

A webhook call carries::

    Content-Type: application/json
    X-Modelport-Event: execution_failed
    X-Modelport-Delivery: 17                       (the delivery id, the same on every retry)
    X-Modelport-Timestamp: 1764669600              (Unix seconds of this attempt)
    X-Modelport-Signature: sha256=<hex>            (HMAC-SHA256 of "<timestamp>.<body>" with the secret)

Signing the timestamp with the body lets a receiver refuse a replayed call (a timestamp too old).
Any 2xx answer delivers; anything else (another status, a refused connection, a timeout) is a failed
attempt, retried after ``notify_retry_seconds`` doubled at each attempt until ``notify_max_attempts``.
Redirects are not followed. Only the status and a short reason are recorded, never the answer's body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import httpx

from modelport import __version__
from modelport.clock import utcnow
from modelport.context import Context
from modelport.schemas import Delivery
from modelport.services.notifications import wake_event
from modelport.settings import Settings
from modelport.stores.webhooks import WebhookStore

log = logging.getLogger("modelport.delivery")

SIGNATURE_HEADER = "X-Modelport-Signature"
TIMESTAMP_HEADER = "X-Modelport-Timestamp"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of ``X-Modelport-Signature`` for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, tolerance: float | None = 300) -> bool:
    """What a receiver does: the signature matches and (``tolerance`` seconds) the call is recent."""
    if tolerance is not None:
        try:
            if abs(time.time() - int(timestamp)) > tolerance:
                return False
        except ValueError:
            return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)


class DeliveryFailed(Exception):
    """One attempt did not deliver; ``status`` is the HTTP status when there was an answer."""

    def __init__(self, message: str, status: int | None = None, final: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.final = final  # no point in retrying


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str


def post_webhook(hook: Webhook, delivery_id: int, kind: str, body: bytes, timeout: float) -> int:
    """POST one signed call; returns the 2xx status, raises DeliveryFailed otherwise."""
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"modelport/{__version__}",
        "X-Modelport-Event": kind,
        "X-Modelport-Delivery": str(delivery_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(hook.secret, timestamp, body),
    }
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(hook.url, content=body, headers=headers)
    except httpx.TimeoutException:
        raise DeliveryFailed(f"no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None
    if not response.is_success:
        raise DeliveryFailed(
            f"HTTP {response.status_code} {response.reason_phrase}".strip(), response.status_code
        )
    return response.status_code


def send_email(settings: Settings, to: str, subject: str, text: str) -> None:
    """Send one plain-text e-mail through the configured SMTP server; raises DeliveryFailed."""
    if not settings.smtp_host:
        raise DeliveryFailed("e-mail is off: MODELPORT_SMTP_HOST is not set")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = " ".join(subject.split())  # no line breaks in a header
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message.set_content(text)
    timeout = settings.notify_timeout_seconds
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_username, password)
            smtp.send_message(message)
    except smtplib.SMTPException as exc:
        raise DeliveryFailed(f"SMTP: {exc}") from None
    except OSError as exc:  # refused, unreachable, timed out, TLS
        raise DeliveryFailed(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {exc}") from None


class DeliverySender:
    """The background sender: a thread that claims due deliveries and makes one attempt at each.

    Several may run (one per ``modelport serve`` and ``modelport worker`` process): claims are atomic.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self.ctx.settings.notify_sender_enabled

    def start(self) -> None:
        if not self.enabled or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="notification-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        wake_event(self.ctx).set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        wake = wake_event(self.ctx)
        while not self._stop.is_set():
            wake.clear()
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - keep sending after a database hiccup
                log.exception("notification sender error")
            wake.wait(self.ctx.settings.notify_poll_seconds)

    @property
    def lease(self) -> timedelta:
        """How long a claimed attempt is this sender's before another may retry it."""
        return timedelta(seconds=5 * self.ctx.settings.notify_timeout_seconds + 30)

    def run_once(self, limit: int = 100) -> int:
        """Attempt up to ``limit`` deliveries due now; returns how many were attempted. A retry that
        falls due during the pass waits for the next one."""
        done, start = 0, utcnow()
        while done < limit and not self._stop.is_set():
            with self.ctx.db.session() as s:
                delivery_id = WebhookStore(s).claim(utcnow(), self.lease, due_by=start)
            if delivery_id is None:
                break
            self._attempt(delivery_id)
            done += 1
        return done

    def send_claimed(self, delivery_id: int) -> Delivery:
        """Make the attempt of a delivery the caller claimed (the webhook test action); returns it after."""
        self._attempt(delivery_id)
        with self.ctx.db.session() as s:
            return WebhookStore(s).get_delivery(delivery_id)

    def _attempt(self, delivery_id: int) -> None:
        with self.ctx.db.session() as s:
            attempt = WebhookStore(s).attempt_of(delivery_id)
        if attempt is None:
            return
        status: int | None = None
        try:
            if attempt.channel == "email":
                subject, text = attempt.payload.get("subject", ""), attempt.payload.get("text", "")
                send_email(self.ctx.settings, attempt.address or "", str(subject), str(text))
            elif not attempt.active or attempt.url is None or attempt.secret is None:
                raise DeliveryFailed("the webhook was switched off", final=True)
            else:
                body = json.dumps(attempt.payload, separators=(",", ":"), ensure_ascii=False).encode()
                hook = Webhook(attempt.url, attempt.secret)
                timeout = self.ctx.settings.notify_timeout_seconds
                status = post_webhook(hook, delivery_id, attempt.kind, body, timeout)
        except DeliveryFailed as exc:
            self._failed(delivery_id, attempt.number, str(exc), exc.status, exc.final)
            return
        except Exception as exc:  # noqa: BLE001 - a surprise is a failed attempt, recorded, not a dead thread
            log.exception("delivery %s", delivery_id)
            self._failed(delivery_id, attempt.number, f"{type(exc).__name__}: {exc}", None)
            return
        with self.ctx.db.session() as s:
            WebhookStore(s).delivered(delivery_id, status)
        log.info(
            "delivery %s (%s %s) delivered at attempt %d",
            delivery_id,
            attempt.channel,
            attempt.kind,
            attempt.number,
        )

    def _failed(
        self, delivery_id: int, attempts: int, error: str, status: int | None, final: bool = False
    ) -> None:
        st = self.ctx.settings
        retry_at = None
        if attempts < st.notify_max_attempts and not final:
            retry_at = utcnow() + timedelta(seconds=st.notify_retry_seconds * 2 ** (attempts - 1))
        with self.ctx.db.session() as s:
            WebhookStore(s).attempt_failed(delivery_id, error, status, retry_at)
        log.warning(
            "delivery %s attempt %d failed: %s; %s",
            delivery_id,
            attempts,
            error,
            f"retry at {retry_at:%H:%M:%S}" if retry_at else "given up",
        )
