"""A new version without a sample reuses the model's latest input schema and example row; a sample CSV
of one column is read as one column."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from fastapi.testclient import TestClient
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import TargetEncoder

from tests.conftest import Actor


def _frame(seed: int) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"country": rng.choice(["FR", "DE", "IT"], 200), "spend": rng.normal(40, 10, 200)})
    return x, ((x["spend"] > 40) ^ (x["country"] == "FR")).astype(int)


def _target_encoded(folder: Path, seed: int) -> Path:
    """A pipeline that knows its column names but not their types (a target encoder on ``country``)."""
    x, y = _frame(seed)
    pipe = make_pipeline(
        make_column_transformer((TargetEncoder(), ["country"]), remainder="passthrough"), LogisticRegression()
    ).fit(x, y)
    path = folder / f"country-{seed}.joblib"
    joblib.dump(pipe, path)
    return path


def _upload(client: TestClient, ds: Actor, name: str, path: Path, sample: bytes | None = None) -> dict:
    files = {"file": (path.name, path.read_bytes())}
    if sample is not None:
        files["sample"] = ("sample.csv", sample)
    answer = client.post(f"/api/v1/models/{name}/versions", files=files, headers=ds.headers)
    assert answer.status_code == 201, answer.text
    result: dict = answer.json()
    return result


def test_a_new_version_without_a_sample_reuses_the_latest_schema(
    client: TestClient, actors: dict, tmp_path: Path
) -> None:
    from modelport.schemas import Role

    ds = actors[Role.data_scientist]
    card = {"name": "country", "title": "By country", "department": "marketing"}
    assert client.post("/api/v1/models", json=card, headers=ds.headers).status_code == 201
    x, _ = _frame(0)
    first = _upload(
        client, ds, "country", _target_encoded(tmp_path, 0), x.head(20).to_csv(index=False).encode()
    )
    assert [(c["name"], c["type"]) for c in first["input_schema"]["columns"]] == [
        ("country", "string"),
        ("spend", "number"),
    ]
    edited = client.patch(
        "/api/v1/models/country/versions/1/schema",
        json={"columns": [{"name": "country", "description": "ISO code of the customer's country"}]},
        headers=ds.headers,
    )
    assert edited.status_code == 200, edited.text

    # Today's failure without this: the model is tried on spend=0.0, country=0.0 ("ufunc 'isnan'").
    second = _upload(client, ds, "country", _target_encoded(tmp_path, 1))

    assert second["version"] == 2
    assert second["input_schema"] == edited.json()["input_schema"]
    assert second["example"]["input"]["country"] in ("FR", "DE", "IT")
    deployment = {"name": "country-fr", "model": "country", "version": 2, "market": "FR"}
    assert client.post("/api/v1/deployments", json=deployment, headers=ds.headers).status_code == 201
    answer = client.post(
        "/api/v1/deployments/country-fr/predict",
        json={"inputs": [{"country": "IT", "spend": 41.0}]},
        headers=ds.headers,
    )
    assert answer.status_code == 200, answer.text


def test_a_new_version_with_other_columns_gets_its_own_schema(
    client: TestClient, actors: dict, tmp_path: Path
) -> None:
    from modelport.schemas import Role
    from tests.factories import joblib_file

    ds = actors[Role.data_scientist]
    card = {"name": "mixed", "title": "Mixed", "department": "marketing"}
    assert client.post("/api/v1/models", json=card, headers=ds.headers).status_code == 201
    x, _ = _frame(0)
    _upload(client, ds, "mixed", _target_encoded(tmp_path, 0), x.head(20).to_csv(index=False).encode())
    other = _upload(client, ds, "mixed", joblib_file(tmp_path))  # the churn columns, known to the model
    assert [c["name"] for c in other["input_schema"]["columns"]] == [
        "tenure_months",
        "monthly_spend",
        "support_calls",
    ]


def test_a_one_column_sample_is_read_as_one_column(client: TestClient, actors: dict, tmp_path: Path) -> None:
    from modelport.schemas import Role

    ds = actors[Role.data_scientist]
    rng = np.random.default_rng(0)
    months = rng.integers(1, 72, 100).reshape(-1, 1)
    joblib.dump(LogisticRegression().fit(months, (months[:, 0] < 24).astype(int)), tmp_path / "m.joblib")
    card = {"name": "tenure", "title": "Tenure", "department": "marketing"}
    assert client.post("/api/v1/models", json=card, headers=ds.headers).status_code == 201

    version = _upload(client, ds, "tenure", tmp_path / "m.joblib", b"tenure_months\n12\n3\n40\n")

    assert [(c["name"], c["type"]) for c in version["input_schema"]["columns"]] == [
        ("tenure_months", "integer")
    ]
    header_only = client.post(
        "/api/v1/models/tenure/versions",
        files={"file": ("m.joblib", (tmp_path / "m.joblib").read_bytes()), "sample": ("s.csv", b"x\n")},
        headers=ds.headers,
    )
    assert header_only.status_code == 422 and header_only.json()["error"]["field"] == "sample"
    assert json.loads(header_only.text)["error"]["message"].startswith("the sample CSV: ")
