"""Self-service markets and deploying to many markets, through the SDK and the CLI against a real
``uvicorn`` server on loopback (SQLite, local folder)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

import modelport
from modelport.api.app import create_app
from modelport.cli.main import app as cli
from modelport.context import Context
from modelport.errors import AlreadyExists, Conflict, Forbidden, InvalidArgument
from modelport.schemas import Role
from tests.conftest import Actor, add_user
from tests.factories import joblib_file


@pytest.fixture
def server(sqlite_ctx: Context) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    srv = uvicorn.Server(
        uvicorn.Config(create_app(ctx=sqlite_ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture
def people(sqlite_ctx: Context) -> dict[str, Actor]:
    return {
        "ds": add_user(sqlite_ctx, "ds", Role.data_scientist, "marketing"),
        "bu": add_user(sqlite_ctx, "bu", Role.business_user, "marketing"),
        "admin": add_user(sqlite_ctx, "root", Role.admin),
    }


@pytest.fixture
def churn(server: str, people: dict[str, Actor], tmp_path: Path) -> str:
    """The ``churn`` model, owned by ``ds``, version 1 as ``champion``."""
    with modelport.Client(server, token=people["ds"].token) as client:
        client.register(
            joblib_file(tmp_path), "churn", title="Churn", department="marketing", aliases=["champion"]
        )
    return "churn"


def _audit(server: str, admin: Actor, action: str) -> list[dict[str, object]]:
    import httpx

    response = httpx.get(f"{server}/api/v1/audit", params={"action": action}, headers=admin.headers)
    response.raise_for_status()
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_sdk_bulk_deploy_three_markets_all_or_none(server: str, people: dict[str, Actor], churn: str) -> None:
    with modelport.Client(server, token=people["ds"].token) as client:
        created = client.deploy("churn", churn, markets=["DE", "it", "Spain"], alias="champion")
        assert [(d.name, d.market, d.alias, d.resolved_version) for d in created] == [
            ("churn-de", "DE", "champion", 1),
            ("churn-it", "IT", "champion", 1),
            ("churn-spain", "SPAIN", "champion", 1),
        ]
        events = _audit(server, people["admin"], "deployment.create")
        assert sorted(str(e["target"]) for e in events) == ["churn-de", "churn-it", "churn-spain"]
        assert all(e["details"]["batch"] == ["DE", "IT", "SPAIN"] for e in events)  # type: ignore[index]

        with pytest.raises(InvalidArgument) as bad:
            client.deploy("churn", churn, markets=["NL", "B E!"], alias="champion")
        assert bad.value.field == "markets.1" and "B E!" in bad.value.message
        with pytest.raises(AlreadyExists) as clash:
            client.deploy("churn", churn, markets=["NL", "BE", "IT"], alias="champion")
        assert clash.value.field == "markets.2"
        assert "IT" in clash.value.message and "churn-it" in clash.value.message
        assert "none of the 3" in clash.value.message
        with pytest.raises(InvalidArgument) as twice:
            client.deploy("churn", churn, markets=["NL", "nl"], alias="champion")
        assert twice.value.field == "markets"
        with pytest.raises(InvalidArgument) as cron:
            client.deploy("weekly", churn, markets=["NL", "BE"], alias="champion", cron="0 6 * * 1")
        assert cron.value.field == "schedule"
        assert sorted(d.name for d in client.deployments(model=churn)) == [
            "churn-de",
            "churn-it",
            "churn-spain",
        ]
        assert len(_audit(server, people["admin"], "deployment.create")) == 3
        one = client.deploy("churn-nl", churn, "NL", alias="champion")
        assert (one.name, one.market) == ("churn-nl", "NL")
    with modelport.Client(server, token=people["bu"].token) as client, pytest.raises(Forbidden):
        client.deploy("x", churn, markets=["PT"], alias="champion")


def test_sdk_self_service_round_trip(server: str, people: dict[str, Actor], churn: str) -> None:
    ds = modelport.Client(server, token=people["ds"].token)
    bu = modelport.Client(server, token=people["bu"].token)
    opened = ds.open_markets(churn, ["FR", "DE"], alias="champion")
    assert (opened.markets, opened.resolved_version, opened.can_manage) == (["DE", "FR"], 1, True)
    state = bu.self_service(churn)
    assert (state.can_deploy, state.can_manage, state.suggested_names["FR"]) == (True, False, "churn-fr")
    dep = bu.deploy_market(churn, "FR")
    assert (dep.name, dep.owner, dep.alias) == ("churn-fr", "bu", "champion")
    with pytest.raises(Forbidden) as closed:
        bu.deploy_market(churn, "IT")
    assert closed.value.field == "market" and "Request this market" in closed.value.message

    asked = bu.request_market(churn, "IT", "new launch")
    assert (asked.status, asked.market, asked.message) == ("pending", "IT", "new launch")
    with pytest.raises(AlreadyExists):
        bu.request_market(churn, "IT")
    with pytest.raises(Conflict):
        bu.request_market(churn, "FR")
    assert [r.id for r in ds.market_requests(status="pending")] == [asked.id]
    assert [r.id for r in bu.market_requests("sent")] == [asked.id]
    with pytest.raises(Forbidden):
        bu.approve_market(asked.id)
    approved = ds.approve_market(asked.id)
    assert (approved.status, approved.decided_by) == ("approved", "ds")
    assert bu.deploy_market(churn, "IT", name="churn-italy").name == "churn-italy"

    refused = bu.request_market(churn, "JP")
    declined = ds.decline_market(refused.id, "no Japanese data")
    assert (declined.status, declined.reason) == ("declined", "no Japanese data")
    ds.close_markets(churn)
    assert bu.self_service(churn).open is False
    ds.close()
    bu.close()


def test_cli_deploy_many_markets_and_self_service(server: str, people: dict[str, Actor], churn: str) -> None:
    runner = CliRunner()
    ds = {"MODELPORT_URL": server, "MODELPORT_TOKEN": people["ds"].token}
    bu = {"MODELPORT_URL": server, "MODELPORT_TOKEN": people["bu"].token}

    many = runner.invoke(
        cli,
        [
            "deployments",
            "create",
            "eu",
            churn,
            "--market",
            "FR",
            "--market",
            "DE",
            "--markets",
            "IT,ES",
            "--alias",
            "champion",
        ],
        env=ds,
    )
    assert many.exit_code == 0, many.output
    for name in ("eu-fr", "eu-de", "eu-it", "eu-es"):
        assert f"as {name} " in many.output
    clash = runner.invoke(
        cli, ["deployments", "create", "eu", churn, "--markets", "NL,FR", "--alias", "champion"], env=ds
    )
    assert clash.exit_code == 1 and "markets.1" in clash.output and "FR" in clash.output
    single = runner.invoke(
        cli, ["deployments", "create", "churn-nl", churn, "--market", "NL", "--alias", "champion"], env=ds
    )
    assert single.exit_code == 0 and "as churn-nl " in single.output
    listed = runner.invoke(cli, ["deployments", "list", "--output", "json"], env=ds)
    assert sorted(d["name"] for d in json.loads(listed.output)) == [
        "churn-nl",
        "eu-de",
        "eu-es",
        "eu-fr",
        "eu-it",
    ]
    none = runner.invoke(cli, ["deployments", "create", "x", churn, "--alias", "champion"], env=ds)
    assert none.exit_code == 2 and "--market" in none.output

    opened = runner.invoke(
        cli, ["markets", "open", churn, "--markets", "PT,BE", "--alias", "champion"], env=ds
    )
    assert opened.exit_code == 0 and "open for BE, PT" in opened.output, opened.output
    shown = runner.invoke(cli, ["markets", "show", churn, "--output", "json"], env=bu)
    assert json.loads(shown.output)["markets"] == ["BE", "PT"]
    deployed = runner.invoke(cli, ["markets", "deploy", churn, "PT"], env=bu)
    assert deployed.exit_code == 0 and "as churn-pt " in deployed.output, deployed.output
    closed = runner.invoke(cli, ["markets", "deploy", churn, "AT"], env=bu)
    assert closed.exit_code == 1 and "error (market)" in closed.output

    asked = runner.invoke(cli, ["markets", "request", churn, "AT", "--message", "Vienna"], env=bu)
    assert asked.exit_code == 0 and "pending" in asked.output
    request_id = asked.output.split()[1].rstrip(":")
    pending = runner.invoke(cli, ["markets", "requests", "--output", "json"], env=ds)
    assert [(r["id"], r["market"], r["message"]) for r in json.loads(pending.output)] == [
        (int(request_id), "AT", "Vienna")
    ]
    approved = runner.invoke(cli, ["markets", "approve", request_id], env=ds)
    assert approved.exit_code == 0 and "open for AT" in approved.output
    again = runner.invoke(cli, ["markets", "request", churn, "CH"], env=bu)
    other_id = again.output.split()[1].rstrip(":")
    declined = runner.invoke(cli, ["markets", "decline", other_id, "--reason", "later"], env=ds)
    assert declined.exit_code == 0 and "declined" in declined.output
    mine = runner.invoke(cli, ["markets", "requests", "--sent", "--output", "json"], env=bu)
    assert [(r["market"], r["status"]) for r in json.loads(mine.output)] == [
        ("CH", "declined"),
        ("AT", "approved"),
    ]
    assert runner.invoke(cli, ["markets", "close", churn], env=ds).exit_code == 0
    assert "not open" in runner.invoke(cli, ["markets", "show", churn], env=bu).output
