"""Execution store: the queue of runs, their progress, logs, and the recovery of lost ones.

An execution is a run of a deployment (``kind`` score), the profile of a dataset version (profile) or
a training (train). A score run is seen by whoever may see its deployment's model; a profile or a
training by whoever may see its dataset.

Status moves only along ``TRANSITIONS``; every status write checks the current status in its WHERE
clause, so two processes can never both move the same execution.

**Fencing.** Each claim starts an *attempt* (``attempts`` + 1, returned in a :class:`Claim`). Every write
a worker or its child process makes about a running execution (heartbeat, progress, logs, results, final
state) names its attempt and is refused with :class:`StaleAttempt` unless the row is still ``running``
that very attempt (``WHERE id = :id AND attempts = :attempt AND status = 'running'``). So an attempt
that lost the execution (its worker's lease expired and another worker took it, or it was cancelled or
finished) can change nothing: its process stops at its next write and its partial output is discarded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from modelport.db.tables import (
    DatasetRow,
    DatasetVersionRow,
    DeploymentRow,
    ExecutionLogRow,
    ExecutionRow,
    ModelRow,
    PredictionLogRow,
    TrainingRow,
    utcnow,
)
from modelport.errors import Conflict, NotFound
from modelport.principal import Principal
from modelport.schemas import Execution, ExecutionLog, Page
from modelport.stores.catalog import visible_to
from modelport.stores.datasets import dataset_visible_to

JOB_KINDS = frozenset({"profile", "train"})
"""Kinds of executions that read a dataset version instead of running a deployment."""

TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"running", "cancelled"}),
    "running": frozenset(
        {"succeeded", "failed", "cancelled", "queued"}
    ),  # queued again: lost worker, retried
    "succeeded": frozenset(),
    "failed": frozenset(),
    "cancelled": frozenset(),
}


class StaleAttempt(Exception):
    """A write by an attempt that no longer holds its execution (re-queued, taken by a later attempt,
    cancelled or finished): refused, nothing written. The writer must stop and discard its output."""

    def __init__(self, execution_id: int, attempt: int) -> None:
        super().__init__(f"execution {execution_id}: attempt {attempt} no longer holds it")
        self.execution_id, self.attempt = execution_id, attempt


@dataclass(frozen=True)
class Claim:
    """A claimed execution and the attempt that holds it (the fence of every later write)."""

    id: int
    attempt: int


class ExecutionStore:
    """Persistence of executions: returns :class:`Execution` objects, never rows. Methods flush or
    execute in the caller's transaction; the caller commits."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- create and read -------------------------------------------------------------------------

    def create(self, deployment_id: int, *, status: str = "queued", **fields: Any) -> int:
        """Queue an execution of deployment ``deployment_id``; returns its id. Raises NotFound if the
        deployment is gone; for a schedule, Conflict if that due time exists.

        ``status="failed"`` (with ``error``) records a scheduled due time that could not even be queued
        (the one move from nothing to a final status): the same unique due time makes it exactly once.
        """
        if status not in ("queued", "failed"):
            raise ValueError(f"an execution starts queued, or failed when it cannot run, not {status}")
        if status == "failed":
            fields.setdefault("finished_at", utcnow())
        deployment = self.s.get(DeploymentRow, deployment_id)
        if deployment is None:
            raise NotFound(f"no deployment {deployment_id}")
        row = ExecutionRow(deployment_id=deployment.id, engine=deployment.engine, status=status, **fields)
        try:
            with self.s.begin_nested():
                self.s.add(row)
                self.s.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"deployment {deployment.name!r} already has a run due at {fields.get('scheduled_for')}"
            ) from exc
        return row.id

    def create_job(
        self, kind: str, dataset_version_id: int, *, triggered_by: str, input_ref: dict[str, Any]
    ) -> int:
        """Queue a ``profile`` or ``train`` execution that reads dataset version ``dataset_version_id``;
        returns its id. Raises ValueError for another kind, NotFound if the version is gone."""
        if kind not in JOB_KINDS:
            raise ValueError(f"an execution of kind {kind!r} runs a deployment: use create()")
        if self.s.get(DatasetVersionRow, dataset_version_id) is None:
            raise NotFound(f"no dataset version {dataset_version_id}", field="dataset")
        row = ExecutionRow(
            kind=kind,
            dataset_version_id=dataset_version_id,
            trigger="api",
            triggered_by=triggered_by,
            engine="local",
            status="queued",
            input_ref=input_ref,
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    @staticmethod
    def _joined(stmt: Select[ExecutionRow]) -> Select[ExecutionRow]:
        """``stmt`` (on executions) with the deployment and model of a score run and the dataset of a
        profile or training, each joined when there is one."""
        return (
            stmt.outerjoin(DeploymentRow, DeploymentRow.id == ExecutionRow.deployment_id)
            .outerjoin(ModelRow, ModelRow.id == DeploymentRow.model_id)
            .outerjoin(DatasetVersionRow, DatasetVersionRow.id == ExecutionRow.dataset_version_id)
            .outerjoin(DatasetRow, DatasetRow.id == DatasetVersionRow.dataset_id)
        )

    @staticmethod
    def _visible(principal: Principal) -> ColumnElement[bool]:
        return or_(
            and_(ExecutionRow.deployment_id.is_not(None), visible_to(principal)),
            and_(ExecutionRow.dataset_version_id.is_not(None), dataset_visible_to(principal)),
        )

    def _row(self, execution_id: int, principal: Principal | None = None) -> ExecutionRow:
        stmt = self._joined(select(ExecutionRow)).where(ExecutionRow.id == execution_id)
        if principal is not None:
            stmt = stmt.where(self._visible(principal))
        row = self.s.scalar(stmt)
        if row is None:
            raise NotFound(f"no execution {execution_id}")
        return row

    def get(self, execution_id: int, principal: Principal | None = None) -> Execution:
        """Returns the execution ``execution_id``; raises NotFound if there is none or ``principal``
        may not see its model or dataset (None: the system sees every one)."""
        return self._to_domain([self._row(execution_id, principal)])[0]

    def list_executions(
        self,
        principal: Principal,
        page: int,
        page_size: int,
        *,
        deployment: str | None = None,
        model: str | None = None,
        status: str | None = None,
        trigger: str | None = None,
        since: datetime | None = None,
        kind: str | None = "score",
        dataset: str | None = None,
    ) -> Page[Execution]:
        """Returns one page of the executions ``principal`` may see, newest first, filtered by the
        arguments given (``deployment``: an id or a name; ``kind`` None: every kind, by default the
        runs of deployments only; ``dataset``: a dataset's name). Raises nothing."""
        stmt = self._joined(select(ExecutionRow)).where(self._visible(principal))
        if kind:
            stmt = stmt.where(ExecutionRow.kind == kind)
        if dataset:
            stmt = stmt.where(DatasetRow.name == dataset)
        if deployment:
            key = (
                DeploymentRow.id == int(deployment)
                if deployment.isdigit() and len(deployment) <= 9
                else DeploymentRow.name == deployment
            )
            stmt = stmt.where(key)
        if model:
            stmt = stmt.where(ModelRow.name == model)
        if status:
            stmt = stmt.where(ExecutionRow.status == status)
        if trigger:
            stmt = stmt.where(ExecutionRow.trigger == trigger)
        if since:
            stmt = stmt.where(ExecutionRow.created_at >= since)
        total = self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.s.scalars(
            stmt.order_by(ExecutionRow.id.desc()).offset((page - 1) * page_size).limit(page_size)
        )
        return Page(items=self._to_domain(list(rows)), total=total, page=page, page_size=page_size)

    def counts_by_status(self) -> dict[str, int]:
        """Returns the number of executions per status (statuses with none left out). Raises nothing."""
        rows = self.s.execute(
            select(ExecutionRow.status, func.count()).group_by(ExecutionRow.status)
        ).tuples()
        return dict(rows.all())

    # --- the queue -------------------------------------------------------------------------------

    def claim(self, worker_id: str) -> Claim | None:
        """Atomically take the oldest queued execution for ``worker_id``: it becomes ``running`` with a
        new attempt (``attempts`` + 1). Returns the :class:`Claim`, or None when the queue is empty;
        raises nothing.

        PostgreSQL: ``FOR UPDATE SKIP LOCKED`` lets many workers claim different rows at once;
        SQLite: the UPDATE runs under the database's single writer lock.
        """
        oldest = (
            select(ExecutionRow.id).where(ExecutionRow.status == "queued").order_by(ExecutionRow.id).limit(1)
        )
        if self.s.get_bind().dialect.name == "postgresql":
            oldest = oldest.with_for_update(skip_locked=True)
        now = utcnow()
        claimed = self.s.execute(
            update(ExecutionRow)
            .where(ExecutionRow.id == oldest.scalar_subquery(), ExecutionRow.status == "queued")
            .values(
                status="running",
                worker_id=worker_id,
                heartbeat_at=now,
                started_at=now,
                attempts=ExecutionRow.attempts + 1,
            )
            .returning(ExecutionRow.id, ExecutionRow.attempts)
        ).first()
        return Claim(int(claimed[0]), int(claimed[1])) if claimed is not None else None

    def _holds(self, execution_id: int, attempt: int) -> Any:
        """The fence: the execution is ``running`` this attempt."""
        return and_(
            ExecutionRow.id == execution_id,
            ExecutionRow.attempts == attempt,
            ExecutionRow.status == "running",
        )

    def _fenced_update(self, execution_id: int, attempt: int, values: dict[str, Any], *extra: Any) -> None:
        result = self.s.execute(
            update(ExecutionRow).where(self._holds(execution_id, attempt), *extra).values(**values)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise StaleAttempt(execution_id, attempt)

    def check(self, execution_id: int, attempt: int) -> None:
        """Returns None if ``attempt`` holds the execution (the row then stays locked until the
        transaction ends, so no other process moves the execution meanwhile); raises StaleAttempt if not."""
        self._fenced_update(execution_id, attempt, {"attempts": ExecutionRow.attempts})

    def heartbeat(self, execution_id: int, worker_id: str, attempt: int) -> None:
        """Renew the lease of ``attempt``. Returns None; raises StaleAttempt when the execution is no
        longer this worker's running attempt."""
        self._fenced_update(
            execution_id, attempt, {"heartbeat_at": utcnow()}, ExecutionRow.worker_id == worker_id
        )

    def cancel_requested(self, execution_id: int) -> bool:
        """Returns whether a cancellation of the execution was requested (False for an unknown one);
        raises nothing."""
        return bool(
            self.s.scalar(select(ExecutionRow.cancel_requested).where(ExecutionRow.id == execution_id))
        )

    def progress(self, execution_id: int, attempt: int, **values: Any) -> None:
        """Record progress fields (``rows_read``, ``progress``, ``version``...) of ``attempt``. Returns
        None; raises StaleAttempt when the attempt no longer holds the execution."""
        self._fenced_update(execution_id, attempt, values)

    def finish(
        self,
        execution_id: int,
        status: str,
        *,
        attempt: int | None = None,
        expected: str = "running",
        **values: Any,
    ) -> None:
        """Move to a terminal ``status`` from ``expected``. Returns None.

        A running execution is finished by the attempt that holds it: ``attempt`` is required, and
        StaleAttempt is raised when that attempt no longer holds it (nothing is written). From
        ``queued`` (a cancellation before any claim) Conflict is raised when it is no longer queued.
        ValueError for a transition ``TRANSITIONS`` does not allow.
        """
        if status not in TRANSITIONS[expected]:
            raise ValueError(f"{expected} -> {status} is not an allowed transition")
        values = {"status": status, "finished_at": utcnow(), **values}
        if expected == "running":
            if attempt is None:
                raise ValueError("finishing a running execution takes the attempt that holds it")
            self._fenced_update(execution_id, attempt, values)
            return
        result = self.s.execute(
            update(ExecutionRow)
            .where(ExecutionRow.id == execution_id, ExecutionRow.status == expected)
            .values(**values)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise Conflict(f"execution {execution_id} is no longer {expected}")

    def requeue(self, execution_id: int, attempt: int, reason: str) -> None:
        """Put a running execution back in the queue without counting ``attempt`` (its worker is
        shutting down and has stopped the attempt's process). Returns None; raises StaleAttempt when
        the attempt no longer holds it."""
        self._fenced_update(
            execution_id,
            attempt,
            {
                "status": "queued",
                "worker_id": None,
                "attempts": ExecutionRow.attempts - 1,
                "progress": 0.0,
                "rows_read": 0,
                "rows_written": 0,
            },
        )
        self.log(execution_id, f"{reason}; queued again (attempt {attempt} not counted)", "warning")

    def request_cancel(self, execution_id: int) -> str:
        """Cancel a queued execution now, or ask the worker to stop a running one. Returns the new status
        (``cancelled`` or ``running``); raises NotFound for an unknown one, Conflict for a finished one."""
        row = self.s.get(ExecutionRow, execution_id)
        if row is None:
            raise NotFound(f"no execution {execution_id}")
        if row.status == "queued":
            try:
                self.finish(execution_id, "cancelled", expected="queued")
                return "cancelled"
            except Conflict:
                pass  # claimed meanwhile: ask the worker to stop it
        if row.status in ("queued", "running"):
            self.s.execute(
                update(ExecutionRow).where(ExecutionRow.id == execution_id).values(cancel_requested=True)
            )
            return "running"
        raise Conflict(f"execution {execution_id} is already {row.status}")

    def recover_lost(self, lease: timedelta, max_retries: int) -> list[tuple[int, str]]:
        """Requeue (or fail, past ``max_retries``) running executions whose worker stopped its heartbeat
        for ``lease``. Returns (id, new status) of each one moved; raises nothing."""
        cutoff = utcnow() - lease
        lost = list(
            self.s.execute(
                select(ExecutionRow.id, ExecutionRow.attempts, ExecutionRow.worker_id).where(
                    ExecutionRow.status == "running", ExecutionRow.heartbeat_at < cutoff
                )
            ).tuples()
        )
        outcome: list[tuple[int, str]] = []
        for execution_id, attempts, worker in lost:
            reason = f"worker {worker} stopped sending heartbeats for over {int(lease.total_seconds())} s"
            guard = and_(
                ExecutionRow.id == execution_id,
                ExecutionRow.status == "running",
                ExecutionRow.heartbeat_at < cutoff,
            )
            if attempts <= max_retries:
                done = self.s.execute(
                    update(ExecutionRow)
                    .where(guard)
                    .values(status="queued", worker_id=None, progress=0.0, rows_read=0, rows_written=0)
                ).rowcount  # type: ignore[attr-defined]
                if done:
                    self.log(execution_id, f"{reason}; queued again (attempt {attempts + 1})", "warning")
                    outcome.append((execution_id, "queued"))
            else:
                done = self.s.execute(
                    update(ExecutionRow)
                    .where(guard)
                    .values(
                        status="failed",
                        finished_at=utcnow(),
                        error=f"{reason}; gave up after {attempts} attempts",
                    )
                ).rowcount  # type: ignore[attr-defined]
                if done:
                    self.log(execution_id, f"{reason}; failed after {attempts} attempts", "error")
                    outcome.append((execution_id, "failed"))
        return outcome

    # --- logs ------------------------------------------------------------------------------------

    def log(
        self, execution_id: int, message: str, level: str = "info", *, attempt: int | None = None
    ) -> None:
        """Add a line to the execution's log. Returns None. With ``attempt`` (a worker's or its child's
        line) the write is fenced: raises StaleAttempt when the attempt no longer holds the execution."""
        if attempt is not None:
            self.check(execution_id, attempt)
        self.s.execute(
            insert(ExecutionLogRow).values(execution_id=execution_id, message=message[:10_000], level=level)
        )

    def logs(self, execution_id: int, after: int = 0, limit: int = 1000) -> list[ExecutionLog]:
        """Returns up to ``limit`` log lines of the execution after line id ``after``, oldest first.
        Raises nothing (an unknown execution has none)."""
        rows = self.s.scalars(
            select(ExecutionLogRow)
            .where(ExecutionLogRow.execution_id == execution_id, ExecutionLogRow.id > after)
            .order_by(ExecutionLogRow.id)
            .limit(limit)
        )
        return [ExecutionLog(id=r.id, at=r.at, level=r.level, message=r.message) for r in rows]

    def log_prediction(
        self,
        deployment_id: int,
        version: int,
        request_id: str,
        inputs: list[Any],
        outputs: list[Any],
        latency_ms: float,
    ) -> None:
        """Add a sampled online prediction to the prediction log (written at the caller's commit).
        Returns None; raises nothing."""
        self.s.add(
            PredictionLogRow(
                deployment_id=deployment_id,
                version=version,
                request_id=request_id,
                inputs=inputs,
                outputs=outputs,
                latency_ms=latency_ms,
            )
        )

    # --- conversion ------------------------------------------------------------------------------

    def _to_domain(self, rows: list[ExecutionRow]) -> list[Execution]:
        if not rows:
            return []
        deps: dict[int, tuple[str, str, str]] = {
            d.id: (d.name, d.market, m)
            for d, m in self.s.execute(
                select(DeploymentRow, ModelRow.name)
                .join(ModelRow, ModelRow.id == DeploymentRow.model_id)
                .where(DeploymentRow.id.in_({r.deployment_id for r in rows if r.deployment_id is not None}))
            ).tuples()
        }
        datasets: dict[int, tuple[str, int]] = {
            v: (name, number)
            for v, name, number in self.s.execute(
                select(DatasetVersionRow.id, DatasetRow.name, DatasetVersionRow.version)
                .join(DatasetRow, DatasetRow.id == DatasetVersionRow.dataset_id)
                .where(DatasetVersionRow.id.in_({r.dataset_version_id for r in rows if r.dataset_version_id}))
            ).tuples()
        }
        trainings: dict[int, int] = {
            e: t
            for e, t in self.s.execute(
                select(TrainingRow.execution_id, TrainingRow.id).where(
                    TrainingRow.execution_id.in_({r.id for r in rows if r.kind == "train"})
                )
            ).tuples()
        }
        executions = []
        for r in rows:
            deployment = deps.get(r.deployment_id) if r.deployment_id is not None else None
            dataset = datasets.get(r.dataset_version_id) if r.dataset_version_id is not None else None
            executions.append(
                Execution(
                    id=r.id,
                    kind=r.kind,
                    deployment_id=r.deployment_id,
                    deployment=deployment[0] if deployment else None,
                    model=deployment[2] if deployment else None,
                    market=deployment[1] if deployment else None,
                    dataset=dataset[0] if dataset else None,
                    dataset_version=dataset[1] if dataset else None,
                    training=trainings.get(r.id),
                    trigger=r.trigger,
                    triggered_by=r.triggered_by,
                    scheduled_for=r.scheduled_for,
                    status=r.status,
                    version=r.version,
                    engine=r.engine,
                    input=r.input_ref,
                    output=r.output_ref,
                    rows_read=r.rows_read,
                    rows_written=r.rows_written,
                    rows_total=r.rows_total,
                    progress=r.progress,
                    error=r.error,
                    summary=r.summary,
                    attempts=r.attempts,
                    created_at=r.created_at,
                    started_at=r.started_at,
                    finished_at=r.finished_at,
                )
            )
        return executions
