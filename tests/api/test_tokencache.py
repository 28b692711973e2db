"""The API token cache: fewer store reads, and revocation, disabling and role changes still bite at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from modelport.api import tokencache
from modelport.context import Context
from modelport.db.tables import utcnow
from modelport.schemas import Role
from modelport.serving.caching import TTLCache
from tests.conftest import Actor


@contextmanager
def token_reads(ctx: Context) -> Iterator[list[str]]:
    """The SQL statements reading ``api_tokens`` while the block runs."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "api_tokens" in statement:
            seen.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", record)


def test_a_known_token_is_not_read_from_the_store_again(
    client: TestClient, sqlite_ctx: Context, actors: dict[Role, Actor]
) -> None:
    viewer = actors[Role.viewer]
    assert client.get("/api/v1/models", headers=viewer.headers).status_code == 200
    with token_reads(sqlite_ctx) as reads:
        for _ in range(3):
            assert client.get("/api/v1/models", headers=viewer.headers).status_code == 200
    assert reads == []
    me = client.get("/api/v1/auth/me", headers=viewer.headers).json()
    assert me["username"] == viewer.username and me["role"] == "viewer"


def test_revoking_a_token_refuses_it_at_once(client: TestClient, actors: dict[Role, Actor]) -> None:
    viewer = actors[Role.viewer]
    assert client.get("/api/v1/models", headers=viewer.headers).status_code == 200  # now cached
    tokens = client.get("/api/v1/tokens", headers=viewer.headers).json()
    assert len(tokens) == 1
    revoked = client.delete(f"/api/v1/tokens/{tokens[0]['id']}", headers=viewer.headers)
    assert revoked.status_code == 200
    refused = client.get("/api/v1/models", headers=viewer.headers)
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]


def test_disabling_a_user_or_changing_their_role_applies_at_once(
    client: TestClient, actors: dict[Role, Actor]
) -> None:
    admin, viewer, analyst = actors[Role.admin], actors[Role.viewer], actors[Role.business_user]
    assert client.get("/api/v1/models", headers=viewer.headers).status_code == 200
    assert client.get("/api/v1/users", headers=analyst.headers).status_code == 403
    promoted = client.patch(
        f"/api/v1/users/{analyst.username}", json={"role": "admin"}, headers=admin.headers
    )
    assert promoted.status_code == 200
    assert client.get("/api/v1/users", headers=analyst.headers).status_code == 200
    disabled = client.patch(
        f"/api/v1/users/{viewer.username}", json={"is_active": False}, headers=admin.headers
    )
    assert disabled.status_code == 200
    assert client.get("/api/v1/models", headers=viewer.headers).status_code == 401


def test_a_change_made_by_another_process_is_seen_within_the_time_to_live(
    client: TestClient, sqlite_ctx: Context, actors: dict[Role, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = actors[Role.viewer]
    cache = tokencache.cache_of(sqlite_ctx)
    assert cache is not None
    monkeypatch.setattr(cache, "ttl", 0.3)
    assert client.get("/api/v1/models", headers=viewer.headers).status_code == 200
    # another replica revokes it: a plain SQL statement, which no session event of this process sees
    with sqlite_ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE api_tokens SET revoked_at = :now"), {"now": utcnow()})
    assert client.get("/api/v1/models", headers=viewer.headers).status_code == 200  # within the TTL
    time.sleep(0.35)
    assert client.get("/api/v1/models", headers=viewer.headers).status_code == 401


def test_the_cache_can_be_switched_off(
    client: TestClient, sqlite_ctx: Context, actors: dict[Role, Actor]
) -> None:
    sqlite_ctx.settings.token_cache_seconds = 0
    viewer = actors[Role.viewer]
    with token_reads(sqlite_ctx) as reads:
        for _ in range(2):
            assert client.get("/api/v1/models", headers=viewer.headers).status_code == 200
    assert len(reads) >= 2
    assert tokencache.cache_of(sqlite_ctx) is None


def test_an_expired_entry_is_not_used(sqlite_ctx: Context, actors: dict[Role, Actor]) -> None:
    from dataclasses import replace

    from modelport.services.auth import AuthService, hash_secret

    viewer = actors[Role.viewer]
    principal = tokencache.from_token(AuthService(sqlite_ctx), viewer.token, "10.0.0.1", "tests")
    assert principal.ip == "10.0.0.1" and principal.username == viewer.username
    cache = tokencache.cache_of(sqlite_ctx)
    assert cache is not None
    key = hash_secret(viewer.token)
    entry = cache.get(key)
    assert entry is not None and entry.principal.ip is None  # kept without the request's details
    assert tokencache._hit(cache, key, "10.0.0.2", "ua") is not None
    cache.put(key, replace(entry, expires_at=utcnow() - timedelta(seconds=1)))
    assert tokencache._hit(cache, key, "10.0.0.2", "ua") is None


def test_ttl_cache_expiry_bound_and_generation() -> None:
    now = [100.0]
    cache: TTLCache[str, int] = TTLCache(ttl=5, max_entries=3, clock=lambda: now[0])
    cache.put("a", 1)
    assert cache.get("a") == 1
    now[0] += 5
    assert cache.get("a") is None
    for i, key in enumerate("bcde"):
        cache.put(key, i)
    assert len(cache) == 3 and cache.get("b") is None and cache.get("e") == 3
    generation = cache.generation
    cache.clear()
    cache.put("late", 1, generation)  # read before the clear: dropped
    assert cache.get("late") is None
    cache.put("fresh", 2, cache.generation)
    assert cache.get("fresh") == 2
    off: TTLCache[str, int] = TTLCache(ttl=0)
    off.put("a", 1)
    assert off.get("a") is None


def test_a_bulk_update_of_a_user_clears_the_cache(sqlite_ctx: Context, actors: dict[Role, Actor]) -> None:
    from sqlalchemy import update

    from modelport.db.tables import UserRow
    from modelport.services.auth import AuthService

    viewer = actors[Role.viewer]
    tokencache.from_token(AuthService(sqlite_ctx), viewer.token, None, None)
    cache = tokencache.cache_of(sqlite_ctx)
    assert cache is not None and len(cache) == 1
    with sqlite_ctx.db.session() as s:
        s.execute(update(UserRow).where(UserRow.username == viewer.username).values(is_active=False))
    assert len(cache) == 0
