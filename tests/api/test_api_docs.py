"""``/docs`` is Swagger UI served from the installed package: no CDN, no inline script, the app's CSP."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from modelport.api.app import create_app
from modelport.api.hardening import CSP
from tests.conftest import make_context


def test_the_docs_page_loads_only_files_of_this_server(client: TestClient) -> None:
    page = client.get("/docs")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP.split("script-src")[1].split(";")[0]
    assert re.search(r"<script>", page.text) is None  # every script is a file
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources == [
        "/docs/assets/favicon.png",
        "/docs/assets/swagger-ui.css",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-start.js",
    ]
    assert 'data-openapi-url="/openapi.json"' in page.text
    kinds = {
        "favicon.png": "image/png",
        "swagger-ui.css": "text/css",
        "swagger-ui-bundle.js": "text/javascript",
        "swagger-start.js": "text/javascript",
    }
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert asset.headers["content-type"].split(";")[0] == kinds[source.rsplit("/", 1)[1]], source
        assert "max-age" in asset.headers["cache-control"]
    bundle = client.get("/docs/assets/swagger-ui-bundle.js").text
    assert "SwaggerUIBundle" in bundle and len(bundle) > 500_000
    assert "dataset.openapiUrl" in client.get("/docs/assets/swagger-start.js").text
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")  # Swagger UI 5 reads 3.1


def test_only_the_documentation_files_are_served(client: TestClient) -> None:
    for name in ("core.py", "..%2f__init__.py", "redoc.standalone.js", "index.html"):
        answer = client.get(f"/docs/assets/{name}")
        assert answer.status_code == 404, name
        assert answer.json()["error"]["code"] == "not_found"
    assert client.get("/docs/oauth2-redirect").status_code == 404  # FastAPI's CDN page is gone


def test_the_docs_page_follows_the_root_path(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'modelport.db'}")
    with TestClient(create_app(ctx=ctx), root_path="/modelport") as client:
        page = client.get("/docs").text
    assert 'src="/modelport/docs/assets/swagger-ui-bundle.js"' in page
    assert 'data-openapi-url="/modelport/openapi.json"' in page
