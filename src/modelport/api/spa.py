"""Serving the web app: the built files of ``frontend/`` at ``/``, and ``index.html`` for deep links."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

RESERVED = ("api/", "docs", "openapi.json", "healthz", "readyz", "metrics")
NOT_BUILT = (
    '<!doctype html><html lang="en"><head><title>modelport</title></head><body><h1>modelport</h1>'
    "<p>The web app is not built. Run <code>make run</code> (or <code>npm ci && npm run build</code> in "
    '<code>frontend/</code>). The API is at <a href="/docs">/docs</a>.</p></body></html>'
)


def default_dist() -> Path:
    """``MODELPORT_WEB_DIST`` if set, else ``frontend/dist`` of the source checkout."""
    env = os.environ.get("MODELPORT_WEB_DIST")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "frontend" / "dist"


def mount_spa(app: FastAPI, dist: Path | None = None) -> None:
    """Serve the single-page app: real files when they exist, else ``index.html`` (client-side routes)."""
    root = (dist or default_dist()).resolve()

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def spa(path: str, request: Request) -> Response:
        if path.startswith(RESERVED):
            raise StarletteHTTPException(404, f"no route {request.url.path}")
        index = root / "index.html"
        if not index.exists():
            return HTMLResponse(NOT_BUILT)
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            cache = "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
            return FileResponse(candidate, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
