"""The API serves the built web app at ``/`` and answers deep links with ``index.html``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from modelport.api.spa import mount_spa


def test_spa_files_deep_links_and_reserved_paths(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<div id=root></div>")
    (tmp_path / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path.parent / "secret.txt").write_text("no")
    app = FastAPI()
    mount_spa(app, tmp_path)
    client = TestClient(app)
    assert client.get("/").text == "<div id=root></div>"
    assert client.get("/models/churn-fr/versions").text == "<div id=root></div>"
    js = client.get("/assets/app.js")
    assert js.text == "console.log(1)" and "immutable" in js.headers["cache-control"]
    assert client.get("/api/v1/nothing").status_code == 404
    assert client.get("/..%2Fsecret.txt").text == "<div id=root></div>"


def test_spa_not_built_explains_how(tmp_path: Path) -> None:
    app = FastAPI()
    mount_spa(app, tmp_path / "missing")
    assert "not built" in TestClient(app).get("/runs").text
