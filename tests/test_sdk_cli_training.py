"""Training through the SDK and the CLI against a real ``uvicorn`` server on loopback with a worker
(SQLite, local folder): train on a DataFrame, a file or a dataset with a 5 s budget, follow it, read
the leaderboard, register the best and serve it on raw columns; cancel (Ctrl-C in the CLI); refusals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import modelport
from modelport.cli.main import app as cli
from modelport.context import Context
from modelport.errors import InvalidArgument, NotFound
from modelport.schemas import DropColumnsStep, RegisteredAs, Role, Training
from tests.conftest import Actor, add_user
from tests.served import churn_frame, ctx, flat, server

__all__ = ["ctx", "server"]

BIN = Path(sys.executable).parent
FEATURES = ["tenure_months", "monthly_spend", "support_calls", "plan"]


@pytest.fixture
def ds(ctx: Context) -> Actor:
    return add_user(ctx, "dora", Role.data_scientist, "marketing")


def _running(client: modelport.Client, training_id: int, seconds: float = 60) -> Training:
    """The training once a worker runs it."""
    deadline = time.monotonic() + seconds
    while (training := client.training(training_id)).status == "queued":
        assert time.monotonic() < deadline, "the training was not picked up"
        time.sleep(0.2)
    return training


def test_sdk_trains_a_dataframe_registers_the_best_and_serves_it_on_raw_columns(
    server: str, ds: Actor
) -> None:
    frame = churn_frame()
    seen: list[Training] = []
    with modelport.Client(server, ds.token) as client:
        training = client.train(frame, target="churned", budget_s=5, name="churn", progress=seen.append)

        assert training.status == "succeeded", training.error
        assert (training.dataset, training.dataset_version, training.target) == ("churn", 1, "churned")
        assert training.task == "binary" and training.metric is not None
        assert training.leaderboard and [e.rank for e in training.leaderboard] == sorted(
            e.rank for e in training.leaderboard
        )
        assert training.best is not None and training.best.rank == 1
        assert training.evaluation is not None and training.evaluation.metrics
        assert seen[-1].id == training.id and any(t.status == "running" for t in seen)
        assert client.dataset("churn").rows == len(frame)
        assert [t.id for t in client.trainings(dataset="churn").items] == [training.id]
        assert client.trainings(status="failed").total == 0

        version = client.register_training(
            training.id, model="churn-auto", title="Churn (AutoML)", department="marketing"
        )
        assert version.version == 1 and version.safe_format
        assert version.lineage is not None and version.lineage.training == training.id
        assert version.input_schema.names() == FEATURES  # the raw columns, the target left out
        assert client.training(training.id).registered == [RegisteredAs(model="churn-auto", version=1)]

        client.deploy("churn-auto-fr", "churn-auto", "FR", version=1)
        answer = client.predict("churn-auto-fr", frame[FEATURES].head(3))
        assert len(answer.predictions) == 3


def test_sdk_trains_an_uploaded_dataset_by_name_and_cancels(server: str, ds: Actor) -> None:
    with modelport.Client(server, ds.token) as client:
        dataset = client.upload_dataset(churn_frame(), name="churn")
        started = client.train("churn", target="churned", budget_s=60, wait=False, seed=3, folds=3)
        assert started.status in ("queued", "running")
        assert started.options["seed"] == 3 and started.options["folds"] == 3
        assert (started.dataset, started.dataset_version) == ("churn", dataset.version)
        _running(client, started.id)
        with pytest.raises(TimeoutError):
            client.wait_training(started.id, timeout=0.2, poll=0.1)
        client.cancel_training(started.id)
        ended = client.wait_training(started.id, timeout=60, poll=0.2)
        assert ended.status == "cancelled"

        steps = [DropColumnsStep(columns=["plan"])]
        again = client.train(dataset, target="churned", budget_s=5, candidates=["linear"], steps=steps)
        assert again.status == "succeeded", again.error
        assert {e.candidate for e in again.leaderboard} == {"linear"}
        assert again.steps == steps
        assert again.evaluation is not None
        importance = {i.feature: i.mean for i in again.evaluation.importance}
        assert importance.get("plan", 0.0) == 0.0  # a raw column the pipeline drops


def test_sdk_training_refusals_name_the_problem(server: str, ds: Actor, tmp_path: Path) -> None:
    frame = churn_frame()
    with modelport.Client(server, ds.token) as client:
        client.upload_dataset(frame, name="churn")
        with pytest.raises(InvalidArgument) as no_target:
            client.train("churn", target="absent", budget_s=5)
        assert no_target.value.field == "target" and "absent" in no_target.value.message
        with pytest.raises(InvalidArgument) as short:
            client.train("churn", target="churned", budget_s=1)
        assert short.value.field == "budget_s"
        with pytest.raises(InvalidArgument) as unknown:
            client.train("churn", target="churned", budget_s=5, depth=3)
        assert unknown.value.field == "depth"
        with pytest.raises(InvalidArgument) as bad_task:
            client.train("churn", target="churned", task="clustering", budget_s=5)
        assert bad_task.value.field == "task"
        with pytest.raises(NotFound):
            client.train("absent", target="churned", budget_s=5)
        with pytest.raises(InvalidArgument) as no_file:
            client.train(str(tmp_path / "absent.csv"), target="churned", budget_s=5)
        assert no_file.value.field == "file"
        with pytest.raises(InvalidArgument) as what:
            client.train(42, target="churned")
        assert what.value.field == "dataset"
        with pytest.raises(NotFound):
            client.training(999)

        with pytest.raises(InvalidArgument, match="one class only") as one_class:  # before any fit
            client.train(frame.assign(churned="no"), target="churned", budget_s=5, name="one-class")
        assert one_class.value.field == "target"
        assert client.trainings().total == 0


def test_cli_train_follows_shows_the_leaderboard_and_registers(
    server: str, ds: Actor, tmp_path: Path
) -> None:
    runner = CliRunner()
    env = {"MODELPORT_URL": server, "MODELPORT_TOKEN": ds.token, "COLUMNS": "200"}
    data = tmp_path / "churn-history.csv"
    churn_frame().to_csv(data, index=False)

    trained = runner.invoke(
        cli,
        ["train", str(data), "--target", "churned", "--budget", "5", "--candidate", "linear"]
        + ["--candidate", "random_forest", "--register", "churn-cli", "--title", "Churn CLI"]
        + ["--department", "marketing"],
        env=env,
    )
    assert trained.exit_code == 0, trained.output
    out = flat(trained.output)
    assert "dataset churn-history version 1: 240 rows x 5 columns (churn-history.csv)" in out
    assert "leaderboard of training 1" in out and " ± " in out
    assert "holdout (" in out and "registered churn-cli version 1 (training 1)" in out

    listed = runner.invoke(cli, ["trainings", "list", "--dataset", "churn-history"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "1 trainings (page 1)" in listed.output and "succeeded" in listed.output
    shown = runner.invoke(cli, ["trainings", "show", "1", "-o", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output)
    assert body["status"] == "succeeded" and {e["candidate"] for e in body["leaderboard"]} <= {
        "linear",
        "random_forest",
    }
    assert body["registered"] == [{"model": "churn-cli", "version": 1}]
    again = runner.invoke(
        cli, ["trainings", "register", "1", "--model", "churn-cli", "--alias", "b"], env=env
    )
    assert again.exit_code == 0, again.output
    assert "registered churn-cli version 2 (training 1)" in again.output
    logs = runner.invoke(cli, ["trainings", "logs", "1"], env=env)
    assert logs.exit_code == 0 and logs.output.strip(), logs.output

    queued = runner.invoke(
        cli,
        ["train", str(data), "--target", "churned", "--budget", "60", "--no-wait", "-o", "json"],
        env=env,
    )
    assert queued.exit_code == 0, queued.output
    started = json.loads(queued.stdout)  # the JSON alone on stdout; what was read goes to stderr
    # the same file again is the same version
    assert (started["id"], started["dataset"], started["dataset_version"]) == (2, "churn-history", 1)
    assert "training 2 started" in queued.stderr and "version 1: 240 rows" in queued.stderr
    cancelled = runner.invoke(cli, ["trainings", "cancel", "2"], env=env)
    assert cancelled.exit_code == 0, cancelled.output
    with modelport.Client(server, ds.token) as client:
        assert client.wait_training(2, timeout=60, poll=0.2).status == "cancelled"


def test_cli_train_bad_input_is_one_line_and_a_non_zero_exit(server: str, ds: Actor, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"MODELPORT_URL": server, "MODELPORT_TOKEN": ds.token, "COLUMNS": "200"}
    data = tmp_path / "churn.csv"
    churn_frame().to_csv(data, index=False)
    cases = [
        (["train", str(data), "--target", "churned", "--task", "clustering"], "error (task): 'clustering'"),
        (["train", str(data), "--target", "churned", "--metric", "auc"], "error (metric): 'auc'"),
        (["train", str(tmp_path / "absent.csv"), "--target", "y"], "error (file): no file"),
        (["train", "absent", "--target", "y"], "error (dataset): no dataset named 'absent'"),
        (["train", str(data), "--target", "nope"], "error (target):"),
        (["train", str(data), "--target", "churned", "--budget", "1"], "error (budget_s):"),
        (["train", "churn", "--target", "churned", "--no-wait", "--register", "m"], "error (register):"),
        (["trainings", "show", "999"], "error (training): no training 999"),
        (["trainings", "register", "999", "--model", "m"], "error (training): no training 999"),
    ]
    for args, message in cases:
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 1, (args, result.output)
        assert message in flat(result.output), (args, result.output)
        assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    missing = runner.invoke(cli, ["train", str(data)], env=env)
    assert missing.exit_code == 2 and "--target" in missing.output
    with modelport.Client(server, ds.token) as client:
        assert client.trainings().total == 0


def test_cli_ctrl_c_cancels_the_training(server: str, ds: Actor, tmp_path: Path) -> None:
    data = tmp_path / "churn.csv"
    churn_frame().to_csv(data, index=False)
    env = {**os.environ, "MODELPORT_URL": server, "MODELPORT_TOKEN": ds.token}
    log = tmp_path / "train.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "modelport"), "train", str(data), "--target", "churned", "--budget", "120"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            with modelport.Client(server, ds.token) as client:
                deadline = time.monotonic() + 60
                while client.trainings().total == 0:
                    assert proc.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
                training = _running(client, client.trainings().items[0].id)
                proc.send_signal(signal.SIGINT)
                assert proc.wait(timeout=30) == 130, log.read_text()
                assert client.wait_training(training.id, timeout=60, poll=0.2).status == "cancelled"
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    text = log.read_text()
    assert f"cancelling training {training.id}" in text and "Traceback" not in text


def test_sdk_register_from_mlflow_says_when_no_tracking_server_is_configured(server: str, ds: Actor) -> None:
    """The body the SDK sends is the API's (a refusal about the server, not the request's shape); the
    registration itself is tested against a real MLflow server in tests/training/test_mlflow.py."""
    with modelport.Client(server, ds.token) as client:
        client.create_model("churn-mlflow", "Churn (MLflow)", "marketing")
        with pytest.raises(InvalidArgument, match="MODELPORT_MLFLOW_TRACKING_URI") as refused:
            client.register_from_mlflow("churn-mlflow", "runs:/0123456789abcdef/model", aliases=["b"])
        assert refused.value.field == "uri"
        env = {"MODELPORT_URL": server, "MODELPORT_TOKEN": ds.token, "COLUMNS": "200"}
        result = CliRunner().invoke(
            cli, ["models", "register-mlflow", "churn-mlflow", "models:/churn/3", "--alias", "b"], env=env
        )
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert "error (uri): no MLflow tracking server is configured" in result.output
        assert client.list_versions("churn-mlflow") == []
