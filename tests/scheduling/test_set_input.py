"""``PUT /deployments/{ref}/input``: a file becomes the deployment's dataset in one call, checked first
(columns, format, who may change it); a refused file changes nothing."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from modelport.db.tables import AuditEventRow
from modelport.schemas import Role
from tests.conftest import add_user
from tests.factories import training_frame
from tests.runs import RunSetup

CSV = training_frame(rows=12)[0].to_csv(index=False).encode()


def _put(
    runs: RunSetup,
    content: bytes,
    name: str = "customers.csv",
    ref: str = "churn-fr",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    response: httpx.Response = runs.client.put(
        f"/api/v1/deployments/{ref}/input",
        files={"file": (name, content)},
        headers=headers or runs.ds.headers,
    )
    return response


def test_a_file_becomes_the_input_of_a_file_per_run_deployment(runs: RunSetup) -> None:
    before = runs.client.get("/api/v1/deployments/churn-fr", headers=runs.ds.headers).json()
    assert before["input"]["kind"] == "upload"
    done = _put(runs, CSV)
    assert done.status_code == 200, done.text
    assert done.json()["input"] == {
        "kind": "dataset",
        "dataset": done.json()["input"]["dataset"],
        "filename": "customers.csv",
        "connection": None,
        "query": None,
    }
    # the input is now stored: a schedule is accepted, and a run without a file reads it
    scheduled = runs.client.patch(
        "/api/v1/deployments/churn-fr", json={"schedule": {"cron": "0 6 * * 1"}}, headers=runs.ds.headers
    )
    assert scheduled.status_code == 200, scheduled.text
    queued = runs.client.post("/api/v1/deployments/churn-fr/executions", headers=runs.analyst.headers)
    assert queued.status_code == 202, queued.text
    assert queued.json()["input"]["sha256"] == done.json()["input"]["dataset"]


def test_a_refused_file_changes_nothing(runs: RunSetup) -> None:
    c = runs.client
    other_ds = add_user(runs.ctx, "ds-2", Role.data_scientist, "marketing")
    wrong = b"tenure_months,spend\n3,40.5\n"
    cases = [
        (_put(runs, wrong), 422, "file", "support_calls"),
        (_put(runs, CSV, name="customers.exe"), 422, "file", ".csv"),
        (_put(runs, b""), 422, "file", "empty"),
        (_put(runs, CSV, name="../customers.csv"), 422, "file", "plain name"),
        (_put(runs, CSV, headers=runs.analyst.headers), 403, None, ""),
        (_put(runs, CSV, headers=runs.viewer.headers), 403, None, ""),
        (_put(runs, CSV, headers=other_ds.headers), 403, None, "owner"),
        (_put(runs, CSV, ref="nowhere"), 404, None, "nowhere"),
    ]
    for response, status, field, words in cases:
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error.get("field") == field and words in error["message"], error
    after = c.get("/api/v1/deployments/churn-fr", headers=runs.ds.headers).json()
    assert after["input"]["kind"] == "upload"
    with runs.ctx.db.session() as s:
        audited = s.scalar(select(func.count()).where(AuditEventRow.action == "deployment.set_input"))
    assert audited == 0
