"""A model with the columns people's files really have: a number the pipeline imputes (blanks
allowed), a plan one-hot encoded (unknown plans ignored by the model: flagged), a boolean, and a postal
code read as text and not used. Registered through the API with a sample CSV, and deployed as
``plans-fr``: the `mixed` fixture (imported by the conftest.py of the folders that use it)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io
from fastapi.testclient import TestClient
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from modelport.api.app import create_app
from modelport.context import Context
from modelport.schemas import Role
from tests.conftest import Actor, add_user

PLANS = ["basic", "plus", "pro"]


def plans_frame(rows: int = 200, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Training rows: tenure (float), plan (text), autopay (bool), zip (text codes, some with letters)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "tenure": rng.integers(1, 72, rows).astype(float),
            "plan": rng.choice(PLANS, rows),
            "autopay": rng.random(rows) > 0.5,
            "zip": [f"{z:05d}" if z % 7 else "2A004" for z in rng.integers(1000, 99999, rows)],
        }
    )
    y = ((frame["tenure"] < 24) & (frame["plan"] == "basic")).astype(int).to_numpy()
    return frame, y


def plans_pipeline() -> Pipeline:
    x, y = plans_frame()
    prepare = ColumnTransformer(
        [
            ("tenure", SimpleImputer(), ["tenure"]),
            ("plan", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["plan"]),
            ("autopay", "passthrough", ["autopay"]),
        ],
        remainder="drop",
    )
    return Pipeline([("prepare", prepare), ("model", LogisticRegression(max_iter=500))]).fit(x, y)


def sample_csv(rows: int = 40) -> bytes:
    x, _ = plans_frame(rows, seed=1)
    x.loc[2, "tenure"] = np.nan
    buffer = io.StringIO()
    x.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


@dataclass
class Mixed:
    client: TestClient
    ctx: Context
    ds: Actor
    analyst: Actor
    viewer: Actor
    deployment: dict[str, object]


def register_plans(client: TestClient, ds: Actor, folder: Path, name: str = "plans") -> dict[str, object]:
    card = {"name": name, "title": "Plans", "department": "marketing", "markets": ["FR"]}
    assert client.post("/api/v1/models", json=card, headers=ds.headers).status_code == 201
    path = folder / f"{name}.skops"
    skops.io.dump(plans_pipeline(), path)
    response = client.post(
        f"/api/v1/models/{name}/versions",
        files={"file": (path.name, path.read_bytes()), "sample": ("sample.csv", sample_csv())},
        data={"meta": json.dumps({"aliases": ["champion"]})},
        headers=ds.headers,
    )
    assert response.status_code == 201, response.text
    version: dict[str, object] = response.json()
    return version


def setup_mixed(ctx: Context, folder: Path, **deployment: object) -> Iterator[Mixed]:
    ds = add_user(ctx, "ds", Role.data_scientist, "marketing")
    analyst = add_user(ctx, "analyst", Role.business_user, "marketing")
    viewer = add_user(ctx, "viewer", Role.viewer)
    with TestClient(create_app(ctx=ctx), base_url="https://testserver") as client:
        register_plans(client, ds, folder)
        body = {"name": "plans-fr", "model": "plans", "alias": "champion", "market": "FR", **deployment}
        response = client.post("/api/v1/deployments", json=body, headers=ds.headers)
        assert response.status_code == 201, response.text
        yield Mixed(client, ctx, ds, analyst, viewer, response.json())


@pytest.fixture
def mixed(sqlite_ctx: Context, tmp_path: Path) -> Iterator[Mixed]:
    yield from setup_mixed(sqlite_ctx, tmp_path)
