"""The logged online predictions of a deployment (written by :mod:`modelport.serving.predictionlog`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from modelport.db.tables import PredictionLogRow
from modelport.schemas import LoggedPrediction, Page


@dataclass(frozen=True)
class PredictionFilter:
    """Which logged predictions to list: one model ``version``, a time range (``since`` included,
    ``until`` excluded), one ``request_id``; None is no condition."""

    version: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    request_id: str | None = None


class PredictionLogStore:
    """Reads of ``prediction_logs``. Methods flush nothing; the caller's session holds the transaction."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def list_predictions(
        self,
        deployment_id: int,
        deployment: str,
        page: int,
        page_size: int,
        match: PredictionFilter = PredictionFilter(),
    ) -> Page[LoggedPrediction]:
        """Returns one page of the deployment's logged predictions, newest first, with the total that
        ``match``. ``deployment`` is the name shown in each item. Raises nothing."""
        filters: list[ColumnElement[bool]] = [PredictionLogRow.deployment_id == deployment_id]
        if match.version is not None:
            filters.append(PredictionLogRow.version == match.version)
        if match.since is not None:
            filters.append(PredictionLogRow.at >= match.since)
        if match.until is not None:
            filters.append(PredictionLogRow.at < match.until)
        if match.request_id is not None:
            filters.append(PredictionLogRow.request_id == match.request_id)
        total = self.s.scalar(select(func.count()).select_from(PredictionLogRow).where(*filters)) or 0
        rows = self.s.scalars(
            select(PredictionLogRow)
            .where(*filters)
            .order_by(PredictionLogRow.at.desc(), PredictionLogRow.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        items = [
            LoggedPrediction(
                id=row.id,
                deployment=deployment,
                version=row.version,
                request_id=row.request_id,
                at=row.at,
                inputs=row.inputs,
                outputs=row.outputs,
                latency_ms=row.latency_ms,
            )
            for row in rows
        ]
        return Page[LoggedPrediction](items=items, total=total, page=page, page_size=page_size)
