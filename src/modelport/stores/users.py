"""User store: users, API tokens and web sessions. Secrets are stored as hashes only."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from modelport.db.tables import ApiTokenRow, SessionRow, UserRow, utcnow
from modelport.errors import AlreadyExists, NotFound
from modelport.schemas import ApiToken, Page, Role, User

USER_FIELDS = frozenset({"role", "department", "email", "display_name", "is_active", "password_hash"})
"""What :meth:`UserStore.update` may change."""


class Credentials(BaseModel):
    """A user with what signing in checks: the password hash and the lockout state. For the auth
    service only: never returned by the API."""

    model_config = ConfigDict(frozen=True)

    user: User
    password_hash: str | None
    failed_logins: int
    locked_until: datetime | None


class WebSession(BaseModel):
    """A web session, known by the hash of its cookie."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    expires_at: datetime


def usernames(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """The username of each user id given (None and unknown ids left out), in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(UserRow.id, UserRow.username).where(UserRow.id.in_(wanted))).tuples()
    return {user_id: username for user_id, username in rows}


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
        """Insert a user; returns it. Raises AlreadyExists if the username is taken (in any case)."""
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

    def _row(self, username: str) -> UserRow | None:
        return self.s.scalar(select(UserRow).where(UserRow.username == username))

    def _row_by_id(self, user_id: int) -> UserRow:
        row = self.s.get(UserRow, user_id)
        if row is None:
            raise NotFound(f"no user with id {user_id}")
        return row

    def get(self, username: str) -> User:
        """Returns the user ``username``; raises NotFound if there is none."""
        row = self._row(username)
        if row is None:
            raise NotFound(f"no user named {username!r}")
        return _user(row)

    def get_by_id(self, user_id: int) -> User:
        """Returns the user with id ``user_id``; raises NotFound if there is none."""
        return _user(self._row_by_id(user_id))

    def find_by_external_id(self, external_id: str) -> User | None:
        """Returns the user linked to an identity provider's ``external_id``, or None. Raises nothing."""
        row = self.s.scalar(select(UserRow).where(UserRow.external_id == external_id))
        return _user(row) if row is not None else None

    def credentials(self, username: str) -> Credentials | None:
        """Returns the user ``username`` with their password hash and lockout state, or None when there
        is no such user. Raises nothing."""
        row = self._row(username)
        if row is None:
            return None
        return Credentials(
            user=_user(row),
            password_hash=row.password_hash,
            failed_logins=row.failed_logins,
            locked_until=row.locked_until,
        )

    def update(self, user_id: int, **values: Any) -> User:
        """Set the given fields (of :data:`USER_FIELDS`; a role as :class:`Role` or its value); returns
        the user. Raises NotFound if there is no such user, ValueError for another field."""
        unknown = set(values) - USER_FIELDS
        if unknown:
            raise ValueError(f"a user has no field {sorted(unknown)[0]!r} to update")
        row = self._row_by_id(user_id)
        for key, value in values.items():
            setattr(row, key, value.value if isinstance(value, Role) else value)
        self.s.flush()
        return _user(row)

    def login_failed(self, user_id: int, max_failures: int, lock_until: datetime) -> None:
        """Count a failed sign-in; the ``max_failures``-th in a row locks the account until ``lock_until``
        (and starts the count again). Returns None; raises NotFound if there is no such user."""
        row = self._row_by_id(user_id)
        row.failed_logins += 1
        if row.failed_logins >= max_failures:
            row.locked_until = lock_until
            row.failed_logins = 0
        self.s.flush()

    def login_succeeded(self, username: str) -> User:
        """Clear the failed sign-ins and the lock of ``username`` and stamp ``last_login_at``; returns the
        user. Raises NotFound if there is no such user."""
        row = self._row(username)
        if row is None:
            raise NotFound(f"no user named {username!r}")
        row.failed_logins = 0
        row.locked_until = None
        row.last_login_at = utcnow()
        self.s.flush()
        return _user(row)

    def list_users(
        self, page: int, page_size: int, role: Role | None = None, q: str | None = None
    ) -> Page[User]:
        """Returns one page of users ordered by username, filtered by role and by a part of the
        username. Raises nothing."""
        stmt = select(UserRow)
        if role is not None:
            stmt = stmt.where(UserRow.role == role.value)
        if q:
            stmt = stmt.where(UserRow.username.contains(q, autoescape=True))
        total = self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.s.scalars(stmt.order_by(UserRow.username).offset((page - 1) * page_size).limit(page_size))
        return Page(items=[_user(r) for r in rows], total=total, page=page, page_size=page_size)

    def count(self) -> int:
        """Returns the number of users. Raises nothing."""
        return self.s.scalar(select(func.count()).select_from(UserRow)) or 0

    # --- tokens ----------------------------------------------------------------------------------

    def add_token(
        self, user_id: int, name: str, prefix: str, token_hash: str, expires_at: datetime
    ) -> ApiToken:
        """Insert an API token (its secret as ``token_hash`` only); returns it. Raises nothing."""
        row = ApiTokenRow(
            user_id=user_id, name=name, prefix=prefix, token_hash=token_hash, expires_at=expires_at
        )
        self.s.add(row)
        self.s.flush()
        return self._token(row)

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        """Returns the API token whose secret hashes to ``token_hash`` (revoked and expired ones too), or
        None. Raises nothing."""
        found = self.s.execute(
            select(ApiTokenRow, UserRow.username)
            .outerjoin(UserRow, UserRow.id == ApiTokenRow.user_id)
            .where(ApiTokenRow.token_hash == token_hash)
        ).first()
        return self._token(found[0], found[1] or "") if found is not None else None

    def touch_token(self, token_id: int) -> None:
        """Stamp the token's ``last_used_at``. Returns None; raises nothing (an unknown id is no error)."""
        self.s.execute(update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=utcnow()))

    def list_tokens(self, user_id: int | None) -> list[ApiToken]:
        """Returns the API tokens of ``user_id`` (None: everyone's), newest first. Raises nothing."""
        stmt = select(ApiTokenRow).order_by(ApiTokenRow.created_at.desc(), ApiTokenRow.id.desc())
        if user_id is not None:
            stmt = stmt.where(ApiTokenRow.user_id == user_id)
        return [self._token(r) for r in self.s.scalars(stmt)]

    def get_token(self, token_id: int) -> ApiToken:
        """Returns the API token ``token_id``; raises NotFound if there is none."""
        row = self.s.get(ApiTokenRow, token_id)
        if row is None:
            raise NotFound(f"no API token with id {token_id}")
        return self._token(row)

    def revoke_token(self, token_id: int) -> ApiToken:
        """Revoke the API token ``token_id`` (once: a second call keeps the first time); returns it.
        Raises NotFound if there is none."""
        row = self.s.get(ApiTokenRow, token_id)
        if row is None:
            raise NotFound(f"no API token with id {token_id}")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            self.s.flush()
        return self._token(row)

    def _token(self, row: ApiTokenRow, username: str | None = None) -> ApiToken:
        if username is None:
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
        """Insert a web session (its cookie as ``token_hash`` only). Returns None; raises nothing."""
        self.s.add(SessionRow(user_id=user_id, token_hash=token_hash, expires_at=expires_at, ip=ip))
        self.s.flush()

    def session(self, token_hash: str) -> WebSession | None:
        """Returns the web session whose cookie hashes to ``token_hash`` (expired ones too), or None.
        Raises nothing."""
        row = self.s.scalar(select(SessionRow).where(SessionRow.token_hash == token_hash))
        return WebSession(user_id=row.user_id, expires_at=row.expires_at) if row is not None else None

    def delete_session(self, token_hash: str) -> None:
        """Delete a web session (sign out). Returns None; raises nothing (an unknown one is no error)."""
        self.s.execute(delete(SessionRow).where(SessionRow.token_hash == token_hash))

    def purge_sessions(self, user_id: int | None = None) -> None:
        """Delete expired sessions (and every session of ``user_id`` when given). Returns None; raises
        nothing."""
        self.s.execute(delete(SessionRow).where(SessionRow.expires_at < utcnow()))
        if user_id is not None:
            self.s.execute(delete(SessionRow).where(SessionRow.user_id == user_id))
