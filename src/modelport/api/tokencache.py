"""API token -> principal, cached for a few seconds so that a program's calls skip the store.

Without it every request authenticated by an API token reads the token and its user from the metadata
store (about a millisecond on SQLite, a round trip on PostgreSQL). With it, a token seen in the last
``MODELPORT_TOKEN_CACHE_SECONDS`` (default 5) is accepted from memory.

What stays exact: the token must match (the cache is keyed by its sha256, as the store is: the secret
itself is never kept), must not have expired (its expiry is cached with it and checked every time),
and the principal's address and user agent are those of the current request.

What may lag: revoking a token, disabling its user or changing their role clears this process's cache
as soon as the change is committed here (see :mod:`modelport.serving.caching`); **other processes and
replicas accept a revoked token for up to the cache's time to live**. Set the setting to 0 to read the
store on every request.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from fastapi import Request

from modelport.clock import utcnow
from modelport.context import Context
from modelport.principal import Principal
from modelport.services.auth import AuthService, hash_secret
from modelport.serving.caching import TTLCache, watch
from modelport.stores.users import UserStore

TABLES = ("api_tokens", "users")
"""A commit changing one of these clears the cache."""


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    expires_at: datetime


def cache_of(ctx: Context) -> TTLCache[str, _Entry] | None:
    """The token cache of ``ctx`` (None when disabled by the setting)."""
    ttl = ctx.settings.token_cache_seconds
    if ttl <= 0:
        return None

    def make() -> TTLCache[str, _Entry]:
        cache: TTLCache[str, _Entry] = TTLCache(ttl)
        watch(cache, *TABLES)
        return cache

    return ctx.owned("token cache", make)


def _hit(
    cache: TTLCache[str, _Entry], token_hash: str, ip: str | None, agent: str | None
) -> Principal | None:
    entry = cache.get(token_hash)
    if entry is None or entry.expires_at <= utcnow():
        return None
    p = entry.principal
    return Principal(p.user_id, p.username, p.role, p.department, p.via, ip, agent)  # replace() is slower


def from_token(auth: AuthService, token: str, ip: str | None, agent: str | None) -> Principal:
    """:meth:`AuthService.from_token`, answered from the cache when the token was seen lately."""
    cache = cache_of(auth.ctx)
    if cache is None:
        return auth.from_token(token, ip, agent)
    token_hash = hash_secret(token)
    principal = _hit(cache, token_hash, ip, agent)
    if principal is not None:
        return principal
    generation = cache.generation
    principal = auth.from_token(token, ip, agent)  # raises for an unknown, revoked or expired token
    with auth.ctx.db.session() as s:
        found = UserStore(s).token_by_hash(token_hash)
        expires_at = found.expires_at if found is not None else None
    if expires_at is not None:
        cache.put(token_hash, _Entry(replace(principal, ip=None, user_agent=None), expires_at), generation)
    return principal


def cached_principal(request: Request) -> Principal | None:
    """The caller of ``request`` if it carries a modelport API token that is in the cache, else None.

    No I/O: an async route calls this in the event loop and authenticates the slow way (in a thread)
    only when it answers None.
    """
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    token = value.strip()
    if scheme.lower() != "bearer" or not token.startswith("mp_"):
        return None
    ctx: Context = request.app.state.ctx
    cache = cache_of(ctx)
    if cache is None:
        return None
    client = request.client
    return _hit(cache, hash_secret(token), client.host if client else None, request.headers.get("user-agent"))
