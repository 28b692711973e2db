"""The scheduler: turns cron schedules into executions, exactly once per due time.

Several schedulers may run (one per API replica): each due time becomes an execution row whose
``(deployment_id, scheduled_for)`` is unique, so the second scheduler's insert fails and is ignored.
A due time that cannot run (its input or model gone, its connection unknown or down...) becomes a
``failed`` execution with the reason, under the same rule, so it too is recorded, counted
(``modelport_schedule_failures_total``) and notified exactly once; the schedule goes on.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from modelport.clock import utcnow
from modelport.context import Context
from modelport.errors import Conflict, NotFound
from modelport.monitoring import EXECUTIONS_FINISHED, SCHEDULE_FAILURES
from modelport.services.deployments import next_run_utc
from modelport.services.executions import ExecutionService
from modelport.services.notifications import schedule_skipped
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
        """Queue an execution for every due schedule (a failed one for a due time that cannot run);
        returns the ids this scheduler created."""
        now = now or utcnow()
        with self.ctx.db.session() as s:
            due = [(d.deployment_id, d.name, d.due_at) for d in DeploymentStore(s).due(now)]
        created: list[int] = []
        for dep_id, name, due_at in due:
            try:
                execution = ExecutionService(self.ctx).run_scheduled(dep_id, due_at)
            except Conflict:
                pass  # another scheduler recorded this due time first
            except NotFound:
                continue  # the deployment was deleted meanwhile (with its model, say)
            else:
                created.append(execution.id)
                if execution.status == "failed":
                    reason = execution.error or "it could not start"
                    log.warning("scheduled run of %s due at %s failed: %s", name, due_at.isoformat(), reason)
                    SCHEDULE_FAILURES.labels(name).inc()
                    EXECUTIONS_FINISHED.labels("failed", "any").inc()
                    schedule_skipped(self.ctx, dep_id, due_at, reason, execution.id)
                else:
                    log.info("scheduled run %s of %s for %s", execution.id, name, due_at.isoformat())
            with self.ctx.db.session() as s:
                store = DeploymentStore(s)
                try:
                    schedule = store.get(dep_id, None).schedule
                    if schedule is not None:  # else its schedule was removed meanwhile
                        following = next_run_utc(schedule.cron, schedule.timezone, max(now, due_at))
                        store.set_next_run(dep_id, following, if_due_at=due_at)
                except NotFound:
                    continue
        return created
