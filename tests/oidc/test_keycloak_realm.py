"""The Keycloak realm shipped in deploy/keycloak matches what modelport expects of its provider."""

from __future__ import annotations

import json
from pathlib import Path

from modelport.schemas import Role

REALM = Path(__file__).parents[2] / "deploy" / "keycloak" / "realm-export.json"


def test_the_realm_export_has_the_roles_client_users_and_mappers() -> None:
    realm = json.loads(REALM.read_text())
    assert realm["realm"] == "modelport"
    assert {r["name"] for r in realm["roles"]["realm"]} == {r.value for r in Role}

    (client,) = realm["clients"]
    assert client["clientId"] == "modelport-web" and client["publicClient"] is True
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"
    assert "http://127.0.0.1:8000/api/v1/auth/sso/callback" in client["redirectUris"]
    assert client["directAccessGrantsEnabled"] is False and client["implicitFlowEnabled"] is False
    mappers = {m["protocolMapper"]: m["config"] for m in client["protocolMappers"]}
    department = mappers["oidc-usermodel-attribute-mapper"]
    assert department["user.attribute"] == department["claim.name"] == "department"
    assert department["id.token.claim"] == department["access.token.claim"] == "true"
    assert mappers["oidc-usermodel-realm-role-mapper"]["claim.name"] == "realm_access.roles"
    assert mappers["oidc-audience-mapper"]["included.client.audience"] == "modelport-web"

    users = {u["realmRoles"][0]: u for u in realm["users"]}
    assert set(users) == {r.value for r in Role}
    assert all(u["attributes"]["department"] for u in users.values())
    profile = json.loads(
        realm["components"]["org.keycloak.userprofile.UserProfileProvider"][0]["config"][
            "kc.user.profile.config"
        ][0]
    )
    names = [a["name"] for a in profile["attributes"]]
    assert names == ["username", "email", "firstName", "lastName", "department"]
