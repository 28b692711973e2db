"""Single sign-on end to end: modelport against a real OpenID Connect provider (oidc-provider) on loopback.

The browser is played by httpx: it follows the provider's redirects, posts the development login and
consent forms, and hands the callback URL back to modelport (a TestClient at https://testserver).
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from modelport.api.app import create_app
from modelport.context import Context
from modelport.db.migrate import upgrade
from modelport.schemas import Role
from modelport.services.sso import SsoService
from tests.conftest import PASSWORD, add_user, make_context

HERE = Path(__file__).parent
CALLBACK = "https://testserver/api/v1/auth/sso/callback"
ALICE = {
    "preferred_username": "alice",
    "email": "alice@example.com",
    "name": "Alice Analyst",
    "department": "marketing",
    "realm_access": {"roles": ["data_scientist", "offline_access"]},
}


@dataclass
class Sso:
    client: TestClient
    ctx: Context
    issuer: str


def _sso(tmp_path: Path, issuer: str, **overrides: Any) -> Iterator[Sso]:
    settings: dict[str, Any] = {
        "oidc_issuer": issuer,
        "oidc_client_id": "modelport-web",
        "oidc_audience": "modelport",
        "oidc_role_mapping": {"ml-admins": "admin"},
        "public_url": "https://testserver",
        **overrides,
    }
    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'modelport.db'}", **settings)
    upgrade(ctx.db)
    try:
        with TestClient(create_app(ctx=ctx), base_url="https://testserver") as client:
            yield Sso(client, ctx, issuer)
    finally:
        ctx.db.dispose()


@pytest.fixture
def sso(tmp_path: Path, oidc_issuer: str) -> Iterator[Sso]:
    yield from _sso(tmp_path, oidc_issuer)


def set_claims(issuer: str, account: str, claims: dict[str, Any]) -> None:
    """Change what the provider says about ``account`` (a test-only route of provider.mjs)."""
    assert httpx.post(f"{issuer}/test/accounts/{account}", json=claims).status_code == 204


def through_provider(location: str, login: str) -> str:
    """Play the browser at the provider: sign in as ``login``, consent; return the callback URL."""
    with httpx.Client(timeout=10) as browser:
        response = browser.get(location)
        for _ in range(12):
            if response.is_redirect:
                url = urljoin(str(response.url), response.headers["location"])
                if url.startswith(CALLBACK):
                    return url
                response = browser.get(url)
                continue
            assert response.status_code == 200, response.text
            action = re.search(r'action="([^"]+)"', response.text)
            prompt = re.search(r'name="prompt" value="([^"]+)"', response.text)
            assert action and prompt, response.text
            form = {"prompt": prompt.group(1)}
            if form["prompt"] == "login":
                form |= {"login": login, "password": "anything"}
            response = browser.post(urljoin(str(response.url), html.unescape(action.group(1))), data=form)
    raise AssertionError("the provider never redirected back to modelport")


def start(client: TestClient) -> str:
    started = client.get("/api/v1/auth/sso/login", follow_redirects=False)
    assert started.status_code == 302, started.text
    return str(started.headers["location"])


def sign_in(client: TestClient, login: str) -> httpx.Response:
    """The whole flow; the answer of modelport's callback."""
    callback = through_provider(start(client), login)
    return client.get(callback.removeprefix("https://testserver"), follow_redirects=False)


def tokens_for(sso: Sso, login: str) -> dict[str, Any]:
    """Run the flow by hand (as a program would) and return the provider's tokens."""
    location = start(sso.client)
    service = SsoService(sso.ctx, sso.client.app.state.oidc_provider)  # type: ignore[attr-defined]
    pending = service.read_state(sso.client.cookies.get("modelport_sso"))
    code = parse_qs(urlsplit(through_provider(location, login)).query)["code"][0]
    return service.provider.exchange_code(code, service.redirect_uri, pending["code_verifier"])


def test_authorization_request_uses_pkce_state_and_nonce(sso: Sso) -> None:
    location = start(sso.client)
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{sso.issuer}/auth?")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["redirect_uri"] == [CALLBACK] and query["client_id"] == ["modelport-web"]
    assert query["state"][0] and query["nonce"][0]
    cookie = next(c for c in sso.client.cookies.jar if c.name == "modelport_sso")
    assert cookie.path == "/api/v1/auth/sso" and cookie.secure
    assert query["state"][0] not in location.split("state=")[0]  # state is random, not the cookie


