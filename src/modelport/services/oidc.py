"""The OpenID Connect provider as modelport sees it: discovery, sign-in redirects, code exchange, tokens.

Authlib drives the OAuth 2 protocol (authorization URL with PKCE, code exchange); PyJWT validates the
tokens against the provider's JWKS, refetched when a token names a key it has not seen (key rotation),
at most once per ``jwks_cooldown_seconds`` so that forged key ids cannot make us hammer the provider.
"""

from __future__ import annotations

import secrets
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from authlib.deprecate import AuthlibDeprecationWarning

from modelport.errors import BadRequest, ModelportError, Unauthenticated
from modelport.settings import Settings

with warnings.catch_warnings():
    # Authlib 1.9 announces that its httpx integration will move to a separate "httpx2" package;
    # modelport uses httpx (a chosen dependency), so that notice is silenced here, once, at import.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client, OAuthError

# Asymmetric algorithms only: a provider's tokens are never checked with a shared secret, which rules
# out the classic "alg: HS256 signed with the public key" confusion.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
HTTP_TIMEOUT = 10.0


class ProviderUnavailable(ModelportError):
    """The identity provider could not be reached or answered nonsense."""

    code = "provider_unavailable"
    http_status = 502


@dataclass(frozen=True)
class ProviderMetadata:
    """The parts of ``.well-known/openid-configuration`` that modelport uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and what to remember until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class OidcProvider:
    """One OpenID Connect provider and modelport's client registration at it. Thread-safe."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str | None = None,
        scopes: str = "openid profile email",
        metadata_ttl_seconds: float = 3600,
        jwks_cooldown_seconds: float = 30,
        leeway_seconds: int = 30,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = scopes
        self.metadata_ttl_seconds = metadata_ttl_seconds
        self.jwks_cooldown_seconds = jwks_cooldown_seconds
        self.leeway_seconds = leeway_seconds
        self._lock = threading.Lock()
        self._metadata: ProviderMetadata | None = None
        self._metadata_at = 0.0
        self._jwks: jwt.PyJWKClient | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcProvider | None:
        """The provider configured by ``oidc_issuer`` and ``oidc_client_id``; None when SSO is off."""
        if not settings.oidc_issuer or not settings.oidc_client_id:
            return None
        secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
        return cls(settings.oidc_issuer, settings.oidc_client_id, secret or None, settings.oidc_scopes)

    # --- discovery and keys ----------------------------------------------------------------------

    def metadata(self) -> ProviderMetadata:
        """The provider's discovery document, fetched once and cached for ``metadata_ttl_seconds``."""
        with self._lock:
            fresh = time.monotonic() - self._metadata_at < self.metadata_ttl_seconds
            if self._metadata is not None and fresh:
                return self._metadata
            doc = self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            try:
                metadata = ProviderMetadata(
                    issuer=str(doc["issuer"]),
                    authorization_endpoint=str(doc["authorization_endpoint"]),
                    token_endpoint=str(doc["token_endpoint"]),
                    jwks_uri=str(doc["jwks_uri"]),
                    userinfo_endpoint=doc.get("userinfo_endpoint"),
                )
            except KeyError as exc:
                raise ProviderUnavailable(f"the provider's discovery document lacks {exc}") from None
            if metadata.issuer.rstrip("/") != self.issuer:
                raise ProviderUnavailable(
                    f"the provider calls itself {metadata.issuer!r}, not the configured {self.issuer!r}"
                )
            if self._jwks is None or self._jwks.uri != metadata.jwks_uri:
                self._jwks = jwt.PyJWKClient(
                    metadata.jwks_uri,
                    lifespan=self.metadata_ttl_seconds,
                    timeout=HTTP_TIMEOUT,
                    cooldown_duration=self.jwks_cooldown_seconds,
                )
            self._jwks.cooldown_duration = self.jwks_cooldown_seconds
            self._metadata, self._metadata_at = metadata, time.monotonic()
            return metadata

    def _signing_key(self, token: str) -> jwt.PyJWK:
        self.metadata()
        if self._jwks is None:  # set by metadata(); checked for the type checker, not asserted
            raise ProviderUnavailable("the identity provider's signing keys are unknown")
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise Unauthenticated("the token is not a well-formed JWT") from None
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the token names no signing key (kid)")
        try:
            return self._jwks.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError:
            raise ProviderUnavailable("could not fetch the identity provider's signing keys") from None
        except jwt.PyJWKClientError:
            raise Unauthenticated(
                "the token is signed with a key the identity provider does not publish"
            ) from None

    def validate(self, token: str, audience: str, nonce: str | None = None) -> dict[str, Any]:
        """The claims of a JWT signed by the provider for ``audience``; Unauthenticated otherwise.

        Checks the signature (JWKS), issuer, audience, expiry, not-before and, for ID tokens, the nonce.
        """
        key = self._signing_key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=audience,
                issuer=self.metadata().issuer,
                leeway=self.leeway_seconds,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated(f"the token is not meant for {audience!r} (aud)") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("the token was issued by another provider (iss)") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from None
        if nonce is not None:
            presented = claims.get("nonce")
            if not isinstance(presented, str) or not secrets.compare_digest(presented, nonce):
                raise Unauthenticated("the ID token does not answer this sign-in (nonce mismatch)")
            azp = claims.get("azp")
            if isinstance(claims.get("aud"), list) and azp is not None and azp != self.client_id:
                raise Unauthenticated("the ID token was issued to another client (azp)")
        return claims

    # --- authorization code flow -----------------------------------------------------------------

    def _client(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=self.scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT,
        )

    def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        """A fresh authorization URL with state, nonce and a PKCE (S256) code challenge."""
        endpoint = self.metadata().authorization_endpoint
        state, nonce, verifier = (
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(48),
        )
        with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                endpoint, state=state, code_verifier=verifier, nonce=nonce
            )
        return AuthorizationRequest(url=str(url), state=state, nonce=nonce, code_verifier=verifier)

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> dict[str, Any]:
        """Trade an authorization code for tokens (``id_token``, ``access_token``) at the token endpoint."""
        endpoint = self.metadata().token_endpoint
        try:
            with self._client(redirect_uri) as client:
                token = client.fetch_token(
                    endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                    redirect_uri=redirect_uri,
                )
        except OAuthError as exc:
            raise Unauthenticated(f"the identity provider refused the sign-in: {exc.error}") from None
        except httpx.HTTPError:
            raise ProviderUnavailable("could not reach the identity provider's token endpoint") from None
        if not isinstance(token, dict) or not isinstance(token.get("id_token"), str):
            raise Unauthenticated("the identity provider sent no ID token (is 'openid' in the scopes?)")
        return dict(token)

    def userinfo(self, access_token: str) -> dict[str, Any]:
        """Claims from the userinfo endpoint (an empty dict when the provider has none)."""
        endpoint = self.metadata().userinfo_endpoint
        if not endpoint:
            return {}
        return self._get_json(endpoint, {"Authorization": f"Bearer {access_token}"})

    def _get_json(self, url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        try:
            response = httpx.get(url, headers=headers, timeout=HTTP_TIMEOUT)
            response.raise_for_status()
            doc = response.json()
        except (httpx.HTTPError, ValueError):
            raise ProviderUnavailable(f"the identity provider did not answer {url} properly") from None
        if not isinstance(doc, dict):
            raise ProviderUnavailable(f"the identity provider answered {url} with something else than JSON")
        return doc


def raise_for_error(params: dict[str, str]) -> None:
    """Raise Unauthenticated if the provider answered the sign-in with an error (user refused...)."""
    if "error" in params:
        description = params.get("error_description") or params["error"]
        raise Unauthenticated(f"the identity provider refused the sign-in: {description}")


def check_callback(params: dict[str, str], expected_state: str, issuer: str) -> str:
    """The authorization code of a callback, once its state (and ``iss``, RFC 9207) are checked."""
    raise_for_error(params)
    state = params.get("state") or ""
    if not secrets.compare_digest(state.encode(), expected_state.encode()):
        raise BadRequest("this sign-in answer does not match the sign-in started in this browser (state)")
    if "iss" in params and params["iss"].rstrip("/") != issuer.rstrip("/"):
        raise BadRequest("this sign-in answer comes from another identity provider (iss)")
    code = params.get("code")
    if not code:
        raise BadRequest("the identity provider sent no authorization code")
    return code
