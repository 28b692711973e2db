"""Everyday management through the SDK and the CLI against a real server: the token from
``MODELPORT_TOKEN`` (and a clear message without one), downloads into folders that do not exist yet,
archive and delete refused while deployed, the prediction log, one's own API tokens, a user's department."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import modelport
from modelport.cli.main import app as cli
from modelport.context import Context
from modelport.errors import Conflict, Forbidden, NotFound
from modelport.schemas import Role
from tests.conftest import Actor, add_user
from tests.factories import churn_pipeline
from tests.served import flat, server_without_worker

__all__ = ["server_without_worker"]

ROW = {"tenure_months": 3.0, "monthly_spend": 40.0, "support_calls": 6.0}


@pytest.fixture
def ds(sqlite_ctx: Context) -> Actor:
    return add_user(sqlite_ctx, "ds", Role.data_scientist, "marketing")


@pytest.fixture
def deployed(server: str, ds: Actor) -> str:
    """``churn-fr`` deployed from model ``churn`` (version 1, alias champion)."""
    pipe, x = churn_pipeline()
    with modelport.Client(server, ds.token) as client:
        client.register(
            pipe, "churn", title="Churn", department="marketing", sample=x.head(), aliases=["champion"]
        )
        client.deploy("churn-fr", "churn", "FR", alias="champion")
    return server


def test_the_cli_reads_its_token_from_the_environment_and_says_when_there_is_none(
    server: str, ds: Actor
) -> None:
    runner = CliRunner()
    without = runner.invoke(cli, ["models", "list"], env={"MODELPORT_URL": server, "MODELPORT_TOKEN": None})
    assert without.exit_code == 1
    assert "no API token: pass --token or set MODELPORT_TOKEN" in flat(without.output)
    with_env = runner.invoke(
        cli, ["models", "list", "-o", "json"], env={"MODELPORT_URL": server, "MODELPORT_TOKEN": ds.token}
    )
    assert with_env.exit_code == 0, with_env.output
    assert json.loads(with_env.output)["total"] == 0
    with_option = runner.invoke(
        cli, ["tokens", "list", "--url", server, "--token", ds.token], env={"MODELPORT_TOKEN": None}
    )
    assert with_option.exit_code == 0, with_option.output
    wrong = runner.invoke(cli, ["models", "list"], env={"MODELPORT_URL": server, "MODELPORT_TOKEN": "mp_x"})
    assert wrong.exit_code == 1 and "malformed API token" in flat(wrong.output)


def test_downloads_create_the_folder_they_go_to(deployed: str, ds: Actor, tmp_path: Path) -> None:
    with modelport.Client(deployed, ds.token) as client:
        version = client.get_version("churn", "champion")
        into_new = client.download("churn", "champion", str(tmp_path / "models") + "/")
        assert into_new == tmp_path / "models" / version.filename
        no_suffix = client.download("churn", 1, tmp_path / "deep" / "er")
        assert no_suffix == tmp_path / "deep" / "er" / version.filename
        as_file = client.download("churn", 1, tmp_path / "files" / "churn-v1.skops")
        assert as_file == tmp_path / "files" / "churn-v1.skops"
        assert into_new.read_bytes() == no_suffix.read_bytes() == as_file.read_bytes()
        with pytest.raises(NotFound):
            client.download("churn", 9, tmp_path / "never")
        assert not (tmp_path / "never").exists()  # nothing made for a download that failed
    env = {"MODELPORT_URL": deployed, "MODELPORT_TOKEN": ds.token}
    target = tmp_path / "cli" / "models"
    result = CliRunner().invoke(cli, ["models", "download", "churn", "champion", "-d", str(target)], env=env)
    assert result.exit_code == 0, result.output
    assert (target / version.filename).read_bytes() == into_new.read_bytes()


def test_archive_and_delete_are_refused_while_deployed(deployed: str, ds: Actor) -> None:
    env = {"MODELPORT_URL": deployed, "MODELPORT_TOKEN": ds.token}
    runner = CliRunner()
    refused = runner.invoke(cli, ["models", "archive", "churn"], env=env)
    assert refused.exit_code == 1
    assert "'churn' cannot be archived: deployments use it ('churn-fr')" in flat(refused.output)
    refused = runner.invoke(cli, ["models", "delete", "churn", "--yes"], env=env)
    assert refused.exit_code == 1 and "deployments use it ('churn-fr')" in flat(refused.output)
    with modelport.Client(deployed, ds.token) as client:
        with pytest.raises(Conflict) as caught:
            client.delete_model("churn")
        assert caught.value.details == {"deployments": ["churn-fr"]}
        client._call("DELETE", "/api/v1/deployments/churn-fr")
        assert client.archive_model("churn").state == "archived"
        assert client.search().total == 0 and client.search(state="archived").total == 1
        assert client.restore_model("churn").state == "active"
    archived = runner.invoke(cli, ["models", "archive", "churn"], env=env)
    assert archived.exit_code == 0 and "churn: archived" in archived.output
    restored = runner.invoke(cli, ["models", "archive", "churn", "--undo"], env=env)
    assert restored.exit_code == 0 and "churn: active" in restored.output
    deleted = runner.invoke(cli, ["models", "delete", "churn", "--yes"], env=env)
    assert deleted.exit_code == 0, deleted.output
    with modelport.Client(deployed, ds.token) as client, pytest.raises(NotFound):
        client.get_model("churn")


def test_the_prediction_log_through_the_sdk_and_the_cli(
    deployed: str, ds: Actor, sqlite_ctx: Context
) -> None:
    sqlite_ctx.settings.prediction_log_rate = 1.0
    with modelport.Client(deployed, ds.token) as client:
        answers = [client.predict("churn-fr", [ROW] * n) for n in (1, 2, 3)]
        deadline = time.monotonic() + 10  # logged after the answer, in the background
        while client.predictions("churn-fr").total < 3:
            assert time.monotonic() < deadline, "the predictions were not logged"
            time.sleep(0.05)
        page = client.predictions("churn-fr", page_size=2)
        assert page.total == 3 and [len(p.inputs) for p in page.items] == [3, 2]
        one = client.predictions("churn-fr", request_id=answers[0].request_id)
        assert [p.outputs for p in one.items] == [answers[0].predictions]
        assert client.predictions("churn-fr", version=2).total == 0
        assert client.predictions("churn-fr", since=one.items[0].at).total == 3
        assert client.predictions("churn-fr", until=one.items[0].at).total == 0
    env = {"MODELPORT_URL": deployed, "MODELPORT_TOKEN": ds.token}
    shown = CliRunner().invoke(
        cli, ["deployments", "predictions", "churn-fr", "--page-size", "1", "-o", "json"], env=env
    )
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["total"] == 3 and data["items"][0]["request_id"] == answers[2].request_id
    table = CliRunner().invoke(cli, ["deployments", "predictions", "churn-fr"], env=env)
    assert table.exit_code == 0 and "3 logged requests" in table.output


def test_everyone_manages_their_own_tokens_and_admins_set_departments(
    server: str, ds: Actor, sqlite_ctx: Context
) -> None:
    viewer = add_user(sqlite_ctx, "viewer", Role.viewer)
    admin = add_user(sqlite_ctx, "root", Role.admin)
    runner = CliRunner()
    env = {"MODELPORT_URL": server, "MODELPORT_TOKEN": viewer.token}
    created = runner.invoke(cli, ["tokens", "create", "laptop", "--days", "7"], env=env)
    assert created.exit_code == 0, created.output
    secret = created.output.strip()
    assert secret.startswith("mp_")
    with modelport.Client(server, secret) as mine:
        assert mine.me().username == "viewer"
        tokens = {t.name: t for t in mine.tokens()}
        assert set(tokens) == {"tests", "laptop"}
        with pytest.raises(Forbidden):
            mine.tokens(all_users=True)
        with pytest.raises(NotFound):  # someone else's token is not there for a viewer
            mine.revoke_token(next(t.id for t in modelport.Client(server, ds.token).tokens()))
    listed = runner.invoke(cli, ["tokens", "list", "-o", "json"], env=env)
    assert {t["name"] for t in json.loads(listed.output)} == {"tests", "laptop"}
    revoked = runner.invoke(cli, ["tokens", "revoke", str(tokens["laptop"].id)], env=env)
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    with modelport.Client(server, secret) as gone, pytest.raises(Exception, match="revoked"):
        gone.me()

    with modelport.Client(server, admin.token) as root:
        everyone = {t.username for t in root.tokens(all_users=True)}
        assert {"viewer", "ds", "root"} <= everyone
        with modelport.Client(server, ds.token) as owner:
            owner.create_model("secret", "Secret", "marketing", visibility="restricted")
        with modelport.Client(server, viewer.token) as outsider, pytest.raises(NotFound):
            outsider.get_model("secret")
        moved = root.update_user("viewer", department="marketing")
        assert moved.department == "marketing"
        assert root.update_user("viewer", display_name="V").department == "marketing"  # kept
        with modelport.Client(server, viewer.token) as insider:
            deadline = time.monotonic() + 10  # within the token cache's time to live at most
            while True:
                try:
                    assert insider.get_model("secret").name == "secret"
                    break
                except NotFound:
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
        assert root.update_user("viewer", department=None).department is None
        with modelport.Client(server, ds.token) as not_admin, pytest.raises(Forbidden):
            not_admin.update_user("viewer", department="sales")
