"""Training store: training runs, their live leaderboard, evaluation, challenger report and the versions
registered from them. A training's status, progress and times are its execution's; it is visible to
whoever may see its dataset."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from modelport.db.tables import DatasetRow, DatasetVersionRow, ExecutionRow, TrainingRow
from modelport.errors import InvalidArgument, NotFound
from modelport.principal import Principal
from modelport.schemas import Page, ReferenceData, Training
from modelport.stores.datasets import dataset_visible_to
from modelport.stores.users import usernames

WRITABLE = frozenset(
    {
        "task",
        "metric",
        "leaderboard",
        "best",
        "evaluation",
        "challenger",
        "model_sha256",
        "holdout_sha256",
        "reference",
        "mlflow_run_id",
    }
)
"""What :meth:`TrainingStore.update` may change."""

_Found = tuple[TrainingRow, ExecutionRow, int, str, str]


@dataclass(frozen=True)
class TrainingFiles:
    """The files a training left in the artifact store, and what it read, for the worker and the
    registration."""

    id: int
    execution_id: int
    dataset_version_id: int
    created_by_id: int
    model_sha256: str | None
    holdout_sha256: str | None
    reference: ReferenceData | None


class TrainingStore:
    """Persistence of trainings: returns :class:`Training` objects, never rows. Methods flush or execute
    in the caller's transaction; the caller commits."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def create(
        self,
        execution_id: int,
        dataset_version_id: int,
        created_by_id: int,
        *,
        target: str,
        task: str | None,
        metric: str | None,
        budget_s: int,
        steps: list[dict[str, Any]],
        options: dict[str, Any],
        code_version: str,
    ) -> int:
        """Insert the training run by execution ``execution_id``; returns its id. Raises nothing of its
        own (the execution and the dataset version must exist: an IntegrityError otherwise)."""
        row = TrainingRow(
            execution_id=execution_id,
            dataset_version_id=dataset_version_id,
            created_by_id=created_by_id,
            target=target,
            task=task,
            metric=metric,
            budget_s=budget_s,
            steps=steps,
            options=options,
            leaderboard=[],
            registered=[],
            code_version=code_version,
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def _select(self, principal: Principal | None) -> Select[TrainingRow, ExecutionRow, int, str, str]:
        stmt = (
            select(
                TrainingRow,
                ExecutionRow,
                DatasetVersionRow.version,
                DatasetVersionRow.sha256,
                DatasetRow.name,
            )
            .join(ExecutionRow, ExecutionRow.id == TrainingRow.execution_id)
            .join(DatasetVersionRow, DatasetVersionRow.id == TrainingRow.dataset_version_id)
            .join(DatasetRow, DatasetRow.id == DatasetVersionRow.dataset_id)
        )
        if principal is not None:
            stmt = stmt.where(dataset_visible_to(principal))
        return stmt

    def get(self, training_id: int, principal: Principal | None) -> Training:
        """Returns training ``training_id``; raises NotFound if there is none or ``principal`` may not
        see its dataset (None: the system sees every one)."""
        found = self.s.execute(self._select(principal).where(TrainingRow.id == training_id)).first()
        if found is None:
            raise NotFound(f"no training {training_id}", field="training")
        return self._to_domain([found])[0]

    def id_of_execution(self, execution_id: int) -> int:
        """Returns the id of the training run by execution ``execution_id``; raises NotFound if that
        execution runs no training."""
        found = self.s.scalar(select(TrainingRow.id).where(TrainingRow.execution_id == execution_id))
        if found is None:
            raise NotFound(f"execution {execution_id} runs no training", field="execution")
        return int(found)

    def files(self, training_id: int) -> TrainingFiles:
        """Returns the files and inputs of training ``training_id`` (no visibility check: callers read
        the training first); raises NotFound if there is none."""
        row = self.s.get(TrainingRow, training_id)
        if row is None:
            raise NotFound(f"no training {training_id}", field="training")
        return TrainingFiles(
            id=row.id,
            execution_id=row.execution_id,
            dataset_version_id=row.dataset_version_id,
            created_by_id=row.created_by_id,
            model_sha256=row.model_sha256,
            holdout_sha256=row.holdout_sha256,
            reference=ReferenceData.model_validate(row.reference) if row.reference else None,
        )

    def list_trainings(
        self,
        principal: Principal,
        page: int,
        page_size: int,
        *,
        dataset: str | None = None,
        status: str | None = None,
    ) -> Page[Training]:
        """Returns one page of the trainings ``principal`` may see, newest first, of dataset ``dataset``
        and in ``status`` when given. Raises nothing."""
        stmt = self._select(principal)
        if dataset:
            stmt = stmt.where(DatasetRow.name == dataset)
        if status:
            stmt = stmt.where(ExecutionRow.status == status)
        total = self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.s.execute(
            stmt.order_by(TrainingRow.id.desc()).offset((page - 1) * page_size).limit(page_size)
        ).all()
        return Page(items=self._to_domain(rows), total=total, page=page, page_size=page_size)

    def update(self, training_id: int, **values: Any) -> None:
        """Write ``values`` (fields of :data:`WRITABLE`, JSON-ready) on training ``training_id``.
        Returns None; raises NotFound if there is none, InvalidArgument for another field. A worker
        fences the write by checking its attempt in the same transaction first."""
        unknown = set(values) - WRITABLE
        if unknown:
            raise InvalidArgument(f"cannot change {sorted(unknown)} of a training", field=sorted(unknown)[0])
        done = self.s.execute(update(TrainingRow).where(TrainingRow.id == training_id).values(**values))
        if not done.rowcount:  # type: ignore[attr-defined]
            raise NotFound(f"no training {training_id}", field="training")

    def add_registered(self, training_id: int, model: str, version: int) -> None:
        """Remember that version ``version`` of ``model`` was registered from training ``training_id``.
        Returns None; raises NotFound if there is none."""
        row = self.s.get(TrainingRow, training_id, with_for_update=True)
        if row is None:
            raise NotFound(f"no training {training_id}", field="training")
        row.registered = [*(row.registered or []), {"model": model, "version": version}]
        self.s.flush()

    # --- conversion ------------------------------------------------------------------------------

    def _to_domain(self, found: Sequence[_Found]) -> list[Training]:
        users = usernames(self.s, (t.created_by_id for t, *_ in found))
        return [
            Training.model_validate(
                {
                    "id": t.id,
                    "execution": e.id,
                    "status": e.status,
                    "progress": e.progress,
                    "dataset": name,
                    "dataset_version": version,
                    "dataset_sha256": sha256,
                    "target": t.target,
                    "task": t.task,
                    "metric": t.metric,
                    "budget_s": t.budget_s,
                    "steps": t.steps or [],
                    "options": t.options or {},
                    "leaderboard": t.leaderboard or [],
                    "best": t.best,
                    "evaluation": t.evaluation,
                    "challenger": t.challenger,
                    "registered": t.registered or [],
                    "mlflow_run_id": t.mlflow_run_id,
                    "code_version": t.code_version,
                    "error": e.error,
                    "created_by": users.get(t.created_by_id, ""),
                    "created_at": t.created_at,
                    "started_at": e.started_at,
                    "finished_at": e.finished_at,
                }
            )
            for t, e, version, sha256, name in found
        ]
