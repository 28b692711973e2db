"""Sign-in for the web app: a session in a secure HttpOnly cookie, plus a CSRF token.

Password sign-in (``POST /login``) and single sign-on through an OpenID Connect provider
(``GET /sso/login`` then ``GET /sso/callback``) open the same kind of session.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from modelport.api.ratelimit import check_login_rate
from modelport.api.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    SSO_STATE_COOKIE,
    client_ip,
    get_context,
    get_sso,
    requires,
)
from modelport.errors import ModelportError, NotFound
from modelport.principal import Principal
from modelport.schemas import LoginRequest, LoginResponse, Role, User
from modelport.services.auth import AuthService
from modelport.services.sso import CALLBACK_PATH, STATE_TTL_SECONDS, AuthConfig, SsoService, auth_config
from modelport.settings import Settings

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
SSO_COOKIE_PATH = CALLBACK_PATH.rsplit("/", 1)[0]  # /api/v1/auth/sso
_SSO_OFF: dict[int | str, dict[str, Any]] = {404: {"description": "Single sign-on is not configured"}}


def _set_session_cookies(response: Response, settings: Settings, token: str, csrf: str) -> None:
    max_age = settings.session_ttl_hours * 3600
    secure = settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, secure=secure, samesite="lax", path="/"
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, httponly=False, secure=secure, samesite="lax", path="/"
    )


def _sso(request: Request) -> SsoService:
    sso = get_sso(request)
    if sso is None:
        raise NotFound("single sign-on is not configured on this server (MODELPORT_OIDC_ISSUER)")
    return sso


@router.get("/config", operation_id="authConfig", response_model=AuthConfig)
def config(request: Request) -> AuthConfig:
    """How to sign in here: single sign-on and/or username and password (public)."""
    return auth_config(get_context(request).settings)


@router.post(
    "/login",
    operation_id="login",
    response_model=LoginResponse,
    responses={429: {"description": "Too many sign-in attempts from this address or for this account"}},
)
def login(body: LoginRequest, request: Request, response: Response) -> LoginResponse | JSONResponse:
    """Check a username and password; set the session cookie. Repeated failures lock the account."""
    limited = check_login_rate(request)
    if limited is not None:
        return limited
    ctx = get_context(request)
    auth = AuthService(ctx)
    user, token = auth.login(
        body.username, body.password, client_ip(request), request.headers.get("user-agent")
    )
    csrf = auth.csrf_token(token)
    _set_session_cookies(response, ctx.settings, token, csrf)
    return LoginResponse(user=user, csrf_token=csrf)


@router.get(
    "/sso/login",
    operation_id="ssoLogin",
    status_code=302,
    response_class=RedirectResponse,
    responses=_SSO_OFF,
)
def sso_login(request: Request) -> RedirectResponse:
    """Start single sign-on: redirect the browser to the identity provider (PKCE, state and nonce)."""
    url, state_cookie = _sso(request).start()
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        SSO_STATE_COOKIE,
        state_cookie,
        max_age=STATE_TTL_SECONDS,
        httponly=True,
        secure=get_context(request).settings.cookie_secure,
        samesite="lax",  # sent on the provider's top-level redirect back to us
        path=SSO_COOKIE_PATH,
    )
    return response


@router.get(
    "/sso/callback",
    operation_id="ssoCallback",
    status_code=302,
    response_class=RedirectResponse,
    responses={**_SSO_OFF, 400: {"description": "No sign-in in progress, or its state does not match"}},
)
def sso_callback(request: Request) -> Response:
    """Finish single sign-on: check the answer, open a session, redirect to the web app."""
    sso = _sso(request)
    limited = check_login_rate(request)
    if limited is not None:
        return limited
    params = {k: v for k, v in request.query_params.items() if k in ("code", "state", "error", "iss")}
    if "error_description" in request.query_params:
        params["error_description"] = request.query_params["error_description"][:200]
    try:
        _user, token = sso.finish(
            params,
            request.cookies.get(SSO_STATE_COOKIE),
            client_ip(request),
            request.headers.get("user-agent"),
        )
    except ModelportError as exc:
        if "text/html" not in request.headers.get("accept", ""):
            raise
        # A browser lands back on the sign-in page, which says what went wrong in words.
        failed = RedirectResponse(f"/login?{urlencode({'sso_error': exc.code})}", status_code=302)
        failed.delete_cookie(SSO_STATE_COOKIE, path=SSO_COOKIE_PATH)
        return failed
    response = RedirectResponse("/", status_code=302)
    response.delete_cookie(SSO_STATE_COOKIE, path=SSO_COOKIE_PATH)
    _set_session_cookies(response, sso.settings, token, AuthService(sso.ctx).csrf_token(token))
    return response


@router.post("/logout", operation_id="logout", status_code=204)
def logout(request: Request, response: Response, _p: Principal = requires(Role.viewer)) -> Response:
    """End the web session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        AuthService(get_context(request)).logout(token)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/me", operation_id="me", response_model=User)
def me(request: Request, principal: Principal = requires(Role.viewer)) -> User:
    """The signed-in user."""
    return AuthService(get_context(request)).get_user(principal.username, principal)
