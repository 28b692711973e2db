"""The SDK and the CLI get the API's answer (422 naming ``schedule``) for a cron without a stored
input, deploy on a dataset file in one call, and replace it with ``set_input`` / ``set-input``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelport.cli.main import app as cli
from modelport.errors import InvalidArgument
from tests.scheduling.served import Served, customers, served

__all__ = ["served"]


def test_sdk_deploys_on_a_dataset_and_refuses_a_schedule_without_one(served: Served, tmp_path: Path) -> None:
    first, newer = tmp_path / "customers.csv", tmp_path / "customers-december.csv"
    customers(30, seed=1).to_csv(first, index=False)
    customers(45, seed=2).to_csv(newer, index=False)
    with served.client() as client:
        with pytest.raises(InvalidArgument) as refused:
            client.deploy("churn-de", "churn-fr", "DE", alias="champion", cron="0 6 * * 1")
        assert refused.value.field == "schedule" and refused.value.http_status == 422
        assert "stored input" in refused.value.message
        assert [d.name for d in client.deployments()] == []

        d = client.deploy(
            "churn-de", "churn-fr", "DE", alias="champion", cron="0 6 * * 1", timezone="Europe/Berlin",
            dataset=first,
        )  # fmt: skip
        assert d.schedule is not None and d.schedule.timezone == "Europe/Berlin"
        assert (d.input.kind, d.input.filename) == ("dataset", "customers.csv")
        assert served.ctx.artifacts.exists(str(d.input.dataset))

        replaced = client.set_input("churn-de", newer)
        assert replaced.input.filename == "customers-december.csv"
        assert replaced.input.dataset not in (None, d.input.dataset)
        run = client.run("churn-de", wait=True, timeout=120)
        assert (run.status, run.rows_written) == ("succeeded", 45), run.error

        with pytest.raises(InvalidArgument) as no_connection:
            client.set_input("churn-de", query="SELECT 1")
        assert no_connection.value.field == "connection"
        with pytest.raises(InvalidArgument) as unknown:
            client.set_input("churn-de", query="SELECT 1", connection="warehouse")
        assert unknown.value.field == "input.connection" and unknown.value.http_status == 422
        with pytest.raises(InvalidArgument) as missing:
            client.deploy("churn-it", "churn-fr", "IT", alias="champion", dataset=tmp_path / "nope.csv")
        assert missing.value.field == "dataset"
        assert client.get_deployment("churn-de").input.dataset == replaced.input.dataset


def test_cli_deploys_on_a_dataset_and_refuses_a_schedule_without_one(served: Served, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"MODELPORT_URL": served.url, "MODELPORT_TOKEN": served.ds.token}
    first, newer = tmp_path / "customers.csv", tmp_path / "customers-december.csv"
    customers(30, seed=1).to_csv(first, index=False)
    customers(45, seed=2).to_csv(newer, index=False)
    create = ["deployments", "create", "churn-de", "churn-fr", "--market", "DE", "--alias", "champion"]

    refused = runner.invoke(cli, [*create, "--cron", "0 6 * * 1"], env=env)
    assert refused.exit_code == 1, refused.output
    said = " ".join(refused.output.split())  # the console wraps long lines
    assert "error (schedule): a schedule needs a stored input" in said and "--dataset FILE" in said

    done = runner.invoke(cli, [*create, "--cron", "0 6 * * 1", "--dataset", str(first)], env=env)
    assert done.exit_code == 0, done.output
    assert "as churn-de" in done.output
    with served.client() as client:
        assert client.get_deployment("churn-de").input.filename == "customers.csv"

    replaced = runner.invoke(cli, ["deployments", "set-input", "churn-de", str(newer)], env=env)
    assert replaced.exit_code == 0, replaced.output
    assert "churn-de now reads dataset customers-december.csv" in replaced.output
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("tenure_months,spend\n3,40.5\n")
    refused_file = runner.invoke(cli, ["deployments", "set-input", "churn-de", str(wrong)], env=env)
    said = " ".join(refused_file.output.split())
    assert refused_file.exit_code == 1 and "error (file):" in said and "monthly_spend" in said
    with served.client() as client:
        assert client.get_deployment("churn-de").input.filename == "customers-december.csv"

    helped = runner.invoke(cli, ["deployments", "create", "--help"], env={**env, "COLUMNS": "200"})
    said = " ".join(helped.output.split())
    assert "--dataset" in said and "--query" in said and "A --cron schedule needs a stored input" in said
