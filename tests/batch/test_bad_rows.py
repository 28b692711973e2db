"""Batch runs of files as people make them, end to end through the API and the embedded worker: text
codes that look like numbers, booleans in words, blanks, unknown categories (flagged), bad rows
(rejected or skipped into an errors file), Excel uploads, a decimal deep in an integer column, and the
template file of a deployment's columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from modelport.batch.worker import Worker
from modelport.db.migrate import upgrade
from tests.conftest import make_context
from tests.mixed import Mixed, setup_mixed

RUN = "/api/v1/deployments/plans-fr/executions"


def _lines(*rows: str, header: str = "id,tenure,plan,autopay,zip") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _run(mixed: Mixed, name: str, data: bytes) -> dict[str, Any]:
    c = mixed.client
    queued = c.post(RUN, files={"file": (name, data)}, headers=mixed.analyst.headers)
    assert queued.status_code == 202, queued.text
    assert Worker(mixed.ctx).run_once() is True
    done: dict[str, Any] = c.get(
        f"/api/v1/executions/{queued.json()['id']}", headers=mixed.analyst.headers
    ).json()
    return done


def _results(mixed: Mixed, execution_id: int) -> pd.DataFrame:
    download = mixed.client.get(
        f"/api/v1/executions/{execution_id}/results/download",
        params={"format": "parquet"},
        headers=mixed.analyst.headers,
    )
    assert download.status_code == 200
    return pd.read_parquet(io.BytesIO(download.content))


def _set_policy(mixed: Mixed, policy: str) -> None:
    response = mixed.client.patch(
        "/api/v1/deployments/plans-fr", json={"on_bad_rows": policy}, headers=mixed.ds.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["on_bad_rows"] == policy


def test_real_world_values_are_read_as_the_schema_says(mixed: Mixed) -> None:
    data = _lines(
        "1,12,basic,oui,01234",
        "2,,plus,NON,2A004",  # a blank tenure: the pipeline imputes it
        "3,30,enterprise,1,00501",  # a plan the model does not know: scored, flagged
        "4,5,pro,no,75001",
        "5,7,Basic,Y,09000",  # another unknown (case matters to the encoder)
    )
    done = _run(mixed, "clients.csv", data)
    assert done["status"] == "succeeded", done
    assert done["rows_read"] == done["rows_written"] == 5
    assert done["summary"]["unknown_category_rows"] == 2
    assert "rejected_rows" not in done["summary"]  # the default policy rejects: nothing skipped
    results = _results(mixed, done["id"])
    assert results["zip"].tolist() == ["01234", "2A004", "00501", "75001", "09000"]  # text stays text
    assert results["_unknown_categories"].tolist() == ["", "", "plan", "", "plan"]
    assert results["prediction"].notna().all()
    page = mixed.client.get(f"/api/v1/executions/{done['id']}/results", headers=mixed.viewer.headers).json()
    assert page["rows"][0]["zip"] == "01234" and page["rows"][2]["_unknown_categories"] == "plan"


BAD = [
    "1,12,basic,yes,01234",
    "2,13,basic,maybe,01234",  # not a boolean
    "3,abc,plus,no,01234",  # not a number
    "4,14,pro,,01234",  # a required value missing
    "5,15,pro,true,01234",
]


def test_by_default_a_bad_row_fails_the_run_naming_it(mixed: Mixed) -> None:
    done = _run(mixed, "bad.csv", _lines(*BAD))
    assert done["status"] == "failed"
    assert done["error"].startswith("data row 2, column 'autopay': expected true or false")
    errors = mixed.client.get(f"/api/v1/executions/{done['id']}/errors", headers=mixed.analyst.headers)
    assert errors.status_code == 404


def test_skip_scores_the_good_rows_and_lists_the_bad_ones(mixed: Mixed) -> None:
    _set_policy(mixed, "skip")
    done = _run(mixed, "bad.csv", _lines(*BAD))
    assert done["status"] == "succeeded", done
    assert (done["rows_read"], done["rows_written"]) == (5, 2)
    assert done["summary"]["rejected_rows"] == 3 and done["summary"]["count"] == 2
    assert done["output"]["errors"]["rows"] == 3
    assert _results(mixed, done["id"])["id"].tolist() == [1, 5]
    errors = mixed.client.get(f"/api/v1/executions/{done['id']}/errors", headers=mixed.viewer.headers)
    assert errors.status_code == 200
    assert errors.headers["content-type"].startswith("text/csv")
    assert "plans-fr-run-" in errors.headers["content-disposition"]
    assert list(csv.reader(io.StringIO(errors.text))) == [
        ["row", "column", "value", "reason"],
        ["2", "autopay", "maybe", "expected true or false (or yes/no, 1/0), got 'maybe'"],
        ["3", "tenure", "abc", "expected a number, got 'abc'"],
        ["4", "autopay", "", "a value is required (the cell is empty)"],
    ]
    logs = mixed.client.get(f"/api/v1/executions/{done['id']}/logs", headers=mixed.analyst.headers).json()
    assert any("skipped 3 row(s)" in line["message"] for line in logs)


@pytest.fixture
def small_chunks(tmp_path: Path) -> Iterator[Mixed]:
    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'modelport.db'}", batch_chunk_rows=40)
    upgrade(ctx.db)
    try:
        yield from setup_mixed(ctx, tmp_path, on_bad_rows="skip")
    finally:
        ctx.db.dispose()


def test_skipped_rows_are_numbered_in_the_whole_file(small_chunks: Mixed) -> None:
    rows = [f"{i},{i % 50},basic,yes,01234" for i in range(1, 201)]
    for bad in (1, 40, 41, 117, 200):
        rows[bad - 1] = f"{bad},{bad % 50},basic,perhaps,01234"
    done = _run(small_chunks, "many.csv", _lines(*rows))
    assert done["status"] == "succeeded", done
    assert done["rows_written"] == 195 and done["summary"]["rejected_rows"] == 5
    errors = small_chunks.client.get(
        f"/api/v1/executions/{done['id']}/errors", headers=small_chunks.analyst.headers
    )
    assert [int(r["row"]) for r in csv.DictReader(io.StringIO(errors.text))] == [1, 40, 41, 117, 200]
    assert 1 not in _results(small_chunks, done["id"])["id"].tolist()


def test_a_run_where_every_row_is_bad(mixed: Mixed) -> None:
    _set_policy(mixed, "skip")
    done = _run(mixed, "all-bad.csv", _lines("1,1,basic,maybe,01234", "2,2,basic,perhaps,01234"))
    assert done["status"] == "succeeded"
    assert (done["rows_read"], done["rows_written"], done["summary"]["rejected_rows"]) == (2, 0, 2)


def test_skip_is_refused_for_the_spark_engine(mixed: Mixed) -> None:
    _set_policy(mixed, "skip")
    response = mixed.client.patch(
        "/api/v1/deployments/plans-fr", json={"engine": "spark"}, headers=mixed.ds.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "on_bad_rows"
    again = mixed.client.get("/api/v1/deployments/plans-fr", headers=mixed.ds.headers).json()
    assert (again["engine"], again["on_bad_rows"]) == ("local", "skip")  # nothing half-written


def _workbook(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX_ROWS: list[list[Any]] = [
    ["id", "tenure", "plan", "autopay", "zip"],
    [1, 12, "basic", True, "01234"],
    [2, None, "pro", "non", 75001],  # a number typed in the text column: read as its text
]


def test_an_excel_file_uploaded_for_a_run(mixed: Mixed) -> None:
    done = _run(mixed, "Clients.XLSX", _workbook(XLSX_ROWS))
    assert done["status"] == "succeeded", done
    results = _results(mixed, done["id"])
    assert results["zip"].tolist() == ["01234", "75001"]


def test_an_excel_dataset_for_a_deployment(mixed: Mixed) -> None:
    c = mixed.client
    uploaded = c.post(
        "/api/v1/datasets",
        files={"file": ("clients.xlsx", _workbook(XLSX_ROWS))},
        headers=mixed.analyst.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    dataset = uploaded.json()
    assert dataset["format"] == "xlsx" and dataset["columns"] == XLSX_ROWS[0]
    assert [row["plan"] for row in dataset["preview"]] == ["basic", "pro"]
    body = {
        "name": "plans-fr-monthly",
        "model": "plans",
        "alias": "champion",
        "market": "FR",
        "input": {"kind": "dataset", "dataset": dataset["sha256"], "filename": "clients.xlsx"},
    }
    assert c.post("/api/v1/deployments", json=body, headers=mixed.ds.headers).status_code == 201
    queued = c.post("/api/v1/deployments/plans-fr-monthly/executions", headers=mixed.analyst.headers)
    assert queued.status_code == 202, queued.text
    assert Worker(mixed.ctx).run_once() is True
    done = c.get(f"/api/v1/executions/{queued.json()['id']}", headers=mixed.analyst.headers).json()
    assert done["status"] == "succeeded", done  # read from the artifact cache, a file without .xlsx
    assert done["rows_written"] == 2


@pytest.mark.parametrize("threads", ["1", None])
def test_a_decimal_after_the_first_mib_scores(
    mixed: Mixed, monkeypatch: pytest.MonkeyPatch, threads: str | None
) -> None:
    """`modelport serve` sets OMP_NUM_THREADS=1: the run's child process inherits it."""
    if threads is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", threads)
    rows = [f"{i},{i % 60},basic,yes,01234" for i in range(60_000)]
    rows.insert(59_000, "60000,7.25,plus,no,01234")
    data = _lines(*rows)
    assert data.index(b"7.25") > 1 << 20
    done = _run(mixed, "big.csv", data)
    assert done["status"] == "succeeded", done
    assert done["rows_written"] == 60_001
    assert 7.25 in _results(mixed, done["id"])["tenure"].tolist()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_file_round_trips(mixed: Mixed, fmt: str) -> None:
    c = mixed.client
    template = c.get(
        "/api/v1/deployments/plans-fr/template", params={"format": fmt}, headers=mixed.viewer.headers
    )
    assert template.status_code == 200, template.text
    assert f'plans-fr-template.{fmt}"' in template.headers["content-disposition"]
    version = c.get("/api/v1/models/plans/versions/champion", headers=mixed.viewer.headers).json()
    example = version["example"]["input"]
    if fmt == "csv":
        frame = pd.read_csv(io.BytesIO(template.content), dtype=str)
    else:
        frame = pd.read_excel(io.BytesIO(template.content), dtype=str)
    assert list(frame.columns) == ["tenure", "plan", "autopay", "zip"]
    assert len(frame) == 1 and frame["plan"][0] == example["plan"] and frame["zip"][0] == example["zip"]
    done = _run(mixed, f"template.{fmt}", template.content)
    assert done["status"] == "succeeded", done


def test_template_of_an_unknown_deployment(mixed: Mixed) -> None:
    response = mixed.client.get("/api/v1/deployments/nope/template", headers=mixed.viewer.headers)
    assert response.status_code == 404
    bad = mixed.client.get(
        "/api/v1/deployments/plans-fr/template", params={"format": "pdf"}, headers=mixed.viewer.headers
    )
    assert bad.status_code == 422
