"""Deployments and online predictions through the API."""

from __future__ import annotations

from datetime import datetime

from tests.runs import RunSetup

ROW = {"tenure_months": 3.0, "monthly_spend": 40.0, "support_calls": 6.0}


def test_predict_follows_the_alias(runs: RunSetup) -> None:
    c, analyst, ds = runs.client, runs.analyst, runs.ds
    dep = runs.deployment
    assert dep["resolved_version"] == 1
    first = c.post(
        "/api/v1/deployments/churn-fr/predict", json={"inputs": [ROW, ROW]}, headers=analyst.headers
    )
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["version"] == 1 and len(body["predictions"]) == 2
    assert set(body["probabilities"][0]) == {"0", "1"}
    assert abs(sum(body["probabilities"][0].values()) - 1) < 1e-6
    assert len(body["request_id"]) == 32
    moved = c.put("/api/v1/models/churn/aliases/champion", json={"version": 2}, headers=ds.headers)
    assert moved.status_code == 200
    after = c.post(f"/api/v1/deployments/{dep['id']}/predict", json={"inputs": ROW}, headers=analyst.headers)
    assert after.json()["version"] == 2
    split = {"dataframe_split": {"columns": list(ROW), "data": [list(ROW.values())]}}
    assert (
        c.post("/api/v1/deployments/churn-fr/predict", json=split, headers=analyst.headers).status_code == 200
    )
    records = {"dataframe_records": [ROW]}
    assert (
        c.post("/api/v1/deployments/churn-fr/predict", json=records, headers=analyst.headers).status_code
        == 200
    )


def test_predict_refuses_bad_rows_naming_column_and_row(runs: RunSetup) -> None:
    c, h = runs.client, runs.analyst.headers
    cases = [
        ({"inputs": [ROW, {k: v for k, v in ROW.items() if k != "monthly_spend"}]}, "monthly_spend", "row 1"),
        ({"inputs": [{**ROW, "support_calls": "many"}]}, "support_calls", "row 0"),
        ({"inputs": [{**ROW, "colour": "red"}]}, "colour", "row 0"),
        ({"inputs": [ROW, ROW, {**ROW, "tenure_months": None}]}, "tenure_months", "row 2"),
    ]
    for body, column, row in cases:
        response = c.post("/api/v1/deployments/churn-fr/predict", json=body, headers=h)
        assert response.status_code == 422, response.text
        message = response.json()["error"]["message"]
        assert column in message and row in message, message
    nan = c.post(
        "/api/v1/deployments/churn-fr/predict",
        content=b'{"inputs": [{"tenure_months": NaN}]}',
        headers={**h, "content-type": "application/json"},
    )
    assert nan.status_code == 422
    shape = c.post("/api/v1/deployments/churn-fr/predict", json={"rows": [ROW]}, headers=h)
    assert shape.status_code == 422 and "inputs" in shape.json()["error"]["message"]


