"""The same registry flow on the production backends: PostgreSQL metadata and S3 artifacts (moto)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import s3fs
from fastapi.testclient import TestClient

from modelport.api.app import create_app
from modelport.context import Context
from modelport.schemas import Role
from tests.conftest import _truncate_pg, add_user, make_context
from tests.factories import joblib_file

pytestmark = [pytest.mark.postgres, pytest.mark.s3]


@pytest.fixture
def prod_ctx(pg_database: str, s3_server: str, tmp_path: Path) -> Iterator[Context]:
    bucket = "modelport-prod"
    fs = s3fs.S3FileSystem(
        key="test", secret="test", client_kwargs={"endpoint_url": s3_server}, skip_instance_cache=True
    )
    if not fs.exists(bucket):
        fs.mkdir(bucket)
    ctx = make_context(
        tmp_path,
        pg_database,
        artifact_root=f"s3://{bucket}/{uuid.uuid4().hex}",
        s3_endpoint_url=s3_server,
        s3_access_key_id="test",
        s3_secret_access_key="test",
    )
    _truncate_pg(ctx)
    yield ctx
    ctx.db.dispose()


def test_register_search_download_on_postgres_and_s3(prod_ctx: Context, tmp_path: Path) -> None:
    ds = add_user(prod_ctx, "ds", Role.data_scientist, "supply-chain")
    viewer = add_user(prod_ctx, "viewer", Role.viewer)
    card = {
        "name": "demand-fr",
        "title": "Demand forecast FR",
        "department": "supply-chain",
        "markets": ["FR"],
        "description": "Weekly demand per store",
        "tags": ["forecast"],
    }
    path = joblib_file(tmp_path)
    with TestClient(create_app(ctx=prod_ctx), base_url="https://testserver") as client:
        assert client.post("/api/v1/models", json=card, headers=ds.headers).status_code == 201
        response = client.post(
            "/api/v1/models/demand-fr/versions",
            files={"file": (path.name, path.read_bytes())},
            headers=ds.headers,
        )
        assert response.status_code == 201, response.text
        version = response.json()
        assert version["artifact"]["uri"].startswith("s3://modelport-prod/")
        hits = client.get(
            "/api/v1/models", params={"q": "weekly dem", "market": "FR"}, headers=viewer.headers
        )
        assert hits.json()["total"] == 1
        download = client.get("/api/v1/models/demand-fr/versions/latest/download", headers=viewer.headers)
        assert download.content == path.read_bytes()
        assert prod_ctx.artifacts.list_shas() == [version["artifact"]["sha256"]]
        refused = client.post(
            "/api/v1/models/demand-fr/versions", files={"file": ("m.joblib", b"garbage")}, headers=ds.headers
        )
        assert refused.status_code == 422
        assert prod_ctx.artifacts.list_shas() == [version["artifact"]["sha256"]]
        assert client.get("/readyz").json()["checks"] == {"database": "ok", "artifacts": "ok"}
