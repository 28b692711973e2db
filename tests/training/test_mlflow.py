"""MLflow tracking against a real ``mlflow server`` (tests/training/conftest.py): a training mirrored as a
run and read back with MlflowClient; a model logged to the server by MLflow itself, registered through
the API from its ``runs:/`` and ``models:/`` URIs and then used for predictions; every refusal a 4xx that
names ``uri``."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io
from fastapi.testclient import TestClient
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from modelport.db.migrate import upgrade
from modelport.errors import InvalidArgument, ModelportError
from modelport.schemas import DropColumnsStep, LeaderboardEntry, Role, Training
from modelport.training.evaluate import evaluate
from modelport.training.tracking import experiment_name, mirror, parse_model_uri
from tests.conftest import Actor, add_user, make_context


def _frame(rows: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"tenure": rng.uniform(0, 60, rows), "spend": rng.normal(50, 15, rows)})
    churn = (frame["tenure"] < 12) ^ (rng.random(rows) < 0.1)
    return frame, pd.Series(np.where(churn, "yes", "no"), name="churn")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Pipeline, Path, pd.DataFrame, pd.Series]:
    """A fitted pipeline, its skops file, and its holdout."""
    X, y = _frame(400, 0)
    pipeline = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])
    pipeline.fit(X.iloc[:300], y.iloc[:300])
    path = tmp_path_factory.mktemp("model") / "churn.skops"
    skops.io.dump(pipeline, path)
    return pipeline, path, X.iloc[300:], y.iloc[300:]


def _training(evaluation: object, *, status: str = "succeeded", dataset: str = "churn-csv") -> Training:
    board = [
        LeaderboardEntry(
            rank=rank,
            trial=trial,
            candidate=candidate,
            params=params,
            fold_scores=[mean - 0.01, mean + 0.01],
            mean=mean,
            std=0.01,
            fit_seconds=0.2 + trial,
            predict_seconds=0.01,
        )
        for rank, (trial, candidate, params, mean) in enumerate(
            [
                (1, "linear", {"C": 1.0}, 0.91),
                (0, "linear", {"C": 0.01}, 0.83),
                (2, "random_forest", {"n_estimators": 50, "max_depth": None}, 0.88),
            ],
            start=1,
        )
    ]
    started = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    return Training.model_validate(
        {
            "id": 42,
            "execution": 7,
            "status": status,
            "progress": 1.0,
            "dataset": dataset,
            "dataset_version": 3,
            "dataset_sha256": "ab" * 32,
            "target": "churn",
            "task": "binary",
            "metric": "roc_auc",
            "budget_s": 30,
            "steps": [DropColumnsStep(columns=["customer_id"])],
            "options": {"folds": 3, "holdout": 0.25, "seed": 11, "time_column": None, "candidates": None},
            "leaderboard": board,
            "best": board[0],
            "evaluation": evaluation,
            "code_version": "0.1.0+test",
            "error": None,
            "created_by": "ds-1",
            "created_at": started - timedelta(seconds=5),
            "started_at": started,
            "finished_at": started + timedelta(seconds=31),
        }
    )


def test_a_training_is_mirrored_as_an_mlflow_run(
    mlflow_server: str, trained: tuple[Pipeline, Path, pd.DataFrame, pd.Series], tmp_path: Path
) -> None:
    pipeline, model_path, X_holdout, y_holdout = trained
    evaluation = evaluate(pipeline, X_holdout, y_holdout, "binary", "roc_auc")
    training = _training(evaluation)

    run_id = mirror(mlflow_server, training, model_path, {"holdout_sha256": "cd" * 32})

    client = MlflowClient(tracking_uri=mlflow_server)
    run = client.get_run(run_id)
    experiment = client.get_experiment(run.info.experiment_id)
    assert experiment.name == experiment_name("churn-csv") == "modelport/churn-csv"
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "training-42"
    assert run.info.start_time == int(training.started_at.timestamp() * 1000)  # type: ignore[union-attr]
    assert run.info.end_time == int(training.finished_at.timestamp() * 1000)  # type: ignore[union-attr]
    assert run.data.tags["modelport.training"] == "42"
    assert run.data.tags["modelport.dataset"] == "churn-csv:3"
    params = run.data.params
    assert {k: params[k] for k in ("target", "task", "metric", "budget_s", "folds", "seed")} == {
        "target": "churn",
        "task": "binary",
        "metric": "roc_auc",
        "budget_s": "30",
        "folds": "3",
        "seed": "11",
    }
    assert params["dataset"] == "churn-csv"
    assert params["dataset_version"] == "3"
    assert params["dataset_sha256"] == "ab" * 32
    assert params["code_version"] == "0.1.0+test"
    assert params["holdout_sha256"] == "cd" * 32
    assert params["best_candidate"] == "linear"
    assert params["best.C"] == "1.0"
    assert json.loads(params["steps"]) == [{"op": "drop_columns", "columns": ["customer_id"]}]
    assert "time_column" not in params  # None is not a value

    metrics = run.data.metrics
    for name, value in evaluation.metrics.items():
        assert metrics[f"holdout_{name}"] == pytest.approx(value)
    assert metrics["best_cv_roc_auc"] == pytest.approx(0.91)
    history = client.get_metric_history(run_id, "cv_roc_auc")
    assert sorted((m.step, m.value) for m in history) == [(0, 0.83), (1, 0.91), (2, 0.88)]
    forest = client.get_metric_history(run_id, "cv_roc_auc.random_forest")
    assert [(m.step, m.value) for m in forest] == [(2, 0.88)]
    assert [d.dataset.name for d in run.inputs.dataset_inputs] == ["churn-csv"]

    assert {a.path for a in client.list_artifacts(run_id)} >= {"model", "evaluation.json", "leaderboard.json"}
    assert [a.path for a in client.list_artifacts(run_id, "model")] == ["model/churn.skops"]
    local = Path(client.download_artifacts(run_id, "model/churn.skops", str(tmp_path)))
    assert hashlib.sha256(local.read_bytes()).digest() == hashlib.sha256(model_path.read_bytes()).digest()
    stored = json.loads(Path(client.download_artifacts(run_id, "evaluation.json", str(tmp_path))).read_text())
    assert stored["metrics"] == pytest.approx(evaluation.metrics)
    assert stored["confusion_matrix"]["labels"] == ["no", "yes"]


def test_runs_of_one_dataset_share_an_experiment_and_keep_their_end_state(
    mlflow_server: str, trained: tuple[Pipeline, Path, pd.DataFrame, pd.Series]
) -> None:
    first = mirror(mlflow_server, _training(None, dataset="prices"), None, {})
    second = mirror(mlflow_server, _training(None, status="cancelled", dataset="prices"), None, {})
    client = MlflowClient(tracking_uri=mlflow_server)
    runs = {run_id: client.get_run(run_id) for run_id in (first, second)}
    assert len({run.info.experiment_id for run in runs.values()}) == 1
    assert runs[first].info.status == "FINISHED"
    assert runs[second].info.status == "KILLED"
    assert client.list_artifacts(first, "model") == []  # no model file given, none logged
    assert not any(key.startswith("holdout_") for key in runs[first].data.metrics)


def test_a_mirror_that_fails_midway_marks_its_run_failed(mlflow_server: str, tmp_path: Path) -> None:
    with pytest.raises(ModelportError, match="could not mirror training 42 to MLflow"):
        mirror(mlflow_server, _training(None, dataset="broken"), tmp_path / "gone.skops", {})
    client = MlflowClient(tracking_uri=mlflow_server)
    experiment = client.get_experiment_by_name("modelport/broken")
    runs = client.search_runs([experiment.experiment_id])
    assert [run.info.status for run in runs] == ["FAILED"]


def test_mirroring_to_a_server_that_is_down_fails_at_once(
    trained: tuple[Pipeline, Path, pd.DataFrame, pd.Series],
) -> None:
    started = time.monotonic()
    with pytest.raises(InvalidArgument, match="does not answer") as caught:
        mirror(f"http://127.0.0.1:{_closed_port()}", _training(None), None, {})
    assert caught.value.field == "mlflow_tracking_uri"
    assert time.monotonic() - started < 10


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens there


@pytest.mark.parametrize(
    "uri",
    [
        "s3://bucket/model",
        "runs:/",
        "runs:/abc",
        "runs:/abc/../../etc",
        "models:/",
        "models:/churn/1/extra",
        "file:///etc/passwd",
        "http://example.com/model.zip",
    ],
)
def test_only_runs_and_models_uris_are_taken(uri: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_model_uri(uri)
    assert caught.value.field == "uri"


def test_model_uris_are_parsed() -> None:
    assert parse_model_uri("runs:/0123abcd/model") == ("runs", "0123abcd-model")
    assert parse_model_uri("models:/churn/3") == ("models", "churn-3")
    assert parse_model_uri("models:/churn@champion") == ("models", "churn-champion")
    assert parse_model_uri(" models:/m-0a1b2c ") == ("models", "m-0a1b2c")


# --- registering a version from an MLflow URI, through the API ------------------------------------


@contextmanager
def _app(tmp_path: Path, tracking_uri: str | None) -> Iterator[tuple[TestClient, dict[Role, Actor]]]:
    """An app whose settings name ``tracking_uri`` as the MLflow server, and one user per role."""
    from modelport.api.app import create_app

    overrides = {} if tracking_uri is None else {"mlflow_tracking_uri": tracking_uri}
    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'modelport.db'}", **overrides)
    upgrade(ctx.db)
    actors = {role: add_user(ctx, f"{role.value.replace('_', '-')}-1", role, "marketing") for role in Role}
    try:
        with TestClient(create_app(ctx=ctx), base_url="https://testserver") as client:
            card = {"name": "churn", "title": "Churn", "department": "marketing"}
            created = client.post("/api/v1/models", json=card, headers=actors[Role.data_scientist].headers)
            assert created.status_code == 201, created.text
            yield client, actors
    finally:
        ctx.db.dispose()


@pytest.fixture(scope="module")
def logged_run(mlflow_server: str) -> tuple[str, pd.DataFrame, Pipeline]:
    """A scikit-learn model logged to the server by MLflow's own client (with a signature) and
    registered in MLflow's registry as ``churn-mlflow`` version 1, alias ``champion``."""
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature

    X, y = _frame(300, 1)
    model = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())]).fit(X, y)
    client = MlflowClient(tracking_uri=mlflow_server, registry_uri=mlflow_server)
    experiment = client.create_experiment("logged-by-mlflow")
    run_id = str(client.create_run(experiment).info.run_id)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MLFLOW_TRACKING_URI", mlflow_server)
        with mlflow.start_run(run_id=run_id):
            mlflow.sklearn.log_model(
                model,
                name="model",
                signature=infer_signature(X, model.predict(X)),
                pip_requirements=["scikit-learn"],
                registered_model_name="churn-mlflow",
            )
    client.set_registered_model_alias("churn-mlflow", "champion", "1")
    return run_id, X, model


