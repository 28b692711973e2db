"""Fixtures for running models: a registered churn model with two versions and a deployment (the `runs`
and `runs_any` fixtures, imported by the conftest.py of the folders that use them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from modelport.api.app import create_app
from modelport.context import Context
from modelport.schemas import Role
from tests.conftest import Actor, add_user
from tests.factories import joblib_file


@dataclass
class RunSetup:
    client: TestClient
    ctx: Context
    ds: Actor
    analyst: Actor
    viewer: Actor
    deployment: dict[str, object]


def register_churn(client: TestClient, ds: Actor, folder: Path, name: str = "churn") -> None:
    card = {"name": name, "title": "Churn", "department": "marketing", "markets": ["FR", "DE"]}
    assert client.post("/api/v1/models", json=card, headers=ds.headers).status_code == 201
    for seed, aliases in ((0, ["champion"]), (1, [])):
        path = joblib_file(folder, f"{name}-{seed}.joblib", seed=seed)
        response = client.post(
            f"/api/v1/models/{name}/versions",
            files={"file": (path.name, path.read_bytes())},
            data={"meta": json.dumps({"aliases": aliases})},
            headers=ds.headers,
        )
        assert response.status_code == 201, response.text


def setup_runs(ctx: Context, folder: Path) -> Iterator[RunSetup]:
    ds = add_user(ctx, "ds", Role.data_scientist, "marketing")
    analyst = add_user(ctx, "analyst", Role.business_user, "marketing")
    viewer = add_user(ctx, "viewer", Role.viewer)
    with TestClient(create_app(ctx=ctx), base_url="https://testserver") as client:
        register_churn(client, ds, folder)
        body = {"name": "churn-fr", "model": "churn", "alias": "champion", "market": "FR"}
        response = client.post("/api/v1/deployments", json=body, headers=ds.headers)
        assert response.status_code == 201, response.text
        yield RunSetup(client, ctx, ds, analyst, viewer, response.json())


@pytest.fixture
def runs(sqlite_ctx: Context, tmp_path: Path) -> Iterator[RunSetup]:
    yield from setup_runs(sqlite_ctx, tmp_path)


@pytest.fixture
def runs_any(ctx: Context, tmp_path: Path) -> Iterator[RunSetup]:
    """The same setup on SQLite and on PostgreSQL."""
    yield from setup_runs(ctx, tmp_path)
