"""A deployment that reads a SQL query (market bound as a parameter) and appends its results to a
table, on a real PostgreSQL connection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from modelport.batch.worker import Worker
from modelport.context import Context
from modelport.db.engine import make_engine
from tests.factories import training_frame
from tests.runs import RunSetup, setup_runs

pytestmark = pytest.mark.postgres


@pytest.fixture
def warehouse(pg_database: str) -> Iterator[str]:
    """A source table of customers per market, in the test run's PostgreSQL database."""
    engine = make_engine(pg_database)
    x, _ = training_frame(rows=60)
    x["market"] = ["FR", "DE", "UK"] * 20
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS customers, churn_scores"))
        x.to_sql("customers", conn, index=False)
    yield pg_database
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS customers, churn_scores"))
    engine.dispose()


@pytest.fixture
def runs_sql(sqlite_ctx: Context, warehouse: str, tmp_path: Path) -> Iterator[RunSetup]:
    sqlite_ctx.settings.connections = {"warehouse": warehouse}
    yield from setup_runs(sqlite_ctx, tmp_path)


def test_sql_input_and_table_output(runs_sql: RunSetup, warehouse: str) -> None:
    c, ds = runs_sql.client, runs_sql.ds
    body = {
        "name": "churn-fr-sql",
        "model": "churn",
        "alias": "champion",
        "market": "FR",
        "input": {
            "kind": "sql",
            "connection": "warehouse",
            "query": "SELECT * FROM customers WHERE market = :market",
        },
        "output": {"format": "csv", "connection": "warehouse", "table": "churn_scores"},
    }
    created = c.post("/api/v1/deployments", json=body, headers=ds.headers)
    assert created.status_code == 201, created.text
    for _ in range(2):
        queued = c.post("/api/v1/deployments/churn-fr-sql/executions", headers=runs_sql.analyst.headers)
        assert queued.status_code == 202, queued.text
        assert Worker(runs_sql.ctx).run_once()
        done = c.get(f"/api/v1/executions/{queued.json()['id']}", headers=ds.headers).json()
        assert done["status"] == "succeeded", done
        assert done["rows_written"] == 20 and done["input"]["kind"] == "sql"
    engine = make_engine(warehouse)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT market, count(*) FROM churn_scores GROUP BY market")).all()
        columns = [
            r[0]
            for r in conn.execute(
                text("SELECT column_name FROM information_schema.columns WHERE table_name = 'churn_scores'")
            )
        ]
    engine.dispose()
    assert rows == [("FR", 40)]  # two runs appended 20 rows each, FR only
    assert "prediction" in columns and "probability_1" in columns

    bad = {**body, "name": "bad-table", "output": {"connection": "warehouse"}}
    refused = c.post("/api/v1/deployments", json=bad, headers=ds.headers)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "output.table"
