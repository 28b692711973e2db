"""Profiles and trainings on the worker, on SQLite and PostgreSQL: upload -> profile; upload -> train ->
leaderboard and evaluation -> register (lineage, reference, challenger) -> deploy -> predict; cancel;
the time limit of a training."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modelport.batch.worker import Worker
from modelport.context import Context
from modelport.tabular.parsing import read_parquet
from tests.runs import RunSetup, setup_runs

BUDGET_S = 5


@pytest.fixture
def setup(ctx: Context, tmp_path: Path) -> Iterator[RunSetup]:
    """The churn model (champion = version 1) and its deployment, on both backends."""
    yield from setup_runs(ctx, tmp_path)


def churn_csv(rows: int = 240, seed: int = 3) -> bytes:
    """Customers with the churn model's columns, a plan (text) and whether they left (the target, 0/1 as
    the churn model predicts it)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "tenure_months": rng.integers(1, 72, rows).astype(float),
            "monthly_spend": rng.normal(40, 10, rows).round(2),
            "support_calls": rng.poisson(2, rows).astype(float),
            "plan": rng.choice(["basic", "plus", "pro"], rows),
        }
    )
    frame["churned"] = ((frame["support_calls"] > 2) & (frame["tenure_months"] < 30)).astype(int)
    frame.loc[frame.index[::17], "monthly_spend"] = np.nan
    return frame.to_csv(index=False).encode()


