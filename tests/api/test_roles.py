"""Every route of the OpenAPI schema, called as every role and anonymously, against the role table.

Each operation declares its role (``x-required-role``); a caller below it gets 401 (anonymous) or
403, a caller at or above it is let through: reads answer 2xx, writes sent without a body 422.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from tests.conftest import Actor
from tests.factories import joblib_file

from modelport.schemas import ApiTokenCreate, Role
from modelport.services.auth import AuthService
from modelport.services.context import Context

CARD = {"name": "matrix-model", "title": "Matrix", "department": "marketing"}


def _ensure_fixtures(
    client: TestClient, admin: Actor, owner: Actor, ctx: Context, folder: Path
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
    auth = AuthService(ctx)
    spare = auth.create_token(ApiTokenCreate(name="spare"), auth.cli_principal(admin.username))
    return {
        "name": "matrix-model",
        "ref": "1",
        "alias": "champion",
        "username": owner.username,
        "token_id": str(spare.api_token.id),
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
                params = _ensure_fixtures(client, admin, owner, sqlite_ctx, tmp_path)
                url = path.format(**{k: v for k, v in params.items() if "{" + k + "}" in path})
                headers = caller.headers if caller else {}
                response = client.request(method.upper(), url, headers=headers)
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
