"""Batch executions end to end: upload, queue, a real worker with a child process, results."""

from __future__ import annotations

import io

import pandas as pd

from modelport.batch.worker import Worker
from tests.factories import training_frame
from tests.runs import RunSetup


def _csv(frame: pd.DataFrame, sep: str = ",", decimal: str = ".", encoding: str = "utf-8") -> bytes:
    return frame.to_csv(index=False, sep=sep, decimal=decimal).encode(encoding)


def test_file_run_results_and_downloads(runs: RunSetup) -> None:
    c, analyst = runs.client, runs.analyst
    x, _ = training_frame(rows=500)
    x.insert(0, "customer", [f"Société {i}" for i in range(len(x))])  # an extra column is kept in the results
    data = _csv(x, sep=";", decimal=",", encoding="latin-1")
    queued = c.post(
        "/api/v1/deployments/churn-fr/executions",
        files={"file": ("clients.csv", data)},
        headers=analyst.headers,
    )
    assert queued.status_code == 202, queued.text
    execution = queued.json()
    assert execution["status"] == "queued" and execution["trigger"] == "manual"
    assert execution["triggered_by"] == "analyst"

    assert Worker(runs.ctx).run_once() is True
    done = c.get(f"/api/v1/executions/{execution['id']}", headers=analyst.headers).json()
    assert done["status"] == "succeeded", done
    assert done["rows_read"] == done["rows_written"] == 500
    assert done["version"] == 1 and done["progress"] == 1.0
    assert done["summary"]["count"] == 500

    page = c.get(
        f"/api/v1/executions/{execution['id']}/results",
        params={"page": 2, "page_size": 200},
        headers=runs.viewer.headers,
    ).json()
    assert page["total"] == 500 and len(page["rows"]) == 200
    assert page["columns"][:2] == ["customer", "tenure_months"] and "prediction" in page["columns"]
    assert page["rows"][0]["customer"] == "Société 200"
    for fmt in ("csv", "parquet", "xlsx"):
        download = c.get(
            f"/api/v1/executions/{execution['id']}/results/download",
            params={"format": fmt},
            headers=analyst.headers,
        )
        assert download.status_code == 200, fmt
        reader = {"csv": pd.read_csv, "parquet": pd.read_parquet, "xlsx": pd.read_excel}[fmt]
        frame = reader(io.BytesIO(download.content))
        assert len(frame) == 500 and "probability_1" in frame.columns
    logs = c.get(f"/api/v1/executions/{execution['id']}/logs", headers=analyst.headers).json()
    assert any("scored 500 rows" in line["message"] for line in logs)
    listed = c.get(
        "/api/v1/executions",
        params={"deployment": "churn-fr", "status": "succeeded"},
        headers=analyst.headers,
    ).json()
    assert [e["id"] for e in listed["items"]] == [execution["id"]]


def test_typed_rows_run_and_bad_inputs(runs: RunSetup) -> None:
    c, analyst = runs.client, runs.analyst
    rows = [{"tenure_months": 3, "monthly_spend": 40.5, "support_calls": 6}]
    queued = c.post("/api/v1/deployments/churn-fr/executions", json={"rows": rows}, headers=analyst.headers)
    assert queued.status_code == 202, queued.text
    bad_rows = c.post(
        "/api/v1/deployments/churn-fr/executions",
        json={"rows": [{"tenure_months": "x"}]},
        headers=analyst.headers,
    )
    assert bad_rows.status_code == 422 and "tenure_months" in bad_rows.json()["error"]["message"]
    missing = c.post(
        "/api/v1/deployments/churn-fr/executions",
        files={"file": ("x.csv", b"tenure_months,monthly_spend\n1,2\n")},
        headers=analyst.headers,
    )
    assert missing.status_code == 422
    assert "support_calls" in missing.json()["error"]["message"]
    weird = c.post(
        "/api/v1/deployments/churn-fr/executions", files={"file": ("x.exe", b"MZ")}, headers=analyst.headers
    )
    assert weird.status_code == 422 and weird.json()["error"]["field"] == "file"
    configured = c.post("/api/v1/deployments/churn-fr/executions", headers=analyst.headers)
    assert configured.status_code == 422 and "file" in configured.json()["error"]["message"]
    listed = c.get("/api/v1/executions", headers=analyst.headers).json()
    assert listed["total"] == 1  # only the valid typed rows were queued

    assert Worker(runs.ctx).run_once()
    done = c.get(f"/api/v1/executions/{queued.json()['id']}", headers=analyst.headers).json()
    assert done["status"] == "succeeded" and done["rows_written"] == 1


