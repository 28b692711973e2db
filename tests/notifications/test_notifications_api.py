"""The notifications API: my list (paginated, unread filter), read marks, subscriptions, webhooks with their
roles, the test action and the deliveries list; a webhook secret never comes back."""

from __future__ import annotations

import json

from sqlalchemy import select

from modelport.db.tables import DeploymentRow, ModelRow, UserRow
from modelport.schemas import Role
from modelport.services.notifications import NotificationService
from tests.conftest import add_user
from tests.notifications.conftest import Receiver, free_port, wait_for
from tests.runs import RunSetup

SECRET = "s3cr3t-webhook-key-0001"


def _failure(runs: RunSetup, n: int) -> str:
    with runs.ctx.db.session() as s:
        dep = s.scalar(select(DeploymentRow.id).where(DeploymentRow.name == "churn-fr"))
    assert dep is not None
    return NotificationService(runs.ctx).notify(
        "execution_failed", title=f"Run {n} of churn-fr failed", link=f"/runs/{n}", deployment_id=dep
    )


def test_my_notifications_paginated_with_unread_filter_and_read_marks(runs: RunSetup) -> None:
    c, ds, analyst = runs.client, runs.ds, runs.analyst
    for n in range(1, 4):
        _failure(runs, n)
    page = c.get("/api/v1/notifications", params={"page_size": 2}, headers=ds.headers).json()
    assert (page["total"], page["page"], page["page_size"]) == (3, 1, 2)
    assert [i["title"] for i in page["items"]] == ["Run 3 of churn-fr failed", "Run 2 of churn-fr failed"]
    newest = page["items"][0]
    assert newest["kind"] == "execution_failed" and newest["link"] == "/runs/3" and newest["read_at"] is None
    assert newest["subject"] == {"type": "deployment", "id": runs.deployment["id"], "name": "churn-fr"}
    second = c.get("/api/v1/notifications", params={"page_size": 2, "page": 2}, headers=ds.headers).json()
    assert [i["title"] for i in second["items"]] == ["Run 1 of churn-fr failed"]

    assert c.get("/api/v1/notifications/unread-count", headers=ds.headers).json() == {"unread": 3}
    # The analyst neither owns nor follows the deployment: nothing for them, and not ds's either.
    assert c.get("/api/v1/notifications", headers=analyst.headers).json()["total"] == 0
    stolen = c.post(f"/api/v1/notifications/{newest['id']}/read", headers=analyst.headers)
    assert stolen.status_code == 404

    read = c.post(f"/api/v1/notifications/{newest['id']}/read", headers=ds.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = c.get("/api/v1/notifications", params={"unread": "true"}, headers=ds.headers).json()
    assert [i["title"] for i in unread["items"]] == ["Run 2 of churn-fr failed", "Run 1 of churn-fr failed"]
    done = c.get("/api/v1/notifications", params={"unread": "false"}, headers=ds.headers).json()
    assert [i["id"] for i in done["items"]] == [newest["id"]]

    marked = c.post("/api/v1/notifications/read-all", headers=ds.headers)
    assert marked.json() == {"updated": 2}
    assert c.get("/api/v1/notifications/unread-count", headers=ds.headers).json() == {"unread": 0}
    assert c.get("/api/v1/notifications", params={"page_size": 201}, headers=ds.headers).status_code == 422


def test_following_a_deployment_then_unfollowing(runs: RunSetup) -> None:
    c, analyst = runs.client, runs.analyst
    created = c.post("/api/v1/subscriptions", json={"deployment": "churn-fr"}, headers=analyst.headers)
    assert created.status_code == 201, created.text
    subscription = created.json()
    assert subscription["subject"]["name"] == "churn-fr"
    again = c.post(
        "/api/v1/subscriptions", json={"deployment": str(runs.deployment["id"])}, headers=analyst.headers
    )
    assert again.json()["id"] == subscription["id"]  # following twice is one subscription
    mine = c.get("/api/v1/subscriptions", params={"deployment": "churn-fr"}, headers=analyst.headers).json()
    assert [x["id"] for x in mine] == [subscription["id"]]
    _failure(runs, 7)
    assert c.get("/api/v1/notifications/unread-count", headers=analyst.headers).json() == {"unread": 1}

    gone = c.delete(f"/api/v1/subscriptions/{subscription['id']}", headers=analyst.headers)
    assert gone.status_code == 204
    assert c.get("/api/v1/subscriptions", headers=analyst.headers).json() == []
    _failure(runs, 8)
    assert c.get("/api/v1/notifications/unread-count", headers=analyst.headers).json() == {"unread": 1}

    model = c.post("/api/v1/subscriptions", json={"model": "churn"}, headers=analyst.headers)
    assert model.status_code == 201 and model.json()["subject"]["type"] == "model"
    _failure(runs, 9)  # a deployment's event reaches its model's followers
    assert c.get("/api/v1/notifications/unread-count", headers=analyst.headers).json() == {"unread": 2}


def test_bad_subscriptions_are_refused_naming_the_field(runs: RunSetup) -> None:
    c, viewer = runs.client, runs.viewer
    both = c.post(
        "/api/v1/subscriptions", json={"deployment": "churn-fr", "model": "churn"}, headers=viewer.headers
    )
    assert both.status_code == 422 and "exactly one" in both.json()["error"]["message"]
    unknown = c.post("/api/v1/subscriptions", json={"model": "nope"}, headers=viewer.headers)
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "model"
    with (
        runs.ctx.db.session() as s
    ):  # a restricted model of marketing: the viewer (no department) cannot see it
        model = s.scalar(select(ModelRow).where(ModelRow.name == "churn"))
        assert model is not None
        model.visibility = "restricted"
    hidden = c.post("/api/v1/subscriptions", json={"deployment": "churn-fr"}, headers=viewer.headers)
    assert hidden.status_code == 404
    other = c.delete("/api/v1/subscriptions/999", headers=viewer.headers)
    assert other.status_code == 404


def _secret_free(text: str) -> None:
    assert SECRET not in text
    assert '"secret"' not in text


def test_webhooks_roles_and_the_secret_never_returned(runs: RunSetup, receiver: Receiver) -> None:
    c, ds, analyst = runs.client, runs.ds, runs.analyst
    admin = add_user(runs.ctx, "root", Role.admin)
    other_ds = add_user(runs.ctx, "ds2", Role.data_scientist, "marketing")
    body = {"name": "ops", "url": receiver.url, "secret": SECRET, "events": ["execution_failed"]}

    assert c.post("/api/v1/webhooks", json=body, headers=analyst.headers).status_code == 403
    wide = c.post("/api/v1/webhooks", json={**body, "scope": "all"}, headers=ds.headers)
    assert wide.status_code == 403 and wide.json()["error"]["field"] == "scope"
    short = c.post("/api/v1/webhooks", json={**body, "secret": "short"}, headers=ds.headers)
    assert short.status_code == 422 and short.json()["error"]["field"] == "secret"
    bad_url = c.post("/api/v1/webhooks", json={**body, "url": "ftp://x"}, headers=ds.headers)
    assert bad_url.status_code == 422 and bad_url.json()["error"]["field"] == "url"
    bad_kind = c.post("/api/v1/webhooks", json={**body, "events": ["nope"]}, headers=ds.headers)
    assert bad_kind.status_code == 422 and bad_kind.json()["error"]["field"].startswith("events")

    created = c.post("/api/v1/webhooks", json=body, headers=ds.headers)
    assert created.status_code == 201, created.text
    _secret_free(created.text)
    hook = created.json()
    assert (hook["owner"], hook["scope"], hook["events"], hook["active"]) == (
        "ds",
        "own",
        ["execution_failed"],
        True,
    )
    everything = c.post(
        "/api/v1/webhooks", json={**body, "name": "all", "scope": "all"}, headers=admin.headers
    )
    assert everything.status_code == 201

    listed = c.get("/api/v1/webhooks", headers=ds.headers)
    _secret_free(listed.text)
    assert [h["name"] for h in listed.json()["items"]] == ["ops"]
    assert {h["name"] for h in c.get("/api/v1/webhooks", headers=admin.headers).json()["items"]} == {
        "ops",
        "all",
    }
    assert c.get("/api/v1/webhooks", headers=other_ds.headers).json()["total"] == 0
    for method in ("PATCH", "DELETE"):
        kwargs = {"json": {"name": "mine now"}} if method == "PATCH" else {}
        response = c.request(method, f"/api/v1/webhooks/{hook['id']}", headers=other_ds.headers, **kwargs)
        assert response.status_code == 404, method
    assert c.post(f"/api/v1/webhooks/{hook['id']}/test", headers=other_ds.headers).status_code == 404

    new_secret = "another-secret-value-2"
    changed = c.patch(
        f"/api/v1/webhooks/{hook['id']}", json={"secret": new_secret, "active": False}, headers=ds.headers
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert new_secret not in changed.text and '"secret"' not in changed.text
    renamed = c.patch(
        f"/api/v1/webhooks/{hook['id']}", json={"name": "ops-2", "active": True}, headers=admin.headers
    )
    assert renamed.json()["name"] == "ops-2"

    audit = c.get("/api/v1/audit", params={"page_size": 200}, headers=admin.headers)
    actions = [e["action"] for e in audit.json()["items"]]
    assert actions.count("webhook.create") == 2 and actions.count("webhook.update") == 2
    assert SECRET not in audit.text and new_secret not in audit.text

    assert c.delete(f"/api/v1/webhooks/{everything.json()['id']}", headers=admin.headers).status_code == 204
    assert [h["name"] for h in c.get("/api/v1/webhooks", headers=admin.headers).json()["items"]] == ["ops-2"]


def test_send_test_signs_with_the_current_secret_and_lists_the_delivery(
    runs: RunSetup, receiver: Receiver
) -> None:
    c, ds = runs.client, runs.ds
    hook = c.post(
        "/api/v1/webhooks", json={"name": "ops", "url": receiver.url, "secret": SECRET}, headers=ds.headers
    ).json()
    receiver.statuses = [500]
    first = c.post(f"/api/v1/webhooks/{hook['id']}/test", headers=ds.headers)
    assert first.status_code == 200, first.text
    failed = first.json()
    assert (failed["status"], failed["attempts"], failed["response_status"]) == ("pending", 1, 500)
    assert failed["last_error"] == "HTTP 500 Internal Server Error" and failed["next_attempt_at"] is not None
    _secret_free(first.text)

    ok = c.post(f"/api/v1/webhooks/{hook['id']}/test", headers=ds.headers).json()
    assert (ok["status"], ok["attempts"], ok["kind"]) == ("delivered", 1, "webhook_test")
    call = receiver.calls[-1]
    payload = json.loads(call.body)
    assert payload["event"] == "webhook_test" and payload["data"] == {"webhook_id": hook["id"]}
    from modelport.services.delivery import verify

    assert verify(
        SECRET, call.headers["X-Modelport-Timestamp"], call.body, call.headers["X-Modelport-Signature"]
    )

    listed = c.get("/api/v1/deliveries", params={"webhook_id": hook["id"]}, headers=ds.headers)
    assert [d["id"] for d in listed.json()["items"]] == [ok["id"], failed["id"]]
    _secret_free(listed.text)
    pending = c.get("/api/v1/deliveries", params={"status": "pending"}, headers=ds.headers).json()
    assert [d["id"] for d in pending["items"]] == [failed["id"]]
    webhook = c.get("/api/v1/webhooks", headers=ds.headers).json()["items"][0]
    assert (webhook["pending_deliveries"], webhook["failed_deliveries"]) == (1, 0)
    not_failed = c.post(f"/api/v1/deliveries/{failed['id']}/retry", headers=ds.headers)
    assert not_failed.status_code == 409

    other = add_user(runs.ctx, "ds2", Role.data_scientist, "marketing")
    assert c.get("/api/v1/deliveries", headers=other.headers).json()["total"] == 0
    assert (
        c.get("/api/v1/deliveries", params={"webhook_id": hook["id"]}, headers=other.headers).status_code
        == 404
    )
    assert c.get("/api/v1/deliveries", params={"channel": "fax"}, headers=ds.headers).status_code == 422


def test_a_failed_delivery_can_be_retried(runs: RunSetup, receiver: Receiver) -> None:
    c, ds = runs.client, runs.ds
    runs.ctx.settings.notify_max_attempts = 1
    hook = c.post(
        "/api/v1/webhooks", json={"name": "ops", "url": receiver.url, "secret": SECRET}, headers=ds.headers
    ).json()
    receiver.statuses = [502]
    failed = c.post(f"/api/v1/webhooks/{hook['id']}/test", headers=ds.headers).json()
    assert (failed["status"], failed["last_error"]) == ("failed", "HTTP 502 Bad Gateway")
    retried = c.post(f"/api/v1/deliveries/{failed['id']}/retry", headers=ds.headers)
    assert retried.status_code == 200 and retried.json()["status"] in ("pending", "delivered")
    # The app's own background sender (started with it) sends it.
    wait_for(
        lambda: c.get("/api/v1/deliveries", params={"status": "delivered"}, headers=ds.headers).json()[
            "total"
        ],
        what="the retried delivery",
    )
    assert len(receiver.calls) == 2


def test_emails_of_a_user_show_in_their_deliveries_and_can_be_retried(runs: RunSetup) -> None:
    c, ds = runs.client, runs.ds
    st = runs.ctx.settings
    st.smtp_host, st.smtp_port, st.notify_max_attempts = "127.0.0.1", free_port(), 1  # nothing listens
    with runs.ctx.db.session() as s:
        user = s.scalar(select(UserRow).where(UserRow.username == "ds"))
        assert user is not None
        user.email = "ds@example.com"
    _failure(runs, 5)
    # The app's background sender makes the one attempt allowed, which fails.
    failed = wait_for(
        lambda: c.get("/api/v1/deliveries", params={"status": "failed"}, headers=ds.headers).json()["items"],
        what="the failed e-mail",
    )
    assert [(d["channel"], d["address"], d["kind"]) for d in failed] == [
        ("email", "ds@example.com", "execution_failed")
    ]
    assert "Connection refused" in failed[0]["last_error"]
    other = add_user(runs.ctx, "ds2", Role.data_scientist, "marketing")
    assert c.post(f"/api/v1/deliveries/{failed[0]['id']}/retry", headers=other.headers).status_code == 404
    again = c.post(f"/api/v1/deliveries/{failed[0]['id']}/retry", headers=ds.headers)
    assert again.status_code == 200 and again.json()["status"] in ("pending", "failed")
