"""Provider access tokens on the API, against a tiny local provider (discovery + JWKS) that we control.

No node needed: keys are made here, so rotation, expiry, forged algorithms and unknown keys can be
tested exactly. Also the claim -> role mapping rules.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from modelport.api.app import create_app
from modelport.db.migrate import upgrade
from modelport.errors import Forbidden
from modelport.schemas import Role
from modelport.services.oidc import OidcProvider
from modelport.services.sso import claim, map_role
from tests.conftest import make_context


@dataclass
class Issuer:
    """An OpenID provider reduced to its discovery document and its JWKS (changeable at will)."""

    url: str = ""
    keys: list[dict[str, Any]] = field(default_factory=list)
    jwks_hits: int = 0

    def publish(self, key: Any, kid: str) -> None:
        algorithm = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
        jwk = json.loads(algorithm.to_jwk(key.public_key()))
        self.keys.append({**jwk, "kid": kid, "use": "sig"})

    def token(self, key: Any, kid: str, alg: str = "RS256", **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "iss": self.url,
            "sub": "u-123",
            "aud": "modelport",
            "iat": now,
            "exp": now + 300,
            "preferred_username": "erin",
            "groups": ["/ml/data-scientists"],
            **claims,
        }
        return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    state = Issuer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path == "/.well-known/openid-configuration":
                body: dict[str, Any] = {
                    "issuer": state.url,
                    "authorization_endpoint": f"{state.url}/auth",
                    "token_endpoint": f"{state.url}/token",
                    "jwks_uri": f"{state.url}/jwks",
                }
            elif self.path == "/jwks":
                state.jwks_hits += 1
                body = {"keys": state.keys}
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def api(tmp_path: Path, issuer: Issuer) -> Iterator[TestClient]:
    ctx = make_context(
        tmp_path,
        f"sqlite:///{tmp_path / 'modelport.db'}",
        oidc_issuer=issuer.url,
        oidc_client_id="modelport-web",
        oidc_audience="modelport",
        oidc_role_claim="groups",
        oidc_role_mapping={"data-scientists": "data_scientist", "ml-admins": "admin"},
    )
    upgrade(ctx.db)
    app = create_app(ctx=ctx)
    app.state.oidc_provider = OidcProvider(issuer.url, "modelport-web", jwks_cooldown_seconds=0)
    with TestClient(app, base_url="https://testserver") as client:
        yield client
    ctx.db.dispose()


def _me(api: TestClient, token: str) -> Any:
    return api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_signed_tokens_map_groups_to_roles_and_sync_the_user(api: TestClient, issuer: Issuer) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer.publish(key, "k1")
    me = _me(api, issuer.token(key, "k1", department="Supply-Chain"))
    assert me.status_code == 200, me.text
    assert me.json() | {"id": 0, "created_at": ""} == me.json() | {
        "id": 0,
        "created_at": "",
        "username": "erin",
        "role": "data_scientist",
        "department": "supply-chain",
        "auth_source": "oidc",
    }
    promoted = _me(api, issuer.token(key, "k1", groups=["/ml/data-scientists", "ml-admins"]))
    assert promoted.json()["role"] == "admin" and promoted.json()["id"] == me.json()["id"]


def test_key_rotation_refetches_the_jwks_on_an_unknown_key(api: TestClient, issuer: Issuer) -> None:
    old, new = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2))
    issuer.publish(old, "old")
    assert _me(api, issuer.token(old, "old")).status_code == 200
    unknown = _me(api, issuer.token(new, "new"))
    assert unknown.status_code == 401 and "does not publish" in unknown.json()["error"]["message"]
    hits = issuer.jwks_hits
    issuer.publish(new, "new")  # the provider rotates: the new key appears in its JWKS
    assert _me(api, issuer.token(new, "new")).status_code == 200
    assert issuer.jwks_hits == hits + 1
    assert _me(api, issuer.token(old, "old")).status_code == 200  # both keys live during the rotation
    assert issuer.jwks_hits == hits + 1  # served from the cache


def test_unknown_key_ids_refetch_at_most_once_per_cooldown(tmp_path: Path, issuer: Issuer) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer.publish(key, "k1")
    provider = OidcProvider(issuer.url, "modelport-web", jwks_cooldown_seconds=60)
    provider.validate(issuer.token(key, "k1"), "modelport")
    for n in range(5):
        with pytest.raises(Exception, match="does not publish"):
            provider.validate(issuer.token(key, f"forged-{n}"), "modelport")
    assert issuer.jwks_hits == 1  # the forged key ids did not make us hammer the provider


_TIME_CLAIMS = frozenset({"exp", "iat", "nbf"})


@pytest.mark.parametrize(
    ("change", "message"),
    [  # time claims are seconds from when the test runs (collection can be minutes earlier)
        ({"exp": -120, "iat": -600}, "expired"),
        ({"aud": "another-api"}, "aud"),
        ({"iss": "https://evil.example"}, "iss"),
        ({"nbf": 600}, "not yet valid"),
    ],
)
def test_invalid_claims_are_refused(
    api: TestClient, issuer: Issuer, change: dict[str, Any], message: str
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer.publish(key, "k1")
    now = int(time.time())
    claims = {name: now + value if name in _TIME_CLAIMS else value for name, value in change.items()}
    refused = _me(api, issuer.token(key, "k1", **claims))
    assert refused.status_code == 401 and message in refused.json()["error"]["message"]


def test_forged_algorithms_and_signatures_are_refused(api: TestClient, issuer: Issuer) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer.publish(key, "k1")
    good = issuer.token(key, "k1")
    head, body, _sig = good.split(".")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forgeries = [
        f"{head}.{body}.",  # no signature
        jwt.encode(jwt.decode(good, options={"verify_signature": False}), None, algorithm="none"),
        issuer.token("a-shared-secret-of-32-characters!", "k1", alg="HS256"),  # type: ignore[arg-type]
        issuer.token(other, "k1"),  # right key id, wrong key
    ]
    for forged in forgeries:
        assert _me(api, forged).status_code == 401, forged
    ec_key = ec.generate_private_key(ec.SECP256R1())
    issuer.publish(ec_key, "ec1")
    assert _me(api, issuer.token(ec_key, "ec1", alg="ES256")).status_code == 200


def test_keycloak_id_tokens_are_not_access_tokens(api: TestClient, issuer: Issuer) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer.publish(key, "k1")
    refused = _me(api, issuer.token(key, "k1", typ="ID"))
    assert refused.status_code == 401 and "ID token" in refused.json()["error"]["message"]
    assert _me(api, issuer.token(key, "k1", typ="Bearer")).status_code == 200


def test_api_tokens_and_garbage_still_take_their_own_path(api: TestClient) -> None:
    assert "malformed API token" in _me(api, "not-a-token").json()["error"]["message"]
    assert _me(api, "a.b.c").status_code == 401


def test_an_unreachable_provider_is_a_502_not_a_crash(tmp_path: Path) -> None:
    ctx = make_context(
        tmp_path,
        f"sqlite:///{tmp_path / 'modelport.db'}",
        oidc_issuer="http://127.0.0.1:9",
        oidc_client_id="modelport-web",
    )
    upgrade(ctx.db)
    with TestClient(create_app(ctx=ctx), base_url="https://testserver") as client:
        token = jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256", headers={"kid": "k"})
        answer = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 502 and answer.json()["error"]["code"] == "provider_unavailable"
        started = client.get("/api/v1/auth/sso/login", follow_redirects=False)
        assert started.status_code == 502
    ctx.db.dispose()


def test_sso_routes_answer_404_when_sso_is_not_configured(client: TestClient) -> None:
    for path in ("/api/v1/auth/sso/login", "/api/v1/auth/sso/callback?code=x&state=y"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 404 and "not configured" in answer.json()["error"]["message"]
    assert client.get("/api/v1/auth/config").json() == {
        "sso_enabled": False,
        "local_login_enabled": True,
        "sso_login_url": None,
    }


def test_claim_paths_and_role_mapping() -> None:
    claims = {"realm_access": {"roles": ["viewer", "x"]}, "resource_access.app": "kept", "groups": "a b,c"}
    assert claim(claims, "realm_access.roles") == ["viewer", "x"]
    assert claim(claims, "resource_access.app") == "kept"
    assert claim(claims, "realm_access.missing.deeper") is None
    mapping = {"ml-admins": "admin", "analysts": "business_user", "typo": "superuser"}
    assert map_role(["viewer", "analysts"], mapping, None) is Role.business_user
    assert map_role(["/company/ml-admins", "viewer"], mapping, None) is Role.admin
    assert map_role(["data_scientist"], {}, None) is Role.data_scientist
    assert map_role(["typo", "unknown"], mapping, "viewer") is Role.viewer
    with pytest.raises(Forbidden, match="none of the roles"):
        map_role(["typo"], mapping, None)
