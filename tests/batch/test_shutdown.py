"""Graceful shutdown and no leaks: on SIGTERM `modelport worker` and `modelport serve` stop claiming,
let a running child finish for the grace period, then queue its run again without counting an attempt;
what killed processes leave in the home is swept at start and after each run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from modelport.batch import cleanup
from modelport.batch.cleanup import owned_prefix, sweep
from modelport.batch.worker import Worker
from modelport.context import Context
from modelport.db.tables import ExecutionRow
from modelport.stores.executions import ExecutionStore
from tests.batch.processes import alive, children, start_worker, wait_for, worker_env
from tests.factories import training_frame
from tests.runs import RunSetup

ROW = {"tenure_months": 3, "monthly_spend": 40.5, "support_calls": 6}


def _big_csv(folder: Path, rows: int) -> Path:
    x, _ = training_frame(rows=rows)
    path = folder / f"big-{rows}.csv"
    x.to_csv(path, index=False)
    return path


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


def _scoring(ctx: Context, execution_id: int) -> bool:
    row = _row(ctx, execution_id)
    return row.status == "running" and row.rows_read > 0


def _assert_requeued_then_runs_once(ctx: Context, execution_id: int, rows: int, child: int) -> None:
    row = _row(ctx, execution_id)
    assert (row.status, row.attempts, row.worker_id, row.rows_read) == ("queued", 0, None, 0)
    assert row.error is None
    assert not alive(child)
    assert any("shut down; queued again (attempt 1 not counted)" in m for m in _messages(ctx, execution_id))
    assert Worker(ctx, worker_id="next").run_once()
    row = _row(ctx, execution_id)
    assert (row.status, row.attempts, row.rows_written) == ("succeeded", 1, rows)


@pytest.mark.slow
def test_sigterm_requeues_the_running_run_without_counting_an_attempt(runs: RunSetup, tmp_path: Path) -> None:
    ctx = runs.ctx
    ctx.settings.batch_chunk_rows = 500
    big = _big_csv(tmp_path, 300_000)
    queued = runs.client.post(
        "/api/v1/deployments/churn-fr/executions",
        files={"file": (big.name, big.read_bytes())},
        headers=runs.analyst.headers,
    )
    execution_id = queued.json()["id"]
    worker = start_worker(ctx, tmp_path / "worker.log", worker_shutdown_grace_seconds=0.5)
    try:
        wait_for(lambda: _scoring(ctx, execution_id), 90, "the run to be scoring")
        [child] = children(worker.pid)
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
        assert time.monotonic() - started < 15
    finally:
        worker.kill()
        worker.wait()
    _assert_requeued_then_runs_once(ctx, execution_id, 300_000, child)


@pytest.mark.slow
def test_sigterm_lets_the_running_run_finish_within_the_grace_period(runs: RunSetup, tmp_path: Path) -> None:
    ctx = runs.ctx
    queued = runs.client.post(
        "/api/v1/deployments/churn-fr/executions", json={"rows": [ROW]}, headers=runs.analyst.headers
    )
    execution_id = queued.json()["id"]
    worker = start_worker(ctx, tmp_path / "worker.log", worker_shutdown_grace_seconds=120)
    try:
        wait_for(lambda: bool(children(worker.pid)), 60, "the worker to start the run's child", every=0.005)
        worker.send_signal(signal.SIGTERM)  # within the first second of the child
        assert worker.wait(110) == 0
    finally:
        worker.kill()
        worker.wait()
    row = _row(ctx, execution_id)
    assert (row.status, row.attempts, row.rows_written) == ("succeeded", 1, 1)
    assert not any("queued again" in m for m in _messages(ctx, execution_id))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


KILLED_MID_UPLOAD = textwrap.dedent(
    """
    import io, os, signal, sys
    from pathlib import Path
    from starlette.datastructures import UploadFile
    from modelport.api.uploads import spooled
    from modelport.artifacts import ArtifactStore
    from modelport.settings import Settings

    settings = Settings(home=sys.argv[1], artifact_root=sys.argv[2])
    upload = UploadFile(io.BytesIO(b"x" * 3_000_000), filename="big.csv")
    with spooled(upload, Path(sys.argv[1]) / "tmp", 10_000_000, "file") as path:
        def chunks():
            yield path.read_bytes()
            os.kill(os.getpid(), signal.SIGKILL)  # the server dies while storing the upload
            yield b""
        ArtifactStore.from_settings(settings).put_stream(chunks())
    """
)


def _killed_mid_upload(ctx: Context) -> list[Path]:
    """Run what a server does with an upload in a process that is killed while storing it; what it left."""
    (ctx.settings.home / "tmp").mkdir(parents=True, exist_ok=True)
    process = subprocess.run(  # noqa: S603 - our own interpreter
        [
            sys.executable,
            "-c",
            KILLED_MID_UPLOAD,
            str(ctx.settings.home.resolve()),
            ctx.settings.resolved_artifact_root(),
        ],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()[-2000:]
    left = list(ctx.tmp_dir.glob("upload-*")) + list(
        Path(ctx.settings.resolved_artifact_root(), ".tmp").glob("*.part")
    )
    assert len(left) == 2, left
    return left


@pytest.mark.slow
def test_serve_sweeps_at_start_and_requeues_its_embedded_workers_run_on_sigterm(
    runs: RunSetup, tmp_path: Path
) -> None:
    ctx = runs.ctx
    ctx.settings.batch_chunk_rows = 500
    left = _killed_mid_upload(ctx)
    for path in left:  # the spool file has been idle for a while
        os.utime(path, (time.time() - 120, time.time() - 120))
    port = _free_port()
    env = worker_env(
        ctx,
        worker_enabled=True,
        worker_shutdown_grace_seconds=0.5,
        worker_poll_seconds=0.2,
        scheduler_enabled=False,
        notify_sender_enabled=False,
        port=port,
        host="127.0.0.1",
    )
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "modelport.cli.main", "serve", "--no-migrate"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
                return False

        wait_for(up, 90, "the server to answer", every=0.2)
        assert not any(path.exists() for path in left)  # swept at start
        big = _big_csv(tmp_path, 300_000)
        with big.open("rb") as f:
            queued = httpx.post(
                f"{base}/api/v1/deployments/churn-fr/executions",
                files={"file": (big.name, f)},
                headers=runs.analyst.headers,
                timeout=120,
            )
        assert queued.status_code == 202, queued.text
        execution_id = queued.json()["id"]
        wait_for(lambda: _scoring(ctx, execution_id), 90, "the embedded worker to be scoring")
        [child] = children(server.pid)
        server.send_signal(signal.SIGTERM)
        # uvicorn, once shut down, ends by the signal it caught
        assert server.wait(60) in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in (tmp_path / "serve.log").read_text()
    finally:
        server.kill()
        server.wait()
        log.close()
    _assert_requeued_then_runs_once(ctx, execution_id, 300_000, child)
    assert not list(ctx.tmp_dir.glob("upload-*"))


def test_sweep_removes_only_what_no_live_process_owns(sqlite_ctx: Context) -> None:
    ctx = sqlite_ctx
    tmp, host = ctx.tmp_dir, cleanup._HOST
    dead_pid = _ended_pid()
    newer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # noqa: S603
    spool_dir = Path(ctx.settings.resolved_artifact_root()) / ".tmp"
    spool_dir.mkdir(parents=True, exist_ok=True)
    hour, now = 3600.0, time.time()

    def make(path: Path, age: float = 0.0, size: int = 100) -> Path:
        if path.suffix == ".part":
            path.write_bytes(b"x" * size)
        else:
            path.mkdir()
            (path / "data").write_bytes(b"x" * size)
        os.utime(path, (now - age, now - age))
        return path

    try:
        removed = {
            make(tmp / f"upload-{dead_pid}@{host}@a1"),  # its process ended
            make(tmp / f"execution-7-a2-{dead_pid}@{host}@b2"),
            make(tmp / f"upload-{newer.pid}@{host}@c3", age=hour),  # written before its pid's process began
            make(tmp / f"upload-{dead_pid}@elsewhere@d4", age=7 * hour),  # another host's, old
            make(tmp / "upload-e5legacy", age=7 * hour),  # an older version's name, old
            make(spool_dir / "spool-f6.part", age=60),  # idle, open nowhere
            make(ctx.cache_dir / f".{'0' * 64}.g7.part", age=60),
        }
        kept = {
            make(tmp / f"{owned_prefix('upload')}h8"),  # this process's
            make(tmp / f"{owned_prefix('execution-9-a1')}i9"),
            make(tmp / f"upload-{dead_pid}@elsewhere@j10"),  # another host's, young
            make(tmp / "tmpk11"),  # unnamed, young
            make(spool_dir / "spool-l12.part"),  # just written
        }
        open_part = make(spool_dir / "spool-m13.part", age=60)
        kept.add(open_part)
        with open_part.open("rb"):  # being written by a live process
            swept = sweep(ctx)
            assert set(swept.paths) == removed
            assert swept.bytes == 100 * len(removed)
            assert all(path.exists() for path in kept)
            assert sweep(ctx).paths == []
        assert sweep(ctx).paths == [open_part]  # closed and idle: its writer is gone
    finally:
        newer.kill()
        newer.wait()


def _ended_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    process.wait()
    return process.pid
