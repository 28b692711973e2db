"""Notifications: my in-app list, subscriptions to deployments and models, webhooks and deliveries."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from modelport.api.params import MAX_ID, Id, PageNo
from modelport.api.security import get_context, requires
from modelport.principal import Principal
from modelport.schemas import (
    Delivery,
    MarkedRead,
    Notification,
    Page,
    Role,
    Subscription,
    SubscriptionCreate,
    UnreadCount,
    Webhook,
    WebhookCreate,
    WebhookUpdate,
)
from modelport.services.notifications import NotificationService
from modelport.services.webhooks import WebhookService

router = APIRouter(prefix="/api/v1", tags=["notifications"])

PageSize = Annotated[int, Query(ge=1, le=200, description="Items per page.")]


# --- my notifications ------------------------------------------------------------------------------


@router.get("/notifications", operation_id="listNotifications", response_model=Page[Notification])
def list_notifications(
    request: Request,
    unread: Annotated[bool | None, Query(description="true: only unread; false: only read.")] = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
    principal: Principal = requires(Role.viewer),
) -> Page[Notification]:
    """Your notifications, newest first."""
    return NotificationService(get_context(request)).list_mine(principal, page, page_size, unread)


@router.get(
    "/notifications/unread-count", operation_id="countUnreadNotifications", response_model=UnreadCount
)
def count_unread(request: Request, principal: Principal = requires(Role.viewer)) -> UnreadCount:
    """How many of your notifications are unread (the badge of the web app)."""
    return UnreadCount(unread=NotificationService(get_context(request)).unread_count(principal))


@router.post(
    "/notifications/{notification_id}/read", operation_id="markNotificationRead", response_model=Notification
)
def mark_read(
    notification_id: Id, request: Request, principal: Principal = requires(Role.viewer)
) -> Notification:
    """Mark one of your notifications read."""
    return NotificationService(get_context(request)).mark_read(notification_id, principal)


@router.post("/notifications/read-all", operation_id="markAllNotificationsRead", response_model=MarkedRead)
def mark_all_read(
    request: Request,
    up_to: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Only notifications up to this id (those on the screen)."),
    ] = None,
    principal: Principal = requires(Role.viewer),
) -> MarkedRead:
    """Mark all your unread notifications read."""
    return NotificationService(get_context(request)).mark_all_read(principal, up_to)


# --- subscriptions -----------------------------------------------------------------------------------


@router.get("/subscriptions", operation_id="listSubscriptions", response_model=list[Subscription])
def list_subscriptions(
    request: Request,
    deployment: Annotated[str | None, Query(max_length=100, description="Deployment id or name.")] = None,
    model: Annotated[str | None, Query(max_length=100, description="Model name.")] = None,
    principal: Principal = requires(Role.viewer),
) -> list[Subscription]:
    """The deployments and models you follow (optionally: do you follow this one?)."""
    return NotificationService(get_context(request)).subscriptions(principal, deployment, model)


@router.post("/subscriptions", operation_id="subscribe", response_model=Subscription, status_code=201)
def subscribe(
    body: SubscriptionCreate, request: Request, principal: Principal = requires(Role.viewer)
) -> Subscription:
    """Follow a deployment or a model: hear about its failed runs, skipped schedules, market requests."""
    return NotificationService(get_context(request)).subscribe(body, principal)


@router.delete("/subscriptions/{subscription_id}", operation_id="unsubscribe", status_code=204)
def unsubscribe(
    subscription_id: Id, request: Request, principal: Principal = requires(Role.viewer)
) -> Response:
    NotificationService(get_context(request)).unsubscribe(subscription_id, principal)
    return Response(status_code=204)


# --- webhooks and deliveries -----------------------------------------------------------------------


@router.get("/webhooks", operation_id="listWebhooks", response_model=Page[Webhook])
def list_webhooks(
    request: Request,
    page: PageNo = 1,
    page_size: PageSize = 50,
    principal: Principal = requires(Role.data_scientist),
) -> Page[Webhook]:
    """Webhooks: all of them for an admin, your own for a data scientist. Secrets are never shown."""
    return WebhookService(get_context(request)).list_webhooks(principal, page, page_size)


@router.post("/webhooks", operation_id="createWebhook", response_model=Webhook, status_code=201)
def create_webhook(
    body: WebhookCreate, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Webhook:
    """Register an endpoint that receives events as JSON POSTs signed with HMAC-SHA256 of the secret."""
    return WebhookService(get_context(request)).create(body, principal)


@router.patch("/webhooks/{webhook_id}", operation_id="updateWebhook", response_model=Webhook)
def update_webhook(
    webhook_id: Id,
    body: WebhookUpdate,
    request: Request,
    principal: Principal = requires(Role.data_scientist),
) -> Webhook:
    """Change a webhook (a new secret replaces the old one)."""
    return WebhookService(get_context(request)).update(webhook_id, body, principal)


@router.delete("/webhooks/{webhook_id}", operation_id="deleteWebhook", status_code=204)
def delete_webhook(
    webhook_id: Id, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Response:
    """Delete a webhook and its deliveries."""
    WebhookService(get_context(request)).delete(webhook_id, principal)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/test", operation_id="testWebhook", response_model=Delivery)
def send_webhook_test(
    webhook_id: Id, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Delivery:
    """Send a ``webhook_test`` event now; the answer is its delivery (failed attempts are retried)."""
    return WebhookService(get_context(request)).send_test(webhook_id, principal)


@router.get("/deliveries", operation_id="listDeliveries", response_model=Page[Delivery])
def list_deliveries(
    request: Request,
    webhook_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this webhook's.")] = None,
    channel: Literal["email", "webhook"] | None = None,
    status: Literal["pending", "delivered", "failed"] | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
    principal: Principal = requires(Role.data_scientist),
) -> Page[Delivery]:
    """E-mails and webhook calls with their attempts and last error, newest first (an admin sees all;
    a data scientist, those of their webhooks and the e-mails sent to them)."""
    return WebhookService(get_context(request)).deliveries(
        principal, page, page_size, webhook_id=webhook_id, channel=channel, status=status
    )


@router.post("/deliveries/{delivery_id}/retry", operation_id="retryDelivery", response_model=Delivery)
def retry_delivery(
    delivery_id: Id, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Delivery:
    """Queue a failed delivery again, with a fresh count of attempts."""
    return WebhookService(get_context(request)).retry(delivery_id, principal)
