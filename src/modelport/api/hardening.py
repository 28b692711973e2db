"""Browser-facing hardening: security headers on every answer, CORS closed by default, no secret in logs."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from starlette.middleware.cors import CORSMiddleware

from modelport import redact
from modelport.settings import Settings

# The single-page app is built by Vite and served from this origin: its scripts, styles and fonts are
# files of ours. MUI (emotion) injects <style> elements at run time, hence 'unsafe-inline' for styles
# only; scripts stay 'self'. The API documentation (/docs) lives under the same policy: Swagger UI's
# files are served by the app and started by a script file, not inline code.
CSP = (
    "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
# Answers that can carry a secret (sessions, CSRF tokens, new API tokens) must not be cached.
NO_STORE_PREFIXES = ("/api/v1/auth/", "/api/v1/tokens")


def secure_headers(request: Request, response: Response) -> None:
    """Add the security headers to ``response`` (those a route set itself are kept)."""
    headers = response.headers
    path = request.url.path
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", CSP)
    if request.url.scheme == "https":
        headers.setdefault("Strict-Transport-Security", HSTS)
    if path.startswith(NO_STORE_PREFIXES):
        headers.setdefault("Cache-Control", "no-store")


def install(app: FastAPI, settings: Settings) -> None:
    """CORS for the configured origins only (none by default), and log redaction for the process."""
    redact.install()
    origins = list(settings.cors_origins)
    if not origins:
        return  # no CORS headers at all: browsers keep other origins out
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        # A wildcard origin never gets credentials: cookies only ever go to origins named one by one.
        allow_credentials="*" not in origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-CSRF-Token"],
        max_age=600,
    )
