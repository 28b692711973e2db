"""Numbers for the home dashboard, computed in SQL (by :class:`StatsStore`) over what the caller may see."""

from __future__ import annotations

from datetime import timedelta

from modelport.clock import utcnow
from modelport.context import Context
from modelport.principal import Principal
from modelport.stores.stats import MarketCell, ModelRuns, Stats, StatsStore

__all__ = ["MarketCell", "ModelRuns", "Stats", "StatsService"]


class StatsService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def dashboard(self, principal: Principal) -> Stats:
        """Counts, the busiest models of the last 30 days and where models are used (market x department)."""
        now = utcnow()
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        with self.ctx.db.session() as s:
            return StatsStore(s).dashboard(principal, today, now - timedelta(days=30))
