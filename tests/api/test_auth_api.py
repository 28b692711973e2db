"""Sign-in, sessions, CSRF, lockout and API tokens through the API."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from modelport.api.app import create_app
from modelport.context import Context
from modelport.db.migrate import upgrade
from modelport.db.tables import ApiTokenRow, utcnow
from modelport.schemas import Role
from tests.conftest import PASSWORD, Actor, add_user, make_context


def _login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def test_login_sets_a_secure_httponly_session_and_csrf_guards_writes(
    client: TestClient, actors: dict[Role, Actor]
) -> None:
    ds = actors[Role.data_scientist]
    response = client.post("/api/v1/auth/login", json={"username": ds.username, "password": PASSWORD})
    assert response.status_code == 200
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("modelport_session="))
    assert "HttpOnly" in session and "Secure" in session and "SameSite=lax" in session
    csrf = response.json()["csrf_token"]
    assert client.get("/api/v1/auth/me").json()["username"] == ds.username
    card = {"name": "csrf-model", "title": "CSRF", "department": "marketing"}
    refused = client.post("/api/v1/models", json=card)
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["error"]["message"]
    wrong = client.post("/api/v1/models", json=card, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    accepted = client.post("/api/v1/models", json=card, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_wrong_password_then_lockout(client: TestClient, actors: dict[Role, Actor]) -> None:
    viewer = actors[Role.viewer]
    for _ in range(5):
        response = client.post(
            "/api/v1/auth/login", json={"username": viewer.username, "password": "wrong-password"}
        )
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "wrong username or password"
    locked = client.post("/api/v1/auth/login", json={"username": viewer.username, "password": PASSWORD})
    assert locked.status_code == 429
    unknown = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "whatever-pass"})
    assert unknown.status_code == 401
    admin = actors[Role.admin]
    events = client.get("/api/v1/audit", params={"action": "auth.login_failed"}, headers=admin.headers).json()
    assert events["total"] == 5
    assert all("password" not in str(e["details"]) or "***" in str(e["details"]) for e in events["items"])


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer not-a-token", "malformed API token"),
        ("Bearer mp_AAAAAAAA_" + "x" * 43, "unknown API token"),
        ("Basic dXNlcjpwYXNz", "Bearer"),
        ("Bearer ", "Bearer"),
    ],
)
def test_malformed_or_unknown_tokens(client: TestClient, header: str, message: str) -> None:
    response = client.get("/api/v1/models", headers={"Authorization": header})
    assert response.status_code == 401
    assert message in response.json()["error"]["message"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_token_lifecycle_expiry_and_revocation(
    client: TestClient, actors: dict[Role, Actor], sqlite_ctx: Context
) -> None:
    ds = actors[Role.data_scientist]
    created = client.post(
        "/api/v1/tokens", json={"name": "notebook", "expires_in_days": 7}, headers=ds.headers
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    token_id = created.json()["api_token"]["id"]
    listed = client.get("/api/v1/tokens", headers=ds.headers).json()
    assert {t["name"] for t in listed} == {"tests", "notebook"}
    assert secret not in str(listed)
    new_headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/auth/me", headers=new_headers).json()["username"] == ds.username

    too_long = client.post("/api/v1/tokens", json={"name": "x", "expires_in_days": 9999}, headers=ds.headers)
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "expires_in_days"

    with sqlite_ctx.db.session() as s:
        s.execute(
            update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(expires_at=utcnow() - timedelta(1))
        )
    expired = client.get("/api/v1/auth/me", headers=new_headers)
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]

    other = actors[Role.viewer]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=other.headers).status_code == 404
    revoked = client.delete(f"/api/v1/tokens/{token_id}", headers=ds.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    with sqlite_ctx.db.session() as s:
        s.execute(
            update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(expires_at=utcnow() + timedelta(1))
        )
    still_out = client.get("/api/v1/auth/me", headers=new_headers)
    assert still_out.status_code == 401 and "revoked" in still_out.json()["error"]["message"]

    admin = actors[Role.admin]
    events = client.get("/api/v1/audit", params={"action": "token.create"}, headers=admin.headers).json()[
        "items"
    ]
    assert any(e["details"].get("token_name") == "notebook" for e in events)
    assert secret not in str(events)


def test_admin_manages_users(client: TestClient, actors: dict[Role, Actor]) -> None:
    admin = actors[Role.admin]
    body = {
        "username": "new-analyst",
        "password": "long-enough-pw",
        "role": "business_user",
        "department": "sales",
    }
    created = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert created.status_code == 201
    assert "password" not in created.json()
    duplicate = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert duplicate.status_code == 409 and duplicate.json()["error"]["field"] == "username"
    short = client.post(
        "/api/v1/users", json={**body, "username": "x2", "password": "short"}, headers=admin.headers
    )
    assert short.status_code == 422 and short.json()["error"]["field"] == "password"
    _login(client, "new-analyst", "long-enough-pw")
    changed = client.patch("/api/v1/users/new-analyst", json={"is_active": False}, headers=admin.headers)
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    assert client.get("/api/v1/auth/me").status_code == 401
    listing = client.get("/api/v1/users", params={"role": "business_user"}, headers=admin.headers).json()
    assert [u["username"] for u in listing["items"]] == ["business-user-1", "new-analyst"]


def test_errors_share_one_shape(client: TestClient, actors: dict[Role, Actor]) -> None:
    viewer = actors[Role.viewer]
    for response in (
        client.get("/api/v1/nowhere", headers=viewer.headers),
        client.get("/api/v1/models/absent", headers=viewer.headers),
        client.put("/api/v1/models", headers=viewer.headers),
        client.get("/api/v1/audit", headers=viewer.headers),
    ):
        error = response.json()["error"]
        assert set(error) >= {"code", "message"}
        assert response.status_code in (403, 404, 405)


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready == {"status": "ok", "checks": {"database": "ok", "artifacts": "ok"}}
    assert client.get("/healthz").headers["x-content-type-options"] == "nosniff"


def test_local_login_can_be_switched_off(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'modelport.db'}", local_login_enabled=False)
    upgrade(ctx.db)
    admin = add_user(ctx, "admin-1", Role.admin)
    with TestClient(create_app(ctx=ctx), base_url="https://testserver") as client:
        assert client.get("/api/v1/auth/config").json()["local_login_enabled"] is False
        refused = client.post("/api/v1/auth/login", json={"username": "admin-1", "password": PASSWORD})
        assert refused.status_code == 403
        assert "switched off" in refused.json()["error"]["message"]
        assert "modelport_session" not in refused.headers.get("set-cookie", "")
        # API tokens (programs, the CLI) keep working.
        assert client.get("/api/v1/auth/me", headers=admin.headers).json()["username"] == "admin-1"
    ctx.db.dispose()
