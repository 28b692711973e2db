"""Authentication and users: passwords (argon2), web sessions, API tokens, roles.

Secrets are random, shown once and stored as sha256 hashes; a token reads ``mp_<prefix>_<secret>``
so a leaked one can be recognised and revoked by its prefix.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from modelport.clock import utcnow
from modelport.context import Context
from modelport.errors import Forbidden, InvalidArgument, NotFound, TooManyRequests, Unauthenticated
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
from modelport.stores.audit import AuditStore, record
from modelport.stores.users import UserStore

_hasher = PasswordHasher()
TOKEN_RE = re.compile(r"^mp_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{32,64})$")
# A valid hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _user_or_none(store: UserStore, user_id: int) -> User | None:
    try:
        return store.get_by_id(user_id)
    except NotFound:
        return None


def require(principal: Principal, role: Role) -> None:
    """Raise Forbidden unless ``principal`` has at least ``role``."""
    if not principal.role.allows(role):
        raise Forbidden(f"this needs the {role.value} role; you are {principal.role.value}")


class AuthService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _principal(self, row_user: User, via: str, ip: str | None, user_agent: str | None) -> Principal:
        return Principal(
            user_id=row_user.id,
            username=row_user.username,
            role=row_user.role,
            department=row_user.department,
            via=via,
            ip=ip,
            user_agent=user_agent,
        )

    # --- users -----------------------------------------------------------------------------------

    def create_user(self, data: UserCreate, actor: Principal | None) -> User:
        """Create a local user (admins only, or ``actor=None`` from the CLI)."""
        if actor is not None:
            require(actor, Role.admin)
        if data.password is None:
            raise InvalidArgument("a local user needs a password of at least 10 characters", field="password")
        with self.ctx.db.session() as s:
            user = UserStore(s).create(
                data.username,
                data.role,
                hash_password(data.password),
                department=data.department,
                email=data.email,
                display_name=data.display_name,
            )
            record(AuditStore(s), actor, "user.create", "user", user.username, role=user.role.value)
            return user

    def update_user(self, username: str, data: UserUpdate, actor: Principal) -> User:
        require(actor, Role.admin)
        with self.ctx.db.session() as s:
            store = UserStore(s)
            user_id = store.get(username).id
            changes = data.model_dump(exclude_unset=True)
            values: dict[str, Any] = {}
            if "password" in changes:
                if changes["password"] is None:
                    raise InvalidArgument("password cannot be empty", field="password")
                values["password_hash"] = hash_password(changes.pop("password"))
                changes["password"] = "changed"
            for key in ("role", "department", "email", "display_name", "is_active"):
                if key in changes:
                    if key in ("role", "is_active") and changes[key] is None:
                        raise InvalidArgument(f"{key} cannot be empty", field=key)
                    values[key] = changes[key]
            user = store.update(user_id, **values)
            if "password_hash" in values or changes.get("is_active") is False:
                store.purge_sessions(user_id)
            record(
                AuditStore(s),
                actor,
                "user.update",
                "user",
                username,
                **{k: (v.value if isinstance(v, Role) else v) for k, v in changes.items()},
            )
            return user

    def list_users(
        self, actor: Principal, page: int, page_size: int, role: Role | None, q: str | None
    ) -> Page[User]:
        require(actor, Role.admin)
        with self.ctx.db.session() as s:
            return UserStore(s).list_users(page, page_size, role, q)

    def get_user(self, username: str, actor: Principal) -> User:
        if actor.username != username:
            require(actor, Role.admin)
        with self.ctx.db.session() as s:
            return UserStore(s).get(username)

    # --- password login and web sessions ---------------------------------------------------------

    def login(self, username: str, password: str, ip: str | None, user_agent: str | None) -> tuple[User, str]:
        """Check a password; return the user and a new session token. Locks after repeated failures."""
        st = self.ctx.settings
        if not st.local_login_enabled:
            raise Forbidden("sign-in with a username and password is switched off here: use single sign-on")
        now = utcnow()
        with self.ctx.db.session() as s:
            store = UserStore(s)
            found = store.credentials(username)
            if found is not None and found.locked_until is not None and found.locked_until > now:
                raise TooManyRequests("too many failed sign-ins: this account is locked for a few minutes")
            ok = _verify_password(found.password_hash if found else None, password)
            refused = found is None or not ok or not found.user.is_active or found.user.auth_source != "local"
            if refused:
                if found is not None:
                    lock_until = now + timedelta(minutes=st.login_lockout_minutes)
                    store.login_failed(found.user.id, st.login_max_failures, lock_until)
                    AuditStore(s).append(
                        action="auth.login_failed",
                        target_type="user",
                        target=username,
                        actor_id=None,
                        actor=None,
                        ip=ip,
                        user_agent=user_agent,
                    )
        # The failure is committed above (counters and audit) before we answer.
        if refused:
            raise Unauthenticated("wrong username or password")
        return self.open_session(username, ip, user_agent)

    def open_session(
        self, username: str, ip: str | None, user_agent: str | None, via: str = "password"
    ) -> tuple[User, str]:
        """Open a web session for ``username`` (already authenticated by password or SSO)."""
        token = secrets.token_urlsafe(32)
        with self.ctx.db.session() as s:
            store = UserStore(s)
            try:
                user = store.login_succeeded(username)
            except NotFound:
                raise Unauthenticated("wrong username or password") from None
            store.purge_sessions()
            store.add_session(
                user.id,
                hash_secret(token),
                utcnow() + timedelta(hours=self.ctx.settings.session_ttl_hours),
                ip,
            )
            record(
                AuditStore(s),
                self._principal(user, via, ip, user_agent),
                "auth.login",
                "user",
                username,
                via=via,
            )
            return user, token

    def logout(self, session_token: str) -> None:
        with self.ctx.db.session() as s:
            UserStore(s).delete_session(hash_secret(session_token))

    def csrf_token(self, session_token: str) -> str:
        """The CSRF token bound to a session: an HMAC of it under the secret key."""
        return hmac.new(self.ctx.secret_key.encode(), session_token.encode(), hashlib.sha256).hexdigest()

    def check_csrf(self, session_token: str, presented: str | None) -> None:
        if not presented or not hmac.compare_digest(self.csrf_token(session_token), presented):
            raise Forbidden("missing or wrong X-CSRF-Token header for a cookie-authenticated change")

    def from_session(self, session_token: str, ip: str | None, user_agent: str | None) -> Principal:
        with self.ctx.db.session() as s:
            store = UserStore(s)
            sess = store.session(hash_secret(session_token))
            if sess is None or sess.expires_at <= utcnow():
                raise Unauthenticated("your session has expired: sign in again")
            user = _user_or_none(store, sess.user_id)
            if user is None or not user.is_active:
                raise Unauthenticated("this account is disabled")
            return self._principal(user, "session", ip, user_agent)

    # --- API tokens ------------------------------------------------------------------------------

    def from_token(self, token: str, ip: str | None, user_agent: str | None) -> Principal:
        """The principal of an API token; Unauthenticated if malformed, unknown, revoked or expired."""
        if not TOKEN_RE.match(token):
            raise Unauthenticated("malformed API token: expected mp_<8 characters>_<secret>")
        with self.ctx.db.session() as s:
            store = UserStore(s)
            found = store.token_by_hash(hash_secret(token))
            if found is None:
                raise Unauthenticated("unknown API token")
            if found.revoked_at is not None:
                raise Unauthenticated("this API token was revoked")
            if found.expires_at <= utcnow():
                raise Unauthenticated("this API token has expired")
            user = _user_or_none(store, found.user_id)
            if user is None or not user.is_active:
                raise Unauthenticated("the account of this API token is disabled")
            if found.last_used_at is None or utcnow() - found.last_used_at > timedelta(minutes=1):
                store.touch_token(found.id)
            return self._principal(user, "token", ip, user_agent)

    def create_token(
        self, data: ApiTokenCreate, actor: Principal, for_user: str | None = None
    ) -> ApiTokenCreated:
        """Create a token for ``actor`` (admins: for another user too). The secret is returned once."""
        st = self.ctx.settings
        days = data.expires_in_days or st.token_default_ttl_days
        if days > st.token_max_ttl_days:
            raise InvalidArgument(
                f"expires_in_days must be at most {st.token_max_ttl_days}", field="expires_in_days"
            )
        prefix = "".join(
            secrets.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8)
        )
        token = f"mp_{prefix}_{secrets.token_urlsafe(32)}"
        with self.ctx.db.session() as s:
            store = UserStore(s)
            user_id = actor.user_id
            if for_user is not None and for_user != actor.username:
                require(actor, Role.admin)
                user_id = store.get(for_user).id  # NotFound: no user named ...
            created = store.add_token(
                user_id, data.name, prefix, hash_secret(token), utcnow() + timedelta(days=days)
            )
            record(
                AuditStore(s),
                actor,
                "token.create",
                "token",
                str(created.id),
                token_name=data.name,
                owner=created.username,
                prefix=prefix,
            )
            return ApiTokenCreated(token=token, api_token=created)

    def list_tokens(self, actor: Principal, all_users: bool = False) -> list[ApiToken]:
        if all_users:
            require(actor, Role.admin)
        with self.ctx.db.session() as s:
            return UserStore(s).list_tokens(None if all_users else actor.user_id)

    def revoke_token(self, token_id: int, actor: Principal) -> ApiToken:
        with self.ctx.db.session() as s:
            store = UserStore(s)
            token = store.get_token(token_id)
            if token.user_id != actor.user_id and not actor.is_admin:
                raise NotFound(f"no API token with id {token_id}")
            revoked = store.revoke_token(token_id)
            record(AuditStore(s), actor, "token.revoke", "token", str(token_id), owner=token.username)
            return revoked

    def cli_principal(self, username: str) -> Principal:
        """A principal for a trusted local CLI command acting as ``username``."""
        with self.ctx.db.session() as s:
            user = UserStore(s).get(username)
        return replace(self._principal(user, "cli", None, "modelport-cli"))
