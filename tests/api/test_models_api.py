"""The catalog and registry through the REST API: the happy path and every refusal."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from modelport.context import Context
from modelport.db.tables import ModelAliasRow, ModelLabelRow, ModelRow, ModelVersionRow
from modelport.schemas import Role
from tests.conftest import Actor
from tests.factories import joblib_file, training_frame

CARD = {
    "name": "churn-fr",
    "title": "Churn propensity FR",
    "description": "# Churn\nWho leaves next month.",
    "department": "marketing",
    "markets": ["fr", "BE"],
    "brands": ["Zest"],
    "use_case": "retention",
    "tags": ["churn", "classification"],
}


def artifact_root(ctx: Context) -> Path:
    path = Path(ctx.settings.resolved_artifact_root())
    path.mkdir(parents=True, exist_ok=True)
    return path


def snapshot(ctx: Context) -> dict[str, Any]:
    """Everything a refused request must leave exactly as it was: catalog rows and stored files."""
    with ctx.db.session() as s:
        counts = {
            t.__tablename__: s.scalar(select(func.count()).select_from(t))
            for t in (ModelRow, ModelVersionRow, ModelAliasRow, ModelLabelRow)
        }
        models = [(m.name, m.title, m.updated_at) for m in s.scalars(select(ModelRow).order_by(ModelRow.id))]
    files = sorted(str(p.relative_to(artifact_root(ctx))) for p in artifact_root(ctx).rglob("*"))
    return {"counts": counts, "models": models, "files": files}


@pytest.fixture
def ds(actors: dict[Role, Actor]) -> Actor:
    return actors[Role.data_scientist]


@pytest.fixture
def model(client: TestClient, ds: Actor) -> dict[str, Any]:
    response = client.post("/api/v1/models", json=CARD, headers=ds.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def upload(
    client: TestClient,
    actor: Actor,
    path: Path,
    *,
    name: str = "churn-fr",
    filename: str | None = None,
    meta: dict[str, Any] | None = None,
    sample: bytes | None = None,
) -> Any:
    files: dict[str, Any] = {"file": (filename or path.name, path.read_bytes(), "application/octet-stream")}
    if sample is not None:
        files["sample"] = ("sample.csv", sample, "text/csv")
    data = {"meta": json.dumps(meta)} if meta is not None else {}
    return client.post(f"/api/v1/models/{name}/versions", files=files, data=data, headers=actor.headers)


def test_register_version_search_and_download(
    client: TestClient, ds: Actor, actors: dict[Role, Actor], model: dict[str, Any], tmp_path: Path
) -> None:
    assert model["markets"] == ["FR", "BE"]
    path = joblib_file(tmp_path)
    meta = {
        "metrics": {"auc": 0.91},
        "params": {"C": 1.0},
        "aliases": ["champion"],
        "source_version": "git:abc",
    }
    response = upload(client, ds, path, meta=meta)
    assert response.status_code == 201, response.text
    version = response.json()
    assert version["version"] == 1
    assert version["flavor"] == "sklearn"
    assert version["aliases"] == ["champion"]
    assert [c["name"] for c in version["input_schema"]["columns"]] == [
        "tenure_months",
        "monthly_spend",
        "support_calls",
    ]
    assert version["artifact"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert version["created_by"] == ds.username

    second = upload(client, ds, joblib_file(tmp_path, "v2.joblib", seed=1))
    assert second.json()["version"] == 2
    moved = client.put("/api/v1/models/churn-fr/aliases/champion", json={"version": 2}, headers=ds.headers)
    assert moved.status_code == 200 and moved.json()["version"] == 2

    viewer = actors[Role.viewer]
    found = client.get("/api/v1/models", params={"q": "churn", "market": "fr"}, headers=viewer.headers).json()
    assert [m["name"] for m in found["items"]] == ["churn-fr"]
    assert found["items"][0]["aliases"] == {"champion": 2}
    assert {"value": "sklearn", "count": 1} in found["facets"]["flavor"]

    champion = client.get("/api/v1/models/churn-fr/versions/champion", headers=viewer.headers).json()
    assert champion["version"] == 2
    download = client.get("/api/v1/models/churn-fr/versions/1/download", headers=viewer.headers)
    assert download.status_code == 200
    assert download.content == path.read_bytes()
    assert download.headers["x-content-sha256"] == version["artifact"]["sha256"]
    assert "churn.joblib" in download.headers["content-disposition"]

    admin = actors[Role.admin]
    events = client.get("/api/v1/audit", params={"target": "churn-fr"}, headers=admin.headers).json()["items"]
    actions = [e["action"] for e in events]
    for action in ("model.create", "version.upload", "alias.move", "version.download"):
        assert action in actions
    upload_event = next(e for e in events if e["action"] == "version.upload" and e["details"]["version"] == 1)
    assert upload_event["actor"] == ds.username
    assert upload_event["details"]["sha256"] == version["artifact"]["sha256"]


def test_model_without_feature_names_needs_a_sample(
    client: TestClient, ds: Actor, model: dict[str, Any], tmp_path: Path, sqlite_ctx: Context
) -> None:
    from sklearn.linear_model import LinearRegression

    x, y = training_frame()
    reg = LinearRegression().fit(x.to_numpy(), y)
    path = tmp_path / "reg.pkl"
    path.write_bytes(pickle.dumps(reg))
    before = snapshot(sqlite_ctx)
    refused = upload(client, ds, path)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "sample"
    assert snapshot(sqlite_ctx) == before
    accepted = upload(client, ds, path, sample=x.head(5).to_csv(index=False).encode())
    assert accepted.status_code == 201, accepted.text
    assert [c["name"] for c in accepted.json()["input_schema"]["columns"]] == list(x.columns)


# --- bad input: a clear 4xx, and the store and artifact folder exactly as they were -----------------


# A pickle of an object whose class lives in a module that does not exist (hand-written opcodes:
# GLOBAL module/name, EMPTY_TUPLE, NEWOBJ, STOP).
GHOST_PICKLE = b"\x80\x02cvanished_module_xyz\nUnimportable\n)\x81."


def _bad_files(tmp_path: Path) -> dict[str, tuple[str, bytes]]:
    good = joblib_file(tmp_path).read_bytes()
    return {
        "empty": ("model.joblib", b""),
        "truncated": ("model.joblib", good[: len(good) // 2]),
        "not-a-model": ("model.onnx", b"this is a text file, not a model\n" * 10),
        "unimportable-pickle": ("model.pkl", GHOST_PICKLE),
        "traversal": ("../../etc/model.joblib", good),
        "absolute": ("/tmp/model.joblib", good),
    }


@pytest.mark.parametrize(
    "case", ["empty", "truncated", "not-a-model", "unimportable-pickle", "traversal", "absolute"]
)
def test_bad_uploads_are_refused_and_leave_nothing(
    case: str, client: TestClient, ds: Actor, model: dict[str, Any], tmp_path: Path, sqlite_ctx: Context
) -> None:
    filename, content = _bad_files(tmp_path)[case]
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    before = snapshot(sqlite_ctx)
    response = upload(client, ds, path, filename=filename)
    assert 400 <= response.status_code < 500, response.text
    error = response.json()["error"]
    assert error["field"] == "file"
    assert error["message"]
    if case == "unimportable-pickle":
        assert "vanished_module_xyz" in error["message"]
    assert snapshot(sqlite_ctx) == before


def test_upload_over_the_size_limit(tmp_path: Path) -> None:
    from modelport.api.app import create_app
    from modelport.db.migrate import upgrade
    from tests.conftest import add_user, make_context

    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'small.db'}", max_upload_bytes=2000)
    upgrade(ctx.db)
    ds = add_user(ctx, "ds", Role.data_scientist, "marketing")
    with TestClient(create_app(ctx=ctx), base_url="https://testserver") as client:
        assert client.post("/api/v1/models", json=CARD, headers=ds.headers).status_code == 201
        before = snapshot(ctx)
        big = tmp_path / "big.joblib"
        big.write_bytes(b"x" * 5000)
        response = upload(client, ds, big)
        assert response.status_code == 413
        assert "limit" in response.json()["error"]["message"]
        huge = client.post(
            "/api/v1/models/churn-fr/versions",
            content=b"x" * (2 << 20),
            headers={**ds.headers, "content-type": "application/octet-stream"},
        )
        assert huge.status_code == 413
        assert snapshot(ctx) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**CARD, "name": "Bad Name!"}, "name"),
        ({k: v for k, v in CARD.items() if k != "title"}, "title"),
        ({**CARD, "markets": "FR"}, "markets"),
        ({**CARD, "visibility": "secret"}, "visibility"),
        ({**CARD, "colour": "blue"}, "colour"),
        ({**CARD, "tags": ["ok", "<script>"]}, "tags"),
    ],
)
def test_wrong_or_missing_card_fields(
    body: dict[str, Any], field: str, client: TestClient, ds: Actor, sqlite_ctx: Context
) -> None:
    before = snapshot(sqlite_ctx)
    response = client.post("/api/v1/models", json=body, headers=ds.headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_argument"
    assert error["field"].split(".")[0] == field
    assert field in error["message"]
    assert snapshot(sqlite_ctx) == before


def test_existing_name_is_a_conflict(
    client: TestClient, ds: Actor, model: dict[str, Any], sqlite_ctx: Context
) -> None:
    before = snapshot(sqlite_ctx)
    response = client.post("/api/v1/models", json={**CARD, "title": "Another"}, headers=ds.headers)
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "already_exists",
        "message": "a model named 'churn-fr' already exists",
        "field": "name",
    }
    assert snapshot(sqlite_ctx) == before


def test_unknown_filter_and_bad_paging(client: TestClient, ds: Actor) -> None:
    response = client.get("/api/v1/models", params={"colour": "red"}, headers=ds.headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "colour"
    response = client.get("/api/v1/models", params={"page": 0}, headers=ds.headers)
    assert response.status_code == 422 and response.json()["error"]["field"] == "page"
    response = client.get("/api/v1/models", params={"page_size": 5000}, headers=ds.headers)
    assert response.status_code == 422 and response.json()["error"]["field"] == "page_size"
    response = client.get("/api/v1/models", params={"sort": "colour"}, headers=ds.headers)
    assert response.status_code == 422 and response.json()["error"]["field"] == "sort"


def test_bad_meta_and_unknown_model(
    client: TestClient, ds: Actor, model: dict[str, Any], tmp_path: Path, sqlite_ctx: Context
) -> None:
    path = joblib_file(tmp_path)
    before = snapshot(sqlite_ctx)
    files = {"file": ("m.joblib", path.read_bytes())}
    not_json = client.post(
        "/api/v1/models/churn-fr/versions", files=files, data={"meta": "{oops"}, headers=ds.headers
    )
    assert not_json.status_code == 422 and not_json.json()["error"]["field"] == "meta"
    bad_metric = upload(client, ds, path, meta={"metrics": {"auc": "high"}})
    assert bad_metric.status_code == 422 and bad_metric.json()["error"]["field"] == "meta.metrics.auc"
    missing = upload(client, ds, path, name="no-such-model")
    assert missing.status_code == 404
    assert snapshot(sqlite_ctx) == before


def test_restricted_models_are_hidden_everywhere(
    client: TestClient, actors: dict[Role, Actor], tmp_path: Path, sqlite_ctx: Context
) -> None:
    from tests.conftest import add_user

    hr = add_user(sqlite_ctx, "hr-ds", Role.data_scientist, "hr")
    card = {**CARD, "name": "attrition", "department": "hr", "visibility": "restricted"}
    assert client.post("/api/v1/models", json=card, headers=hr.headers).status_code == 201
    assert upload(client, hr, joblib_file(tmp_path), name="attrition").status_code == 201
    outsider = actors[Role.data_scientist]  # marketing
    assert (
        client.get("/api/v1/models", params={"q": "attrition"}, headers=outsider.headers).json()["total"] == 0
    )
    for path in (
        "/api/v1/models/attrition",
        "/api/v1/models/attrition/versions",
        "/api/v1/models/attrition/versions/1/download",
    ):
        response = client.get(path, headers=outsider.headers)
        assert response.status_code == 404, path
    admin = actors[Role.admin]
    assert (
        client.get("/api/v1/models/attrition/versions/1/download", headers=admin.headers).status_code == 200
    )


def test_corrupted_artifact_is_reported_not_served(
    client: TestClient, ds: Actor, model: dict[str, Any], tmp_path: Path, sqlite_ctx: Context
) -> None:
    version = upload(client, ds, joblib_file(tmp_path)).json()
    sha = version["artifact"]["sha256"]
    stored = next(p for p in artifact_root(sqlite_ctx).rglob(sha))
    stored.write_bytes(b"tampered")
    response = client.get("/api/v1/models/churn-fr/versions/1/download", headers=ds.headers)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "corrupt_artifact"


def test_non_owner_cannot_change_a_model(
    client: TestClient, actors: dict[Role, Actor], model: dict[str, Any], sqlite_ctx: Context
) -> None:
    from tests.conftest import add_user

    other = add_user(sqlite_ctx, "sales-ds", Role.data_scientist, "sales")
    response = client.patch("/api/v1/models/churn-fr", json={"title": "Mine"}, headers=other.headers)
    assert response.status_code == 403
    response = client.delete("/api/v1/models/churn-fr", headers=other.headers)
    assert response.status_code == 403
    owner = actors[Role.data_scientist]
    ok = client.patch(
        "/api/v1/models/churn-fr", json={"title": "Churn FR v2", "tags": ["churn"]}, headers=owner.headers
    )
    assert ok.status_code == 200 and ok.json()["title"] == "Churn FR v2"
    assert client.delete("/api/v1/models/churn-fr", headers=owner.headers).status_code == 204
    assert client.get("/api/v1/models/churn-fr", headers=owner.headers).status_code == 404
