"""The history of a deployment's online predictions, as logged at the sampling rate."""

from __future__ import annotations

from modelport.context import Context
from modelport.errors import InvalidArgument
from modelport.principal import Principal
from modelport.schemas import LoggedPrediction, Page, Role
from modelport.services.auth import require
from modelport.stores.deployments import DeploymentStore
from modelport.stores.predictions import PredictionFilter, PredictionLogStore

__all__ = ["PredictionFilter", "PredictionLogService"]


class PredictionLogService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def list_predictions(
        self,
        ref: str,
        principal: Principal,
        page: int,
        page_size: int,
        match: PredictionFilter = PredictionFilter(),
    ) -> Page[LoggedPrediction]:
        """The logged predictions of deployment ``ref`` (id or name), newest first, for whoever may see
        the deployment. Only a sample is logged (``MODELPORT_PREDICTION_LOG_RATE``), each with at most
        100 rows; those that ``match``. InvalidArgument when ``since`` is not before ``until``; NotFound
        for an unknown or invisible deployment."""
        require(principal, Role.viewer)
        if match.since is not None and match.until is not None and match.since >= match.until:
            raise InvalidArgument("since must be before until", field="since")
        with self.ctx.db.session() as s:
            deployment = DeploymentStore(s).get(ref, principal)
            return PredictionLogStore(s).list_predictions(
                deployment.id, deployment.name, page, page_size, match
            )
