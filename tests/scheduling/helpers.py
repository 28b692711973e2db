"""Small helpers of the scheduling tests: a stored dataset, a due time, the metric's value."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from modelport.context import Context
from modelport.db.tables import DeploymentRow, utcnow
from tests.conftest import Actor
from tests.factories import training_frame


def upload_dataset(client: TestClient, actor: Actor, rows: int = 20, name: str = "customers.csv") -> str:
    """Upload ``rows`` churn rows as a dataset; returns its sha256."""
    x, _ = training_frame(rows=rows, seed=rows)
    response = client.post(
        "/api/v1/datasets", files={"file": (name, x.to_csv(index=False).encode())}, headers=actor.headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["sha256"])


def make_due(ctx: Context, name: str, at: datetime | None = None) -> datetime:
    """Set the deployment's next run to ``at`` (default: a minute ago, on the minute); returns it."""
    due = at or utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
    with ctx.db.session() as s:
        s.execute(update(DeploymentRow).where(DeploymentRow.name == name).values(next_run_at=due))
    return due


def schedule_failures(client: TestClient, deployment: str) -> float:
    """``modelport_schedule_failures_total{deployment=...}`` as /metrics shows it now (0 when absent)."""
    text = client.get("/metrics").text
    found = re.search(
        rf'^modelport_schedule_failures_total\{{deployment="{re.escape(deployment)}"\}} (\S+)$', text, re.M
    )
    return float(found.group(1)) if found else 0.0
