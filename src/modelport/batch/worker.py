"""The worker: claims queued executions and runs each in a child process with time and memory limits.

It sends a heartbeat while a child runs; an execution whose worker died (``kill -9``) is noticed when
its lease expires (by any worker) and is queued again or failed, per ``execution_max_retries``.

A run is never executed twice at once: the child dies with the thread that started it
(:mod:`modelport.batch.child`), and every write about an execution names the attempt that holds it,
so a stale attempt can record nothing (:class:`~modelport.stores.executions.StaleAttempt`).

:meth:`Worker.stop` (SIGTERM to ``modelport worker``, or ``modelport serve`` shutting down) stops
claiming, gives a running child ``worker_shutdown_grace_seconds`` to finish, then kills it and queues
its run again without counting the attempt: a rolling restart loses no run.
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
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from modelport.batch.child import EXIT_STALE
from modelport.batch.cleanup import sweep
from modelport.context import Context
from modelport.monitoring import EXECUTIONS_FINISHED
from modelport.settings import Settings
from modelport.stores.executions import Claim, ExecutionStore, StaleAttempt

log = logging.getLogger("modelport.worker")

POLL_SECONDS = 0.2
"""How often a worker thread looks at its child (exit, cancellation, time limit, shutdown)."""


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

    def __init__(
        self,
        ctx: Context,
        worker_id: str | None = None,
        concurrency: int | None = None,
        on_failed: Callable[[int], object] | None = None,
    ) -> None:
        """``on_failed(execution_id)`` is called once an execution this worker ran or recovered is
        failed (the notifications, from the layer that starts the worker); it must not raise."""
        self.ctx = ctx
        self.on_failed = on_failed
        self.id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.concurrency = concurrency or ctx.settings.worker_concurrency
        self._stop = threading.Event()  # stop claiming
        self._grace_over = threading.Event()  # stop the running children and queue their runs again
        self._threads: list[threading.Thread] = []

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Remove what killed runs and uploads left in the home, then start the threads."""
        self.sweep()
        for n in range(self.concurrency):
            thread = threading.Thread(target=self._loop, name=f"worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("worker %s started (%d slot(s))", self.id, self.concurrency)

    def stop(self, grace: float | None = None) -> None:
        """Stop claiming; let the running children finish for up to ``grace`` seconds (default
        ``worker_shutdown_grace_seconds``), then kill them and queue their runs again without counting
        the attempt. Returns when every thread has ended."""
        if grace is None:
            grace = self.ctx.settings.worker_shutdown_grace_seconds
        self._stop.set()
        deadline = time.monotonic() + grace
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._grace_over.set()
        for thread in self._threads:
            thread.join(60)
        self._threads.clear()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def sweep(self) -> None:
        try:
            sweep(self.ctx)
        except Exception:  # noqa: BLE001 - a cleanup never stops the worker
            log.exception("cleaning temporary files failed")

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
            if status == "failed" and self.on_failed is not None:
                self.on_failed(execution_id)
        return outcome

    def claim_next(self) -> Claim | None:
        """Claim the oldest queued execution (a new attempt); None when the queue is empty."""
        with self.ctx.db.session() as s:
            return ExecutionStore(s).claim(self.id)

    def claim(self) -> int | None:
        """Claim the oldest queued execution; its id, or None when the queue is empty."""
        claimed = self.claim_next()
        return claimed.id if claimed is not None else None

    def run_once(self) -> bool:
        """Claim one queued execution and run it to its end; False when the queue was empty."""
        if self._stop.is_set():
            return False
        claimed = self.claim_next()
        if claimed is None:
            return False
        status = self.run(claimed)
        self.sweep()  # what the run's process left if it was killed
        if status in ("succeeded", "failed", "cancelled"):
            EXECUTIONS_FINISHED.labels(status, "any").inc()
        if status == "failed" and self.on_failed is not None:  # failed by the child or by this worker
            self.on_failed(claimed.id)
        return True

    def run(self, claimed: Claim) -> str:
        """Run a claimed execution's attempt in a child process and enforce its limits. Returns its
        status afterwards (``queued`` when this worker's shutdown put it back in the queue)."""
        st = self.ctx.settings
        execution_id, attempt = claimed.id, claimed.attempt
        beat = max(1.0, st.worker_lease_seconds / 3)
        stopped: str | None = None  # why this thread stopped the child: cancelled, timeout, lost, shutdown
        limit = self.time_limit(execution_id)
        with tempfile.TemporaryFile() as stderr:
            # The child dies with this thread (PR_SET_PDEATHSIG): this thread waits for it in every case.
            child = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
                [
                    sys.executable,
                    "-m",
                    "modelport.batch.child",
                    str(execution_id),
                    str(attempt),
                    str(st.execution_memory_mb),
                    str(os.getpid()),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
            try:
                assert child.stdin is not None
                try:
                    child.stdin.write(settings_json(st).encode())
                    child.stdin.close()
                except BrokenPipeError:
                    pass  # the child ended already: its exit code tells
                deadline = time.monotonic() + limit
                next_beat = time.monotonic() + beat
                while stopped is None:
                    try:
                        child.wait(POLL_SECONDS)
                        break
                    except subprocess.TimeoutExpired:
                        pass
                    if self._grace_over.is_set():
                        stopped = "shutdown"
                    elif time.monotonic() > deadline:
                        stopped = "timeout"
                    elif time.monotonic() >= next_beat:
                        next_beat = time.monotonic() + beat
                        stopped = self._beat(claimed)
            finally:
                if child.poll() is None:
                    child.kill()
                code = child.wait()
            stderr.seek(0)
            tail = stderr.read()[-2000:].decode(errors="replace").strip()
        return self._settle(claimed, stopped, code, tail, limit)

    def time_limit(self, execution_id: int) -> int:
        """Seconds the execution may run: its own limit when it names one (a training: its budget plus
        slack), else ``execution_timeout_seconds``."""
        with self.ctx.db.session() as s:
            own = ExecutionStore(s).get(execution_id).input.get("time_limit_s")
        if isinstance(own, int | float) and own > 0:
            return int(own)
        return self.ctx.settings.execution_timeout_seconds

    def _beat(self, claimed: Claim) -> str | None:
        """Renew the lease; why the child must stop (``lost``, ``cancelled``) or None."""
        try:
            with self.ctx.db.session() as s:
                store = ExecutionStore(s)
                store.heartbeat(claimed.id, self.id, claimed.attempt)
                return "cancelled" if store.cancel_requested(claimed.id) else None
        except StaleAttempt:  # finished by its child a moment ago, or taken over after a lost lease
            log.info("execution %s: attempt %s no longer holds it", claimed.id, claimed.attempt)
            return "lost"
        except Exception:  # noqa: BLE001 - a database hiccup: the next beat tries again (the lease allows it)
            log.exception("heartbeat of execution %s failed", claimed.id)
            return None

    def _settle(self, claimed: Claim, stopped: str | None, code: int, tail: str, limit: int) -> str:
        """Record what the child could not: a cancellation, the time limit, a crash, this worker's
        shutdown. Every write is fenced by the attempt; returns the execution's status."""
        execution_id, attempt = claimed.id, claimed.attempt
        try:
            with self.ctx.db.session() as s:
                store = ExecutionStore(s)
                execution = store.get(execution_id)
                ours = execution.status == "running" and execution.attempts == attempt
                if not ours or stopped == "lost" or code == EXIT_STALE:
                    return execution.status
                if stopped == "cancelled":
                    store.log(execution_id, "stopped: cancelled", attempt=attempt)
                    store.finish(execution_id, "cancelled", attempt=attempt, error="cancelled while running")
                    return "cancelled"
                if stopped == "shutdown" or (self._stop.is_set() and code < 0):
                    # Stopped by this worker's shutdown (or killed with it, by signal): not the run's fault.
                    store.requeue(execution_id, attempt, f"worker {self.id} shut down")
                    return "queued"
                if stopped == "timeout":
                    message = f"time limit of {limit} s exceeded"
                else:
                    reason = "out of memory or killed" if code < 0 or code == 137 else f"exit code {code}"
                    detail = f": {tail.splitlines()[-1]}" if tail else ""
                    message = f"the run's process ended unexpectedly ({reason}){detail}"
                store.log(execution_id, message, "error", attempt=attempt)
                store.finish(execution_id, "failed", attempt=attempt, error=message)
                return "failed"
        except StaleAttempt:
            with self.ctx.db.session() as s:
                return ExecutionStore(s).get(execution_id).status