def test_roles_pause_and_deployment_validation(runs: RunSetup) -> None:
    c, ds, analyst, viewer = runs.client, runs.ds, runs.analyst, runs.viewer
    assert (
        c.post(
            "/api/v1/deployments/churn-fr/predict", json={"inputs": [ROW]}, headers=viewer.headers
        ).status_code
        == 403
    )
    assert (
        c.post(
            "/api/v1/deployments",
            json={"name": "x", "model": "churn", "version": 1, "market": "DE"},
            headers=analyst.headers,
        ).status_code
        == 403
    )
    paused = c.post("/api/v1/deployments/churn-fr/pause", headers=ds.headers)
    assert paused.json()["state"] == "paused"
    refused = c.post("/api/v1/deployments/churn-fr/predict", json={"inputs": [ROW]}, headers=analyst.headers)
    assert refused.status_code == 409 and "paused" in refused.json()["error"]["message"]
    assert c.post("/api/v1/deployments/churn-fr/resume", headers=ds.headers).json()["state"] == "active"
    for body, field in (
        ({"name": "de", "model": "churn", "market": "DE"}, "version"),
        ({"name": "de", "model": "churn", "version": 9, "market": "DE"}, "version"),
        ({"name": "de", "model": "churn", "alias": "nope", "market": "DE"}, "alias"),
        ({"name": "churn-fr", "model": "churn", "version": 1, "market": "DE"}, "name"),
        (
            {
                "name": "de",
                "model": "churn",
                "version": 1,
                "market": "DE",
                "schedule": {"cron": "99 * * * *"},
            },
            "schedule.cron",
        ),
        (
            {
                "name": "de",
                "model": "churn",
                "version": 1,
                "market": "DE",
                "schedule": {"cron": "0 6 * * *", "timezone": "Mars/Olympus"},
            },
            "schedule.timezone",
        ),
        (
            {
                "name": "de",
                "model": "churn",
                "version": 1,
                "market": "DE",
                "input": {"kind": "sql", "connection": "nowhere", "query": "select 1"},
            },
            "input.connection",
        ),
    ):
        response = c.post("/api/v1/deployments", json=body, headers=ds.headers)
        assert 400 <= response.status_code < 500, body
        assert response.json()["error"]["field"] == field, response.json()
    listed = c.get("/api/v1/deployments", params={"model": "churn"}, headers=viewer.headers).json()
    assert [d["name"] for d in listed["items"]] == ["churn-fr"]


def test_schedule_preview_and_next_run(runs: RunSetup) -> None:
    c, ds = runs.client, runs.ds
    preview = c.get(
        "/api/v1/schedules/preview",
        params={"cron": "30 6 * * 1-5", "timezone": "Europe/Paris"},
        headers=runs.viewer.headers,
    )
    assert preview.status_code == 200
    times = [datetime.fromisoformat(t) for t in preview.json()["next"]]
    assert len(times) == 5 and times == sorted(times)
    assert all(t.hour == 6 and t.minute == 30 and t.weekday() < 5 for t in times)
    assert all(t.utcoffset() is not None for t in times)
    bad = c.get("/api/v1/schedules/preview", params={"cron": "every day"}, headers=runs.viewer.headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "cron"
    dataset = c.post(
        "/api/v1/datasets",
        files={"file": ("customers.csv", b"tenure_months,monthly_spend,support_calls\n3,40.5,6\n")},
        headers=ds.headers,
    )
    assert dataset.status_code == 201, dataset.text
    body = {
        "name": "churn-de",
        "model": "churn",
        "version": 1,
        "market": "DE",
        "schedule": {"cron": "0 6 * * *", "timezone": "Europe/Berlin"},
        "input": {"kind": "dataset", "dataset": dataset.json()["sha256"], "filename": "customers.csv"},
    }
    created = c.post("/api/v1/deployments", json=body, headers=ds.headers).json()
    assert datetime.fromisoformat(created["next_run_at"]).astimezone().hour is not None
    assert created["schedule"] == {"cron": "0 6 * * *", "timezone": "Europe/Berlin"}


def test_predictions_are_logged_at_the_sampling_rate(runs: RunSetup) -> None:
    from sqlalchemy import func, select

    from modelport.db.tables import PredictionLogRow

    c, h = runs.client, runs.analyst.headers
    runs.ctx.settings.prediction_log_rate = 0.0
    c.post("/api/v1/deployments/churn-fr/predict", json={"inputs": [ROW]}, headers=h)
    runs.ctx.settings.prediction_log_rate = 1.0
    answer = c.post("/api/v1/deployments/churn-fr/predict", json={"inputs": [ROW, ROW]}, headers=h).json()
    with runs.ctx.db.session() as s:
        assert s.scalar(select(func.count()).select_from(PredictionLogRow)) == 1
        logged = s.scalars(select(PredictionLogRow)).one()
    assert logged.request_id == answer["request_id"] and logged.version == 1
    assert logged.inputs == [ROW, ROW] and logged.outputs == answer["predictions"]
