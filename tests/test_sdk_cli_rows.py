"""The SDK and the CLI for a version's schema, a deployment's bad-rows policy, its template file and a
run's errors file, against a real ``uvicorn`` server on loopback (SQLite, local folder)."""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import uvicorn
from typer.testing import CliRunner

import modelport
from modelport.api.app import create_app
from modelport.batch.worker import Worker
from modelport.cli.main import app as cli
from modelport.context import Context
from modelport.errors import InvalidArgument, NotFound
from modelport.schemas import Role
from tests.conftest import Actor, add_user
from tests.mixed import plans_frame, plans_pipeline


@pytest.fixture
def server(sqlite_ctx: Context) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(ctx=sqlite_ctx), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
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
def ds(sqlite_ctx: Context) -> Actor:
    return add_user(sqlite_ctx, "nb-user", Role.data_scientist, "marketing")


def _register(client: modelport.Client) -> None:
    x, _ = plans_frame(60, seed=2)
    client.register(plans_pipeline(), "plans", title="Plans", department="marketing", sample=x)


def test_sdk_schema_policy_template_and_errors(
    server: str, ds: Actor, sqlite_ctx: Context, tmp_path: Path
) -> None:
    with modelport.Client(server, token=ds.token) as client:
        _register(client)
        version = client.edit_schema("plans", "latest", {"zip": {"description": "Postal code"}})
        zip_column = version.input_schema.columns[3]
        assert (zip_column.name, zip_column.description) == ("zip", "Postal code")
        with pytest.raises(InvalidArgument, match="no column 'colour'") as refused:
            client.edit_schema("plans", 1, {"colour": {"nullable": True}})
        assert refused.value.field == "columns[0].name"

        deployment = client.deploy("plans-fr", "plans", "FR", version=1, on_bad_rows="skip")
        assert deployment.on_bad_rows == "skip"
        template = client.download_template("plans-fr", tmp_path / "new" / "template.csv")
        assert pd.read_csv(template, dtype=str).columns.tolist() == ["tenure", "plan", "autopay", "zip"]

        data = tmp_path / "clients.csv"
        data.write_text("tenure,plan,autopay,zip\n12,basic,oui,01234\n13,pro,peut-etre,01234\n")
        execution = client.run("plans-fr", data)
        assert Worker(sqlite_ctx).run_once() is True
        done = client.execution(execution.id)
        assert (done.status, done.rows_written, done.summary["rejected_rows"]) == ("succeeded", 1, 1)
        errors = client.download_errors(done.id, tmp_path)
        assert errors.name == f"plans-fr-run-{done.id}-errors.csv"
        rows = list(csv.DictReader(io.StringIO(errors.read_text())))
        assert [(r["row"], r["column"], r["value"]) for r in rows] == [("2", "autopay", "peut-etre")]

        clean = tmp_path / "clean.csv"
        clean.write_text("tenure,plan,autopay,zip\n12,basic,oui,01234\n")
        second = client.run("plans-fr", clean)
        assert Worker(sqlite_ctx).run_once() is True
        assert client.execution(second.id).summary["rejected_rows"] == 0
        none = client.download_errors(second.id, tmp_path / "none.csv")
        assert none.read_text().splitlines() == ['"row","column","value","reason"']
        waiting = client.run("plans-fr", clean)  # not run yet
        with pytest.raises(NotFound, match=r"has no errors file \(queued\)"):
            client.download_errors(waiting.id, tmp_path)


def test_cli_schema_policy_template_and_errors(
    server: str, ds: Actor, sqlite_ctx: Context, tmp_path: Path
) -> None:
    runner = CliRunner()
    env = {"MODELPORT_URL": server, "MODELPORT_TOKEN": ds.token, "COLUMNS": "200"}
    with modelport.Client(server, token=ds.token) as client:
        _register(client)
    edited = runner.invoke(
        cli,
        [
            "models",
            "schema",
            "plans",
            "1",
            "--required",
            "tenure",
            "--categories",
            "plan=basic,plus,pro,enterprise",
            "--description",
            "zip=Postal code",
        ],
        env=env,
    )
    assert edited.exit_code == 0, edited.output
    assert "basic, plus, pro, enterprise" in edited.output and "Postal code" in edited.output
    shown = runner.invoke(cli, ["models", "schema", "plans"], env=env)
    assert shown.exit_code == 0 and "enterprise" in shown.output
    removed = runner.invoke(cli, ["models", "schema", "plans", "--no-categories", "plan"], env=env)
    assert removed.exit_code == 0 and "enterprise" not in removed.output
    bad = runner.invoke(cli, ["models", "schema", "plans", "--nullable", "colour"], env=env)
    assert bad.exit_code == 1 and "no column 'colour'" in bad.output

    created = runner.invoke(
        cli,
        [
            "deployments",
            "create",
            "plans-fr",
            "plans",
            "--market",
            "FR",
            "--version",
            "1",
            "--on-bad-rows",
            "skip",
        ],
        env=env,
    )
    assert created.exit_code == 0, created.output
    folder = tmp_path / "out"
    template = runner.invoke(
        cli, ["deployments", "template", "plans-fr", "--format", "xlsx", "-d", str(folder)], env=env
    )
    assert template.exit_code == 0, template.output
    book = folder / "plans-fr-template.xlsx"
    assert pd.read_excel(book).columns.tolist() == ["tenure", "plan", "autopay", "zip"]

    data = tmp_path / "clients.csv"
    data.write_text("tenure,plan,autopay,zip\n,basic,oui,01234\n13,pro,non,01234\n")
    with modelport.Client(server, token=ds.token) as client:
        execution = client.run("plans-fr", data)
    assert Worker(sqlite_ctx).run_once() is True
    errors = runner.invoke(cli, ["executions", "errors", str(execution.id), "-d", str(folder)], env=env)
    assert errors.exit_code == 0, errors.output
    saved = folder / f"plans-fr-run-{execution.id}-errors.csv"
    assert list(csv.reader(io.StringIO(saved.read_text())))[1] == [
        "1",
        "tenure",
        "",
        "a value is required (the cell is empty)",
    ]