def test_a_version_is_registered_from_a_run_and_predicts(
    mlflow_server: str, logged_run: tuple[str, pd.DataFrame, Pipeline], tmp_path: Path
) -> None:
    run_id, X, model = logged_run
    with _app(tmp_path, mlflow_server) as (client, actors):
        ds = actors[Role.data_scientist]
        answer = client.post(
            "/api/v1/models/churn/versions/mlflow",
            json={"uri": f"runs:/{run_id}/model", "description": "from MLflow", "aliases": ["challenger"]},
            headers=ds.headers,
        )
        assert answer.status_code == 201, answer.text
        version = answer.json()
        assert version["version"] == 1
        assert version["flavor"] == "mlflow"
        assert version["description"] == "from MLflow"
        assert version["source_version"] == f"runs:/{run_id}/model"
        assert "challenger" in version["aliases"]
        assert [(c["name"], c["type"]) for c in version["input_schema"]["columns"]] == [
            ("tenure", "number"),
            ("spend", "number"),
        ]

        deployment = {"name": "churn-fr", "model": "churn", "version": 1, "market": "FR"}
        assert client.post("/api/v1/deployments", json=deployment, headers=ds.headers).status_code == 201
        rows = X.head(3).to_dict(orient="records")
        predicted = client.post(
            "/api/v1/deployments/churn-fr/predict", json={"inputs": rows}, headers=ds.headers
        )
        assert predicted.status_code == 200, predicted.text
        body = predicted.json()
        assert body["predictions"] == list(model.predict(X.head(3)))
        expected = model.predict_proba(X.head(3))
        returned = [[p["no"], p["yes"]] for p in body["probabilities"]]
        assert np.allclose(returned, expected)

        by_version = client.post(
            "/api/v1/models/churn/versions/mlflow", json={"uri": "models:/churn-mlflow/1"}, headers=ds.headers
        )
        assert by_version.status_code == 201, by_version.text
        by_alias = client.post(
            "/api/v1/models/churn/versions/mlflow",
            json={"uri": "models:/churn-mlflow@champion"},
            headers=ds.headers,
        )
        assert by_alias.status_code == 201, by_alias.text
        assert [by_version.json()["version"], by_alias.json()["version"]] == [2, 3]
        # the same model folder three times: one stored zip per download, each loaded and checked
        assert by_alias.json()["flavor"] == "mlflow"


