"""Notifications and webhooks through the SDK and the CLI, against a real uvicorn server on loopback."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

import modelport
from modelport.cli.main import app as cli
from modelport.context import Context
from modelport.db.tables import DeploymentRow, ModelRow, UserRow
from modelport.errors import Forbidden, NotFound
from modelport.schemas import Role
from modelport.services.delivery import verify
from modelport.services.notifications import NotificationService
from tests.conftest import Actor, add_user
from tests.notifications.conftest import Receiver
from tests.served import server_without_worker

__all__ = ["server_without_worker"]


@pytest.fixture
def ds(sqlite_ctx: Context) -> Actor:
    return add_user(sqlite_ctx, "nb-user", Role.data_scientist, "marketing")


def _deployment_of(ctx: Context, username: str) -> int:
    """A model and a deployment owned by ``username`` (rows: the run machinery is not needed here)."""
    with ctx.db.session() as s:
        owner = s.query(UserRow).filter_by(username=username).one()
        model = ModelRow(name="churn", title="Churn", department="marketing", owner_id=owner.id)
        s.add(model)
        s.flush()
        dep = DeploymentRow(name="churn-fr", model_id=model.id, version=1, market="FR", owner_id=owner.id)
        s.add(dep)
        s.flush()
        return dep.id


def test_sdk_notifications_and_follows(server: str, ds: Actor, sqlite_ctx: Context) -> None:
    dep = _deployment_of(sqlite_ctx, ds.username)
    viewer = add_user(sqlite_ctx, "watcher", Role.viewer, "marketing")
    service = NotificationService(sqlite_ctx)
    with modelport.Client(server, token=viewer.token) as watcher:
        sub = watcher.subscribe(deployment="churn-fr")
        assert (sub.subject.type, sub.subject.name) == ("deployment", "churn-fr")
        assert [x.id for x in watcher.subscriptions(deployment=dep)] == [sub.id]
        for n in (1, 2):
            service.notify("execution_failed", title=f"Run {n} failed", link=f"/runs/{n}", deployment_id=dep)
        page = watcher.notifications(page_size=1)
        assert (page.total, page.items[0].title) == (2, "Run 2 failed")
        assert watcher.unread_count() == 2
        assert watcher.mark_read(page.items[0].id).read_at is not None
        assert [n.title for n in watcher.notifications(unread=True).items] == ["Run 1 failed"]
        assert watcher.mark_all_read() == 1 and watcher.unread_count() == 0
        watcher.unsubscribe(sub.id)
        assert watcher.subscriptions() == []
        with pytest.raises(NotFound):
            watcher.subscribe(model="nope")
        with pytest.raises(Forbidden):
            watcher.webhooks()  # a viewer manages no webhook


def test_sdk_webhooks(server: str, ds: Actor, receiver: Receiver) -> None:
    with modelport.Client(server, token=ds.token) as client:
        hook = client.add_webhook("ops", receiver.url, "sdk-secret-0123456789", events=["execution_failed"])
        assert [h.id for h in client.webhooks()] == [hook.id]
        receiver.statuses = [500]
        failed = client.test_webhook(hook.id)
        assert (failed.status, failed.last_error) == ("pending", "HTTP 500 Internal Server Error")
        delivered = client.test_webhook(hook.id)
        assert delivered.status == "delivered"
        call = receiver.calls[-1]
        timestamp, signature = call.headers["X-Modelport-Timestamp"], call.headers["X-Modelport-Signature"]
        assert verify("sdk-secret-0123456789", timestamp, call.body, signature)
        assert [d.id for d in client.deliveries(status="pending").items] == [failed.id]
        changed = client.update_webhook(hook.id, active=False, events=[])
        assert (changed.active, changed.events) == (False, [])
        client.delete_webhook(hook.id)
        assert client.webhooks() == []


def test_cli_notifications_and_webhooks(
    server: str, ds: Actor, sqlite_ctx: Context, receiver: Receiver
) -> None:
    runner = CliRunner()
    env = {"MODELPORT_URL": server, "MODELPORT_TOKEN": ds.token, "COLUMNS": "200"}
    dep = _deployment_of(sqlite_ctx, ds.username)
    NotificationService(sqlite_ctx).notify(
        "schedule_skipped", title="Scheduled run skipped", deployment_id=dep
    )

    listed = runner.invoke(cli, ["notifications", "list", "--unread", "-o", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    [note] = json.loads(listed.output)["items"]
    assert note["title"] == "Scheduled run skipped"
    table = runner.invoke(cli, ["notifications", "list"], env=env)
    assert "schedule_skipped" in table.output and "Scheduled run skipped" in table.output
    assert runner.invoke(cli, ["notifications", "read"], env=env).exit_code == 2  # an id or --all
    read = runner.invoke(cli, ["notifications", "read", "--all"], env=env)
    assert read.exit_code == 0 and "1 marked read" in read.output

    followed = runner.invoke(cli, ["notifications", "follow", "--model", "churn"], env=env)
    assert followed.exit_code == 0 and "following model churn" in followed.output
    following = json.loads(runner.invoke(cli, ["notifications", "following", "-o", "json"], env=env).output)
    assert [x["subject"]["name"] for x in following] == ["churn"]
    assert runner.invoke(cli, ["notifications", "unfollow", str(following[0]["id"])], env=env).exit_code == 0

    # No --secret: the CLI makes one, prints it once, and the calls are signed with it.
    added = runner.invoke(cli, ["webhooks", "add", receiver.url, "--event", "webhook_test"], env=env)
    assert added.exit_code == 0, added.output
    hook_id = int(re.search(r"webhook (\d+) \(127\.0\.0\.1\)", added.output).group(1))  # type: ignore[union-attr]
    secret = re.search(r"secret \(shown once.*\): (\S+)", added.output).group(1)  # type: ignore[union-attr]
    tested = runner.invoke(cli, ["webhooks", "test", str(hook_id)], env=env)
    assert tested.exit_code == 0 and "delivered (HTTP 200)" in tested.output
    call = receiver.calls[-1]
    assert verify(
        secret, call.headers["X-Modelport-Timestamp"], call.body, call.headers["X-Modelport-Signature"]
    )

    hooks = json.loads(runner.invoke(cli, ["webhooks", "list", "-o", "json"], env=env).output)
    assert [(h["id"], h["events"]) for h in hooks] == [(hook_id, ["webhook_test"])]
    assert secret not in json.dumps(hooks)
    receiver.statuses = [503]
    refused = runner.invoke(cli, ["webhooks", "test", str(hook_id)], env=env)
    assert refused.exit_code == 1 and "HTTP 503 Service Unavailable" in refused.output
    deliveries = runner.invoke(
        cli, ["webhooks", "deliveries", "--webhook", str(hook_id), "-o", "json"], env=env
    )
    assert [d["status"] for d in json.loads(deliveries.output)["items"]] == ["pending", "delivered"]
    assert runner.invoke(cli, ["webhooks", "remove", str(hook_id)], env=env).exit_code == 0
    gone = runner.invoke(cli, ["webhooks", "test", str(hook_id)], env=env)
    assert gone.exit_code == 1 and f"no webhook {hook_id}" in gone.output

    for args in (["notifications"], ["webhooks"], ["webhooks", "add"], ["notifications", "list"]):
        shown = runner.invoke(cli, [*args, "--help"])
        assert shown.exit_code == 0 and "Usage" in shown.output
