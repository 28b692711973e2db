"""Sign-in for the web app: a session in a secure HttpOnly cookie, plus a CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from modelport.api.security import CSRF_COOKIE, SESSION_COOKIE, client_ip, get_context, requires
from modelport.principal import Principal
from modelport.schemas import LoginRequest, LoginResponse, Role, User
from modelport.services.auth import AuthService

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/login", operation_id="login", response_model=LoginResponse)
def login(body: LoginRequest, request: Request, response: Response) -> LoginResponse:
    """Check a username and password; set the session cookie. Repeated failures lock the account."""
    ctx = get_context(request)
    auth = AuthService(ctx)
    user, token = auth.login(
        body.username, body.password, client_ip(request), request.headers.get("user-agent")
    )
    csrf = auth.csrf_token(token)
    max_age = ctx.settings.session_ttl_hours * 3600
    secure = ctx.settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, secure=secure, samesite="lax", path="/"
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, httponly=False, secure=secure, samesite="lax", path="/"
    )
    return LoginResponse(user=user, csrf_token=csrf)


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
