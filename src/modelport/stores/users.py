"""User store: users, API tokens and web sessions. Secrets are stored as hashes only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from modelport.db.tables import ApiTokenRow, SessionRow, UserRow, utcnow
from modelport.errors import AlreadyExists, NotFound
from modelport.schemas import ApiToken, Page, Role, User


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        email=row.email,
        display_name=row.display_name,
        role=Role(row.role),
        department=row.department,
        auth_source=row.auth_source,
        is_active=row.is_active,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


class UserStore:
    """Persistence of users, tokens and sessions. Methods flush; the caller commits."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- users -----------------------------------------------------------------------------------

    def create(
        self,
        username: str,
        role: Role,
        password_hash: str | None,
        *,
        department: str | None = None,
        email: str | None = None,
        display_name: str | None = None,
        auth_source: str = "local",
        external_id: str | None = None,
    ) -> User:
        """Insert a user. Raises AlreadyExists if the username is taken."""
        if self.s.scalar(select(UserRow.id).where(func.lower(UserRow.username) == username.lower())):
            raise AlreadyExists(f"a user named {username!r} already exists", field="username")
        row = UserRow(
            username=username,
            role=role.value,
            password_hash=password_hash,
            department=department,
            email=email,
            display_name=display_name,
            auth_source=auth_source,
            external_id=external_id,
        )
        self.s.add(row)
        self.s.flush()
        return _user(row)

    def row(self, username: str) -> UserRow | None:
        """The raw row (for the auth service, which needs the hash and lockout fields)."""
        return self.s.scalar(select(UserRow).where(UserRow.username == username))

    def row_by_id(self, user_id: int) -> UserRow | None:
        return self.s.get(UserRow, user_id)

    def row_by_external_id(self, external_id: str) -> UserRow | None:
        return self.s.scalar(select(UserRow).where(UserRow.external_id == external_id))

    def get(self, username: str) -> User:
        """The user ``username``; NotFound otherwise."""
        row = self.row(username)
        if row is None:
            raise NotFound(f"no user named {username!r}")
        return _user(row)

    def to_user(self, row: UserRow) -> User:
        return _user(row)

    def list_users(
        self, page: int, page_size: int, role: Role | None = None, q: str | None = None
    ) -> Page[User]:
        stmt = select(UserRow)
        if role is not None:
            stmt = stmt.where(UserRow.role == role.value)
        if q:
            stmt = stmt.where(UserRow.username.contains(q, autoescape=True))
        total = self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.s.scalars(stmt.order_by(UserRow.username).offset((page - 1) * page_size).limit(page_size))
        return Page(items=[_user(r) for r in rows], total=total, page=page, page_size=page_size)

    def count(self) -> int:
        return self.s.scalar(select(func.count()).select_from(UserRow)) or 0

    # --- tokens ----------------------------------------------------------------------------------

    def add_token(
        self, user_id: int, name: str, prefix: str, token_hash: str, expires_at: datetime
    ) -> ApiToken:
        row = ApiTokenRow(
            user_id=user_id, name=name, prefix=prefix, token_hash=token_hash, expires_at=expires_at
        )
        self.s.add(row)
        self.s.flush()
        return self._token(row)

    def token_row(self, token_hash: str) -> ApiTokenRow | None:
        return self.s.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))

    def touch_token(self, token_id: int) -> None:
        self.s.execute(update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=utcnow()))

    def list_tokens(self, user_id: int | None) -> list[ApiToken]:
        stmt = select(ApiTokenRow).order_by(ApiTokenRow.created_at.desc(), ApiTokenRow.id.desc())
        if user_id is not None:
            stmt = stmt.where(ApiTokenRow.user_id == user_id)
        return [self._token(r) for r in self.s.scalars(stmt)]

    def get_token(self, token_id: int) -> ApiToken:
        row = self.s.get(ApiTokenRow, token_id)
        if row is None:
            raise NotFound(f"no API token with id {token_id}")
        return self._token(row)

    def revoke_token(self, token_id: int) -> ApiToken:
        row = self.s.get(ApiTokenRow, token_id)
        if row is None:
            raise NotFound(f"no API token with id {token_id}")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            self.s.flush()
        return self._token(row)

    def _token(self, row: ApiTokenRow) -> ApiToken:
        username = self.s.scalar(select(UserRow.username).where(UserRow.id == row.user_id)) or ""
        return ApiToken(
            id=row.id,
            user_id=row.user_id,
            username=username,
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )

    # --- web sessions ----------------------------------------------------------------------------

    def add_session(self, user_id: int, token_hash: str, expires_at: datetime, ip: str | None) -> None:
        self.s.add(SessionRow(user_id=user_id, token_hash=token_hash, expires_at=expires_at, ip=ip))
        self.s.flush()

    def session_row(self, token_hash: str) -> SessionRow | None:
        return self.s.scalar(select(SessionRow).where(SessionRow.token_hash == token_hash))

    def delete_session(self, token_hash: str) -> None:
        self.s.execute(delete(SessionRow).where(SessionRow.token_hash == token_hash))

    def purge_sessions(self, user_id: int | None = None) -> None:
        """Delete expired sessions (and every session of ``user_id`` when given)."""
        self.s.execute(delete(SessionRow).where(SessionRow.expires_at < utcnow()))
        if user_id is not None:
            self.s.execute(delete(SessionRow).where(SessionRow.user_id == user_id))