def test_first_sign_in_creates_the_user_and_the_next_one_updates_it(sso: Sso) -> None:
    try:
        answer = sign_in(sso.client, "alice")
        assert answer.status_code == 302 and answer.headers["location"] == "/"
        cookies = answer.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("modelport_session="))
        assert "HttpOnly" in session and "Secure" in session
        me = sso.client.get("/api/v1/auth/me").json()
        assert (me["username"], me["role"], me["department"]) == ("alice", "data_scientist", "marketing")
        assert (me["auth_source"], me["email"], me["display_name"]) == (
            "oidc",
            "alice@example.com",
            "Alice Analyst",
        )

        # The session is a normal one: a change needs the CSRF token from its cookie.
        csrf = sso.client.cookies.get("modelport_csrf")
        card = {"name": "sso-model", "title": "SSO", "department": "marketing"}
        assert sso.client.post("/api/v1/models", json=card).status_code == 403
        assert sso.client.post("/api/v1/models", json=card, headers={"X-CSRF-Token": csrf}).status_code == 201

        set_claims(
            sso.issuer, "alice", {**ALICE, "department": "finance", "realm_access": {"roles": ["admin"]}}
        )
        sso.client.cookies.clear()
        assert sign_in(sso.client, "alice").status_code == 302
        again = sso.client.get("/api/v1/auth/me").json()
        assert (again["id"], again["role"], again["department"]) == (me["id"], "admin", "finance")
    finally:
        set_claims(sso.issuer, "alice", ALICE)
    admin = add_user(sso.ctx, "auditor", Role.admin)
    events = sso.client.get("/api/v1/audit", params={"target": "alice"}, headers=admin.headers).json()[
        "items"
    ]
    actions = [(e["action"], e["details"].get("via")) for e in events]
    assert ("user.create", "oidc") in actions and ("user.update", "oidc") in actions
    assert actions.count(("auth.login", "oidc")) == 2


def test_roles_map_through_the_mapping_and_the_default(sso: Sso) -> None:
    assert sign_in(sso.client, "carol").status_code == 302  # "ml-admins" -> admin by the mapping
    assert sso.client.get("/api/v1/auth/me").json()["role"] == "admin"
    sso.client.cookies.clear()
    assert sign_in(sso.client, "dave").status_code == 302  # no known role -> the default, viewer
    assert sso.client.get("/api/v1/auth/me").json()["role"] == "viewer"


def test_no_role_and_no_default_is_refused(tmp_path: Path, oidc_issuer: str) -> None:
    for env in _sso(tmp_path, oidc_issuer, oidc_default_role=None):
        refused = sign_in(env.client, "dave")
        assert refused.status_code == 403
        assert "none of the roles modelport knows" in refused.json()["error"]["message"]
        assert env.client.get("/api/v1/auth/me").status_code == 401


def test_a_local_account_with_the_same_name_is_not_taken_over(sso: Sso) -> None:
    add_user(sso.ctx, "bob", Role.viewer)
    refused = sign_in(sso.client, "bob")
    assert refused.status_code == 403 and "not linked to this identity" in refused.json()["error"]["message"]
    # and the local account cannot be signed into through SSO later either: it keeps its password
    login = sso.client.post("/api/v1/auth/login", json={"username": "bob", "password": PASSWORD})
    assert login.status_code == 200 and login.json()["user"]["auth_source"] == "local"


