"""A run is never executed twice: every write about an execution is fenced by its attempt, a child that
lost its run stops and publishes nothing, and a child dies with its worker from its first instruction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from modelport.batch.child import EXIT_ORPHAN, EXIT_STALE
from modelport.batch.worker import Worker, settings_json
from modelport.context import Context
from modelport.db.tables import ExecutionRow, utcnow
from modelport.stores.executions import Claim, ExecutionStore, StaleAttempt
from tests.batch.processes import alive, children, start_worker, wait_for
from tests.factories import training_frame
from tests.runs import RunSetup

ROW = {"tenure_months": 3, "monthly_spend": 40.5, "support_calls": 6}


def _queue_rows(runs: RunSetup) -> int:
    response = runs.client.post(
        "/api/v1/deployments/churn-fr/executions", json={"rows": [ROW]}, headers=runs.analyst.headers
    )
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def _queue_file(runs: RunSetup, folder: Path, rows: int) -> int:
    x, _ = training_frame(rows=rows)
    path = folder / f"input-{rows}.csv"
    x.to_csv(path, index=False)
    response = runs.client.post(
        "/api/v1/deployments/churn-fr/executions",
        files={"file": (path.name, path.read_bytes())},
        headers=runs.analyst.headers,
    )
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def _claim(ctx: Context, worker_id: str) -> Claim:
    with ctx.db.session() as s:
        claimed = ExecutionStore(s).claim(worker_id)
    assert claimed is not None
    return claimed


def _lease_expires(ctx: Context, execution_id: int) -> None:
    """What happens when a worker's heartbeats stop for a lease: the run is queued again."""
    with ctx.db.session() as s:
        s.execute(
            update(ExecutionRow)
            .where(ExecutionRow.id == execution_id)
            .values(heartbeat_at=utcnow() - timedelta(minutes=5))
        )
    assert (execution_id, "queued") in Worker(ctx, worker_id="rescuer").recover()


def _take_over(ctx: Context, execution_id: int, worker_id: str) -> Claim:
    """The lease of the run's worker expires and another worker claims the run."""
    _lease_expires(ctx, execution_id)
    claimed = _claim(ctx, worker_id)
    assert claimed.id == execution_id
    return claimed


def _row(ctx: Context, execution_id: int) -> ExecutionRow:
    """The execution's row as stored (worker_id and output_ref included), read without the store."""
    with ctx.db.session() as s:
        row = s.get(ExecutionRow, execution_id)
        assert row is not None
        s.expunge(row)
        return row


def _messages(ctx: Context, execution_id: int) -> list[str]:
    with ctx.db.session() as s:
        return [line.message for line in ExecutionStore(s).logs(execution_id)]


def test_a_stale_attempt_can_write_nothing(runs_any: RunSetup) -> None:
    ctx = runs_any.ctx
    execution_id = _queue_rows(runs_any)
    assert _claim(ctx, "w1") == Claim(execution_id, 1)
    assert _take_over(ctx, execution_id, "w2") == Claim(execution_id, 2)

    stale: dict[str, Callable[[ExecutionStore], None]] = {
        "heartbeat": lambda st: st.heartbeat(execution_id, "w1", 1),
        "heartbeat of another worker": lambda st: st.heartbeat(execution_id, "w1", 2),
        "progress": lambda st: st.progress(execution_id, 1, rows_read=99, progress=0.5),
        "log": lambda st: st.log(execution_id, "written by attempt 1", attempt=1),
        "results": lambda st: st.finish(
            execution_id, "succeeded", attempt=1, rows_written=1, output_ref={"sha256": "0" * 64}
        ),
        "failure": lambda st: st.finish(execution_id, "failed", attempt=1, error="attempt 1 failed"),
        "cancellation": lambda st: st.finish(execution_id, "cancelled", attempt=1),
        "requeue": lambda st: st.requeue(execution_id, 1, "attempt 1's worker shut down"),
        "fence check": lambda st: st.check(execution_id, 1),
    }
    accepted, refused = [], []
    for name, write in stale.items():
        try:
            with ctx.db.session() as s:
                write(ExecutionStore(s))
            accepted.append(name)
        except StaleAttempt as exc:
            refused.append((exc.execution_id, exc.attempt))
    assert refused == [(execution_id, 1), (execution_id, 2)] + [(execution_id, 1)] * 7
    assert accepted == []
    row = _row(ctx, execution_id)
    assert (row.status, row.attempts, row.worker_id) == ("running", 2, "w2")
    assert (row.rows_read, row.rows_written, row.progress, row.output_ref, row.error) == (0, 0, 0.0, {}, None)
    assert not any("attempt 1" in m and "queued again" not in m for m in _messages(ctx, execution_id))

    # The attempt that holds the run writes; once it finished, it cannot write either.
    with ctx.db.session() as s:
        store = ExecutionStore(s)
        store.heartbeat(execution_id, "w2", 2)
        store.progress(execution_id, 2, rows_read=1, progress=0.5)
        store.log(execution_id, "written by attempt 2", attempt=2)
        store.finish(execution_id, "succeeded", attempt=2, rows_written=1, output_ref={"rows": 1})
    row = _row(ctx, execution_id)
    assert (row.status, row.rows_read, row.rows_written, row.output_ref) == ("succeeded", 1, 1, {"rows": 1})
    assert "written by attempt 2" in _messages(ctx, execution_id)
    with pytest.raises(StaleAttempt), ctx.db.session() as s:
        ExecutionStore(s).progress(execution_id, 2, rows_read=5)
    with pytest.raises(ValueError, match="takes the attempt"), ctx.db.session() as s:
        ExecutionStore(s).finish(execution_id, "failed")


