"""The queue under concurrency, on SQLite and PostgreSQL: atomic claims, exactly-once schedules,
recovery of a worker killed mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from modelport.batch.worker import Worker, settings_json
from modelport.context import Context
from modelport.db.tables import DeploymentRow, ExecutionRow, utcnow
from modelport.services.scheduler import Scheduler
from modelport.stores.executions import ExecutionStore
from tests.factories import training_frame
from tests.runs import RunSetup

ROW = {"tenure_months": 3, "monthly_spend": 40.5, "support_calls": 6}


def _queue(runs: RunSetup, n: int) -> list[int]:
    ids = []
    for _ in range(n):
        response = runs.client.post(
            "/api/v1/deployments/churn-fr/executions", json={"rows": [ROW]}, headers=runs.analyst.headers
        )
        assert response.status_code == 202
        ids.append(response.json()["id"])
    return ids


def test_concurrent_claims_never_share_an_execution(runs_any: RunSetup) -> None:
    ids = _queue(runs_any, 12)
    claimed: list[tuple[str, int]] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        worker = Worker(runs_any.ctx, worker_id=name)
        while True:
            got = worker.claim()
            if got is None:
                return
            with lock:
                claimed.append((name, got))

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(e for _, e in claimed) == sorted(ids)
    with runs_any.ctx.db.session() as s:
        rows = list(s.scalars(select(ExecutionRow).where(ExecutionRow.id.in_(ids))))
    assert all(r.status == "running" and r.attempts == 1 for r in rows)
    assert {r.worker_id for r in rows} == {name for name, _ in claimed}


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])  # the SKIP LOCKED path; SQLite's claim is covered above
def test_two_workers_run_every_execution_once(runs_any: RunSetup) -> None:
    assert runs_any.ctx.db.dialect == "postgresql"
    ids = _queue(runs_any, 4)
    workers = [Worker(runs_any.ctx, worker_id=f"pg-{i}") for i in range(2)]

    def drain(worker: Worker) -> None:
        while worker.run_once():
            pass

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    with runs_any.ctx.db.session() as s:
        rows = list(s.scalars(select(ExecutionRow).where(ExecutionRow.id.in_(ids))))
    assert [r.status for r in rows] == ["succeeded"] * 4
    assert all(r.attempts == 1 for r in rows)


def test_two_schedulers_make_each_due_run_once(runs_any: RunSetup) -> None:
    c, ds = runs_any.client, runs_any.ds
    x, _ = training_frame(rows=20)
    dataset = c.post(
        "/api/v1/datasets",
        files={"file": ("weekly.csv", x.to_csv(index=False).encode())},
        headers=runs_any.analyst.headers,
    )
    assert dataset.status_code == 201, dataset.text
    body = {
        "name": "churn-weekly",
        "model": "churn",
        "alias": "champion",
        "market": "FR",
        "schedule": {"cron": "0 6 1 1 *", "timezone": "Europe/Paris"},  # yearly: never due again mid-test
        "input": {"kind": "dataset", "dataset": dataset.json()["sha256"], "filename": "weekly.csv"},
    }
    dep = c.post("/api/v1/deployments", json=body, headers=ds.headers)
    assert dep.status_code == 201, dep.text
    due = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
    with runs_any.ctx.db.session() as s:
        s.execute(update(DeploymentRow).where(DeploymentRow.name == "churn-weekly").values(next_run_at=due))

    created: list[int] = []
    barrier = threading.Barrier(2)

    def tick() -> None:
        barrier.wait()
        created.extend(Scheduler(runs_any.ctx).tick())

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    runs = c.get("/api/v1/executions", params={"deployment": "churn-weekly"}, headers=ds.headers).json()
    assert runs["total"] == 1 and len(created) == 1
    assert runs["items"][0]["trigger"] == "schedule"
    assert runs["items"][0]["scheduled_for"].startswith(due.strftime("%Y-%m-%dT%H:%M"))
    after = c.get("/api/v1/deployments/churn-weekly", headers=ds.headers).json()
    assert after["next_run_at"] > runs["items"][0]["scheduled_for"]
    assert Scheduler(runs_any.ctx).tick() == []  # nothing due any more
    paused = c.post("/api/v1/deployments/churn-weekly/pause", headers=ds.headers)
    assert paused.status_code == 200
    with runs_any.ctx.db.session() as s:
        s.execute(update(DeploymentRow).where(DeploymentRow.name == "churn-weekly").values(next_run_at=due))
    assert Scheduler(runs_any.ctx).tick() == []  # paused: no run
    assert Worker(runs_any.ctx).run_once()
    assert c.get(f"/api/v1/executions/{created[0]}", headers=ds.headers).json()["status"] == "succeeded"


def _worker_env(ctx: Context) -> dict[str, str]:
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELPORT_")}
    for key, value in json.loads(settings_json(ctx.settings)).items():
        if value is not None:
            env[f"MODELPORT_{key.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return env


@pytest.mark.slow
def test_a_worker_killed_mid_run_is_recovered(runs_any: RunSetup, tmp_path: Path) -> None:
    ctx = runs_any.ctx
    ctx.settings.worker_lease_seconds = 3
    ctx.settings.batch_chunk_rows = 2000
    x, _ = training_frame(rows=400_000)
    big = tmp_path / "big.csv"
    x.to_csv(big, index=False)
    queued = runs_any.client.post(
        "/api/v1/deployments/churn-fr/executions",
        files={"file": ("big.csv", big.read_bytes())},
        headers=runs_any.analyst.headers,
    )
    execution_id = queued.json()["id"]
    env = _worker_env(ctx)
    env["MODELPORT_WORKER_POLL_SECONDS"] = "0.2"
    worker = subprocess.Popen(
        [sys.executable, "-m", "modelport.cli.main", "worker", "--no-scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with ctx.db.session() as s:
                execution = ExecutionStore(s).get(execution_id)
                status, rows_read = execution.status, execution.rows_read
            if status == "running" and rows_read > 0:
                break
            assert time.monotonic() < deadline, f"the worker never got going ({status})"
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    time.sleep(ctx.settings.worker_lease_seconds + 1)
    rescuer = Worker(ctx, worker_id="rescuer")
    assert rescuer.recover() == [(execution_id, "queued")]
    ctx.settings.batch_chunk_rows = 100_000
    assert rescuer.run_once()
    with ctx.db.session() as s:
        execution = ExecutionStore(s).get(execution_id)
        assert (execution.status, execution.attempts, execution.rows_written) == ("succeeded", 2, 400_000)
        messages = [line.message for line in ExecutionStore(s).logs(execution_id)]
    assert any("stopped sending heartbeats" in m for m in messages)


def test_lost_runs_fail_after_their_retries(runs: RunSetup) -> None:
    ctx = runs.ctx
    [execution_id] = _queue(runs, 1)
    worker = Worker(ctx, worker_id="ghost")
    for attempt in (1, 2):
        assert worker.claim() == execution_id
        with ctx.db.session() as s:
            s.execute(
                update(ExecutionRow)
                .where(ExecutionRow.id == execution_id)
                .values(heartbeat_at=utcnow() - timedelta(minutes=5))
            )
        expected = "queued" if attempt <= ctx.settings.execution_max_retries else "failed"
        assert worker.recover() == [(execution_id, expected)]
    with ctx.db.session() as s:
        execution = ExecutionStore(s).get(execution_id)
    assert execution.status == "failed" and "gave up after 2 attempts" in (execution.error or "")
