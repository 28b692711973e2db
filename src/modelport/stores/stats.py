"""Stats store: the home dashboard's numbers, counted in SQL over what the caller may see."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modelport.db.tables import DeploymentRow, ExecutionRow, ModelLabelRow, ModelRow
from modelport.principal import Principal
from modelport.stores.catalog import visible_to


class MarketCell(BaseModel):
    market: str
    department: str
    models: int


class ModelRuns(BaseModel):
    model: str
    title: str
    runs: int


class Stats(BaseModel):
    models: int
    versions: int
    deployments: int
    scheduled_deployments: int
    runs_today: int
    runs_failed_today: int
    runs_running: int
    runs_queued: int
    most_run: list[ModelRuns]
    market_department: list[MarketCell]


class StatsStore:
    """Read-only counts; no method writes."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def dashboard(self, principal: Principal, today: datetime, busiest_since: datetime) -> Stats:
        """Returns the :class:`Stats` of the models ``principal`` may see: counts, runs created since
        ``today``, the ten models run most since ``busiest_since``, models per market and department.
        Raises nothing (an empty catalog counts zeros)."""
        visible = visible_to(principal)
        s = self.s
        models, versions = s.execute(
            select(func.count(ModelRow.id), func.coalesce(func.sum(ModelRow.version_count), 0)).where(visible)
        ).one()
        dep_base = (
            select(DeploymentRow.id).join(ModelRow, ModelRow.id == DeploymentRow.model_id).where(visible)
        )
        deployments = s.scalar(select(func.count()).select_from(dep_base.subquery())) or 0
        scheduled = (
            s.scalar(
                select(func.count()).select_from(dep_base.where(DeploymentRow.cron.is_not(None)).subquery())
            )
            or 0
        )
        runs = (
            select(ExecutionRow.status, func.count())
            .join(DeploymentRow, DeploymentRow.id == ExecutionRow.deployment_id)
            .join(ModelRow, ModelRow.id == DeploymentRow.model_id)
            .where(visible)
        )
        by_status_today = dict(
            s.execute(runs.where(ExecutionRow.created_at >= today).group_by(ExecutionRow.status))
            .tuples()
            .all()
        )
        live = dict(
            s.execute(
                runs.where(ExecutionRow.status.in_(("queued", "running"))).group_by(ExecutionRow.status)
            )
            .tuples()
            .all()
        )
        busiest = s.execute(
            select(ModelRow.name, ModelRow.title, func.count(ExecutionRow.id).label("runs"))
            .join(DeploymentRow, DeploymentRow.model_id == ModelRow.id)
            .join(ExecutionRow, ExecutionRow.deployment_id == DeploymentRow.id)
            .where(visible, ExecutionRow.created_at >= busiest_since)
            .group_by(ModelRow.name, ModelRow.title)
            .order_by(func.count(ExecutionRow.id).desc(), ModelRow.name)
            .limit(10)
        ).all()
        cells = s.execute(
            select(ModelLabelRow.value, ModelRow.department, func.count())
            .join(ModelRow, ModelRow.id == ModelLabelRow.model_id)
            .where(visible, ModelLabelRow.kind == "market")
            .group_by(ModelLabelRow.value, ModelRow.department)
            .order_by(ModelLabelRow.value, ModelRow.department)
        ).all()
        return Stats(
            models=models,
            versions=int(versions),
            deployments=deployments,
            scheduled_deployments=scheduled,
            runs_today=sum(by_status_today.values()),
            runs_failed_today=by_status_today.get("failed", 0),
            runs_running=live.get("running", 0),
            runs_queued=live.get("queued", 0),
            most_run=[ModelRuns(model=n, title=t, runs=r) for n, t, r in busiest],
            market_department=[MarketCell(market=m, department=d, models=c) for m, d, c in cells],
        )
