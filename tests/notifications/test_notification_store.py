"""Who hears about an event, the in-app list, and the deliveries queue, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from modelport.context import Context
from modelport.db.tables import (
    DeliveryRow,
    DeploymentRow,
    ModelRow,
    NotificationRow,
    SubscriptionRow,
    UserRow,
    utcnow,
)
from modelport.errors import Conflict, NotFound
from modelport.services.notifications import NotificationService
from modelport.stores.notifications import NotificationStore
from modelport.stores.webhooks import WebhookStore


@dataclass
class World:
    owner: int  # data scientist, owns the model and the deployment
    follower: int  # follows the deployment
    model_fan: int  # follows the model
    outsider: int  # other department: cannot see the restricted model
    gone: int  # follows the deployment, but deactivated
    bystander: int  # follows nothing
    model: int
    deployment: int


def _user(
    ctx: Context, name: str, role: str, department: str | None, email: bool = True, active: bool = True
) -> int:
    with ctx.db.session() as s:
        row = UserRow(
            username=name,
            role=role,
            department=department,
            email=f"{name}@example.com" if email else None,
            is_active=active,
        )
        s.add(row)
        s.flush()
        return row.id


@pytest.fixture
def world(ctx: Context) -> World:
    owner = _user(ctx, "owner", "data_scientist", "marketing")
    follower = _user(ctx, "follower", "business_user", "marketing")
    model_fan = _user(ctx, "fan", "viewer", "marketing", email=False)
    outsider = _user(ctx, "outsider", "business_user", "finance")
    gone = _user(ctx, "gone", "business_user", "marketing", active=False)
    bystander = _user(ctx, "bystander", "business_user", "marketing")
    with ctx.db.session() as s:
        model = ModelRow(
            name="churn", title="Churn", department="marketing", visibility="restricted", owner_id=owner
        )
        s.add(model)
        s.flush()
        dep = DeploymentRow(name="churn-fr", model_id=model.id, version=1, market="FR", owner_id=owner)
        s.add(dep)
        s.flush()
        store = NotificationStore(s)
        store.subscribe(follower, deployment_id=dep.id)
        store.subscribe(gone, deployment_id=dep.id)
        store.subscribe(outsider, deployment_id=dep.id)  # made before the model became restricted, say
        store.subscribe(model_fan, model_id=model.id)
        return World(owner, follower, model_fan, outsider, gone, bystander, model.id, dep.id)


def test_the_owner_and_followers_who_may_see_the_model_hear(ctx: Context, world: World) -> None:
    with ctx.db.session() as s:
        audience = NotificationStore(s).audience(
            model_id=world.model, deployment_id=world.deployment, user_ids=[world.owner]
        )
    assert [r.user_id for r in audience] == [world.owner, world.follower, world.model_fan]
    assert [r.email for r in audience] == ["owner@example.com", "follower@example.com", None]


def test_following_twice_is_one_subscription_and_a_subject_is_one_of_two(ctx: Context, world: World) -> None:
    with ctx.db.session() as s:
        store = NotificationStore(s)
        first = store.subscribe(world.bystander, deployment_id=world.deployment)
        assert store.subscribe(world.bystander, deployment_id=world.deployment) == first
        subs = store.subscriptions(world.bystander)
    assert [(x.subject.type, x.subject.name) for x in subs] == [("deployment", "churn-fr")]

    def both_subjects() -> None:
        with ctx.db.session() as s:
            s.add(
                SubscriptionRow(user_id=world.bystander, deployment_id=world.deployment, model_id=world.model)
            )

    with pytest.raises(IntegrityError, match="(?i)check|one_subject"):
        both_subjects()


def test_deleting_a_deployment_deletes_its_subscriptions_not_its_notifications(
    ctx: Context, world: World
) -> None:
    NotificationService(ctx).notify("execution_failed", title="Run 1 failed", deployment_id=world.deployment)
    with ctx.db.session() as s:
        s.delete(s.get(DeploymentRow, world.deployment))
    with ctx.db.session() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(SubscriptionRow)
                .where(SubscriptionRow.deployment_id.is_not(None))
            )
            == 0
        )
        kept = NotificationStore(s).list_for(world.owner, 1, 10)
    assert kept.total == 1
    assert kept.items[0].subject is not None and kept.items[0].subject.name == "churn-fr"


def test_notify_writes_one_notification_per_recipient_and_queues_emails_and_webhooks(
    ctx: Context, world: World
) -> None:
    ctx.settings.smtp_host = "smtp.invalid"  # e-mail on: deliveries are queued (not sent in this test)
    with ctx.db.session() as s:
        hooks = WebhookStore(s)
        mine = hooks.create(
            world.owner, name="mine", url="http://h/1", secret="s" * 16, events=[], scope="own"
        )
        other_kind = hooks.create(
            world.owner, name="k", url="http://h/2", secret="s" * 16, events=["market_requested"], scope="own"
        )
        bystanders = hooks.create(
            world.bystander, name="b", url="http://h/3", secret="s" * 16, events=[], scope="own"
        )
        everything = hooks.create(
            world.outsider, name="all", url="http://h/4", secret="s" * 16, events=[], scope="all"
        )
        hooks.create(
            world.owner, name="off", url="http://h/5", secret="s" * 16, events=[], scope="own", active=False
        )
        ids = (mine.id, other_kind.id, bystanders.id, everything.id)
    event_id = NotificationService(ctx).notify(
        "execution_failed",
        title="Run 7 of churn-fr failed",
        body="data row 3: expected a number",
        link="/runs/7",
        deployment_id=world.deployment,
        data={"execution_id": 7},
    )
    with ctx.db.session() as s:
        notes = list(s.scalars(select(NotificationRow).order_by(NotificationRow.user_id)))
        deliveries = list(s.scalars(select(DeliveryRow).order_by(DeliveryRow.id)))
    assert [n.user_id for n in notes] == [world.owner, world.follower, world.model_fan]
    assert {n.event_id for n in notes} == {event_id}
    assert all(n.link == "/runs/7" and n.subject_name == "churn-fr" for n in notes)
    emails = [d for d in deliveries if d.channel == "email"]
    assert [d.address for d in emails] == ["owner@example.com", "follower@example.com"]  # the fan has none
    assert emails[0].payload["subject"] == "[modelport] Run 7 of churn-fr failed"
    assert "http://127.0.0.1:8000/runs/7" in emails[0].payload["text"]
    calls = [d for d in deliveries if d.channel == "webhook"]
    assert [d.webhook_id for d in calls] == [ids[0], ids[3]]  # own (owner hears), all; not the others
    assert calls[0].payload["event"] == "execution_failed"
    assert calls[0].payload["data"] == {"execution_id": 7}
    assert calls[0].payload["subject"] == {"type": "deployment", "id": world.deployment, "name": "churn-fr"}
    assert all(d.status == "pending" and d.attempts == 0 for d in deliveries)


def test_no_email_is_queued_while_smtp_is_off(ctx: Context, world: World) -> None:
    NotificationService(ctx).notify("schedule_skipped", title="t", deployment_id=world.deployment)
    with ctx.db.session() as s:
        assert s.scalar(select(func.count()).select_from(DeliveryRow)) == 0
        assert s.scalar(select(func.count()).select_from(NotificationRow)) == 3


def test_a_caller_transaction_that_rolls_back_leaves_nothing(ctx: Context, world: World) -> None:
    def failing_change() -> None:
        with ctx.db.session() as s:
            NotificationService(ctx).notify(
                "execution_failed", title="t", deployment_id=world.deployment, session=s
            )
            raise RuntimeError("the caller's change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    with ctx.db.session() as s:
        assert s.scalar(select(func.count()).select_from(NotificationRow)) == 0


def test_explicit_recipients_without_owner_or_watchers(ctx: Context, world: World) -> None:
    NotificationService(ctx).notify(
        "market_approved",
        title="DE approved",
        model_id=world.model,
        recipients=[world.bystander],
        owner=False,
        watchers=False,
    )
    with ctx.db.session() as s:
        assert list(s.scalars(select(NotificationRow.user_id))) == [world.bystander]


def test_read_marks_are_per_user(ctx: Context, world: World) -> None:
    service = NotificationService(ctx)
    for n in range(3):
        service.notify("execution_failed", title=f"Run {n} failed", deployment_id=world.deployment)
    with ctx.db.session() as s:
        store = NotificationStore(s)
        page = store.list_for(world.owner, 1, 2)
        assert (page.total, [i.title for i in page.items]) == (3, ["Run 2 failed", "Run 1 failed"])
        with pytest.raises(NotFound):
            store.mark_read(world.follower, page.items[0].id)  # the follower's copy is another row
        assert store.mark_read(world.owner, page.items[0].id).read_at is not None
        assert store.unread_count(world.owner) == 2
        assert store.unread_count(world.follower) == 3
        oldest = store.list_for(world.owner, 2, 2).items[0]
        assert store.mark_all_read(world.owner, up_to=oldest.id) == 1
        assert [i.title for i in store.list_for(world.owner, 1, 10, unread=True).items] == ["Run 1 failed"]
        assert store.mark_all_read(world.owner) == 1
        assert store.unread_count(world.owner) == 0


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_ends(ctx: Context, world: World) -> None:
    now, lease = utcnow(), timedelta(seconds=60)
    with ctx.db.session() as s:
        store = WebhookStore(s)
        hook = store.create(world.owner, name="h", url="http://h", secret="s" * 16, events=[], scope="own")
        first = store.add_delivery(
            event_id="e1", kind="execution_failed", channel="webhook", payload={}, webhook_id=hook.id
        )
        second = store.add_delivery(
            event_id="e2", kind="execution_failed", channel="webhook", payload={}, webhook_id=hook.id
        )
    with ctx.db.session() as s:
        store = WebhookStore(s)
        assert store.claim(now + timedelta(seconds=1), lease) == first
        assert store.claim(now + timedelta(seconds=1), lease) == second
        assert store.claim(now + timedelta(seconds=1), lease) is None
        assert store.claim(now + timedelta(seconds=62), lease) == first  # its sender died: retried
        assert store.get_delivery(first).attempts == 2
        store.attempt_failed(first, "HTTP 500", 500, None)
        failed = store.get_delivery(first)
        assert (failed.status, failed.last_error, failed.next_attempt_at) == ("failed", "HTTP 500", None)
        with pytest.raises(Conflict):
            store.retry(second)  # still pending
        store.retry(first)
        again = store.get_delivery(first)
        assert (again.status, again.attempts) == ("pending", 0)
        page = store.list_webhooks(world.owner, 1, 10)
        assert (page.items[0].pending_deliveries, page.items[0].failed_deliveries) == (2, 0)


def test_a_webhook_and_its_deliveries_are_reached_by_their_owner_only(ctx: Context, world: World) -> None:
    with ctx.db.session() as s:
        store = WebhookStore(s)
        hook = store.create(world.owner, name="h", url="http://h", secret="s" * 16, events=[], scope="own")
        call = store.add_delivery(
            event_id="e", kind="webhook_test", channel="webhook", payload={}, webhook_id=hook.id
        )
        mail = store.add_delivery(
            event_id="e",
            kind="execution_failed",
            channel="email",
            payload={},
            user_id=world.follower,
            address="f@x",
        )
        assert store.get(hook.id, world.owner).name == "h"
        for attempt in (
            lambda: store.get(hook.id, world.bystander),
            lambda: store.delete(hook.id, world.bystander),
        ):
            with pytest.raises(NotFound):
                attempt()
        assert store.update(hook.id, world.owner, name="renamed").name == "renamed"
        assert store.get_delivery(call, world.owner).webhook_id == hook.id
        assert store.get_delivery(mail, world.follower).address == "f@x"
        with pytest.raises(NotFound):
            store.get_delivery(mail, world.owner)  # an e-mail to someone else
        with pytest.raises(NotFound):
            store.retry(call, world.bystander)
        seen = store.list_deliveries(1, 10, owner_id=world.follower)
        assert [d.id for d in seen.items] == [mail]
        attempt = store.attempt_of(call)
        assert attempt is not None and (attempt.url, attempt.secret, attempt.active) == (
            "http://h",
            "s" * 16,
            True,
        )
        assert "s" * 16 not in repr(attempt)
        store.delete(hook.id, world.owner)
        assert store.attempt_of(call) is None  # its deliveries went with it
