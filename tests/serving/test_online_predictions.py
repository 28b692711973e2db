"""Online predictions on the fast path: concurrent requests batched, caches kept honest, body parsing."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import text

from modelport.services.auth import AuthService
from modelport.services.deployments import DeploymentService
from modelport.serving.online import ONLINE_CHECK_ROWS, batcher_of
from tests.asyncrun import run as run_async
from tests.runs import RunSetup

URL = "/api/v1/deployments/churn-fr/predict"


def row(i: int) -> dict[str, float]:
    return {"tenure_months": float(1 + i % 70), "monthly_spend": 20.0 + i, "support_calls": float(i % 7)}


def expected(runs: RunSetup, rows: list[dict[str, float]]) -> dict[str, object]:
    principal = AuthService(runs.ctx).cli_principal(runs.analyst.username)
    answer = DeploymentService(runs.ctx).predict("churn-fr", {"inputs": rows}, principal)
    return {"predictions": answer.predictions, "probabilities": answer.probabilities}


def test_concurrent_requests_each_get_their_own_answer(runs: RunSetup) -> None:
    runs.ctx.settings.prediction_log_rate = 0.0
    bodies = [[row(i)] for i in range(24)] + [[row(100 + i) for i in range(3)]]

    async def fire() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=runs.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            return await asyncio.gather(
                *(client.post(URL, json={"inputs": rows}, headers=runs.analyst.headers) for rows in bodies)
            )

    responses = run_async(fire())
    batcher = batcher_of(runs.ctx)
    assert batcher.requests >= len(bodies)
    ids = set()
    for rows, response in zip(bodies, responses, strict=True):
        assert response.status_code == 200, response.text
        answer = response.json()
        alone = expected(runs, rows)
        assert answer["predictions"] == alone["predictions"]
        # scored with other rows, a probability may differ from the one scored alone in its last bits
        probabilities = alone["probabilities"]
        assert isinstance(probabilities, list) and len(answer["probabilities"]) == len(probabilities)
        for got, want in zip(answer["probabilities"], probabilities, strict=True):
            assert got == pytest.approx(want, rel=1e-12)
        assert answer["version"] == 1 and answer["deployment"] == "churn-fr"
        ids.add(answer["request_id"])
        assert response.headers["x-content-type-options"] == "nosniff"
    assert len(ids) == len(bodies)


def test_a_large_request_is_answered_like_a_small_one(runs: RunSetup) -> None:
    rows = [row(i) for i in range(ONLINE_CHECK_ROWS + 10)]
    response = runs.client.post(URL, json={"inputs": rows}, headers=runs.analyst.headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert {k: answer[k] for k in ("predictions", "probabilities")} == expected(runs, rows)


def test_the_body_is_checked_after_the_caller(runs: RunSetup) -> None:
    c, h = runs.client, runs.analyst.headers
    for raw in (b"{not json", b"", b"\xff\xfe"):
        response = c.post(URL, content=raw, headers={**h, "content-type": "application/json"})
        assert response.status_code == 422, raw
        assert response.json()["error"]["field"] == "body"
    anonymous = c.post(URL, content=b"{not json", headers={"content-type": "application/json"})
    assert anonymous.status_code == 401
    listed = c.post(URL, json=[row(0)], headers=h)
    assert listed.status_code == 422 and listed.json()["error"]["field"] == "body"
    # NaN is not JSON, but it has always been read as a missing value: refused here (not nullable),
    # naming the column and the row
    nan = c.post(
        URL,
        content=b'{"inputs": [{"tenure_months": NaN, "monthly_spend": 1, "support_calls": 1}]}',
        headers={**h, "content-type": "application/json"},
    )
    assert nan.status_code == 422
    assert "tenure_months" in nan.json()["error"]["message"] and "row 0" in nan.json()["error"]["message"]


def test_an_alias_moved_by_another_replica_is_followed_within_the_cache_delay(runs: RunSetup) -> None:
    runs.ctx.settings.deployment_cache_seconds = 0.3
    c, h = runs.client, runs.analyst.headers
    assert c.post(URL, json={"inputs": [row(0)]}, headers=h).json()["version"] == 1
    with runs.ctx.db.engine.begin() as conn:  # plain SQL: what another process's change looks like here
        conn.execute(
            text(
                "UPDATE model_aliases SET version_id = "
                "(SELECT id FROM model_versions WHERE version = 2) WHERE alias = 'champion'"
            )
        )
    assert c.post(URL, json={"inputs": [row(0)]}, headers=h).json()["version"] == 1
    time.sleep(0.35)
    assert c.post(URL, json={"inputs": [row(0)]}, headers=h).json()["version"] == 2


def test_pausing_and_moving_an_alias_here_apply_at_once(runs: RunSetup) -> None:
    c, ds, h = runs.client, runs.ds, runs.analyst.headers
    assert c.post(URL, json={"inputs": [row(0)]}, headers=h).json()["version"] == 1
    assert (
        c.put("/api/v1/models/churn/aliases/champion", json={"version": 2}, headers=ds.headers).status_code
        == 200
    )
    assert c.post(URL, json={"inputs": [row(0)]}, headers=h).json()["version"] == 2
    assert c.post("/api/v1/deployments/churn-fr/pause", headers=ds.headers).status_code == 200
    assert c.post(URL, json={"inputs": [row(0)]}, headers=h).status_code == 409
    assert c.post("/api/v1/deployments/churn-fr/resume", headers=ds.headers).status_code == 200
    assert c.post(URL, json={"inputs": [row(0)]}, headers=h).status_code == 200


def test_sampled_logs_of_concurrent_requests_share_transactions(runs: RunSetup) -> None:
    from sqlalchemy import func, select

    from modelport.db.tables import PredictionLogRow
    from modelport.serving.predictionlog import writer_of

    runs.ctx.settings.prediction_log_rate = 1.0
    bodies = [[row(i)] for i in range(20)]

    async def fire() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=runs.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            return await asyncio.gather(
                *(client.post(URL, json={"inputs": rows}, headers=runs.analyst.headers) for rows in bodies)
            )

    responses = run_async(fire())
    assert all(r.status_code == 200 for r in responses)
    with runs.ctx.db.session() as s:
        logged = {r.request_id: r for r in s.scalars(select(PredictionLogRow))}
        assert s.scalar(select(func.count()).select_from(PredictionLogRow)) == len(bodies)
    for rows, response in zip(bodies, responses, strict=True):
        entry = logged[response.json()["request_id"]]
        assert entry.inputs == rows and entry.outputs == response.json()["predictions"]
    assert writer_of(runs.ctx).batches < len(bodies)


def test_a_failed_log_write_does_not_fail_the_prediction(
    runs: RunSetup, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from modelport.stores.executions import ExecutionStore

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ExecutionStore, "log_prediction", broken)
    runs.ctx.settings.prediction_log_rate = 1.0
    response = runs.client.post(URL, json={"inputs": [row(0)]}, headers=runs.analyst.headers)
    assert response.status_code == 200
    assert "could not write 1 prediction log rows: disk full" in caplog.text
