"""Migration 0009 (training) keeps what was there: runs, their logs and the aliases of versions survive
it both ways, on SQLite (where it rebuilds the executions table) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from tests.runs import setup_runs

from modelport.context import Context
from modelport.db.migrate import current_revision, downgrade, head_revision, upgrade

ROW = {"tenure_months": 3, "monthly_spend": 40.5, "support_calls": 6}


def _counts(ctx: Context) -> dict[str, int]:
    with ctx.db.engine.connect() as conn:
        return {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("executions", "execution_logs", "model_aliases", "model_versions", "deployments")
        }


def test_runs_logs_and_aliases_survive_the_migration_both_ways(ctx: Context, tmp_path: Path) -> None:
    setup = setup_runs(ctx, tmp_path)
    runs = next(setup)
    response = runs.client.post(
        "/api/v1/deployments/churn-fr/executions", json={"rows": [ROW]}, headers=runs.analyst.headers
    )
    assert response.status_code == 202, response.text
    execution_id = response.json()["id"]
    before = _counts(ctx)
    assert before["execution_logs"] >= 1 and before["model_aliases"] == 1

    downgrade(ctx.db, "0008_on_bad_rows")
    assert current_revision(ctx.db) == "0008_on_bad_rows"
    assert _counts(ctx) == before
    upgrade(ctx.db)
    assert current_revision(ctx.db) == head_revision()
    assert _counts(ctx) == before
    with ctx.db.engine.connect() as conn:
        kind = conn.execute(text("SELECT kind FROM executions WHERE id = :id"), {"id": execution_id})
        assert kind.scalar_one() == "score"
        lineage = conn.execute(text("SELECT lineage FROM model_versions ORDER BY id LIMIT 1")).scalar_one()
    assert lineage in ({}, "{}")
    # the app still reads the run it queued before
    got = runs.client.get(f"/api/v1/executions/{execution_id}", headers=runs.analyst.headers)
    assert got.status_code == 200 and got.json()["kind"] == "score"
    setup.close()
