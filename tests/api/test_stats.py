"""The dashboard numbers, connections and audit actions."""

from __future__ import annotations

from modelport.batch.worker import Worker
from tests.runs import RunSetup


def test_dashboard_counts_what_the_caller_sees(runs: RunSetup) -> None:
    c = runs.client
    row = {"tenure_months": 3, "monthly_spend": 40.5, "support_calls": 6}
    for _ in range(2):
        c.post("/api/v1/deployments/churn-fr/executions", json={"rows": [row]}, headers=runs.analyst.headers)
    assert Worker(runs.ctx).run_once()
    stats = c.get("/api/v1/stats", headers=runs.viewer.headers).json()
    assert (stats["models"], stats["versions"], stats["deployments"]) == (1, 2, 1)
    assert (stats["runs_today"], stats["runs_queued"], stats["runs_failed_today"]) == (2, 1, 0)
    assert stats["most_run"] == [{"model": "churn", "title": "Churn", "runs": 2}]
    assert stats["market_department"] == [
        {"market": "DE", "department": "marketing", "models": 1},
        {"market": "FR", "department": "marketing", "models": 1},
    ]
    hidden = {"name": "secret", "title": "Secret", "department": "hr", "visibility": "restricted"}
    assert c.post("/api/v1/models", json=hidden, headers=runs.ds.headers).status_code == 201
    assert c.get("/api/v1/stats", headers=runs.viewer.headers).json()["models"] == 1  # not the viewer's


def test_connections_never_show_their_urls(runs: RunSetup) -> None:
    runs.ctx.settings.connections = {"warehouse": "postgresql+psycopg://bi:s3cret@db:5432/bi"}
    answer = runs.client.get("/api/v1/connections", headers=runs.ds.headers)
    assert answer.json() == [{"name": "warehouse", "kind": "postgresql"}]
    assert "s3cret" not in answer.text
    assert runs.client.get("/api/v1/connections", headers=runs.analyst.headers).status_code == 403
