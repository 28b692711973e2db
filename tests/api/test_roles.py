"""Every route of the OpenAPI schema, called as every role and anonymously, against the role table.

Each operation declares its role (``x-required-role``); a caller below it gets 401 (anonymous) or
403, a caller at or above it is let through: reads answer 2xx, writes sent without a body 422.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from modelport.batch.worker import Worker
from modelport.context import Context
from modelport.schemas import ApiTokenCreate, Role
from modelport.services.auth import AuthService
from tests.conftest import Actor
from tests.factories import joblib_file, training_frame

CARD = {"name": "matrix-model", "title": "Matrix", "department": "marketing"}
QUERY_EXAMPLES = {"cron": "0 6 * * 1"}


def _ensure_fixtures(
    client: TestClient,
    admin: Actor,
    owner: Actor,
    analyst: Actor,
    ctx: Context,
    folder: Path,
    path_has_deployment: bool,
) -> dict[str, str]:
    """The objects that path parameters point at; recreated when a DELETE removed them."""
    if client.get("/api/v1/models/matrix-model", headers=admin.headers).status_code == 404:
        assert client.post("/api/v1/models", json=CARD, headers=owner.headers).status_code == 201
        path = joblib_file(folder)
        files = {"file": (path.name, path.read_bytes())}
        data = {"meta": '{"aliases": ["champion"]}'}
        response = client.post(
            "/api/v1/models/matrix-model/versions", files=files, data=data, headers=owner.headers
        )
        assert response.status_code == 201, response.text
    if client.get("/api/v1/models/matrix-model/versions/champion", headers=admin.headers).status_code == 404:
        client.put("/api/v1/models/matrix-model/aliases/champion", json={"version": 1}, headers=owner.headers)
    if client.get("/api/v1/deployments/matrix-fr", headers=admin.headers).status_code == 404:
        body = {"name": "matrix-fr", "model": "matrix-model", "alias": "champion", "market": "FR"}
        assert client.post("/api/v1/deployments", json=body, headers=owner.headers).status_code == 201
    runs = client.get(
        "/api/v1/executions", params={"deployment": "matrix-fr", "status": "succeeded"}, headers=admin.headers
    ).json()
    if runs["total"] == 0:
        row = {"tenure_months": 1.0, "monthly_spend": 2.0, "support_calls": 3.0}
        queued = client.post(
            "/api/v1/deployments/matrix-fr/executions", json={"rows": [row]}, headers=owner.headers
        )
        assert queued.status_code == 202, queued.text
        assert Worker(ctx).run_once()
        runs = client.get(
            "/api/v1/executions", params={"deployment": "matrix-fr"}, headers=admin.headers
        ).json()
    # a dataset of the same name and a training of it (cancelled at once: no worker runs it)
    if client.get("/api/v1/datasets/matrix-model", headers=admin.headers).status_code == 404:
        x, y = training_frame(rows=60)
        csv = x.assign(churned=y).to_csv(index=False).encode()
        uploaded = client.post(
            "/api/v1/datasets",
            files={"file": ("matrix.csv", csv)},
            data={"name": "matrix-model"},
            headers=analyst.headers,
        )
        assert uploaded.status_code == 201, uploaded.text
    trainings = client.get("/api/v1/trainings", params={"dataset": "matrix-model"}, headers=admin.headers)
    if trainings.json()["total"] == 0:
        body = {"dataset": "matrix-model", "target": "churned", "budget_s": 5}
        started = client.post("/api/v1/trainings", json=body, headers=owner.headers)
        assert started.status_code == 202, started.text
        client.post(f"/api/v1/trainings/{started.json()['id']}/cancel", headers=owner.headers)
        trainings = client.get("/api/v1/trainings", params={"dataset": "matrix-model"}, headers=admin.headers)
    auth = AuthService(ctx)
    spare = auth.create_token(ApiTokenCreate(name="spare"), auth.cli_principal(admin.username))
    return {
        "name": "matrix-model",
        "alias": "champion",
        "username": owner.username,
        "token_id": str(spare.api_token.id),
        "ref": "matrix-fr" if path_has_deployment else "1",
        "version": "1",
        "training_id": str(trainings.json()["items"][0]["id"]),
        "execution_id": str(runs["items"][0]["id"]),
        # notifications: none with these ids exists, so callers allowed through get 404 or 422
        "notification_id": "1",
        "subscription_id": "1",
        "webhook_id": "1",
        "delivery_id": "1",
        # a market request: none exists, so callers allowed through get 404 or 422
        "request_id": "1",
    }


def test_every_route_for_every_role(
    client: TestClient, actors: dict[Role, Actor], sqlite_ctx: Context, tmp_path: Path
) -> None:
    schema = client.get("/openapi.json").json()
    admin, owner = actors[Role.admin], actors[Role.data_scientist]
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            needed = operation["x-required-role"]
            callers: list[Actor | None] = [None, *actors.values()]
            for caller in callers:
                params = _ensure_fixtures(
                    client,
                    admin,
                    owner,
                    actors[Role.business_user],
                    sqlite_ctx,
                    tmp_path,
                    "/deployments/" in path,
                )
                url = path.format(**{k: v for k, v in params.items() if "{" + k + "}" in path})
                headers = caller.headers if caller else {}
                query = {
                    p["name"]: QUERY_EXAMPLES[p["name"]]
                    for p in operation.get("parameters", [])
                    if p["in"] == "query" and p.get("required")
                }
                response = client.request(method.upper(), url, headers=headers, params=query)
                label = f"{method.upper()} {path} as {caller.role.value if caller else 'anonymous'}"
                assert response.status_code < 500, f"{label}: {response.status_code} {response.text}"
                body = response.json() if response.headers.get("content-type") == "application/json" else None
                if needed == "public":
                    assert response.status_code not in (401, 403), label
                elif caller is None:
                    assert response.status_code == 401, label
                    assert body and body["error"]["code"] == "unauthenticated", label
                elif not caller.role.allows(Role(needed)):
                    assert response.status_code == 403, f"{label}: {response.status_code}"
                    assert body and needed in body["error"]["message"], label
                else:
                    assert response.status_code not in (401, 403), f"{label}: {response.text}"
                    if method == "get":
                        assert 200 <= response.status_code < 300, f"{label}: {response.text}"
                    elif "requestBody" in operation and operation["requestBody"].get("required"):
                        assert response.status_code == 422, f"{label}: {response.status_code}"
                checked += 1
    assert checked == 5 * sum(len(ops) for ops in schema["paths"].values())
    assert checked >= 100
