"""Who is calling, and may they: the one authentication dependency of every route.

A route declares the role it needs with ``Depends(requires(Role.x))``; the app factory copies that
role into the OpenAPI schema (``x-required-role``), which the role-matrix test walks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request

from modelport.api import tokencache
from modelport.context import Context
from modelport.errors import Unauthenticated
from modelport.principal import Principal
from modelport.schemas import Role
from modelport.services.auth import AuthService, require
from modelport.services.oidc import OidcProvider
from modelport.services.sso import SsoService

SESSION_COOKIE = "modelport_session"
CSRF_COOKIE = "modelport_csrf"
CSRF_HEADER = "x-csrf-token"
SSO_STATE_COOKIE = "modelport_sso"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Three base64url parts: what a JWT from the identity provider looks like (API tokens read mp_...).
JWT_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def get_context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_sso(request: Request) -> SsoService | None:
    """Single sign-on for this app; None when no OpenID Connect provider is configured.

    The provider (with its discovery and key caches) is made on first use and kept on the app.
    """
    ctx = get_context(request)
    provider: OidcProvider | None = getattr(request.app.state, "oidc_provider", None)
    if provider is None:
        provider = OidcProvider.from_settings(ctx.settings)
        if provider is None:
            return None
        request.app.state.oidc_provider = provider
    return SsoService(ctx, provider)


def authenticate(request: Request) -> Principal:
    """The caller from a Bearer token (modelport's own or the SSO provider's) or the session cookie.

    Unauthenticated otherwise. A cookie-authenticated change also needs the CSRF header.
    """
    ctx = get_context(request)
    auth = AuthService(ctx)
    ip, agent = client_ip(request), request.headers.get("user-agent")
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated("the Authorization header must read 'Bearer <token>'")
        token = value.strip()
        if not token.startswith("mp_") and JWT_RE.match(token):
            sso = get_sso(request)
            if sso is not None:
                return sso.from_bearer(token, ip, agent)
        return tokencache.from_token(auth, token, ip, agent)  # cached a few seconds
    session_token = request.cookies.get(SESSION_COOKIE)
    if session_token:
        principal = auth.from_session(session_token, ip, agent)
        if request.method not in SAFE_METHODS:
            auth.check_csrf(session_token, request.headers.get(CSRF_HEADER))
        return principal
    raise Unauthenticated("sign in, or send an API token as 'Authorization: Bearer <token>'")


def requires(role: Role) -> Any:
    """A dependency that authenticates the caller and checks that they have at least ``role``."""

    def dependency(request: Request) -> Principal:
        principal = authenticate(request)
        require(principal, role)
        request.state.principal = principal
        return principal

    dependency.required_role = role  # type: ignore[attr-defined]
    return Depends(dependency)


def role_of(call: Callable[..., Any]) -> Role | None:
    return getattr(call, "required_role", None)
