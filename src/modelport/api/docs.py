"""The API documentation page (``/docs``, Swagger UI) served from the installed package, not a CDN.

Swagger UI's files come from the ``fastapi-offline`` package (``swagger-ui-bundle.js``,
``swagger-ui.css``), so ``/docs`` works on a site without internet access. The page has no inline
script: it loads the bundle and a small start script of ours from ``/docs/assets/``, and reads the
OpenAPI URL from a ``data-`` attribute, so the app's Content Security Policy (``script-src 'self'``)
applies to it unchanged.
"""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

router = APIRouter(include_in_schema=False)

ASSET_CACHE = "public, max-age=86400"
SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png")
START_SCRIPT = """\
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
"""
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - API documentation</title>
<link rel="icon" type="image/png" href="{root}/docs/assets/favicon.png">
<link rel="stylesheet" href="{root}/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{root}/docs/assets/swagger-ui-bundle.js"></script>
<script src="{root}/docs/assets/swagger-start.js"></script>
</body>
</html>
"""


def swagger_dist() -> Path:
    """The folder of Swagger UI's files in the installed ``fastapi-offline`` package."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).resolve().parent / "static"


@router.get("/docs")
def docs_page(request: Request) -> HTMLResponse:
    """Swagger UI for this server's OpenAPI document."""
    root = html.escape(str(request.scope.get("root_path", "")).rstrip("/"), quote=True)
    openapi = f"{root}{request.app.openapi_url}"
    return HTMLResponse(
        PAGE.format(
            title=html.escape(request.app.title), root=root, openapi=html.escape(openapi, quote=True)
        ),
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    """Swagger UI's files, and the script that starts it."""
    if name == "swagger-start.js":
        return Response(START_SCRIPT, media_type="text/javascript", headers={"Cache-Control": ASSET_CACHE})
    if name not in SWAGGER_FILES:
        raise StarletteHTTPException(404, f"no documentation file {name!r}")
    return FileResponse(swagger_dist() / name, headers={"Cache-Control": ASSET_CACHE})