def upload(setup: RunSetup, name: str = "customers", data: bytes | None = None) -> dict[str, Any]:
    response = setup.client.post(
        "/api/v1/datasets",
        files={"file": (f"{name}.csv", data or churn_csv())},
        data={"name": name},
        headers=setup.analyst.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def start(setup: RunSetup, dataset: str, **body: Any) -> dict[str, Any]:
    request = {"dataset": dataset, "target": "churned", "budget_s": BUDGET_S, **body}
    response = setup.client.post("/api/v1/trainings", json=request, headers=setup.ds.headers)
    assert response.status_code == 202, response.text
    return dict(response.json())


def test_a_profile_runs_on_the_worker(setup: RunSetup) -> None:
    c, analyst = setup.client, setup.analyst
    dataset = upload(setup)
    assert dataset["profile"] is None
    queued = c.post("/api/v1/datasets/customers/versions/1/profile", headers=analyst.headers)
    assert queued.status_code == 202, queued.text
    execution = queued.json()
    assert execution["kind"] == "profile" and execution["deployment"] is None
    assert (execution["dataset"], execution["dataset_version"]) == ("customers", 1)
    again = c.post("/api/v1/datasets/customers/versions/latest/profile", headers=analyst.headers)
    assert again.json()["id"] == execution["id"]  # the one already queued

    assert Worker(setup.ctx).run_once()
    done = c.get(f"/api/v1/executions/{execution['id']}", headers=setup.viewer.headers).json()
    assert done["status"] == "succeeded", done["error"]
    assert done["progress"] == 1.0 and done["summary"]["rows"] == 240
    profile = c.get("/api/v1/datasets/customers", headers=setup.viewer.headers).json()["profile"]
    assert profile["rows"] == 240
    by_name = {column["name"]: column for column in profile["columns"]}
    assert by_name["monthly_spend"]["missing"] == len(range(0, 240, 17))
    assert "churned" in profile["suggested_targets"]
    # the runs list keeps showing runs of deployments only, unless asked for profiles
    runs = c.get("/api/v1/executions", headers=analyst.headers).json()
    assert all(item["kind"] == "score" for item in runs["items"])
    profiles = c.get("/api/v1/executions", params={"kind": "profile"}, headers=analyst.headers).json()
    assert [item["id"] for item in profiles["items"]] == [execution["id"]]
    logs = c.get(f"/api/v1/executions/{execution['id']}/logs", headers=analyst.headers).json()
    assert any("profiled 240 rows" in line["message"] for line in logs)


def test_train_evaluate_register_deploy_and_predict(setup: RunSetup) -> None:
    c, ds, ctx = setup.client, setup.ds, setup.ctx
    upload(setup)
    steps = {
        "steps": [
            {"op": "impute", "column": "monthly_spend", "strategy": "median"},
            {"op": "drop_columns", "columns": ["plan"]},
        ]
    }
    saved = c.put("/api/v1/datasets/customers/versions/1/steps", json=steps, headers=setup.analyst.headers)
    assert saved.status_code == 200, saved.text
    training = start(setup, "customers", candidates=["linear", "random_forest"], seed=1)
    assert training["status"] == "queued" and training["steps"] == saved.json()["steps"]
    assert training["dataset"] == "customers" and training["dataset_version"] == 1

    ctx.settings.mlflow_tracking_uri = "http://127.0.0.1:9"  # nothing listens there
    started = time.monotonic()
    assert Worker(ctx).run_once()
    assert time.monotonic() - started < BUDGET_S + 60
    done = c.get(f"/api/v1/trainings/{training['id']}", headers=setup.viewer.headers).json()
    assert done["status"] == "succeeded", done["error"]  # a tracking server down fails no training
    assert done["mlflow_run_id"] is None
    assert done["task"] == "binary" and done["metric"]
    assert done["leaderboard"] and done["best"] == done["leaderboard"][0]
    assert {entry["candidate"] for entry in done["leaderboard"]} <= {"linear", "random_forest", "ensemble"}
    evaluation = done["evaluation"]
    assert evaluation["rows"] == 48 and done["metric"] in evaluation["metrics"]
    assert evaluation["confusion_matrix"]["labels"] == ["0", "1"]
    logs = c.get(f"/api/v1/executions/{done['execution']}/logs", headers=ds.headers).json()
    assert any("holdout" in line["message"] for line in logs)
    assert any(
        line["level"] == "warning" and line["message"].startswith("not mirrored to MLflow") for line in logs
    )
    trainings = c.get("/api/v1/trainings", params={"dataset": "customers"}, headers=ds.headers).json()
    assert [t["id"] for t in trainings["items"]] == [training["id"]]

    card = {"model": "churn-trained", "title": "Churn (trained)", "department": "marketing"}
    registered = c.post(f"/api/v1/trainings/{training['id']}/register", json=card, headers=ds.headers)
    assert registered.status_code == 201, registered.text
    version = registered.json()
    assert version["model"] == "churn-trained" and version["version"] == 1
    assert version["flavor"] == "sklearn" and version["safe_format"] is True
    assert version["lineage"] == {
        "dataset": "customers",
        "dataset_version": 1,
        "dataset_sha256": done["dataset_sha256"],
        "training": training["id"],
        "target": "churned",
        "steps": done["steps"],
    }
    names = [column["name"] for column in version["input_schema"]["columns"]]
    assert names == ["tenure_months", "monthly_spend", "support_calls"]  # plan: dropped by the cleaning
    reference = version["reference"]
    assert reference["rows"] == 192 and {s["name"] for s in reference["stats"]} >= set(names)
    sample = read_parquet(ctx.artifacts.local_cache_path(reference["sample_sha256"], ctx.cache_dir))
    assert len(sample) == 192 and "churned" in sample.columns
    after = c.get(f"/api/v1/trainings/{training['id']}", headers=ds.headers).json()
    assert after["registered"] == [{"model": "churn-trained", "version": 1}]
    assert after["challenger"]["champion_version"] is None  # a new model has no champion

    # the existing churn model: a challenger report against its champion on the same holdout
    into_churn = c.post(
        f"/api/v1/trainings/{training['id']}/register", json={"model": "churn"}, headers=ds.headers
    )
    assert into_churn.status_code == 201, into_churn.text
    assert into_churn.json()["version"] == 3
    report = c.get(f"/api/v1/trainings/{training['id']}", headers=ds.headers).json()["challenger"]
    assert report["champion_version"] == 1 and report["metric"] == done["metric"]
    assert report["champion"] is not None and done["metric"] in report["champion"]
    assert isinstance(report["better"], bool)
    champion = c.get("/api/v1/models/churn/versions/champion", headers=ds.headers).json()
    assert champion["version"] == 1  # promoting stays a separate action

    deployment = {"name": "churn-trained-fr", "model": "churn-trained", "version": 1, "market": "FR"}
    created = c.post("/api/v1/deployments", json=deployment, headers=ds.headers)
    assert created.status_code == 201, created.text
    row = {"tenure_months": 3, "monthly_spend": None, "support_calls": 6}  # no plan: the model never reads it
    predicted = c.post(
        "/api/v1/deployments/churn-trained-fr/predict", json={"inputs": [row]}, headers=setup.analyst.headers
    )
    assert predicted.status_code == 200, predicted.text
    assert predicted.json()["predictions"][0] in (0, 1)


def test_cancel_a_running_training(setup: RunSetup) -> None:
    c, ds = setup.client, setup.ds
    upload(setup)
    training = start(setup, "customers", budget_s=120)
    worker = Worker(setup.ctx)
    thread = threading.Thread(target=worker.run_once)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = c.get(f"/api/v1/trainings/{training['id']}", headers=ds.headers).json()
            if state["status"] == "running" and state["leaderboard"]:
                break
            time.sleep(0.2)
        assert state["status"] == "running" and state["leaderboard"], state
        cancelled = c.post(f"/api/v1/trainings/{training['id']}/cancel", headers=ds.headers)
        assert cancelled.status_code == 200, cancelled.text
    finally:
        thread.join(60)
    assert not thread.is_alive()
    final = c.get(f"/api/v1/trainings/{training['id']}", headers=ds.headers).json()
    assert final["status"] == "cancelled"
    again = c.post(f"/api/v1/trainings/{training['id']}/cancel", headers=ds.headers)
    assert again.status_code == 409
    refused = c.post(f"/api/v1/trainings/{training['id']}/register", json={"model": "x"}, headers=ds.headers)
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "training"


def test_a_training_may_run_for_its_budget_plus_slack(setup: RunSetup) -> None:
    upload(setup)
    setup.ctx.settings.training_slack_seconds = 30
    short = start(setup, "customers", budget_s=10)
    long = start(setup, "customers", budget_s=600)
    worker = Worker(setup.ctx)
    assert worker.time_limit(short["execution"]) == 40
    assert worker.time_limit(long["execution"]) == 900  # half the budget when longer than the slack
    row = {"tenure_months": 3, "monthly_spend": 40.5, "support_calls": 6}
    run = setup.client.post(
        "/api/v1/deployments/churn-fr/executions", json={"rows": [row]}, headers=setup.analyst.headers
    )
    assert run.status_code == 202, run.text
    assert worker.time_limit(run.json()["id"]) == setup.ctx.settings.execution_timeout_seconds


@pytest.mark.parametrize("backend", ["sqlite"])  # the mirror does not depend on the metadata store
def test_a_training_is_mirrored_to_mlflow(setup: RunSetup, mlflow_server: str) -> None:
    from mlflow import MlflowClient

    upload(setup)
    setup.ctx.settings.mlflow_tracking_uri = mlflow_server
    training = start(setup, "customers", candidates=["linear"], seed=2)
    assert Worker(setup.ctx).run_once()
    done = setup.client.get(f"/api/v1/trainings/{training['id']}", headers=setup.ds.headers).json()
    assert done["status"] == "succeeded", done["error"]
    assert done["mlflow_run_id"]
    run = MlflowClient(tracking_uri=mlflow_server).get_run(done["mlflow_run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.tags["modelport.training"] == str(training["id"])
    assert run.data.params["dataset"] == "customers" and run.data.params["target"] == "churned"
    assert run.data.params["dataset_sha256"] == done["dataset_sha256"]
    assert len(run.data.params["model_sha256"]) == 64
    metric = done["metric"]
    assert run.data.metrics[f"holdout_{metric}"] == pytest.approx(done["evaluation"]["metrics"][metric])
