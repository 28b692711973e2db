"""The datasets API: uploads read whole with a parse report, versions, search, visibility, rows, cleaning
preview and steps, deletion, SQL snapshots; refusals naming the field."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from modelport.context import Context
from modelport.schemas import Role
from tests.conftest import Actor, add_user

MESSY = (
    "id; Age ;city;city;spend\n"
    "1;34;Lyon;FR;1.234,50\n"
    "2;?;Paris;FR;99,90\n"
    "3;51;Nantes;FR;?\n"
    "4;28;Lille;FR;12,00\n"
).encode("latin-1")


def post_file(client: TestClient, actor: Actor, filename: str, data: bytes, **form: str) -> Any:
    return client.post("/api/v1/datasets", files={"file": (filename, data)}, data=form, headers=actor.headers)


def uploaded(client: TestClient, actor: Actor, filename: str, data: bytes, **form: str) -> dict[str, Any]:
    response = post_file(client, actor, filename, data, **form)
    assert response.status_code == 201, response.text
    return dict(response.json())


def table(rows: int = 30, offset: int = 0) -> bytes:
    lines = ["customer,region,spend,churned"]
    lines += [
        f"c{i},{'north' if i % 3 else 'south'},{10 + i * 1.5},{int(i % 4 == 0)}" for i in range(offset, rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_an_upload_is_read_whole_and_says_how(client: TestClient, actors: dict[Role, Actor]) -> None:
    analyst = actors[Role.business_user]
    dataset = uploaded(client, analyst, "Customer List 2024.csv", MESSY, description="From the CRM")
    assert dataset["name"] == "customer-list-2024" and dataset["version"] == 1
    assert dataset["description"] == "From the CRM" and dataset["owner"] == analyst.username
    assert (dataset["filename"], dataset["format"], dataset["rows"]) == ("Customer List 2024.csv", "csv", 4)
    assert dataset["size"] == len(MESSY) and len(dataset["sha256"]) == 64
    assert dataset["columns"] == ["id", "Age", "city", "city_2", "spend"]
    report = dataset["parse_report"]
    assert (report["delimiter"], report["decimal"], report["thousands"]) == (";", ",", ".")
    assert report["missing_tokens"] == {"?": 2}
    assert {(r["original"], r["reason"]) for r in report["renamed_headers"]} >= {
        (" Age ", "padding"),
        ("city", "duplicate"),
    }
    assert dataset["preview"][0] == {"id": 1, "Age": 34, "city": "Lyon", "city_2": "FR", "spend": 1234.5}
    assert dataset["preview"][1]["Age"] is None
    assert dataset["source"] == {"kind": "upload", "connection": None, "query": None}
    assert dataset["profile"] is None and dataset["steps"] == []
    # the file as sent is what a deployment reading the dataset reads
    download = client.get("/api/v1/datasets/customer-list-2024", headers=actors[Role.viewer].headers)
    assert download.status_code == 200 and download.json()["sha256"] == dataset["sha256"]


def test_versions_list_and_search(client: TestClient, actors: dict[Role, Actor]) -> None:
    analyst, viewer = actors[Role.business_user], actors[Role.viewer]
    first = uploaded(client, analyst, "sales.csv", table(), name="sales-q1", description="Quarter sales")
    second = uploaded(client, analyst, "sales.csv", table(40), name="sales-q1")
    assert (first["version"], second["version"], second["latest_version"]) == (1, 2, 2)
    assert second["description"] == "Quarter sales"  # the record's, kept
    same = uploaded(client, analyst, "again.csv", table(40), name="sales-q1")
    assert same["version"] == 2  # the same file again: no new version
    uploaded(client, analyst, "churn.csv", table(12))

    got = client.get("/api/v1/datasets/sales-q1/versions/1", headers=viewer.headers).json()
    assert (got["version"], got["rows"], got["latest_version"]) == (1, 30, 2)
    assert (
        client.get("/api/v1/datasets/sales-q1/versions/latest", headers=viewer.headers).json()["rows"] == 40
    )
    missing = client.get("/api/v1/datasets/sales-q1/versions/9", headers=viewer.headers)
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "version"
    bad = client.get("/api/v1/datasets/sales-q1/versions/first", headers=viewer.headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "version"

    listed = client.get("/api/v1/datasets", headers=viewer.headers).json()
    assert [d["name"] for d in listed["items"]] == ["churn", "sales-q1"]
    assert listed["items"][1]["latest_version"] == 2 and listed["items"][1]["columns"] == 4
    found = client.get("/api/v1/datasets", params={"q": "quarter"}, headers=viewer.headers).json()
    assert [d["name"] for d in found["items"]] == ["sales-q1"] and found["total"] == 1
    paged = client.get("/api/v1/datasets", params={"page": 2, "page_size": 1}, headers=viewer.headers).json()
    assert [d["name"] for d in paged["items"]] == ["sales-q1"] and paged["total"] == 2


def test_who_may_upload_and_change(
    client: TestClient, sqlite_ctx: Context, actors: dict[Role, Actor]
) -> None:
    analyst, viewer = actors[Role.business_user], actors[Role.viewer]
    refused = post_file(client, viewer, "x.csv", table())
    assert refused.status_code == 403
    bad_name = post_file(client, analyst, "x.csv", table(), name="Not A Slug")
    assert bad_name.status_code == 422 and bad_name.json()["error"]["field"] == "name"
    uploaded(client, analyst, "crm.csv", table(), name="crm")
    restricted = client.patch(
        "/api/v1/datasets/crm", json={"visibility": "restricted"}, headers=analyst.headers
    )
    assert restricted.status_code == 200 and restricted.json()["visibility"] == "restricted"

    finance = add_user(sqlite_ctx, "finance-analyst", Role.business_user, "finance")
    assert client.get("/api/v1/datasets/crm", headers=finance.headers).status_code == 404
    assert client.get("/api/v1/datasets", headers=finance.headers).json()["total"] == 0
    assert client.get("/api/v1/datasets/crm", headers=viewer.headers).status_code == 200  # marketing
    taken = post_file(client, finance, "crm.csv", table(), name="crm")
    assert taken.status_code == 409 and taken.json()["error"]["field"] == "name"
    own = uploaded(client, finance, "crm.csv", table(20))  # named after the file: crm is someone else's
    assert own["name"] == "crm-2" and own["owner"] == "finance-analyst"

    company = uploaded(client, analyst, "shared.csv", table(), name="shared")
    assert company["visibility"] == "company"
    not_theirs = post_file(client, finance, "shared.csv", table(20), name="shared")
    assert not_theirs.status_code == 403 and not_theirs.json()["error"]["field"] == "name"
    steps = {"steps": [{"op": "drop_columns", "columns": ["customer"]}]}
    forbidden = client.put("/api/v1/datasets/shared/versions/1/steps", json=steps, headers=finance.headers)
    assert forbidden.status_code == 403
    assert client.delete("/api/v1/datasets/shared", headers=finance.headers).status_code == 403


@pytest.mark.parametrize(
    ("filename", "data", "words"),
    [
        ("blob.csv", bytes(range(256)) * 8, "binary"),
        ("data.csv", b'{"rows": [1, 2, 3]}', "json"),
        ("header.csv", b"a,b,c\n", "no row"),
    ],
)
def test_files_that_are_not_datasets_are_refused(
    client: TestClient, actors: dict[Role, Actor], filename: str, data: bytes, words: str
) -> None:
    response = post_file(client, actors[Role.business_user], filename, data)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == "file" and words in error["message"].lower()
    assert client.get("/api/v1/datasets", headers=actors[Role.viewer].headers).json()["total"] == 0


def test_rows_preview_and_steps(client: TestClient, actors: dict[Role, Actor]) -> None:
    analyst, viewer = actors[Role.business_user], actors[Role.viewer]
    uploaded(client, analyst, "sales.csv", table(30), name="sales")
    page = client.get(
        "/api/v1/datasets/sales/versions/1/rows", params={"page": 2, "page_size": 10}, headers=viewer.headers
    ).json()
    assert page["total"] == 30 and page["columns"] == ["customer", "region", "spend", "churned"]
    assert [row["customer"] for row in page["rows"]] == [f"c{i}" for i in range(10, 20)]

    steps = {
        "steps": [
            {"op": "filter_rows", "column": "region", "operator": "==", "value": "north"},
            {"op": "drop_columns", "columns": ["customer"]},
        ]
    }
    preview = client.post("/api/v1/datasets/sales/versions/1/preview", json=steps, headers=analyst.headers)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["rows_before"], body["rows_after"]) == (30, 20)
    assert body["columns"] == ["region", "spend", "churned"] and len(body["effects"]) == 2
    assert all(row["region"] == "north" for row in body["rows"])

    unknown = {"steps": [{"op": "impute", "column": "age", "strategy": "median"}]}
    refused = client.post("/api/v1/datasets/sales/versions/1/preview", json=unknown, headers=analyst.headers)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "steps[0].column"
    assert "age" in refused.json()["error"]["message"]
    bad_op = client.put(
        "/api/v1/datasets/sales/versions/1/steps",
        json={"steps": [{"op": "explode"}]},
        headers=analyst.headers,
    )
    assert bad_op.status_code == 422 and bad_op.json()["error"]["field"].startswith("steps.0")

    assert (
        client.put("/api/v1/datasets/sales/versions/1/steps", json=steps, headers=viewer.headers).status_code
        == 403
    )
    saved = client.put("/api/v1/datasets/sales/versions/1/steps", json=steps, headers=analyst.headers)
    assert saved.status_code == 200, saved.text
    assert [s["op"] for s in saved.json()["steps"]] == ["filter_rows", "drop_columns"]
    assert (
        client.get("/api/v1/datasets/sales", headers=viewer.headers).json()["steps"] == saved.json()["steps"]
    )


def test_delete(client: TestClient, actors: dict[Role, Actor]) -> None:
    analyst = actors[Role.business_user]
    uploaded(client, analyst, "old.csv", table(), name="old")
    queued = client.post("/api/v1/datasets/old/versions/1/profile", headers=analyst.headers)
    assert queued.status_code == 202
    busy = client.delete("/api/v1/datasets/old", headers=analyst.headers)
    assert busy.status_code == 409 and str(queued.json()["id"]) in busy.json()["error"]["message"]
    cancel = client.post(f"/api/v1/executions/{queued.json()['id']}/cancel", headers=analyst.headers)
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert client.delete("/api/v1/datasets/old", headers=analyst.headers).status_code == 204
    assert client.get("/api/v1/datasets/old", headers=analyst.headers).status_code == 404
    assert client.get(f"/api/v1/executions/{queued.json()['id']}", headers=analyst.headers).status_code == 404


def test_sql_snapshots(
    client: TestClient, sqlite_ctx: Context, actors: dict[Role, Actor], tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.db"
    with sqlite3.connect(warehouse) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER, region TEXT, spend REAL)")
        conn.executemany(
            "INSERT INTO customers VALUES (?, ?, ?)",
            [(i, "north" if i % 2 else "south", i * 2.5) for i in range(25)],
        )
    sqlite_ctx.settings.connections = {"warehouse": f"sqlite:///{warehouse}"}
    body = {
        "name": "customers",
        "connection": "warehouse",
        "query": "SELECT * FROM customers WHERE spend > 10",
    }
    ds = actors[Role.data_scientist]
    assert (
        client.post("/api/v1/datasets/sql", json=body, headers=actors[Role.business_user].headers).status_code
        == 403
    )
    unknown = client.post("/api/v1/datasets/sql", json={**body, "connection": "lake"}, headers=ds.headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "connection"
    broken = client.post(
        "/api/v1/datasets/sql", json={**body, "query": "SELECT * FROM nowhere"}, headers=ds.headers
    )
    assert broken.status_code == 422 and broken.json()["error"]["field"] == "query"
    assert "nowhere" in broken.json()["error"]["message"]

    created = client.post("/api/v1/datasets/sql", json=body, headers=ds.headers)
    assert created.status_code == 201, created.text
    dataset = created.json()
    assert (dataset["name"], dataset["version"], dataset["rows"], dataset["format"]) == (
        "customers",
        1,
        20,
        "parquet",
    )
    assert dataset["source"] == {"kind": "sql", "connection": "warehouse", "query": body["query"]}
    assert dataset["columns"] == ["id", "region", "spend"]
    again = client.post(
        "/api/v1/datasets/sql", json={**body, "query": "SELECT * FROM customers"}, headers=ds.headers
    )
    assert again.status_code == 201 and (again.json()["version"], again.json()["rows"]) == (2, 25)
