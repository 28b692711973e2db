"""A due time that cannot run becomes one failed execution with its reason, even with two schedulers
ticking the same due time (SQLite and PostgreSQL): in the runs list, in /metrics, notified; and the
schedule goes on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from modelport.db.tables import DeploymentRow, ModelVersionRow
from modelport.services.auth import AuthService
from modelport.services.notifications import NotificationService
from modelport.services.scheduler import Scheduler
from modelport.stores.catalog import CatalogStore
from tests.runs import RunSetup
from tests.scheduling.helpers import make_due, schedule_failures, upload_dataset

# once a year: the next due time after a tick is never reached while the test runs (a */5 cron raced
# the five-minute boundary: the tick just before it scheduled a time the next tick found due)
CRON = {"cron": "0 6 1 1 *", "timezone": "Europe/Paris"}


def _deploy(runs: RunSetup, name: str, inp: dict[str, object], **target: object) -> None:
    body: dict[str, object] = {"name": name, "model": "churn", "market": "FR", "schedule": CRON, "input": inp}
    body.update(target or {"alias": "champion"})
    created = runs.client.post("/api/v1/deployments", json=body, headers=runs.ds.headers)
    assert created.status_code == 201, created.text


def _dataset_input(runs: RunSetup) -> dict[str, object]:
    return {"kind": "dataset", "dataset": upload_dataset(runs.client, runs.ds), "filename": "customers.csv"}


def _sql_input(runs: RunSetup, folder: Path) -> dict[str, object]:
    warehouse = folder / "warehouse.db"
    runs.ctx.settings.connections = {"warehouse": f"sqlite:///{warehouse}"}
    import sqlite3

    with sqlite3.connect(warehouse) as conn:
        conn.execute("CREATE TABLE customers (tenure_months REAL, monthly_spend REAL, support_calls REAL)")
    return {"kind": "sql", "connection": "warehouse", "query": "SELECT * FROM customers"}


# cause -> (set up the deployment, break it, words the reason holds)
def _dataset_deleted(runs: RunSetup, name: str, folder: Path) -> Callable[[], None]:
    inp = _dataset_input(runs)
    _deploy(runs, name, inp)
    return lambda: runs.ctx.artifacts.delete(str(inp["dataset"]))


def _version_deleted(runs: RunSetup, name: str, folder: Path) -> Callable[[], None]:
    _deploy(runs, name, _dataset_input(runs), version=2)

    def breaks() -> None:
        with runs.ctx.db.session() as s:
            s.execute(delete(ModelVersionRow).where(ModelVersionRow.version == 2))

    return breaks


def _alias_gone(runs: RunSetup, name: str, folder: Path) -> Callable[[], None]:
    _deploy(runs, name, _dataset_input(runs))

    def breaks() -> None:
        gone = runs.client.delete("/api/v1/models/churn/aliases/champion", headers=runs.ds.headers)
        assert gone.status_code == 204, gone.text

    return breaks


def _model_file_gone(runs: RunSetup, name: str, folder: Path) -> Callable[[], None]:
    _deploy(runs, name, _dataset_input(runs))
    with runs.ctx.db.session() as s:
        sha = s.scalar(select(ModelVersionRow.artifact_sha256).where(ModelVersionRow.version == 1))
    assert sha is not None
    return lambda: runs.ctx.artifacts.delete(sha)


def _connection_unknown(runs: RunSetup, name: str, folder: Path) -> Callable[[], None]:
    _deploy(runs, name, _sql_input(runs, folder))
    return lambda: setattr(runs.ctx.settings, "connections", {})


def _connection_down(runs: RunSetup, name: str, folder: Path) -> Callable[[], None]:
    _deploy(runs, name, _sql_input(runs, folder))
    down = "postgresql+psycopg://nobody@127.0.0.1:1/warehouse"  # nothing listens on port 1
    return lambda: setattr(runs.ctx.settings, "connections", {"warehouse": down})


def _stored_before_the_rule(runs: RunSetup, name: str, folder: Path) -> Callable[[], None]:
    """A deployment written before schedules needed a stored input (cron with a file per run)."""
    _deploy(runs, name, _dataset_input(runs))

    def breaks() -> None:
        with runs.ctx.db.session() as s:
            s.execute(
                update(DeploymentRow).where(DeploymentRow.name == name).values(input_spec={"kind": "upload"})
            )

    return breaks


CAUSES = {
    "dataset deleted": (_dataset_deleted, ["dataset", "no longer in the artifact store", "set-input"]),
    "version deleted": (_version_deleted, ["version 2", "does not exist"]),
    "alias gone": (_alias_gone, ["alias 'champion'", "does not exist"]),
    "model file gone": (_model_file_gone, ["model file", "missing from the artifact store"]),
    "unknown connection": (_connection_unknown, ["connection 'warehouse'", "not configured"]),
    "connection down": (_connection_down, ["connection 'warehouse'", "does not answer"]),
    "file per run": (_stored_before_the_rule, ["file with each run", "stored input", "set-input"]),
}


def _tick_together(runs: RunSetup, count: int = 2) -> list[int]:
    created: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def tick() -> None:
        barrier.wait()
        try:
            created.extend(Scheduler(runs.ctx).tick())
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    return created


@pytest.mark.parametrize("cause", list(CAUSES))
def test_a_due_time_that_cannot_run_fails_once_with_its_reason(
    runs_any: RunSetup, tmp_path: Path, cause: str
) -> None:
    c, ds = runs_any.client, runs_any.ds
    name = "churn-" + cause.replace(" ", "-")
    setup, words = CAUSES[cause]
    breaks = setup(runs_any, name, tmp_path)
    breaks()
    due = make_due(runs_any.ctx, name)
    failures_before = schedule_failures(c, name)

    created = _tick_together(runs_any)

    listed = c.get("/api/v1/executions", params={"deployment": name}, headers=ds.headers).json()
    assert listed["total"] == 1 and len(created) == 1, (listed, created)
    run = listed["items"][0]
    assert run["id"] == created[0]
    assert (run["status"], run["trigger"], run["triggered_by"]) == ("failed", "schedule", "scheduler")
    assert datetime.fromisoformat(run["scheduled_for"]).replace(tzinfo=None) == due.replace(tzinfo=None)
    assert run["finished_at"] is not None and run["attempts"] == 0
    for word in words:
        assert word in run["error"], (word, run["error"])
    failed_runs = c.get(
        "/api/v1/executions", params={"status": "failed", "trigger": "schedule"}, headers=ds.headers
    ).json()
    assert [r["id"] for r in failed_runs["items"]] == [run["id"]]
    logs = c.get(f"/api/v1/executions/{run['id']}/logs", headers=ds.headers).json()
    assert any("could not start" in line["message"] and line["level"] == "error" for line in logs)

    assert schedule_failures(c, name) == failures_before + 1
    assert 'modelport_executions{status="failed"} 1.0' in c.get("/metrics").text

    owner = AuthService(runs_any.ctx).cli_principal(ds.username)
    heard = NotificationService(runs_any.ctx).list_mine(owner, 1, 50).items
    skipped = [n for n in heard if n.kind == "schedule_skipped"]
    assert len(skipped) == 1 and skipped[0].link == f"/runs/{run['id']}"
    assert words[0] in skipped[0].body

    # the schedule goes on: the next due time is computed, and this one is never recorded again
    deployment = c.get(f"/api/v1/deployments/{name}", headers=ds.headers).json()
    assert datetime.fromisoformat(deployment["next_run_at"]).replace(tzinfo=None) > due.replace(tzinfo=None)
    assert deployment["state"] == "active"
    assert Scheduler(runs_any.ctx).tick() == []
    make_due(runs_any.ctx, name, at=due)  # the same due time again: already recorded, nothing new
    assert _tick_together(runs_any) == []
    assert c.get("/api/v1/executions", params={"deployment": name}, headers=ds.headers).json()["total"] == 1
    assert schedule_failures(c, name) == failures_before + 1


def test_a_deployment_deleted_with_its_model_is_no_longer_scheduled(runs_any: RunSetup) -> None:
    c, ds = runs_any.client, runs_any.ds
    _deploy(runs_any, "churn-weekly", _dataset_input(runs_any))
    make_due(runs_any.ctx, "churn-weekly")
    with runs_any.ctx.db.session() as s:  # the store's delete: whatever rule the service adds on top
        CatalogStore(s).delete_model("churn", AuthService(runs_any.ctx).cli_principal(ds.username))
    assert _tick_together(runs_any) == []
    assert c.get("/api/v1/executions", headers=ds.headers).json()["total"] == 0
