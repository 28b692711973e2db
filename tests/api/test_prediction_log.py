"""A deployment's logged online predictions: read back page by page, filtered by version, time and
request id, by whoever may see the deployment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from modelport.db.tables import PredictionLogRow
from modelport.schemas import Role
from tests.conftest import add_user
from tests.runs import RunSetup

ROW = {"tenure_months": 3.0, "monthly_spend": 40.0, "support_calls": 6.0}
OTHER = {"tenure_months": 60.0, "monthly_spend": 20.0, "support_calls": 0.0}


def _predict(runs: RunSetup, rows: list[dict[str, float]]) -> Any:
    answer = runs.client.post(
        "/api/v1/deployments/churn-fr/predict", json={"inputs": rows}, headers=runs.analyst.headers
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _log(runs: RunSetup, **params: object) -> Any:
    answer = runs.client.get(
        "/api/v1/deployments/churn-fr/predictions", params=params, headers=runs.viewer.headers
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_logged_predictions_are_read_back_newest_first_with_filters(runs: RunSetup) -> None:
    runs.ctx.settings.prediction_log_rate = 1.0
    first = _predict(runs, [ROW, OTHER])
    moved = runs.client.put(
        "/api/v1/models/churn/aliases/champion", json={"version": 2}, headers=runs.ds.headers
    )
    assert moved.status_code == 200
    second = _predict(runs, [OTHER])
    third = _predict(runs, [ROW])
    assert (first["version"], second["version"], third["version"]) == (1, 2, 2)
    with runs.ctx.db.session() as s:  # spread them in time: the first an hour ago
        s.execute(
            update(PredictionLogRow)
            .where(PredictionLogRow.request_id == first["request_id"])
            .values(at=datetime.now(UTC) - timedelta(hours=1))
        )

    everything = _log(runs)

    assert everything["total"] == 3 and everything["page"] == 1
    items = everything["items"]
    assert [i["request_id"] for i in items] == [
        third["request_id"],
        second["request_id"],
        first["request_id"],
    ]
    oldest = items[-1]
    assert oldest["deployment"] == "churn-fr" and oldest["version"] == 1
    assert oldest["inputs"] == [ROW, OTHER]
    assert oldest["outputs"] == first["predictions"]
    assert oldest["latency_ms"] > 0
    assert datetime.fromisoformat(oldest["at"]) < datetime.fromisoformat(items[0]["at"])

    assert [i["request_id"] for i in _log(runs, version=1)["items"]] == [first["request_id"]]
    assert _log(runs, version=2)["total"] == 2
    recent = (datetime.now(UTC) - timedelta(minutes=30)).isoformat()
    assert _log(runs, since=recent)["total"] == 2
    assert _log(runs, until=recent)["total"] == 1
    assert _log(runs, request_id=second["request_id"])["total"] == 1
    assert _log(runs, request_id="0" * 32)["total"] == 0
    paged = _log(runs, page=2, page_size=2)
    assert paged["total"] == 3 and [i["request_id"] for i in paged["items"]] == [first["request_id"]]
    assert _log(runs, page=3, page_size=2)["items"] == []


def test_prediction_log_bad_filters_and_visibility(runs: RunSetup) -> None:
    c, h = runs.client, runs.viewer.headers
    now = datetime.now(UTC)
    backwards = c.get(
        "/api/v1/deployments/churn-fr/predictions",
        params={"since": now.isoformat(), "until": (now - timedelta(days=1)).isoformat()},
        headers=h,
    )
    assert backwards.status_code == 422 and backwards.json()["error"]["field"] == "since"
    for params, field in (
        ({"page_size": 500}, "page_size"),
        ({"version": 0}, "version"),
        ({"since": "yesterday"}, "since"),
    ):
        answer = c.get("/api/v1/deployments/churn-fr/predictions", params=params, headers=h)
        assert answer.status_code == 422 and answer.json()["error"]["field"] == field, params
    assert c.get("/api/v1/deployments/absent/predictions", headers=h).status_code == 404
    assert c.get("/api/v1/deployments/churn-fr/predictions").status_code == 401
    # A restricted model's deployment is not found for someone outside its department.
    restricted = c.patch("/api/v1/models/churn", json={"visibility": "restricted"}, headers=runs.ds.headers)
    assert restricted.status_code == 200
    outsider = add_user(runs.ctx, "sales-viewer", Role.viewer, "sales")
    assert c.get("/api/v1/deployments/churn-fr/predictions", headers=outsider.headers).status_code == 404
    by_id = c.get(f"/api/v1/deployments/{runs.deployment['id']}/predictions", headers=runs.ds.headers)
    assert by_id.status_code == 200 and by_id.json()["total"] == 0
