"""Single sign-on: an OpenID Connect identity becomes a modelport user with one of the four roles.

A user signed in through the provider is identified by ``issuer|sub`` (``external_id``), created on
first sign-in and updated at each one (role, department, e-mail, name): the provider is the source of
truth for them. Roles come from one claim (a dotted path, Keycloak's ``realm_access.roles`` by default,
or ``groups``) through ``oidc_role_mapping``; the highest mapped role wins.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from typing import Any

import jwt
from pydantic import BaseModel

from modelport.context import Context
from modelport.errors import AlreadyExists, BadRequest, Forbidden, ModelportError, Unauthenticated
from modelport.principal import Principal
from modelport.schemas import SLUG, USERNAME, Role, User
from modelport.services.auth import AuthService
from modelport.services.oidc import OidcProvider, check_callback, raise_for_error
from modelport.settings import Settings
from modelport.stores.audit import AuditStore, record
from modelport.stores.users import UserStore

LOGIN_PATH = "/api/v1/auth/sso/login"
CALLBACK_PATH = "/api/v1/auth/sso/callback"
STATE_TTL_SECONDS = 600
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_BAD_STATE = "the sign-in state cookie is invalid: start again from the sign-in page"


class AuthConfig(BaseModel):
    """How the web app may sign in (public, so that the sign-in page can show the right buttons)."""

    sso_enabled: bool
    local_login_enabled: bool
    sso_login_url: str | None


def auth_config(settings: Settings) -> AuthConfig:
    enabled = bool(settings.oidc_issuer and settings.oidc_client_id)
    return AuthConfig(
        sso_enabled=enabled,
        local_login_enabled=settings.local_login_enabled,
        sso_login_url=LOGIN_PATH if enabled else None,
    )


# --- claims --------------------------------------------------------------------------------------


def claim(claims: dict[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` (``realm_access.roles``); a key holding the whole path wins."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v for v in re.split(r"[\s,]+", value) if v]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def map_role(values: list[str], mapping: dict[str, str], default: str | None) -> Role:
    """The highest role that the claim values map to; ``default`` when none does; Forbidden without one.

    A value maps through ``mapping`` first; a value that is itself a role name maps to that role. Groups
    often come as paths (``/ml/admins``): both the path and its last segment are looked up.
    """
    found: list[Role] = []
    for value in values:
        for candidate in dict.fromkeys((value, value.rsplit("/", 1)[-1])):
            target = mapping.get(candidate, candidate)
            if target in Role.__members__:
                found.append(Role(target))
    if found:
        return max(found, key=lambda r: r.rank)
    if default and default not in Role.__members__:
        raise ModelportError(f"MODELPORT_OIDC_DEFAULT_ROLE {default!r} is not a role")
    if default:
        return Role(default)
    raise Forbidden(
        "your identity provider account has none of the roles modelport knows "
        f"({', '.join(r.value for r in Role)}): ask an administrator to grant you one"
    )


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _department(value: Any) -> str | None:
    text = _first(value)
    slug = text.lower().replace(" ", "-") if text else None
    return slug if slug and re.fullmatch(SLUG, slug) else None


class SsoService:
    """Sign-in through the provider (web app) and provider tokens on the API (programs)."""

    def __init__(self, ctx: Context, provider: OidcProvider) -> None:
        self.ctx = ctx
        self.provider = provider
        self.settings = ctx.settings

    @property
    def redirect_uri(self) -> str:
        st = self.settings
        base = st.public_url or f"http://{st.host}:{st.port}"
        return base.rstrip("/") + CALLBACK_PATH

    # --- the browser flow ------------------------------------------------------------------------

    def start(self) -> tuple[str, str]:
        """The provider URL to redirect to, and the signed value of the short-lived state cookie."""
        req = self.provider.authorization_request(self.redirect_uri)
        state = {"state": req.state, "nonce": req.nonce, "code_verifier": req.code_verifier}
        return req.url, self.sign_state(state)

    def finish(
        self, params: dict[str, str], state_cookie: str | None, ip: str | None, user_agent: str | None
    ) -> tuple[User, str]:
        """Check the provider's answer, exchange the code, validate the ID token, open a session."""
        raise_for_error(params)
        pending = self.read_state(state_cookie)
        code = check_callback(params, pending["state"], self.provider.metadata().issuer)
        tokens = self.provider.exchange_code(code, self.redirect_uri, pending["code_verifier"])
        claims = self.provider.validate(tokens["id_token"], self.provider.client_id, nonce=pending["nonce"])
        access_token = tokens.get("access_token")
        if claim(claims, self.settings.oidc_role_claim) is None and isinstance(access_token, str):
            # Some providers keep roles and groups out of the ID token: ask the userinfo endpoint.
            extra = self.provider.userinfo(access_token)
            if extra.get("sub") == claims["sub"]:
                claims = {**extra, **claims}
        user = self.sync_user(claims)
        return AuthService(self.ctx).open_session(user.username, ip, user_agent, via="oidc")

    def read_state(self, cookie: str | None) -> dict[str, str]:
        """The state, nonce and PKCE verifier kept in the signed cookie; BadRequest if absent or stale."""
        if not cookie:
            raise BadRequest("no sign-in is in progress in this browser: start again from the sign-in page")
        try:
            data = jwt.decode(cookie, self._state_key(), algorithms=["HS256"], options={"require": ["exp"]})
        except jwt.ExpiredSignatureError:
            raise BadRequest("the sign-in took too long: start again from the sign-in page") from None
        except jwt.PyJWTError:
            raise BadRequest(
                "the sign-in state cookie is invalid: start again from the sign-in page"
            ) from None
        if not all(isinstance(data.get(k), str) for k in ("state", "nonce", "code_verifier")):
            raise BadRequest("the sign-in state cookie is invalid: start again from the sign-in page")
        return {k: str(data[k]) for k in ("state", "nonce", "code_verifier")}

    def sign_state(self, state: dict[str, str], ttl_seconds: int = STATE_TTL_SECONDS) -> str:
        """Sign a state cookie value (``state``, ``nonce``, ``code_verifier``)."""
        payload = {**state, "exp": int(time.time()) + ttl_seconds}
        return jwt.encode(payload, self._state_key(), algorithm="HS256")

    def _state_key(self) -> bytes:
        # A key of its own, derived from the secret key, so a state cookie can never pass for a CSRF token.
        return hmac.new(self.ctx.secret_key.encode(), b"modelport-sso-state", hashlib.sha256).digest()

    # --- bearer tokens ---------------------------------------------------------------------------

    def from_bearer(self, token: str, ip: str | None, user_agent: str | None) -> Principal:
        """The principal of an access token issued by the provider for modelport."""
        audience = self.settings.oidc_audience or self.provider.client_id
        claims = self.provider.validate(token, audience)
        if claims.get("typ") == "ID":  # Keycloak marks its ID tokens so: they are not API credentials
            raise Unauthenticated("an ID token is not an access token: send the access token")
        user = self.sync_user(claims)
        return Principal(
            user_id=user.id,
            username=user.username,
            role=user.role,
            department=user.department,
            via="oidc",
            ip=ip,
            user_agent=user_agent,
        )

    # --- users -----------------------------------------------------------------------------------

    def sync_user(self, claims: dict[str, Any]) -> User:
        """Create or update the user of a validated set of claims; Forbidden if they may not sign in."""
        st = self.settings
        username = _first(claim(claims, st.oidc_username_claim))
        if not username:
            raise Forbidden(
                f"the identity provider sent no {st.oidc_username_claim!r} claim to use as username"
            )
        if not re.fullmatch(USERNAME, username):
            raise Forbidden(f"{username!r} from the identity provider is not a valid modelport username")
        role = map_role(
            _values(claim(claims, st.oidc_role_claim)), st.oidc_role_mapping, st.oidc_default_role
        )
        email = _first(claims.get("email"))
        name = _first(claims.get("name"))
        fields: dict[str, str | None] = {
            "role": role.value,
            "department": _department(claim(claims, st.oidc_department_claim))
            if st.oidc_department_claim
            else None,
            "email": email if email and len(email) <= 320 and _EMAIL.match(email) else None,
            "display_name": name[:200] if name else None,
        }
        external_id = _external_id(str(claims["iss"]), str(claims["sub"]))
        with self.ctx.db.session() as s:
            store, audit = UserStore(s), AuditStore(s)
            known = store.find_by_external_id(external_id)
            if known is None:
                try:
                    user = store.create(
                        username,
                        role,
                        None,
                        department=fields["department"],
                        email=fields["email"],
                        display_name=fields["display_name"],
                        auth_source="oidc",
                        external_id=external_id,
                    )
                except AlreadyExists:
                    raise Forbidden(
                        f"a modelport account named {username!r} already exists and is not linked to this "
                        "identity: an administrator must rename or remove it first"
                    ) from None
                record(audit, None, "user.create", "user", username, role=role.value, via="oidc")
                return user
            if not known.is_active:
                raise Unauthenticated("this account is disabled")
            changes = {k: v for k, v in fields.items() if getattr(known, k) != v}
            if not changes:
                return known
            updated = store.update(known.id, **changes)
            record(audit, None, "user.update", "user", updated.username, via="oidc", **changes)
            return updated


def _external_id(issuer: str, subject: str) -> str:
    value = f"{issuer.rstrip('/')}|{subject}"
    # The column holds 255 characters; a longer pair is kept as its digest (still unique per identity).
    return value if len(value) <= 255 else "sha256:" + hashlib.sha256(value.encode()).hexdigest()
