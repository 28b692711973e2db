"""The trainings API without a worker: requests checked up front against the dataset version (422 naming
the field, nothing queued), roles, listing, visibility, cancelling a queued training."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from modelport.context import Context
from modelport.schemas import Role
from tests.conftest import Actor, add_user


def customers(rows: int = 60, one_class: bool = False) -> bytes:
    lines = ["customer,region,spend,visits,churned,signup"]
    for i in range(rows):
        churned = 0 if one_class else int(i % 3 == 0)
        lines.append(
            f"c{i},{'north' if i % 2 else 'south'},{10 + i * 1.5},{i % 7},{churned},2024-01-{i % 28 + 1:02d}"
        )
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def dataset(client: TestClient, actors: dict[Role, Actor]) -> str:
    response = client.post(
        "/api/v1/datasets",
        files={"file": ("customers.csv", customers())},
        headers=actors[Role.business_user].headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["name"])


def start(client: TestClient, actor: Actor, **body: Any) -> Any:
    return client.post("/api/v1/trainings", json={"budget_s": 5, **body}, headers=actor.headers)


def refusal(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json()["error"])


def test_requests_are_checked_up_front(client: TestClient, actors: dict[Role, Actor], dataset: str) -> None:
    ds = actors[Role.data_scientist]
    error = refusal(start(client, ds, dataset=dataset, target="left"))
    assert error["field"] == "target" and "'left'" in error["message"] and "churned" in error["message"]
    error = refusal(
        start(
            client,
            ds,
            dataset=dataset,
            target="churned",
            steps=[
                {"op": "drop_columns", "columns": ["customer"]},
                {"op": "cast", "column": "age", "to": "number"},
            ],
        )
    )
    assert error["field"] == "steps[1].column" and "age" in error["message"]
    error = refusal(start(client, ds, dataset=dataset, target="churned", time_column="when"))
    assert error["field"] == "time_column"
    error = refusal(start(client, ds, dataset=dataset, target="churned", budget_s=1))
    assert error["field"] == "budget_s"
    error = refusal(start(client, ds, dataset=dataset, target="churned", metric="rmse"))
    assert error["field"] == "metric"
    error = refusal(start(client, ds, dataset="nothing-here", target="churned"), 404)
    assert error["field"] == "dataset"
    error = refusal(start(client, ds, dataset=dataset, version=7, target="churned"), 404)
    assert error["field"] == "version"
    assert client.get("/api/v1/trainings", headers=ds.headers).json()["total"] == 0
    assert client.get("/api/v1/executions", params={"kind": "train"}, headers=ds.headers).json()["total"] == 0


def test_what_the_trainer_refuses_is_refused_before_queuing(
    client: TestClient, actors: dict[Role, Actor]
) -> None:
    analyst, ds = actors[Role.business_user], actors[Role.data_scientist]
    flat = client.post(
        "/api/v1/datasets",
        files={"file": ("flat.csv", customers(one_class=True))},
        headers=analyst.headers,
    ).json()["name"]
    error = refusal(start(client, ds, dataset=flat, target="churned"))
    assert error["field"] == "target" and "class" in error["message"]
    tiny = client.post(
        "/api/v1/datasets",
        files={"file": ("tiny.csv", customers(rows=6))},
        headers=analyst.headers,
    ).json()["name"]
    error = refusal(start(client, ds, dataset=tiny, target="churned"))
    assert error["field"] in ("dataset", "target") and "rows" in error["message"]
    only_target = client.post(
        "/api/v1/datasets",
        files={
            "file": ("only.csv", b"churned\n" + b"\n".join(str(i % 2).encode() for i in range(50)) + b"\n")
        },
        headers=analyst.headers,
    ).json()["name"]
    error = refusal(start(client, ds, dataset=only_target, target="churned"))
    assert "feature" in error["message"] or "column" in error["message"]
    assert client.get("/api/v1/trainings", headers=ds.headers).json()["total"] == 0


def test_roles(client: TestClient, actors: dict[Role, Actor], dataset: str) -> None:
    for role in (Role.viewer, Role.business_user):
        response = start(client, actors[role], dataset=dataset, target="churned")
        assert response.status_code == 403, (role, response.text)
    created = start(client, actors[Role.data_scientist], dataset=dataset, target="churned")
    assert created.status_code == 202, created.text
    training = created.json()
    cancel = client.post(
        f"/api/v1/trainings/{training['id']}/cancel", headers=actors[Role.business_user].headers
    )
    assert cancel.status_code == 403
    register = client.post(
        f"/api/v1/trainings/{training['id']}/register",
        json={"model": "churn"},
        headers=actors[Role.business_user].headers,
    )
    assert register.status_code == 403
    seen = client.get(f"/api/v1/trainings/{training['id']}", headers=actors[Role.viewer].headers)
    assert seen.status_code == 200 and seen.json()["id"] == training["id"]


def test_list_get_and_cancel_a_queued_training(
    client: TestClient, actors: dict[Role, Actor], dataset: str
) -> None:
    ds, viewer = actors[Role.data_scientist], actors[Role.viewer]
    first = start(client, ds, dataset=dataset, target="churned", metric="f1", seed=3, folds=3).json()
    assert first["status"] == "queued" and first["progress"] == 0.0
    assert (first["dataset"], first["dataset_version"], first["target"]) == (dataset, 1, "churned")
    assert first["metric"] == "f1" and first["task"] is None and first["leaderboard"] == []
    assert first["options"] == {
        "folds": 3,
        "holdout": 0.2,
        "seed": 3,
        "time_column": None,
        "candidates": None,
    }
    assert first["created_by"] == ds.username and first["code_version"]
    second = start(client, ds, dataset=dataset, target="spend").json()

    listed = client.get("/api/v1/trainings", headers=viewer.headers).json()
    assert [t["id"] for t in listed["items"]] == [second["id"], first["id"]]
    by_status = client.get("/api/v1/trainings", params={"status": "running"}, headers=viewer.headers).json()
    assert by_status["total"] == 0
    execution = client.get(f"/api/v1/executions/{first['execution']}", headers=viewer.headers).json()
    assert execution["kind"] == "train" and execution["training"] == first["id"]
    assert execution["deployment"] is None and execution["dataset"] == dataset

    cancelled = client.post(f"/api/v1/trainings/{first['id']}/cancel", headers=ds.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/trainings/{first['id']}/cancel", headers=ds.headers)
    assert again.status_code == 409
    queued = client.get("/api/v1/trainings", params={"status": "queued"}, headers=viewer.headers).json()
    assert [t["id"] for t in queued["items"]] == [second["id"]]
    assert client.get("/api/v1/trainings/999999", headers=viewer.headers).status_code == 404


def test_a_restricted_dataset_hides_its_trainings(
    client: TestClient, sqlite_ctx: Context, actors: dict[Role, Actor], dataset: str
) -> None:
    ds = actors[Role.data_scientist]
    training = start(client, ds, dataset=dataset, target="churned").json()
    client.patch(f"/api/v1/datasets/{dataset}", json={"visibility": "restricted"}, headers=ds.headers)
    outsider = add_user(sqlite_ctx, "finance-ds", Role.data_scientist, "finance")
    assert client.get(f"/api/v1/trainings/{training['id']}", headers=outsider.headers).status_code == 404
    assert client.get("/api/v1/trainings", headers=outsider.headers).json()["total"] == 0
    assert (
        client.get(f"/api/v1/executions/{training['execution']}", headers=outsider.headers).status_code == 404
    )
    listed = client.get("/api/v1/executions", params={"kind": "any"}, headers=outsider.headers).json()
    assert listed["total"] == 0
    assert refusal(start(client, outsider, dataset=dataset, target="churned"), 404)["field"] == "dataset"
    assert (
        client.get(f"/api/v1/trainings/{training['id']}", headers=actors[Role.viewer].headers).status_code
        == 200
    )
