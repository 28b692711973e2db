"""A run that fails reaches its deployment's owner in the web app, at the test SMTP server and at a test
webhook receiver, sent by the app's own background sender; once, whatever path reports it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import select, update

from modelport.batch.worker import Worker
from modelport.db.tables import DeploymentRow, ExecutionRow, NotificationRow, UserRow, utcnow
from modelport.services.delivery import verify
from modelport.services.notifications import execution_failed, schedule_skipped
from modelport.stores.executions import ExecutionStore
from tests.factories import training_frame
from tests.notifications.conftest import Mailbox, Receiver, wait_for
from tests.runs import RunSetup

SECRET = "failed-runs-secret-0001"


def _mail_on(runs: RunSetup, smtp: Mailbox) -> None:
    """E-mail on (the app's sender reads the settings at each attempt) and an address for the owner."""
    st = runs.ctx.settings
    st.smtp_host, st.smtp_port, st.smtp_starttls = smtp.host, smtp.port, False
    with runs.ctx.db.session() as s:
        s.execute(update(UserRow).where(UserRow.username == "ds").values(email="ds@example.com"))


def test_a_failed_run_reaches_the_owner_by_every_channel(
    runs: RunSetup, smtp_server: Mailbox, receiver: Receiver
) -> None:
    c, ds, analyst = runs.client, runs.ds, runs.analyst
    _mail_on(runs, smtp_server)
    hook = {"name": "ops", "url": receiver.url, "secret": SECRET, "events": ["execution_failed"]}
    assert c.post("/api/v1/webhooks", json=hook, headers=ds.headers).status_code == 201
    x, _ = training_frame(rows=10)
    x = x.astype(object)
    x.loc[2, "support_calls"] = "many"
    queued = c.post(
        "/api/v1/deployments/churn-fr/executions",
        files={"file": ("odd.csv", x.to_csv(index=False).encode())},
        headers=analyst.headers,
    )
    assert queued.status_code == 202, queued.text
    run_id = queued.json()["id"]

    assert Worker(runs.ctx, on_failed=partial(execution_failed, runs.ctx)).run_once()
    error = c.get(f"/api/v1/executions/{run_id}", headers=ds.headers).json()["error"]
    assert error.startswith("data row 3, column 'support_calls'"), error

    inbox = c.get("/api/v1/notifications", headers=ds.headers).json()
    [note] = inbox["items"]
    assert (note["kind"], note["title"], note["link"]) == (
        "execution_failed",
        f"Run {run_id} of churn-fr failed",
        f"/runs/{run_id}",
    )
    assert note["body"].startswith(error) and "started by analyst" in note["body"]
    # The business user who started the run is not the deployment's owner and follows nothing.
    assert c.get("/api/v1/notifications/unread-count", headers=analyst.headers).json() == {"unread": 0}

    _, to, mail = wait_for(lambda: smtp_server.messages, what="the e-mail")[0]
    assert to == ["ds@example.com"]
    assert mail["Subject"] == f"[modelport] Run {run_id} of churn-fr failed"
    assert error in mail.get_payload(decode=True).decode()

    call = wait_for(lambda: receiver.calls, what="the webhook call")[0]
    assert verify(
        SECRET, call.headers["X-Modelport-Timestamp"], call.body, call.headers["X-Modelport-Signature"]
    )
    payload = json.loads(call.body)
    assert payload["event"] == "execution_failed" and payload["id"] == note["event_id"]
    assert payload["data"]["execution_id"] == run_id and payload["data"]["error"] == error
    assert payload["data"]["trigger"] == "manual" and payload["subject"]["name"] == "churn-fr"

    # Reported again (another worker settling the same run, say): nothing more is sent.
    assert execution_failed(runs.ctx, run_id) == note["event_id"]
    assert c.get("/api/v1/notifications", headers=ds.headers).json()["total"] == 1
    deliveries = c.get("/api/v1/deliveries", headers=ds.headers).json()
    assert sorted(d["channel"] for d in deliveries["items"]) == ["email", "webhook"]


def test_a_run_failed_by_lease_recovery_is_notified(runs: RunSetup) -> None:
    c, ds, analyst = runs.client, runs.ds, runs.analyst
    row = {"tenure_months": 1.0, "monthly_spend": 2.0, "support_calls": 3.0}
    run_id = c.post(
        "/api/v1/deployments/churn-fr/executions", json={"rows": [row]}, headers=analyst.headers
    ).json()["id"]
    with runs.ctx.db.session() as s:
        claimed = ExecutionStore(s).claim("a-worker-that-died")
        assert claimed is not None and claimed.id == run_id
        stale = utcnow() - timedelta(hours=1)
        s.execute(
            update(ExecutionRow).where(ExecutionRow.id == run_id).values(heartbeat_at=stale, attempts=9)
        )
    outcome = Worker(runs.ctx, on_failed=partial(execution_failed, runs.ctx)).recover()
    assert outcome == [(run_id, "failed")]
    [note] = c.get("/api/v1/notifications", headers=ds.headers).json()["items"]
    assert note["title"] == f"Run {run_id} of churn-fr failed"
    assert "stopped sending heartbeats" in note["body"]


def test_a_run_that_succeeds_or_is_not_failed_notifies_nobody(runs: RunSetup) -> None:
    c, analyst = runs.client, runs.analyst
    row = {"tenure_months": 1.0, "monthly_spend": 2.0, "support_calls": 3.0}
    run_id = c.post(
        "/api/v1/deployments/churn-fr/executions", json={"rows": [row]}, headers=analyst.headers
    ).json()["id"]
    assert execution_failed(runs.ctx, run_id) is None  # still queued
    assert Worker(runs.ctx, on_failed=partial(execution_failed, runs.ctx)).run_once()
    assert c.get(f"/api/v1/executions/{run_id}", headers=analyst.headers).json()["status"] == "succeeded"
    assert execution_failed(runs.ctx, 999_999) is None
    with runs.ctx.db.session() as s:
        assert s.scalar(select(NotificationRow.id)) is None


def test_a_skipped_due_time_is_told_once_in_the_schedules_time_zone(runs: RunSetup) -> None:
    c, ds = runs.client, runs.ds
    with runs.ctx.db.session() as s:
        dep = s.scalar(select(DeploymentRow).where(DeploymentRow.name == "churn-fr"))
        assert dep is not None
        dep.cron, dep.timezone, dep_id = "0 6 * * 1", "Europe/Paris", dep.id
    due = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
    first = schedule_skipped(runs.ctx, dep_id, due, "its dataset was deleted", execution_id=77)
    assert first is not None
    assert schedule_skipped(runs.ctx, dep_id, due, "its dataset was deleted", execution_id=77) == first
    later = schedule_skipped(runs.ctx, dep_id, due + timedelta(days=1), "its dataset was deleted")
    assert later not in (None, first)
    notes = c.get("/api/v1/notifications", headers=ds.headers).json()["items"]
    assert [n["link"] for n in notes] == ["/deployments/churn-fr", "/runs/77"]
    assert notes[1]["kind"] == "schedule_skipped"
    assert notes[1]["title"] == "Scheduled run of churn-fr could not run"
    assert (
        notes[1]["body"]
        == "The run due at 2026-12-07 06:00 Europe/Paris did not start: its dataset was deleted"
    )
