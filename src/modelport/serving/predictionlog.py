"""The sampled log of online predictions, written by one background thread, many rows per transaction.

Written request by request (a session, an insert and a commit each, in a thread of the server's pool),
the log cost a logged request about 2.5 ms of CPU in the server: at the default 10 % sampling, a
quarter of a millisecond per prediction on average, as much as the rest of the request's overhead. Here
the rows of the requests logged within ``linger`` seconds of each other share one transaction, and the
server's threads are not involved.

:meth:`PredictionLogWriter.write` returns when the row is committed (or failed to be: a warning is
logged, the prediction was answered anyway), so whoever awaits it - the route's background task, which
runs after the answer is sent - sees the row in the store afterwards.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import pandas

from modelport.context import Context
from modelport.db.engine import Database
from modelport.stores.executions import ExecutionStore

log = logging.getLogger("modelport.predictions")

LOGGED_ROWS = 100
"""At most this many rows of a request are logged (inputs and outputs)."""


@dataclass
class PredictionLogEntry:
    """One sampled request, as it will be logged (inputs are turned into JSON by the writer)."""

    deployment_id: int
    version: int
    request_id: str
    inputs: pandas.DataFrame
    outputs: list[Any]
    latency_ms: float

    def write(self, store: ExecutionStore) -> None:
        inputs = json.loads(self.inputs.head(LOGGED_ROWS).to_json(orient="records", date_format="iso"))
        store.log_prediction(
            self.deployment_id,
            self.version,
            self.request_id,
            inputs,
            self.outputs[:LOGGED_ROWS],
            self.latency_ms,
        )


_Waiter = tuple[PredictionLogEntry, asyncio.AbstractEventLoop, "asyncio.Future[None]"]


class PredictionLogWriter:
    """Writes :class:`PredictionLogEntry` rows of one metadata store from a background thread.

    The thread starts with the first entry and stops after ``idle`` seconds without any.
    """

    def __init__(self, db: Database, linger: float = 0.01, max_batch: int = 200, idle: float = 60.0) -> None:
        self.db = db
        self.linger = linger
        self.max_batch = max_batch
        self.idle = idle
        self._queue: queue.SimpleQueue[_Waiter] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0
        """Transactions written so far."""

    async def write(self, entry: PredictionLogEntry) -> None:
        """Log ``entry``; returns once it is committed (a failure is logged, not raised)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue.put((entry, loop, done))
        self._ensure_thread()
        await done

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="modelport-prediction-log", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.idle)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            batch = [first]
            deadline = time.monotonic() + self.linger
            while len(batch) < self.max_batch:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    batch.append(self._queue.get(timeout=left))
                except queue.Empty:
                    break
            self._flush(batch)

    def _flush(self, batch: list[_Waiter]) -> None:
        try:
            with self.db.session() as s:
                store = ExecutionStore(s)
                for entry, _loop, _done in batch:
                    entry.write(store)
            self.batches += 1
        except Exception as exc:  # the predictions were answered: losing their log is not worth more
            log.warning("could not write %d prediction log rows: %s", len(batch), exc)
        for _entry, loop, done in batch:
            try:
                loop.call_soon_threadsafe(_finish, done)
            except RuntimeError:  # that loop is closed: nobody waits any more
                pass


def _finish(done: asyncio.Future[None]) -> None:
    if not done.done():
        done.set_result(None)


def writer_of(ctx: Context) -> PredictionLogWriter:
    """The prediction log writer of ``ctx``'s metadata store (one per process), owned by ``ctx``."""
    return ctx.owned("prediction log", lambda: PredictionLogWriter(ctx.db))
