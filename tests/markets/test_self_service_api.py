"""A new market without a data scientist, through the HTTP API: the owner opens a model to self-service,
a business user deploys an open market, requests another, the owner approves or declines."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from modelport.batch.worker import Worker
from modelport.context import Context
from modelport.schemas import Notification, Role
from modelport.services.auth import AuthService
from modelport.services.notifications import NotificationService
from tests.conftest import Actor, add_user
from tests.runs import RunSetup

ROW = {"tenure_months": 3.0, "monthly_spend": 40.0, "support_calls": 6.0}
SELF = "/api/v1/models/churn/self-service"


def notifications(ctx: Context, username: str) -> list[Notification]:
    """The in-app notifications of ``username``, newest first."""
    principal = AuthService(ctx).cli_principal(username)
    return NotificationService(ctx).list_mine(principal, 1, 50).items


def audit(c: TestClient, admin: Actor, action: str) -> list[dict[str, Any]]:
    response = c.get("/api/v1/audit", params={"action": action}, headers=admin.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def open_churn(runs: RunSetup, markets: list[str], **target: Any) -> dict[str, Any]:
    body = {"markets": markets, **(target or {"alias": "champion"})}
    response = runs.client.put(SELF, json=body, headers=runs.ds.headers)
    assert response.status_code == 200, response.text
    opened: dict[str, Any] = response.json()
    return opened


def test_business_user_deploys_an_open_market_and_is_refused_a_closed_one(runs_any: RunSetup) -> None:
    runs = runs_any
    c, ds, analyst = runs.client, runs.ds, runs.analyst
    admin = add_user(runs.ctx, "root", Role.admin)

    before = c.get(SELF, headers=analyst.headers).json()
    assert (before["open"], before["markets"], before["can_deploy"], before["can_request"]) == (
        False,
        [],
        False,
        True,
    )
    assert before["deployments"] == [{"name": "churn-fr", "market": "FR", "owner": "ds", "state": "active"}]
    closed = c.post(f"{SELF}/deployments", json={"market": "FR"}, headers=analyst.headers)
    assert closed.status_code == 403, closed.text
    assert closed.json()["error"]["field"] == "market"
    assert "request" in closed.json()["error"]["message"].lower()

    assert (
        c.put(SELF, json={"alias": "champion", "markets": ["FR"]}, headers=analyst.headers).status_code == 403
    )
    opened = open_churn(runs, ["fr", "DE"])
    assert (opened["open"], opened["alias"], opened["version"], opened["resolved_version"]) == (
        True,
        "champion",
        None,
        1,
    )
    assert opened["markets"] == ["DE", "FR"] and opened["opened_by"] == "ds" and opened["can_manage"] is True
    assert opened["pending_requests"] == 0
    [event] = audit(c, admin, "self_service.open")
    assert (event["actor"], event["target"], event["details"]["markets"]) == ("ds", "churn", ["DE", "FR"])

    seen = c.get(SELF, headers=analyst.headers).json()
    assert (seen["can_manage"], seen["can_deploy"], seen["pending_requests"]) == (False, True, None)
    # churn-fr is taken by the data scientist's deployment: the name gets a suffix
    assert seen["suggested_names"] == {"DE": "churn-de", "FR": "churn-fr-2"}

    deployed = c.post(f"{SELF}/deployments", json={"market": "fr"}, headers=analyst.headers)
    assert deployed.status_code == 201, deployed.text
    dep = deployed.json()
    assert (dep["name"], dep["market"], dep["alias"], dep["version"], dep["owner"]) == (
        "churn-fr-2",
        "FR",
        "champion",
        None,
        "analyst",
    )
    assert dep["input"]["kind"] == "upload" and dep["schedule"] is None
    named = c.post(
        f"{SELF}/deployments", json={"market": "DE", "name": "churn-germany"}, headers=analyst.headers
    )
    assert named.status_code == 201 and named.json()["name"] == "churn-germany"
    taken = c.post(f"{SELF}/deployments", json={"market": "DE", "name": "churn-fr"}, headers=analyst.headers)
    assert taken.status_code == 409 and taken.json()["error"]["field"] == "name"

    refused = c.post(f"{SELF}/deployments", json={"market": "IT"}, headers=analyst.headers)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert (
        error["field"] == "market" and "IT" in error["message"] and "Request this market" in error["message"]
    )
    assert error["details"]["open_markets"] == ["DE", "FR"]
    viewer = c.post(f"{SELF}/deployments", json={"market": "FR"}, headers=runs.viewer.headers)
    assert viewer.status_code == 403

    # audited, and the owner hears about it
    created = [e for e in audit(c, admin, "deployment.create") if e["details"].get("via") == "self-service"]
    assert sorted(e["target"] for e in created) == ["churn-fr-2", "churn-germany"]
    assert {e["actor"] for e in created} == {"analyst"}
    told = [n for n in notifications(runs.ctx, "ds") if n.kind == "market_deployed"]
    assert len(told) == 2 and "churn-fr-2" in told[-1].body and told[-1].subject
    assert told[-1].subject.name == "churn"
    assert not [n for n in notifications(runs.ctx, "analyst") if n.kind == "market_deployed"]

    # the deployment follows the opened alias, and the business user gets results
    moved = c.put("/api/v1/models/churn/aliases/champion", json={"version": 2}, headers=ds.headers)
    assert moved.status_code == 200
    assert c.get("/api/v1/deployments/churn-fr-2", headers=analyst.headers).json()["resolved_version"] == 2
    run = c.post("/api/v1/deployments/churn-fr-2/executions", json={"rows": [ROW]}, headers=analyst.headers)
    assert run.status_code == 202, run.text
    assert Worker(runs.ctx).run_once()
    done = c.get(f"/api/v1/executions/{run.json()['id']}", headers=analyst.headers).json()
    assert (done["status"], done["version"], done["rows_written"]) == ("succeeded", 2, 1)


def test_a_schedule_needs_a_stored_input(runs: RunSetup) -> None:
    c, analyst = runs.client, runs.analyst
    open_churn(runs, ["ES"])
    schedule = {"cron": "0 6 * * 1", "timezone": "Europe/Madrid"}
    refused = c.post(
        f"{SELF}/deployments", json={"market": "ES", "schedule": schedule}, headers=analyst.headers
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "schedule"
    csv = b"tenure_months,monthly_spend,support_calls\n3,40,6\n12,80,1\n"
    dataset = c.post("/api/v1/datasets", files={"file": ("es.csv", csv)}, headers=analyst.headers)
    assert dataset.status_code == 201, dataset.text
    body = {
        "market": "ES",
        "schedule": schedule,
        "input": {"kind": "dataset", "dataset": dataset.json()["sha256"], "filename": "es.csv"},
    }
    scheduled = c.post(f"{SELF}/deployments", json=body, headers=analyst.headers)
    assert scheduled.status_code == 201, scheduled.text
    dep = scheduled.json()
    assert dep["schedule"] == schedule and dep["next_run_at"] is not None
    assert dep["input"]["kind"] == "dataset"
    sql = c.post(
        f"{SELF}/deployments",
        json={"market": "ES", "input": {"kind": "sql", "query": "select 1"}},
        headers=analyst.headers,
    )
    assert sql.status_code == 422 and sql.json()["error"]["field"].startswith("input")


def test_request_notify_approve_then_deploy(runs_any: RunSetup) -> None:
    runs = runs_any
    c, ds, analyst = runs.client, runs.ds, runs.analyst
    open_churn(runs, ["FR"])
    asked = c.post(
        "/api/v1/models/churn/market-requests",
        json={"market": "it", "message": "Launch in Italy in May"},
        headers=analyst.headers,
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["market"], request["status"], request["requested_by"], request["decided_by"]) == (
        "IT",
        "pending",
        "analyst",
        None,
    )
    again = c.post("/api/v1/models/churn/market-requests", json={"market": "IT"}, headers=analyst.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_exists"
    open_one = c.post("/api/v1/models/churn/market-requests", json={"market": "FR"}, headers=analyst.headers)
    assert open_one.status_code == 409 and "already open" in open_one.json()["error"]["message"]
    by_viewer = c.post(
        "/api/v1/models/churn/market-requests", json={"market": "IT"}, headers=runs.viewer.headers
    )
    assert by_viewer.status_code == 403

    [told] = [n for n in notifications(runs.ctx, "ds") if n.kind == "market_requested"]
    assert "analyst" in told.title and "IT" in told.title and "Launch in Italy in May" in told.body
    assert told.link == "/models/churn#markets"
    received = c.get("/api/v1/market-requests", params={"status": "pending"}, headers=ds.headers).json()
    assert [r["id"] for r in received["items"]] == [request["id"]]
    sent = c.get("/api/v1/market-requests", params={"view": "sent"}, headers=analyst.headers).json()
    assert [r["id"] for r in sent["items"]] == [request["id"]]
    assert c.get("/api/v1/market-requests", headers=analyst.headers).json()["total"] == 0
    assert c.get(SELF, headers=ds.headers).json()["pending_requests"] == 1

    url = f"/api/v1/market-requests/{request['id']}"
    assert c.post(f"{url}/approve", headers=analyst.headers).status_code == 403
    other_ds = add_user(runs.ctx, "other-ds", Role.data_scientist)
    assert c.post(f"{url}/approve", headers=other_ds.headers).status_code == 403
    approved = c.post(f"{url}/approve", headers=ds.headers)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", "ds")
    twice = c.post(f"{url}/approve", headers=ds.headers)
    assert twice.status_code == 409 and "approved" in twice.json()["error"]["message"]

    [yes] = [n for n in notifications(runs.ctx, "analyst") if n.kind == "market_approved"]
    assert "IT" in yes.title and yes.link == "/models/churn#markets"
    state = c.get(SELF, headers=analyst.headers).json()
    assert state["markets"] == ["FR", "IT"] and state["suggested_names"]["IT"] == "churn-it"
    deployed = c.post(f"{SELF}/deployments", json={"market": "IT"}, headers=analyst.headers)
    assert deployed.status_code == 201, deployed.text
    assert (deployed.json()["name"], deployed.json()["alias"]) == ("churn-it", "champion")


def test_decline_with_a_reason(runs: RunSetup) -> None:
    c, ds, analyst = runs.client, runs.ds, runs.analyst
    open_churn(runs, ["FR"])
    request = c.post(
        "/api/v1/models/churn/market-requests", json={"market": "JP"}, headers=analyst.headers
    ).json()
    url = f"/api/v1/market-requests/{request['id']}/decline"
    empty = c.post(url, json={"reason": ""}, headers=ds.headers)
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "reason"
    declined = c.post(url, json={"reason": "not trained on Japanese stores"}, headers=ds.headers)
    assert declined.status_code == 200, declined.text
    assert (declined.json()["status"], declined.json()["reason"]) == (
        "declined",
        "not trained on Japanese stores",
    )
    [no] = [n for n in notifications(runs.ctx, "analyst") if n.kind == "market_declined"]
    assert "not trained on Japanese stores" in no.body
    assert c.get(SELF, headers=analyst.headers).json()["markets"] == ["FR"]
    after = c.post(f"/api/v1/market-requests/{request['id']}/approve", headers=ds.headers)
    assert after.status_code == 409
    # declined: the user may ask again
    again = c.post("/api/v1/models/churn/market-requests", json={"market": "JP"}, headers=analyst.headers)
    assert again.status_code == 201


def test_approving_for_a_model_not_open_yet_names_the_alias(runs: RunSetup) -> None:
    c, ds, analyst = runs.client, runs.ds, runs.analyst
    request = c.post(
        "/api/v1/models/churn/market-requests", json={"market": "BE"}, headers=analyst.headers
    ).json()
    url = f"/api/v1/market-requests/{request['id']}/approve"
    bare = c.post(url, headers=ds.headers)
    assert bare.status_code == 422 and bare.json()["error"]["field"] == "alias"
    wrong = c.post(url, json={"alias": "nope"}, headers=ds.headers)
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "alias"
    assert c.get(SELF, headers=ds.headers).json()["open"] is False
    ok = c.post(url, json={"version": 2}, headers=ds.headers)
    assert ok.status_code == 200, ok.text
    state = c.get(SELF, headers=ds.headers).json()
    assert (state["open"], state["version"], state["alias"], state["markets"]) == (True, 2, None, ["BE"])
    # a second request on an open model takes an empty body only
    other = c.post(
        "/api/v1/models/churn/market-requests", json={"market": "NL"}, headers=analyst.headers
    ).json()
    refused = c.post(
        f"/api/v1/market-requests/{other['id']}/approve", json={"alias": "champion"}, headers=ds.headers
    )
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "alias"


def test_all_markets_edit_and_close(runs: RunSetup) -> None:
    c, ds, analyst = runs.client, runs.ds, runs.analyst
    waiting = c.post(
        "/api/v1/models/churn/market-requests", json={"market": "BR"}, headers=analyst.headers
    ).json()
    for body, field in (
        ({"alias": "champion", "markets": ["*", "FR"]}, "markets"),
        ({"alias": "champion", "markets": ["FR", "fr"]}, "markets"),
        ({"alias": "champion", "markets": ["F R!"]}, "markets"),
        ({"alias": "champion", "markets": []}, "markets"),
        ({"alias": "nope", "markets": ["FR"]}, "alias"),
        ({"version": 9, "markets": ["FR"]}, "version"),
    ):
        response = c.put(SELF, json=body, headers=ds.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["field"].startswith(field), (body, response.json())
    both = c.put(SELF, json={"alias": "champion", "version": 1, "markets": ["FR"]}, headers=ds.headers)
    assert both.status_code == 422

    everywhere = open_churn(runs, ["*"])
    assert (everywhere["markets"], everywhere["all_markets"], everywhere["suggested_names"]) == (
        ["*"],
        True,
        {},
    )
    # opening every market answers the pending request
    sent = c.get("/api/v1/market-requests", params={"view": "sent"}, headers=analyst.headers).json()
    assert [(r["id"], r["status"]) for r in sent["items"]] == [(waiting["id"], "approved")]
    assert [n.kind for n in notifications(runs.ctx, "analyst")] == ["market_approved"]
    assert c.get(SELF, headers=analyst.headers).json()["can_request"] is False
    deployed = c.post(f"{SELF}/deployments", json={"market": "Brazil South"}, headers=analyst.headers)
    assert deployed.status_code == 201 and deployed.json()["name"] == "churn-brazil-south"
    asked = c.post("/api/v1/models/churn/market-requests", json={"market": "PT"}, headers=analyst.headers)
    assert asked.status_code == 409

    edited = open_churn(runs, ["PT"], version=1)
    assert (edited["markets"], edited["version"], edited["alias"]) == (["PT"], 1, None)
    assert (
        c.post(f"{SELF}/deployments", json={"market": "PT"}, headers=analyst.headers).json()["version"] == 1
    )

    assert c.delete(SELF, headers=analyst.headers).status_code == 403
    assert c.delete(SELF, headers=ds.headers).status_code == 204
    assert c.get(SELF, headers=analyst.headers).json()["open"] is False
    gone = c.post(f"{SELF}/deployments", json={"market": "PT"}, headers=analyst.headers)
    assert gone.status_code == 403 and "not open to self-service" in gone.json()["error"]["message"]
    assert c.delete(SELF, headers=ds.headers).status_code == 404
    # what was deployed stays
    assert c.get("/api/v1/deployments/churn-brazil-south", headers=analyst.headers).status_code == 200
