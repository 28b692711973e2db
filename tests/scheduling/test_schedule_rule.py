"""A schedule needs a stored input: cron with a file per run is a 422 naming ``schedule`` through the
HTTP API, on create and on every update that would make it so; nothing is written when refused."""

from __future__ import annotations

from sqlalchemy import func, select, update

from modelport.db.tables import AuditEventRow, DeploymentRow
from tests.runs import RunSetup
from tests.scheduling.helpers import upload_dataset

CRON = {"cron": "0 6 * * 1", "timezone": "Europe/Paris"}


def _refused(response_json: dict[str, object]) -> str:
    error = response_json["error"]
    assert isinstance(error, dict)
    assert error["field"] == "schedule", error
    return str(error["message"])


def test_create_refuses_a_schedule_on_a_file_per_run(runs: RunSetup) -> None:
    c, ds = runs.client, runs.ds
    body = {"name": "churn-de", "model": "churn", "alias": "champion", "market": "DE", "schedule": CRON}
    for given in ({}, {"input": {"kind": "upload"}}):
        refused = c.post("/api/v1/deployments", json={**body, **given}, headers=ds.headers)
        assert refused.status_code == 422
        message = _refused(refused.json())
        assert "stored input" in message and "dataset" in message and "SQL" in message
    assert c.get("/api/v1/deployments/churn-de", headers=ds.headers).status_code == 404

    sha = upload_dataset(c, ds)
    created = c.post(
        "/api/v1/deployments",
        json={**body, "input": {"kind": "dataset", "dataset": sha, "filename": "customers.csv"}},
        headers=ds.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["schedule"] == CRON and created.json()["next_run_at"] is not None


def test_updates_that_would_schedule_a_file_per_run_are_refused(runs: RunSetup) -> None:
    c, ds, ctx = runs.client, runs.ds, runs.ctx
    # churn-fr takes a file with each run: adding a schedule alone is refused
    added = c.patch("/api/v1/deployments/churn-fr", json={"schedule": CRON}, headers=ds.headers)
    assert added.status_code == 422
    _refused(added.json())
    after = c.get("/api/v1/deployments/churn-fr", headers=ds.headers).json()
    assert (after["schedule"], after["next_run_at"]) == (None, None)

    # with a stored input in the same call it is accepted
    sha = upload_dataset(c, ds)
    dataset = {"kind": "dataset", "dataset": sha, "filename": "customers.csv"}
    both = c.patch(
        "/api/v1/deployments/churn-fr", json={"schedule": CRON, "input": dataset}, headers=ds.headers
    )
    assert both.status_code == 200, both.text
    assert both.json()["schedule"] == CRON and both.json()["input"]["kind"] == "dataset"

    # going back to a file per run while scheduled is refused, and changes nothing
    back = c.patch("/api/v1/deployments/churn-fr", json={"input": {"kind": "upload"}}, headers=ds.headers)
    assert back.status_code == 422
    _refused(back.json())
    kept = c.get("/api/v1/deployments/churn-fr", headers=ds.headers).json()
    assert kept["input"]["dataset"] == sha and kept["schedule"] == CRON

    # ...unless the same call removes the schedule
    off = c.patch(
        "/api/v1/deployments/churn-fr",
        json={"schedule": None, "input": {"kind": "upload"}},
        headers=ds.headers,
    )
    assert off.status_code == 200, off.text
    assert (off.json()["schedule"], off.json()["input"]["kind"], off.json()["next_run_at"]) == (
        None,
        "upload",
        None,
    )
    with ctx.db.session() as s:
        updates = s.scalar(
            select(func.count()).where(
                AuditEventRow.action == "deployment.update", AuditEventRow.target == "churn-fr"
            )
        )
    assert updates == 2  # the two accepted changes; refused ones leave no trace


def test_a_deployment_stored_before_the_rule_can_still_be_edited(runs: RunSetup) -> None:
    """Data written before the rule is left as it is (the scheduler fails its due times with the
    reason); an unrelated edit of it is not blocked, a change of its schedule or input is checked."""
    c, ds, ctx = runs.client, runs.ds, runs.ctx
    with ctx.db.session() as s:
        s.execute(update(DeploymentRow).where(DeploymentRow.name == "churn-fr").values(cron="0 6 * * 1"))
    edited = c.patch("/api/v1/deployments/churn-fr", json={"description": "weekly"}, headers=ds.headers)
    assert edited.status_code == 200, edited.text
    assert edited.json()["description"] == "weekly"
    moved = c.patch(
        "/api/v1/deployments/churn-fr", json={"schedule": {"cron": "0 7 * * 1"}}, headers=ds.headers
    )
    assert moved.status_code == 422
    _refused(moved.json())