def test_a_bad_line_is_refused_or_fails_the_run_with_its_line_number(runs: RunSetup) -> None:
    c, analyst = runs.client, runs.analyst
    x, _ = training_frame(rows=50)
    lines = _csv(x).decode().splitlines()
    lines[30] = lines[30] + ",1,2"  # line 31 of the file has two fields too many
    early = c.post(
        "/api/v1/deployments/churn-fr/executions",
        files={"file": ("bad.csv", ("\n".join(lines) + "\n").encode())},
        headers=analyst.headers,
    )
    assert early.status_code == 422  # seen while checking the header: nothing is queued
    assert "line 31" in early.json()["error"]["message"]

    x, _ = training_frame(rows=120_000)
    lines = _csv(x).decode().splitlines()
    lines[100_000] = lines[100_000] + ",1,2"  # far beyond what the upload check reads
    queued = c.post(
        "/api/v1/deployments/churn-fr/executions",
        files={"file": ("bad.csv", ("\n".join(lines) + "\n").encode())},
        headers=analyst.headers,
    )
    assert queued.status_code == 202, queued.text
    Worker(runs.ctx).run_once()
    failed = c.get(f"/api/v1/executions/{queued.json()['id']}", headers=analyst.headers).json()
    assert failed["status"] == "failed"
    assert "line 100001" in failed["error"], failed["error"]
    results = c.get(f"/api/v1/executions/{queued.json()['id']}/results", headers=analyst.headers)
    assert results.status_code == 404


def test_cancel_a_queued_run(runs: RunSetup) -> None:
    c, analyst = runs.client, runs.analyst
    rows = [{"tenure_months": 3, "monthly_spend": 40.5, "support_calls": 6}]
    queued = c.post(
        "/api/v1/deployments/churn-fr/executions", json={"rows": rows}, headers=analyst.headers
    ).json()
    cancelled = c.post(f"/api/v1/executions/{queued['id']}/cancel", headers=analyst.headers)
    assert cancelled.json()["status"] == "cancelled"
    again = c.post(f"/api/v1/executions/{queued['id']}/cancel", headers=analyst.headers)
    assert again.status_code == 409
    assert Worker(runs.ctx).run_once() is False


def test_metrics_count_predictions_and_executions(runs: RunSetup) -> None:
    c = runs.client
    row = {"tenure_months": 3, "monthly_spend": 40.5, "support_calls": 6}
    c.post(
        "/api/v1/deployments/churn-fr/predict", json={"inputs": [row, row, row]}, headers=runs.analyst.headers
    )
    c.post("/api/v1/deployments/churn-fr/executions", json={"rows": [row]}, headers=runs.analyst.headers)
    text = c.get("/metrics").text
    assert 'modelport_predictions_total{deployment="churn-fr",version="1"}' in text
    assert 'modelport_executions{status="queued"} 1.0' in text
    assert "modelport_queue_depth 1.0" in text
    assert "modelport_prediction_latency_seconds_bucket" in text
    assert "modelport_model_cache_size" in text


def test_a_bad_value_fails_the_run_naming_its_row_and_column(runs: RunSetup) -> None:
    c, analyst = runs.client, runs.analyst
    x, _ = training_frame(rows=10)
    x = x.astype(object)
    x.loc[2, "support_calls"] = "many"
    queued = c.post(
        "/api/v1/deployments/churn-fr/executions",
        files={"file": ("odd.csv", x.to_csv(index=False).encode())},
        headers=analyst.headers,
    )
    assert queued.status_code == 202, queued.text
    Worker(runs.ctx).run_once()
    failed = c.get(f"/api/v1/executions/{queued.json()['id']}", headers=analyst.headers).json()
    assert failed["status"] == "failed"
    expected = "data row 3, column 'support_calls': expected a number"
    assert failed["error"].startswith(expected), failed["error"]
