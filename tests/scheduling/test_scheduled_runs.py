"""A schedule on a dataset runs end to end with the server's embedded scheduler and worker, and
reads the newer file once the dataset is replaced by an upload (``PUT /deployments/{ref}/input``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from modelport.context import Context
from modelport.db.migrate import upgrade
from modelport.db.tables import AuditEventRow
from tests.conftest import make_context
from tests.factories import training_frame
from tests.runs import RunSetup, setup_runs
from tests.scheduling.helpers import make_due, upload_dataset


@pytest.fixture
def live(tmp_path: Path) -> Iterator[RunSetup]:
    """The churn setup served with the embedded worker and scheduler running (polling fast)."""
    ctx: Context = make_context(
        tmp_path,
        f"sqlite:///{tmp_path / 'modelport.db'}",
        worker_enabled=True,
        scheduler_enabled=True,
        worker_poll_seconds=0.2,
        scheduler_poll_seconds=0.2,
    )
    upgrade(ctx.db)
    try:
        yield from setup_runs(ctx, tmp_path)
    finally:
        ctx.db.dispose()


def _wait_for_run(runs: RunSetup, name: str, count: int, timeout: float = 120) -> dict[str, Any]:
    """The newest run of ``name`` once there are ``count`` runs and the newest one has ended."""
    deadline = time.monotonic() + timeout
    while True:
        page = runs.client.get(
            "/api/v1/executions", params={"deployment": name}, headers=runs.ds.headers
        ).json()
        if page["total"] == count and page["items"][0]["status"] in ("succeeded", "failed", "cancelled"):
            return dict(page["items"][0])
        assert time.monotonic() < deadline, f"no finished run {count} of {name}: {page}"
        time.sleep(0.2)


def _same_minute(text: str, due: datetime) -> bool:
    return datetime.fromisoformat(text).replace(tzinfo=None) == due.replace(tzinfo=None)


def test_a_scheduled_run_on_a_dataset_succeeds_and_a_new_upload_replaces_it(live: RunSetup) -> None:
    c, ds = live.client, live.ds
    first = upload_dataset(c, ds, rows=20, name="customers.csv")
    body = {
        "name": "churn-weekly",
        "model": "churn",
        "alias": "champion",
        "market": "FR",
        "schedule": {"cron": "0 6 * * 1", "timezone": "Europe/Paris"},
        "input": {"kind": "dataset", "dataset": first, "filename": "customers.csv"},
    }
    assert c.post("/api/v1/deployments", json=body, headers=ds.headers).status_code == 201
    due = make_due(live.ctx, "churn-weekly")

    run = _wait_for_run(live, "churn-weekly", 1)
    assert (run["status"], run["trigger"], run["rows_written"]) == ("succeeded", "schedule", 20), run
    assert _same_minute(run["scheduled_for"], due) and run["input"]["sha256"] == first
    results = c.get(f"/api/v1/executions/{run['id']}/results", headers=ds.headers).json()
    assert results["total"] == 20 and "prediction" in results["columns"]

    x, _ = training_frame(rows=35, seed=7)
    replaced = c.put(
        "/api/v1/deployments/churn-weekly/input",
        files={"file": ("customers-december.csv", x.to_csv(index=False).encode())},
        headers=ds.headers,
    )
    assert replaced.status_code == 200, replaced.text
    new_input = replaced.json()["input"]
    assert new_input["kind"] == "dataset" and new_input["filename"] == "customers-december.csv"
    assert new_input["dataset"] != first and live.ctx.artifacts.exists(new_input["dataset"])
    assert replaced.json()["schedule"] == body["schedule"]

    due = make_due(live.ctx, "churn-weekly", at=due - timedelta(minutes=1))  # another due time
    run = _wait_for_run(live, "churn-weekly", 2)
    assert (run["status"], run["trigger"], run["rows_written"]) == ("succeeded", "schedule", 35), run
    assert _same_minute(run["scheduled_for"], due) and run["input"]["sha256"] == new_input["dataset"]
    assert run["input"]["filename"] == "customers-december.csv"
    with live.ctx.db.session() as s:
        audit = s.scalars(select(AuditEventRow).where(AuditEventRow.action == "deployment.set_input")).all()
    assert [(a.actor, a.target) for a in audit] == [(ds.username, "churn-weekly")]
    assert audit[0].details["dataset"] == new_input["dataset"] and audit[0].details["previous"] == first
