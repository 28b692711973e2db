"""Archiving and deleting a model: refused while deployments use it (409 naming them); an archived model
is left out of search unless asked for, still readable by name, and not deployable."""

from __future__ import annotations

from modelport.schemas import Role
from tests.conftest import add_user
from tests.runs import RunSetup


def _search(runs: RunSetup, **params: str) -> list[str]:
    answer = runs.client.get("/api/v1/models", params=params, headers=runs.viewer.headers)
    assert answer.status_code == 200, answer.text
    return [m["name"] for m in answer.json()["items"]]


def _second_deployment(runs: RunSetup) -> None:
    body = {"name": "churn-de", "model": "churn", "version": 2, "market": "DE"}
    assert runs.client.post("/api/v1/deployments", json=body, headers=runs.ds.headers).status_code == 201


def test_delete_is_refused_while_deployments_use_the_model(runs: RunSetup) -> None:
    c, ds = runs.client, runs.ds
    _second_deployment(runs)

    refused = c.delete("/api/v1/models/churn", headers=ds.headers)

    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "conflict" and error["field"] == "name"
    assert error["message"] == (
        "'churn' cannot be deleted: deployments use it ('churn-de', 'churn-fr'); delete them first"
    )
    assert error["details"] == {"deployments": ["churn-de", "churn-fr"]}
    assert c.get("/api/v1/models/churn", headers=ds.headers).status_code == 200
    assert len(c.get("/api/v1/models/churn/versions", headers=ds.headers).json()) == 2
    assert c.get("/api/v1/deployments/churn-fr", headers=ds.headers).status_code == 200

    for name in ("churn-fr", "churn-de"):
        assert c.delete(f"/api/v1/deployments/{name}", headers=ds.headers).status_code == 204
    assert c.delete("/api/v1/models/churn", headers=ds.headers).status_code == 204
    assert c.get("/api/v1/models/churn", headers=ds.headers).status_code == 404


def test_archive_hides_the_model_from_search_and_from_new_deployments(runs: RunSetup) -> None:
    c, ds = runs.client, runs.ds
    refused = c.post("/api/v1/models/churn/archive", headers=ds.headers)
    assert refused.status_code == 409
    assert "'churn' cannot be archived: deployments use it ('churn-fr')" in refused.json()["error"]["message"]
    assert c.get("/api/v1/models/churn", headers=ds.headers).json()["state"] == "active"
    assert c.delete("/api/v1/deployments/churn-fr", headers=ds.headers).status_code == 204

    archived = c.post("/api/v1/models/churn/archive", headers=ds.headers)

    assert archived.status_code == 200, archived.text
    model = archived.json()
    assert model["state"] == "archived" and model["archived_at"] is not None
    assert _search(runs) == []
    assert _search(runs, q="churn") == []
    assert _search(runs, state="archived") == ["churn"]
    assert _search(runs, state="all") == ["churn"]
    facets = c.get("/api/v1/models", headers=runs.viewer.headers).json()["facets"]
    assert facets["department"] == []  # the archived model's labels are not counted either
    read = c.get("/api/v1/models/churn", headers=runs.viewer.headers).json()
    assert read["state"] == "archived"  # still readable by name, with its versions
    assert len(c.get("/api/v1/models/churn/versions", headers=runs.viewer.headers).json()) == 2
    again = c.post("/api/v1/models/churn/archive", headers=ds.headers).json()
    assert again["archived_at"] == model["archived_at"]

    body = {"name": "churn-it", "model": "churn", "alias": "champion", "market": "IT"}
    not_deployable = c.post("/api/v1/deployments", json=body, headers=ds.headers)
    assert not_deployable.status_code == 409
    assert not_deployable.json()["error"]["field"] == "model"
    assert "archived" in not_deployable.json()["error"]["message"]

    restored = c.post("/api/v1/models/churn/restore", headers=ds.headers)
    assert restored.status_code == 200
    assert restored.json()["state"] == "active" and restored.json()["archived_at"] is None
    assert _search(runs) == ["churn"] and _search(runs, state="archived") == []
    assert c.post("/api/v1/deployments", json=body, headers=ds.headers).status_code == 201
    admin = add_user(runs.ctx, "root", Role.admin)
    actions = [
        e["action"]
        for e in c.get(
            "/api/v1/audit", params={"target": "churn", "target_type": "model"}, headers=admin.headers
        ).json()["items"]
    ]
    assert "model.archive" in actions and "model.restore" in actions


def test_only_those_who_may_change_the_model_archive_it(runs: RunSetup) -> None:
    c = runs.client
    assert c.delete("/api/v1/deployments/churn-fr", headers=runs.ds.headers).status_code == 204
    outsider = add_user(runs.ctx, "ds-sales", Role.data_scientist, "sales")
    for actor, status in ((runs.viewer, 403), (runs.analyst, 403), (outsider, 403)):
        assert c.post("/api/v1/models/churn/archive", headers=actor.headers).status_code == status
    assert c.post("/api/v1/models/absent/archive", headers=runs.ds.headers).status_code == 404
    colleague = add_user(runs.ctx, "ds-2", Role.data_scientist, "marketing")
    assert c.post("/api/v1/models/churn/archive", headers=colleague.headers).status_code == 200
    unknown = c.get("/api/v1/models", params={"state": "gone"}, headers=runs.viewer.headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "state"