def test_wrong_state_missing_cookie_and_wrong_nonce_are_refused(sso: Sso) -> None:
    callback = through_provider(start(sso.client), "alice")
    path = callback.removeprefix("https://testserver")
    tampered = re.sub(r"state=[^&]+", "state=forged", path)
    wrong_state = sso.client.get(tampered, follow_redirects=False)
    assert wrong_state.status_code == 400 and "(state)" in wrong_state.json()["error"]["message"]

    cookie = sso.client.cookies.get("modelport_sso")
    sso.client.cookies.delete("modelport_sso")
    no_cookie = sso.client.get(path, follow_redirects=False)
    assert (
        no_cookie.status_code == 400 and "no sign-in is in progress" in no_cookie.json()["error"]["message"]
    )

    service = SsoService(sso.ctx, sso.client.app.state.oidc_provider)  # type: ignore[attr-defined]
    pending = service.read_state(cookie)
    forged = service.sign_state({**pending, "nonce": "another-sign-in"})
    sso.client.cookies.set("modelport_sso", forged, domain="testserver.local", path="/api/v1/auth/sso")
    wrong_nonce = sso.client.get(path, follow_redirects=False)
    assert wrong_nonce.status_code == 401 and "nonce" in wrong_nonce.json()["error"]["message"]
    assert sso.client.get("/api/v1/auth/me").status_code == 401

    unsigned = jwt.encode({**pending, "exp": int(time.time()) + 60}, "guessed-key", algorithm="HS256")
    sso.client.cookies.set("modelport_sso", unsigned, domain="testserver.local", path="/api/v1/auth/sso")
    forged_cookie = sso.client.get(path, follow_redirects=False)
    assert forged_cookie.status_code == 400 and "invalid" in forged_cookie.json()["error"]["message"]

    denied = sso.client.get("/api/v1/auth/sso/callback?error=access_denied&error_description=nope")
    assert denied.status_code == 401 and "nope" in denied.json()["error"]["message"]
    browser = sso.client.get(
        "/api/v1/auth/sso/callback?error=access_denied",
        follow_redirects=False,
        headers={"Accept": "text/html,application/xhtml+xml"},
    )
    assert browser.status_code == 302 and browser.headers["location"] == "/login?sso_error=unauthenticated"


def test_provider_access_tokens_work_as_bearer_tokens(sso: Sso) -> None:
    tokens = tokens_for(sso, "alice")
    access = tokens["access_token"]
    assert jwt.get_unverified_header(access)["typ"] == "at+jwt"
    me = sso.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"})
    assert (
        me.status_code == 200 and me.json()["username"] == "alice" and me.json()["role"] == "data_scientist"
    )
    # A bearer token needs no CSRF header: it is not sent by the browser on its own.
    card = {"name": "bearer-model", "title": "Bearer", "department": "marketing"}
    created = sso.client.post("/api/v1/models", json=card, headers={"Authorization": f"Bearer {access}"})
    assert created.status_code == 201

    # The ID token is meant for the web client, not for the API (audience "modelport").
    as_id = sso.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['id_token']}"})
    assert as_id.status_code == 401 and "aud" in as_id.json()["error"]["message"]

    header, payload, signature = access.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["realm_access"] = {"roles": ["admin"]}
    forged = f"{header}.{jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()}.{signature}"
    tampered = sso.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert tampered.status_code == 401 and "signature" in tampered.json()["error"]["message"].lower()

    key = jwt.PyJWK(json.loads((HERE / "jwks.json").read_text())["keys"][0])  # the provider's own key
    now = int(time.time())
    expired_claims = {**claims, "realm_access": ALICE["realm_access"], "iat": now - 900, "exp": now - 600}
    expired = jwt.encode(expired_claims, key.key, algorithm="RS256", headers={"kid": key.key_id})
    old = sso.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert old.status_code == 401 and "expired" in old.json()["error"]["message"]


def test_sso_with_local_login_switched_off(tmp_path: Path, oidc_issuer: str) -> None:
    for env in _sso(tmp_path, oidc_issuer, local_login_enabled=False):
        config = env.client.get("/api/v1/auth/config").json()
        assert config == {
            "sso_enabled": True,
            "local_login_enabled": False,
            "sso_login_url": "/api/v1/auth/sso/login",
        }
        add_user(env.ctx, "local-admin", Role.admin)
        refused = env.client.post(
            "/api/v1/auth/login", json={"username": "local-admin", "password": PASSWORD}
        )
        assert refused.status_code == 403 and "single sign-on" in refused.json()["error"]["message"]
        assert sign_in(env.client, "bob").status_code == 302
        assert env.client.get("/api/v1/auth/me").json()["role"] == "business_user"
