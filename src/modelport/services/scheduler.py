"""The scheduler: turns cron schedules into executions, exactly once per due time.

Several schedulers may run (one per API replica): each due time becomes an execution row whose
``(deployment_id, scheduled_for)`` is unique, so the second scheduler's insert fails and is ignored.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from modelport.context import Context
from modelport.db.tables import utcnow
from modelport.errors import Conflict, ModelportError
from modelport.services.deployments import next_run_utc
from modelport.services.executions import ExecutionService
from modelport.stores.deployments import DeploymentStore

log = logging.getLogger("modelport.scheduler")


class Scheduler:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - keep scheduling after a database hiccup
                log.exception("scheduler tick failed")
            self._stop.wait(self.ctx.settings.scheduler_poll_seconds)

    def tick(self, now: datetime | None = None) -> list[int]:
        """Queue an execution for every due schedule; returns the ids this scheduler created."""
        now = now or utcnow()
        with self.ctx.db.session() as s:
            due = [(d.id, d.name, d.next_run_at) for d in DeploymentStore(s).due(now)]
        created: list[int] = []
        for dep_id, name, due_at in due:
            assert due_at is not None
            try:
                execution = ExecutionService(self.ctx).run_configured(str(dep_id), None, "schedule", due_at)
                created.append(execution.id)
                log.info("scheduled run %s of %s for %s", execution.id, name, due_at.isoformat())
            except Conflict:
                pass  # another scheduler queued this due time first
            except ModelportError as exc:
                log.warning("cannot run %s on schedule: %s", name, exc.message)
            with self.ctx.db.session() as s:
                row = DeploymentStore(s).row(dep_id, None)
                if row.next_run_at == due_at and row.cron:
                    row.next_run_at = next_run_utc(row.cron, row.timezone, max(now, due_at))
        return created
