"""The worker: claims queued executions and runs each in a child process with time and memory limits.

It sends a heartbeat while a child runs; an execution whose worker died (``kill -9``) is noticed when
its lease expires (by any worker) and is queued again or failed, per ``execution_max_retries``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

from modelport.context import Context
from modelport.monitoring import EXECUTIONS_FINISHED
from modelport.settings import Settings
from modelport.stores.executions import ExecutionStore

log = logging.getLogger("modelport.worker")


def settings_json(settings: Settings) -> str:
    """The settings as JSON with secrets revealed, for the child process's standard input."""
    data: dict[str, Any] = settings.model_dump(mode="json")
    for name, value in settings:
        if hasattr(value, "get_secret_value"):
            data[name] = value.get_secret_value()
    data["home"] = str(settings.home.resolve())
    return json.dumps(data)


class Worker:
    """``concurrency`` threads, each claiming and running one execution at a time."""

    def __init__(self, ctx: Context, worker_id: str | None = None, concurrency: int | None = None) -> None:
        self.ctx = ctx
        self.id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.concurrency = concurrency or ctx.settings.worker_concurrency
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._children: set[subprocess.Popen[bytes]] = set()

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        for n in range(self.concurrency):
            thread = threading.Thread(target=self._loop, name=f"worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("worker %s started (%d slot(s))", self.id, self.concurrency)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for child in list(self._children):
            child.kill()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def _loop(self) -> None:
        poll = self.ctx.settings.worker_poll_seconds
        while not self._stop.is_set():
            try:
                self.recover()
                if not self.run_once():
                    self._stop.wait(poll)
            except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                log.exception("worker loop error")
                self._stop.wait(poll)

    # --- one execution ---------------------------------------------------------------------------

    def recover(self) -> list[tuple[int, str]]:
        """Requeue or fail executions whose worker stopped sending heartbeats."""
        st = self.ctx.settings
        with self.ctx.db.session() as s:
            outcome = ExecutionStore(s).recover_lost(
                timedelta(seconds=st.worker_lease_seconds), st.execution_max_retries
            )
        for execution_id, status in outcome:
            log.warning("execution %s of a lost worker: %s", execution_id, status)
        return outcome

    def claim(self) -> int | None:
        with self.ctx.db.session() as s:
            return ExecutionStore(s).claim(self.id)

    def run_once(self) -> bool:
        """Claim one queued execution and run it to its end; False when the queue was empty."""
        execution_id = self.claim()
        if execution_id is None:
            return False
        status = self.run(execution_id)
        EXECUTIONS_FINISHED.labels(status, "any").inc()
        return True

    def run(self, execution_id: int) -> str:
        """Run a claimed execution in a child process and enforce its limits; returns the final status."""
        st = self.ctx.settings
        beat = max(1.0, st.worker_lease_seconds / 3)
        with tempfile.TemporaryFile() as stderr:
            child = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
                [
                    sys.executable,
                    "-m",
                    "modelport.batch.child",
                    str(execution_id),
                    str(st.execution_memory_mb),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
            self._children.add(child)
            try:
                assert child.stdin is not None
                child.stdin.write(settings_json(st).encode())
                child.stdin.close()
                deadline = time.monotonic() + st.execution_timeout_seconds
                next_beat = time.monotonic() + beat
                while child.poll() is None:
                    time.sleep(0.2)
                    if time.monotonic() >= next_beat:
                        next_beat = time.monotonic() + beat
                        with self.ctx.db.session() as s:
                            store = ExecutionStore(s)
                            if not store.heartbeat(execution_id, self.id):
                                child.kill()  # no longer ours (recovered elsewhere, or finished)
                            elif store.cancel_requested(execution_id):
                                child.kill()
                                child.wait()
                                store.finish(execution_id, "cancelled", error="cancelled while running")
                                store.log(execution_id, "stopped: cancelled")
                    if time.monotonic() > deadline:
                        child.kill()
                        child.wait()
                        self._fail(execution_id, f"time limit of {st.execution_timeout_seconds} s exceeded")
                code = child.wait()
            finally:
                self._children.discard(child)
            stderr.seek(0)
            tail = stderr.read()[-2000:].decode(errors="replace").strip()
        with self.ctx.db.session() as s:
            status = ExecutionStore(s).row(execution_id).status
        if status == "running":
            reason = "out of memory or killed" if code < 0 or code == 137 else f"exit code {code}"
            detail = f": {tail.splitlines()[-1]}" if tail else ""
            self._fail(execution_id, f"the run's process ended unexpectedly ({reason}){detail}")
            status = "failed"
        return status

    def _fail(self, execution_id: int, message: str) -> None:
        with self.ctx.db.session() as s:
            store = ExecutionStore(s)
            if store.finish(execution_id, "failed", error=message):
                store.log(execution_id, message, "error")
