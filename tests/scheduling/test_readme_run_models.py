"""The README's "Run models" examples run verbatim (Python, then the CLI) against a real server with
an embedded worker, in a folder holding the files they name."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from modelport.cli.main import app as cli
from tests.scheduling.served import Served, customers, served

__all__ = ["served"]

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks() -> tuple[str, str]:
    text = README.read_text()
    section = text[text.index("**Run models**") :]
    python = re.search(r"```python\n(.*?)```", section, re.S)
    bash = re.search(r"```bash\n(.*?)```", section, re.S)
    assert python and bash
    return python.group(1), bash.group(1)


def _commands(block: str) -> list[list[str]]:
    """The block's commands (continued lines joined, comments dropped)."""
    lines = block.replace("\\\n", " ").splitlines()
    return [shlex.split(line, comments=True) for line in lines if line.strip()]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    customers(40, seed=3).to_csv(tmp_path / "customers.csv", index=False)
    customers(25, seed=4).to_csv(tmp_path / "customers-december.csv", index=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_python_example_runs_verbatim(served: Served, folder: Path) -> None:
    python, _ = _blocks()
    assert "cron=" in python and "dataset=" in python
    with served.client() as client:
        exec(compile(python, "README.md", "exec"), {"client": client})  # noqa: S102 - our own README
        deployment = client.get_deployment("churn-fr")
        runs = client.executions(deployment="churn-fr")
    assert deployment.schedule is not None and deployment.schedule.cron == "0 6 * * 1"
    assert (deployment.input.kind, deployment.input.filename) == ("dataset", "customers-december.csv")
    assert [(r.status, r.rows_written) for r in runs] == [("succeeded", 40)]
    assert (folder / "scores.xlsx").stat().st_size > 0


def test_the_cli_example_runs_verbatim(served: Served, folder: Path) -> None:
    _, bash = _blocks()
    commands = _commands(bash)
    assert any("--cron" in c and "--dataset" in c for c in commands)
    runner = CliRunner()
    env = {"MODELPORT_URL": served.url, "MODELPORT_TOKEN": served.ds.token}
    for command in commands:
        assert command[0] == "modelport"
        if command[1] == "worker":  # runs until stopped; the server's embedded worker does its job here
            continue
        result = runner.invoke(cli, command[1:], env=env)
        assert result.exit_code == 0, (command, result.output)
    deployment = httpx.get(
        f"{served.url}/api/v1/deployments/churn-de", headers={"Authorization": f"Bearer {served.ds.token}"}
    ).json()
    assert deployment["schedule"] == {"cron": "0 6 * * 1", "timezone": "Europe/Berlin"}
    assert deployment["input"]["filename"] == "customers-december.csv"
    assert len((folder / "scores.csv").read_text().splitlines()) == 41
