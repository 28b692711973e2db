"""Hardening of the HTTP surface: headers, CORS, CSRF on every change, sign-in limits, no secret in logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from modelport.api.app import create_app
from modelport.api.hardening import CSP
from modelport.api.ratelimit import SlidingWindow
from modelport.db.migrate import upgrade
from modelport.redact import redact, scrub
from modelport.schemas import Role
from tests.conftest import PASSWORD, Actor, make_context

UNSAFE = ("post", "put", "patch", "delete")


def _client(tmp_path: Path, base_url: str = "https://testserver", **overrides: Any) -> Iterator[TestClient]:
    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'modelport.db'}", **overrides)
    upgrade(ctx.db)
    with TestClient(create_app(ctx=ctx), base_url=base_url) as client:
        yield client
    ctx.db.dispose()


def test_security_headers(client: TestClient, tmp_path: Path) -> None:
    api = client.get("/api/v1/auth/config")
    assert api.headers["content-security-policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "default-src 'self'" in CSP
    assert api.headers["strict-transport-security"].startswith("max-age=")
    assert api.headers["x-content-type-options"] == "nosniff"
    assert api.headers["x-frame-options"] == "DENY"
    assert api.headers["referrer-policy"] == "same-origin"
    assert api.headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/healthz").headers
    docs = client.get("/docs")
    assert docs.headers["content-security-policy"] == CSP  # no inline script, no CDN
    assert "<script>" not in docs.text and "cdn" not in docs.text.lower()
    for plain in _client(tmp_path / "plain", base_url="http://testserver"):
        assert "strict-transport-security" not in plain.get("/healthz").headers  # only over HTTPS


def test_cors_is_closed_by_default_and_open_to_configured_origins(client: TestClient, tmp_path: Path) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    closed = client.options("/api/v1/models", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    assert (
        "access-control-allow-origin"
        not in client.get("/healthz", headers={"Origin": "https://evil.example"}).headers
    )
    for open_client in _client(tmp_path / "cors", cors_origins=["https://portal.example"]):
        allowed = open_client.options(
            "/api/v1/models", headers={**preflight, "Origin": "https://portal.example"}
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://portal.example"
        assert allowed.headers["access-control-allow-credentials"] == "true"
        refused = open_client.options("/api/v1/models", headers=preflight)
        assert "access-control-allow-origin" not in refused.headers


def test_csrf_guards_every_cookie_authenticated_change(client: TestClient, actors: dict[Role, Actor]) -> None:
    """Walks the OpenAPI schema, so routes added later are covered too."""
    admin = actors[Role.admin]
    login = client.post("/api/v1/auth/login", json={"username": admin.username, "password": PASSWORD})
    assert login.status_code == 200
    checked = 0
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            if method not in UNSAFE or operation["x-required-role"] == "public":
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)  # any value: the CSRF check comes before the lookup
            answer = client.request(method.upper(), url)
            label = f"{method.upper()} {path}"
            assert answer.status_code == 403, f"{label}: {answer.status_code} {answer.text}"
            assert "X-CSRF-Token" in answer.json()["error"]["message"], label
            checked += 1
    assert checked >= 10


def test_public_changes_are_not_open_to_cross_site_forms(
    client: TestClient, actors: dict[Role, Actor]
) -> None:
    # A cross-site HTML form can only send form or text bodies; sign-in takes JSON only.
    body = f'{{"username": "{actors[Role.viewer].username}", "password": "{PASSWORD}"}}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        answer = client.post("/api/v1/auth/login", content=body, headers={"Content-Type": content_type})
        assert answer.status_code == 415, content_type
        assert answer.json()["error"]["details"] == {"expected": ["application/json"]}
        assert "modelport_session" not in answer.headers.get("set-cookie", "")


def test_login_rate_limit_per_address(tmp_path: Path, actors: dict[Role, Actor]) -> None:
    for client in _client(tmp_path / "limited", login_rate_limit_per_minute=3):
        for _ in range(3):
            wrong = client.post(
                "/api/v1/auth/login", json={"username": "nobody", "password": "wrong-password"}
            )
            assert wrong.status_code == 401
        limited = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "wrong-password"})
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.json()["error"]["code"] == "too_many_requests"


def test_sliding_window() -> None:
    now = [1000.0]
    window = SlidingWindow(limit=2, window_seconds=60, max_keys=4, clock=lambda: now[0])
    assert window.hit("a") == 0 and window.hit("a") == 0
    assert window.hit("a") == pytest.approx(60)
    assert window.hit("b") == 0  # per key
    now[0] += 30
    assert window.hit("a") == pytest.approx(30)  # refused attempts are not counted
    now[0] += 30.5
    assert window.hit("a") == 0
    for key in "cdefgh":  # more keys than max_keys: stale ones are forgotten, memory stays bounded
        window.hit(key)
    assert len(window._events) <= 4


def test_request_size_limits(client: TestClient) -> None:
    huge = client.post("/api/v1/auth/login", headers={"Content-Length": str(10**12)}, content=b"{}")
    assert huge.status_code == 413
    garbled = client.post("/api/v1/auth/login", headers={"Content-Length": "12abc"}, content=b"{}")
    assert garbled.status_code == 400


def test_secrets_never_reach_the_logs(
    client: TestClient, actors: dict[Role, Actor], caplog: pytest.LogCaptureFixture
) -> None:
    ds = actors[Role.data_scientist]
    with caplog.at_level(logging.DEBUG):
        login = client.post("/api/v1/auth/login", json={"username": ds.username, "password": PASSWORD})
        session = client.cookies.get("modelport_session")
        client.post("/api/v1/auth/login", json={"username": ds.username, "password": "wrong-" + PASSWORD})
        created = client.post("/api/v1/tokens", json={"name": "logged?"}, headers=ds.headers).json()["token"]
        assert (
            client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {created}"}).status_code == 200
        )
        client.get(f"/api/v1/models?token={created}&password={PASSWORD}")
        logging.getLogger("modelport.test").warning("headers: %s", {"authorization": f"Bearer {ds.token}"})
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1", "GET", f"/cb?code=abc123def&state={session}", "1.1", 302
        )
    assert login.status_code == 200 and caplog.records
    text = caplog.text + " ".join(r.getMessage() for r in caplog.records)
    for secret in (PASSWORD, ds.token, created, str(session), login.json()["csrf_token"], "abc123def"):
        assert secret not in text, secret
    assert "mp_" + ds.token.split("_")[1] + "_***" in text  # the public prefix stays, to trace a token


@pytest.mark.parametrize(
    ("line", "hidden"),
    [
        ("Authorization: Bearer abcdef123456", "abcdef123456"),
        ('{"username": "x", "password": "hunter2-long"}', "hunter2-long"),
        ("password=hunter2-long&next=/", "hunter2-long"),
        (
            "GET /api/v1/auth/sso/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj",
            "SplxlOBeZQQYbYS6WxSbIA",
        ),
        ("GET /api/v1/auth/sso/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj", "af0ifjsldkj"),
        ("Cookie: modelport_session=s3cr3tvalue; modelport_csrf=c5rfvalue", "s3cr3tvalue"),
        ("Cookie: modelport_session=s3cr3tvalue; modelport_csrf=c5rfvalue", "c5rfvalue"),
        ("id_token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl seen", "eyJzdWIiOiIxIn0"),
        ("client_secret: abcdefghijkl", "abcdefghijkl"),
    ],
)
def test_redaction(line: str, hidden: str) -> None:
    assert hidden not in redact(line)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %d", (line, 3), None)
    assert hidden not in scrub(record).getMessage() and scrub(record).getMessage().endswith(" 3")


def test_redaction_keeps_ordinary_messages() -> None:
    for line in (
        "unknown API token",
        "token.create by alice",
        "GET /api/v1/models?page=2 200",
        "code: not_found",
    ):
        assert redact(line) == line
