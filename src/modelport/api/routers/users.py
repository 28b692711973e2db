"""Users (admins) and API tokens (every user for their own; admins for all)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from modelport.api.params import Id, PageNo
from modelport.api.security import get_context, requires
from modelport.principal import Principal
from modelport.schemas import (
    ApiToken,
    ApiTokenCreate,
    ApiTokenCreated,
    Page,
    Role,
    User,
    UserCreate,
    UserUpdate,
)
from modelport.services.auth import AuthService

router = APIRouter(prefix="/api/v1", tags=["users"])


@router.get("/users", operation_id="listUsers", response_model=Page[User])
def list_users(
    request: Request,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    role: Role | None = None,
    q: Annotated[str | None, Query(max_length=64)] = None,
    principal: Principal = requires(Role.admin),
) -> Page[User]:
    return AuthService(get_context(request)).list_users(principal, page, page_size, role, q)


@router.post("/users", operation_id="createUser", response_model=User, status_code=201)
def create_user(body: UserCreate, request: Request, principal: Principal = requires(Role.admin)) -> User:
    return AuthService(get_context(request)).create_user(body, principal)


@router.get("/users/{username}", operation_id="getUser", response_model=User)
def get_user(username: str, request: Request, principal: Principal = requires(Role.admin)) -> User:
    return AuthService(get_context(request)).get_user(username, principal)


@router.patch("/users/{username}", operation_id="updateUser", response_model=User)
def update_user(
    username: str, body: UserUpdate, request: Request, principal: Principal = requires(Role.admin)
) -> User:
    return AuthService(get_context(request)).update_user(username, body, principal)


@router.get("/tokens", operation_id="listTokens", response_model=list[ApiToken])
def list_tokens(
    request: Request, all_users: bool = False, principal: Principal = requires(Role.viewer)
) -> list[ApiToken]:
    """Your API tokens (admins: ``all_users=true`` for everyone's). Secrets are never shown again."""
    return AuthService(get_context(request)).list_tokens(principal, all_users)


@router.post("/tokens", operation_id="createToken", response_model=ApiTokenCreated, status_code=201)
def create_token(
    body: ApiTokenCreate,
    request: Request,
    username: Annotated[str | None, Query(description="Admins: create the token for this user.")] = None,
    principal: Principal = requires(Role.viewer),
) -> ApiTokenCreated:
    """Create an API token; the secret is in this answer only."""
    return AuthService(get_context(request)).create_token(body, principal, username)


@router.delete("/tokens/{token_id}", operation_id="revokeToken", response_model=ApiToken)
def revoke_token(token_id: Id, request: Request, principal: Principal = requires(Role.viewer)) -> ApiToken:
    return AuthService(get_context(request)).revoke_token(token_id, principal)