def test_a_requeue_by_shutdown_does_not_count_the_attempt(runs: RunSetup) -> None:
    ctx = runs.ctx
    execution_id = _queue_rows(runs)
    for _ in range(3):  # three rolling restarts in a row
        claimed = _claim(ctx, "w1")
        assert claimed == Claim(execution_id, 1)
        with ctx.db.session() as s:
            ExecutionStore(s).requeue(execution_id, claimed.attempt, "worker w1 shut down")
        row = _row(ctx, execution_id)
        assert (row.status, row.attempts, row.worker_id) == ("queued", 0, None)
    assert (
        _messages(ctx, execution_id).count("worker w1 shut down; queued again (attempt 1 not counted)") == 3
    )
    assert Worker(ctx).run_once()
    row = _row(ctx, execution_id)
    assert (row.status, row.attempts, row.rows_written) == ("succeeded", 1, 1)


def _start_child(ctx: Context, claimed: Claim, parent: int | None = None) -> subprocess.Popen[bytes]:
    child = subprocess.Popen(  # noqa: S603 - our own interpreter
        [
            sys.executable,
            "-m",
            "modelport.batch.child",
            str(claimed.id),
            str(claimed.attempt),
            str(ctx.settings.execution_memory_mb),
            str(parent or os.getpid()),
        ],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdin is not None
    child.stdin.write(settings_json(ctx.settings).encode())
    child.stdin.close()
    return child


@pytest.mark.slow
def test_a_child_that_lost_its_run_stops_and_publishes_nothing(runs: RunSetup, tmp_path: Path) -> None:
    ctx = runs.ctx
    ctx.settings.batch_chunk_rows = 1000
    execution_id = _queue_file(runs, tmp_path, 300_000)
    stored_before = set(ctx.artifacts.list_shas())
    first = _claim(ctx, "w1")
    child = _start_child(ctx, first)
    try:
        wait_for(lambda: _row(ctx, execution_id).rows_read > 0, 60, "the child to score its first rows")
        assert list(ctx.tmp_dir.glob(f"execution-{execution_id}-a1-*")), "its results folder"
        second = _take_over(ctx, execution_id, "w2")  # the lease expired: another worker has the run now
        assert child.wait(60) == EXIT_STALE, child.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
    finally:
        child.kill()
        child.wait()
        child.stderr.close()  # type: ignore[union-attr]
    row = _row(ctx, execution_id)
    assert (row.status, row.attempts, row.worker_id) == ("running", second.attempt, "w2")
    assert (row.rows_read, row.output_ref) == (0, {})  # nothing of attempt 1 after the take-over
    assert set(ctx.artifacts.list_shas()) == stored_before  # no results published
    assert not list(ctx.tmp_dir.glob(f"execution-{execution_id}-*"))  # partial output discarded
    assert not any("scored" in m for m in _messages(ctx, execution_id))


def test_a_child_whose_worker_is_gone_exits_at_once(runs: RunSetup) -> None:
    """The race PR_SET_PDEATHSIG alone leaves open: the worker died before the child asked for it."""
    execution_id = _queue_rows(runs)
    claimed = _claim(runs.ctx, "w1")
    started = time.monotonic()
    not_my_parent = os.getppid()  # a live process that is not the child's parent
    child = _start_child(runs.ctx, claimed, parent=not_my_parent)
    assert child.wait(30) == EXIT_ORPHAN
    child.stderr.close()  # type: ignore[union-attr]
    assert time.monotonic() - started < 10
    row = _row(runs.ctx, execution_id)
    assert (row.status, row.attempts, row.rows_read) == ("running", 1, 0)
    assert not any("running churn-fr" in m for m in _messages(runs.ctx, execution_id))


@pytest.mark.slow
def test_a_child_dies_with_its_worker_from_its_first_instruction(runs: RunSetup, tmp_path: Path) -> None:
    """kill -9 of the worker at once when its child appears (before the child's imports), 0.3 s and
    1 s later: the child never outlives its worker, and the run is executed once, by the last attempt."""
    ctx = runs.ctx
    ctx.settings.worker_lease_seconds = 3
    ctx.settings.execution_max_retries = 5
    ctx.settings.batch_chunk_rows = 2000
    execution_id = _queue_file(runs, tmp_path, 100_000)
    for attempt, delay in enumerate((0.0, 0.3, 1.0), start=1):
        worker = start_worker(ctx, tmp_path / "worker.log")
        try:
            found: dict[int, int] = {}

            def child_started(worker_pid: int = worker.pid, into: dict[int, int] = found) -> bool:
                into.update(children(worker_pid))
                return bool(into)

            wait_for(child_started, 60, f"the worker to start a child (attempt {attempt})", every=0.005)
            time.sleep(delay)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        [(pid, of)] = found.items()
        assert of == execution_id
        wait_for(lambda pid=pid: not alive(pid), 5, f"the child of attempt {attempt} to die with its worker")
        assert _row(ctx, execution_id).attempts == attempt
        _lease_expires(ctx, execution_id)
        time.sleep(0.5)
        assert not alive(pid)
    assert Worker(ctx, worker_id="last").run_once()
    row = _row(ctx, execution_id)
    assert (row.status, row.attempts, row.rows_written) == ("succeeded", 4, 100_000)
    messages = _messages(ctx, execution_id)
    assert sum("scored" in m for m in messages) == 1  # one publication
    assert not list(ctx.tmp_dir.glob("execution-*"))  # the killed attempts' folders were swept
