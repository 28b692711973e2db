"""The SDK and the CLI against a real ``uvicorn`` server on loopback (SQLite, local folder)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import modelport
from modelport.cli.main import app as cli
from modelport.context import Context
from modelport.errors import AlreadyExists, Forbidden, InvalidArgument, NotFound, Unauthenticated
from modelport.schemas import Role
from tests.conftest import Actor, add_user
from tests.factories import churn_pipeline, joblib_file
from tests.served import server_without_worker

__all__ = ["server_without_worker"]


@pytest.fixture
def ds(sqlite_ctx: Context) -> Actor:
    return add_user(sqlite_ctx, "nb-user", Role.data_scientist, "marketing")


def test_register_a_fitted_pipeline_in_two_lines(server: str, ds: Actor, tmp_path: Path) -> None:
    pipe, x = churn_pipeline()
    client = modelport.Client(server, token=ds.token)
    version = client.register(
        pipe, "churn-nb", title="Churn from a notebook", department="marketing", sample=x.head()
    )

    assert version.version == 1
    assert version.flavor == "sklearn"
    assert version.safe_format is True  # the SDK writes scikit-learn models with skops
    assert version.input_schema.names() == list(x.columns)
    again = client.register(pipe, "churn-nb", metrics={"auc": 0.8}, aliases=["champion"])
    assert (again.version, again.aliases, again.metrics) == (2, ["champion"], {"auc": 0.8})
    assert client.set_alias("churn-nb", "champion", 1).version == 1
    assert client.get_model("churn-nb").aliases == {"champion": 1}
    assert [m.name for m in client.search("notebook").items] == ["churn-nb"]
    assert [m.name for m in client.models(department="marketing")] == ["churn-nb"]

    seen: list[tuple[int, int]] = []
    path = client.download("churn-nb", "champion", tmp_path, progress=lambda d, t: seen.append((d, t)))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == version.artifact.sha256
    assert seen and seen[-1][0] == version.artifact.size
    client.close()


def test_sdk_maps_errors_to_the_same_classes(
    server: str, ds: Actor, sqlite_ctx: Context, tmp_path: Path
) -> None:
    with modelport.Client(server, token=ds.token) as client:
        client.create_model("dup", "Dup", "marketing")
        with pytest.raises(AlreadyExists) as exc:
            client.create_model("dup", "Dup", "marketing")
        assert exc.value.field == "name"
        with pytest.raises(NotFound):
            client.get_model("absent")
        with pytest.raises(InvalidArgument) as bad:
            client.create_model("Bad Name", "x", "marketing")
        assert bad.value.field == "name"
        bad_file = tmp_path / "junk.joblib"
        bad_file.write_bytes(b"junk" * 10)
        with pytest.raises(InvalidArgument):
            client.upload_version("dup", bad_file)
    viewer = add_user(sqlite_ctx, "looker", Role.viewer)
    with modelport.Client(server, token=viewer.token) as client, pytest.raises(Forbidden):
        client.create_model("mine", "Mine", "marketing")
    with modelport.Client(server, token="mp_bad") as client, pytest.raises(Unauthenticated):
        client.me()


def test_cli_models_commands(server: str, ds: Actor, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"MODELPORT_URL": server, "MODELPORT_TOKEN": ds.token}
    model_file = joblib_file(tmp_path)
    result = runner.invoke(
        cli,
        [
            "models",
            "register",
            "churn-cli",
            str(model_file),
            "--title",
            "Churn CLI",
            "--department",
            "marketing",
            "--market",
            "FR",
            "--alias",
            "champion",
            "--metrics",
            '{"auc": 0.9}',
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "registered churn-cli version 1" in result.output
    listed = runner.invoke(cli, ["models", "list", "--output", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert [m["name"] for m in json.loads(listed.output)["items"]] == ["churn-cli"]
    shown = runner.invoke(cli, ["models", "show", "churn-cli"], env=env)
    assert "Churn CLI" in shown.output and "champion" in shown.output
    out = tmp_path / "dl"
    out.mkdir()
    downloaded = runner.invoke(cli, ["models", "download", "churn-cli", "champion", "-d", str(out)], env=env)
    assert downloaded.exit_code == 0, downloaded.output
    assert (out / model_file.name).read_bytes() == model_file.read_bytes()
    missing = runner.invoke(cli, ["models", "show", "nope"], env=env)
    assert missing.exit_code == 1 and "no model named 'nope'" in missing.output


def test_cli_server_side_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"MODELPORT_HOME": str(tmp_path / "home")}
    assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    created = runner.invoke(
        cli,
        ["users", "create", "root", "--role", "admin"],
        env=env,
        input="a-long-password\na-long-password\n",
    )
    assert created.exit_code == 0, created.output
    assert "created admin root" in created.output
    weak = runner.invoke(cli, ["users", "create", "weak", "--password", "short"], env=env)
    assert weak.exit_code == 2 and "password" in weak.output
    token = runner.invoke(cli, ["users", "token", "root"], env=env)
    assert token.exit_code == 0 and token.output.strip().startswith("mp_")
    for args in ([], ["models"], ["models", "register", "--help"], ["serve", "--help"]):
        shown = runner.invoke(cli, [*args, "--help"] if args and args[-1] != "--help" else args or ["--help"])
        assert shown.exit_code == 0 and "Usage" in shown.output
