"""Results as CSV for Excel: the same UTF-8 text with a byte-order mark in front (accents intact), beside
plain CSV, Parquet and Excel."""

from __future__ import annotations

import codecs
import io

import pandas as pd

from modelport.batch.worker import Worker
from tests.runs import RunSetup

INPUT = (
    "client,tenure_months,monthly_spend,support_calls\n"
    "Société Générale,3,40.5,6\n"
    "Café Noël – Ålesund,60,20,0\n"
).encode()


def test_csv_for_excel_is_the_plain_csv_with_a_byte_order_mark(runs: RunSetup) -> None:
    c = runs.client
    queued = c.post(
        "/api/v1/deployments/churn-fr/executions",
        files={"file": ("in.csv", INPUT)},
        headers=runs.analyst.headers,
    )
    assert queued.status_code == 202, queued.text
    assert Worker(runs.ctx).run_once()
    url = f"/api/v1/executions/{queued.json()['id']}/results/download"

    plain = c.get(url, params={"format": "csv"}, headers=runs.viewer.headers)
    excel = c.get(url, params={"format": "csv-excel"}, headers=runs.viewer.headers)

    assert plain.status_code == 200 and excel.status_code == 200
    assert not plain.content.startswith(codecs.BOM_UTF8)
    assert excel.content == codecs.BOM_UTF8 + plain.content
    assert excel.headers["content-type"] == "text/csv; charset=utf-8"
    assert excel.headers["content-length"] == str(len(excel.content))
    assert excel.headers["content-disposition"] == 'attachment; filename="churn-fr-run-1.csv"'
    # What Excel does with it: the byte-order mark says UTF-8, so the accents come back whole.
    frame = pd.read_csv(io.BytesIO(excel.content), encoding="utf-8-sig")
    assert list(frame["client"]) == ["Société Générale", "Café Noël – Ålesund"]
    assert list(frame.columns[:4]) == ["client", "tenure_months", "monthly_spend", "support_calls"]
    assert "prediction" in frame.columns
    assert c.get(url, params={"format": "csv-excel"}).status_code == 401
    unknown = c.get(url, params={"format": "excel"}, headers=runs.viewer.headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "format"
