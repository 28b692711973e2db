"""Numbers for the home dashboard, computed in SQL over what the caller may see."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy import func, select

from modelport.context import Context
from modelport.db.tables import DeploymentRow, ExecutionRow, ModelLabelRow, ModelRow, utcnow
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


class StatsService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def dashboard(self, principal: Principal) -> Stats:
        """Counts, the busiest models of the last 30 days and where models are used (market x department)."""
        visible = visible_to(principal)
        since = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
        with self.ctx.db.session() as s:
            models, versions = s.execute(
                select(func.count(ModelRow.id), func.coalesce(func.sum(ModelRow.version_count), 0)).where(
                    visible
                )
            ).one()
            dep_base = (
                select(DeploymentRow.id).join(ModelRow, ModelRow.id == DeploymentRow.model_id).where(visible)
            )
            deployments = s.scalar(select(func.count()).select_from(dep_base.subquery())) or 0
            scheduled = (
                s.scalar(
                    select(func.count()).select_from(
                        dep_base.where(DeploymentRow.cron.is_not(None)).subquery()
                    )
                )
                or 0
            )
            runs = (
                select(ExecutionRow.status, func.count())
                .join(DeploymentRow, DeploymentRow.id == ExecutionRow.deployment_id)
                .join(ModelRow, ModelRow.id == DeploymentRow.model_id)
                .where(visible)
            )
            today = dict(
                s.execute(runs.where(ExecutionRow.created_at >= since).group_by(ExecutionRow.status))
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
                .where(visible, ExecutionRow.created_at >= utcnow() - timedelta(days=30))
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
            runs_today=sum(today.values()),
            runs_failed_today=today.get("failed", 0),
            runs_running=live.get("running", 0),
            runs_queued=live.get("queued", 0),
            most_run=[ModelRuns(model=n, title=t, runs=r) for n, t, r in busiest],
            market_department=[MarketCell(market=m, department=d, models=c) for m, d, c in cells],
        )