def test_refusals_name_the_uri(
    mlflow_server: str, logged_run: tuple[str, pd.DataFrame, Pipeline], tmp_path: Path
) -> None:
    run_id, _, _ = logged_run
    with _app(tmp_path, mlflow_server) as (client, actors):
        ds = actors[Role.data_scientist]

        def register(
            uri: str, headers: dict[str, str] = ds.headers, model: str = "churn"
        ) -> tuple[int, dict]:
            answer = client.post(
                f"/api/v1/models/{model}/versions/mlflow", json={"uri": uri}, headers=headers
            )
            return answer.status_code, answer.json()

        cases = {
            "s3://bucket/model": 422,
            f"runs:/{'0' * 32}/model": 404,
            f"runs:/{run_id}/nothing-here": 404,
            f"runs:/{run_id}/model/MLmodel": 422,  # a file, not a model folder
            "models:/churn-mlflow/9": 404,
            "models:/no-such-model/1": 404,
        }
        for uri, status in cases.items():
            code, body = register(uri)
            assert (code, body["error"]["field"]) == (status, "uri"), (uri, body)
            assert body["error"]["message"]
        assert register(f"runs:/{run_id}/model", actors[Role.business_user].headers)[0] == 403
        code, body = register(f"runs:/{run_id}/model", model="no-such-model")
        assert code == 404
        bad_alias = client.post(
            "/api/v1/models/churn/versions/mlflow",
            json={"uri": f"runs:/{run_id}/model", "aliases": ["Not An Alias"]},
            headers=ds.headers,
        )
        assert (bad_alias.status_code, bad_alias.json()["error"]["field"]) == (422, "aliases")
        assert client.get("/api/v1/models/churn/versions", headers=ds.headers).json() == []


def test_without_a_tracking_server_or_with_one_down_registering_is_refused(tmp_path: Path) -> None:
    with _app(tmp_path / "none", None) as (client, actors):
        answer = client.post(
            "/api/v1/models/churn/versions/mlflow",
            json={"uri": "runs:/0123/model"},
            headers=actors[Role.data_scientist].headers,
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["field"] == "uri"
        assert "MODELPORT_MLFLOW_TRACKING_URI" in answer.json()["error"]["message"]
    with _app(tmp_path / "down", f"http://127.0.0.1:{_closed_port()}") as (client, actors):
        started = time.monotonic()
        answer = client.post(
            "/api/v1/models/churn/versions/mlflow",
            json={"uri": "runs:/0123/model"},
            headers=actors[Role.data_scientist].headers,
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["field"] == "uri"
        assert "does not answer" in answer.json()["error"]["message"]
        assert time.monotonic() - started < 10
