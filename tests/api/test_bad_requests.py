"""Bad requests over real HTTP (uvicorn on a loopback socket): deeply nested JSON, a body of the wrong
media type, integers outside int64. Each is answered with a 4xx and one error body, and the same
connection serves the next request."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sklearn.linear_model import LogisticRegression

from modelport.api.app import create_app
from modelport.batch.worker import Worker
from modelport.context import Context
from modelport.db.migrate import upgrade
from modelport.schemas import Role
from modelport.serving.body import MAX_JSON_DEPTH, json_depth_exceeds, parse_json
from tests.conftest import Actor, add_user, make_context

DEEP_ARRAYS = b"[" * 100_000
DEEP_OBJECTS = b'{"a":' * 100_000
GOOD_ROW = {"age": 30, "calls": 1}


@dataclass
class Served:
    ctx: Context
    host: str
    port: int
    ds: Actor

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=30)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _register_integer_model(ctx: Context, ds: Actor, folder: Path) -> None:
    """A model whose two input columns are integers (``age``, ``calls``), deployed as ``ages-fr``."""
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"age": rng.integers(18, 80, 100), "calls": rng.integers(0, 5, 100)})
    joblib.dump(LogisticRegression().fit(x, (x["calls"] > 2).astype(int)), folder / "ages.joblib")
    x.head(20).to_csv(folder / "sample.csv", index=False)
    with TestClient(create_app(ctx=ctx), base_url="https://testserver") as client:
        card = {"name": "ages", "title": "Ages", "department": "marketing"}
        assert client.post("/api/v1/models", json=card, headers=ds.headers).status_code == 201
        files = {
            "file": ("ages.joblib", (folder / "ages.joblib").read_bytes()),
            "sample": ("sample.csv", (folder / "sample.csv").read_bytes()),
        }
        version = client.post("/api/v1/models/ages/versions", files=files, headers=ds.headers)
        assert version.status_code == 201, version.text
        assert [c["type"] for c in version.json()["input_schema"]["columns"]] == ["integer", "integer"]
        body = {"name": "ages-fr", "model": "ages", "version": 1, "market": "FR"}
        assert client.post("/api/v1/deployments", json=body, headers=ds.headers).status_code == 201


@dataclass
class Setup:
    ctx: Context
    ds: Actor


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """One store for the module's tests (they change nothing they do not put back)."""
    folder = tmp_path_factory.mktemp("bad-requests")
    ctx = make_context(folder, f"sqlite:///{folder / 'modelport.db'}")
    upgrade(ctx.db)
    ds = add_user(ctx, "ds", Role.data_scientist, "marketing")
    _register_integer_model(ctx, ds, folder)
    try:
        yield Setup(ctx, ds)
    finally:
        ctx.db.dispose()


@pytest.fixture(scope="module", params=["httptools", "h11"])
def served(request: pytest.FixtureRequest, setup: Setup) -> Iterator[Served]:
    """The app under uvicorn, with each HTTP/1.1 implementation (``modelport serve`` uses httptools)."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(ctx=setup.ctx), host="127.0.0.1", port=port, log_level="warning", http=request.param
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield Served(setup.ctx, "127.0.0.1", port, setup.ds)
    finally:
        server.should_exit = True
        thread.join(10)


def _send(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
) -> tuple[int, dict[str, str], Any]:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    kind = response.getheader("content-type", "")
    data = json.loads(raw) if kind.startswith("application/json") else raw
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def _local_port(conn: http.client.HTTPConnection) -> int:
    assert conn.sock is not None, "the server closed the connection"
    return int(conn.sock.getsockname()[1])


def _json(actor: Actor) -> dict[str, str]:
    return {**actor.headers, "Content-Type": "application/json"}


def _predict_ok(served: Served, conn: http.client.HTTPConnection) -> None:
    body = json.dumps({"inputs": [GOOD_ROW]}).encode()
    status, _, answer = _send(conn, "POST", "/api/v1/deployments/ages-fr/predict", body, _json(served.ds))
    assert status == 200, answer
    assert answer["deployment"] == "ages-fr" and len(answer["predictions"]) == 1


@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS], ids=["arrays", "objects"])
def test_deeply_nested_predict_body_is_a_4xx_and_the_connection_stays(served: Served, body: bytes) -> None:
    conn = served.connect()
    _predict_ok(served, conn)
    port = _local_port(conn)

    status, headers, answer = _send(
        conn, "POST", "/api/v1/deployments/ages-fr/predict", body, _json(served.ds)
    )

    assert status == 422
    assert answer == {
        "error": {
            "code": "invalid_argument",
            "message": f"the JSON body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep",
            "field": "body",
        }
    }
    assert headers.get("connection", "").lower() != "close"
    assert _local_port(conn) == port
    _predict_ok(served, conn)  # the same connection answers the next request
    assert _local_port(conn) == port
    conn.close()


def test_deep_json_is_refused_on_every_json_route_before_anything_is_stored(served: Served) -> None:
    conn = served.connect()
    port = _local_port_after_health(conn)
    deep_params = {"name": "deep", "model": "ages", "version": 1, "market": "DE", "params": {}}
    nested: Any = 1
    for _ in range(300):  # parses with json, and would be stored but never read back by pydantic
        nested = [nested]
    deep_params["params"] = {"x": nested}
    for body in (DEEP_ARRAYS, DEEP_OBJECTS, json.dumps(deep_params).encode()):
        status, _, answer = _send(conn, "POST", "/api/v1/deployments", body, _json(served.ds))
        assert status == 422, answer
        assert answer["error"]["field"] == "body" and "levels deep" in answer["error"]["message"]
        assert _local_port(conn) == port
    rows = json.dumps({"rows": [{"age": nested, "calls": 1}]}).encode()
    status, _, answer = _send(conn, "POST", "/api/v1/deployments/ages-fr/executions", rows, _json(served.ds))
    assert status == 422 and "levels deep" in answer["error"]["message"]
    status, _, _ = _send(conn, "GET", "/api/v1/deployments/deep", None, served.ds.headers)
    assert status == 404  # nothing half-written
    status, _, listing = _send(conn, "GET", "/api/v1/deployments", None, served.ds.headers)
    assert status == 200 and [d["name"] for d in listing["items"]] == ["ages-fr"]
    assert _local_port(conn) == port
    conn.close()


def _local_port_after_health(conn: http.client.HTTPConnection) -> int:
    status, _, _ = _send(conn, "GET", "/healthz", None, {})
    assert status == 200
    return _local_port(conn)


def test_deep_json_in_a_version_s_meta_is_refused_and_nothing_is_stored(
    served: Served, tmp_path: Path
) -> None:
    with TestClient(create_app(ctx=served.ctx), base_url="https://testserver") as client:
        files = {"file": ("ages.joblib", b"not read")}
        meta = '{"params": ' + "[" * 2000 + "]" * 2000 + "}"
        answer = client.post(
            "/api/v1/models/ages/versions", files=files, data={"meta": meta}, headers=served.ds.headers
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["field"] == "meta"
        assert "levels deep" in answer.json()["error"]["message"]
        versions = client.get("/api/v1/models/ages/versions", headers=served.ds.headers).json()
        assert [v["version"] for v in versions] == [1]


def test_moderately_nested_values_are_refused_as_values(served: Served) -> None:
    """Within the depth limit, a nested value is an ordinary bad value: 422 naming row and column."""
    conn = served.connect()
    body = json.dumps({"inputs": [GOOD_ROW, {"age": [[[[30]]]], "calls": 1}]}).encode()
    status, _, answer = _send(conn, "POST", "/api/v1/deployments/ages-fr/predict", body, _json(served.ds))
    assert status == 422
    assert answer["error"]["field"] == "inputs[1].age"
    assert answer["error"]["message"] == "row 1, column 'age': expected an integer, got a list of 1 values"
    _predict_ok(served, conn)
    conn.close()


@pytest.mark.parametrize(
    ("path", "content_type", "expected"),
    [
        ("/api/v1/deployments/ages-fr/predict", "text/plain", "application/json"),
        ("/api/v1/deployments/ages-fr/predict", None, "application/json"),
        ("/api/v1/deployments/ages-fr/predict", "application/x-www-form-urlencoded", "application/json"),
        ("/api/v1/models", "text/csv", "application/json"),
        ("/api/v1/deployments", None, "application/json"),
        ("/api/v1/models/ages/versions", "application/json", "multipart/form-data"),
    ],
)
def test_a_body_of_another_media_type_is_415_naming_the_expected_one(
    served: Served, path: str, content_type: str | None, expected: str
) -> None:
    conn = served.connect()
    port = _local_port_after_health(conn)
    headers = dict(served.ds.headers)
    if content_type:
        headers["Content-Type"] = content_type
    status, _, answer = _send(conn, "POST", path, json.dumps({"inputs": [GOOD_ROW]}).encode(), headers)

    assert status == 415
    error = answer["error"]
    assert error["code"] == "unsupported_media_type" and error["field"] == "Content-Type"
    assert error["details"] == {"expected": [expected]}
    given = f"Content-Type is {content_type}" if content_type else "has no Content-Type"
    assert given in error["message"] and expected in error["message"]
    assert _local_port(conn) == port
    _predict_ok(served, conn)
    conn.close()


def test_json_with_parameters_or_a_json_suffix_is_json(served: Served) -> None:
    conn = served.connect()
    body = json.dumps({"inputs": [GOOD_ROW]}).encode()
    for kind in ("application/json; charset=utf-8", "Application/JSON", "application/vnd.api+json"):
        headers = {**served.ds.headers, "Content-Type": kind}
        status, _, answer = _send(conn, "POST", "/api/v1/deployments/ages-fr/predict", body, headers)
        assert status == 200, (kind, answer)
    conn.close()


def test_writes_without_a_body_are_not_refused_for_their_type(served: Served) -> None:
    conn = served.connect()
    status, _, answer = _send(conn, "POST", "/api/v1/deployments/ages-fr/pause", None, served.ds.headers)
    assert status == 200 and answer["state"] == "paused"
    status, _, answer = _send(conn, "POST", "/api/v1/deployments/ages-fr/resume", b"", served.ds.headers)
    assert status == 200 and answer["state"] == "active"
    conn.close()


OUT_OF_RANGE = [
    (2**63, "9223372036854775808"),
    (-(2**63) - 1, "-9223372036854775809"),  # orjson would read it as the float -2**63, in range
    (2**64 + 5, "18446744073709551621"),  # orjson would read it as a float
    (10**30, "an integer of 100 bits"),
]


@pytest.mark.parametrize(("value", "shown"), OUT_OF_RANGE, ids=["2^63", "-2^63-1", "2^64+5", "10^30"])
def test_integers_outside_int64_are_refused_the_same_way_online_and_as_rows(
    served: Served, value: int, shown: str
) -> None:
    conn = served.connect()
    rows = [GOOD_ROW, {"age": value, "calls": 1}]
    expected = f"row 1, column 'age': expected an integer within the 64-bit range, got {shown}"
    answers = []
    for path, body in (
        ("/api/v1/deployments/ages-fr/predict", {"inputs": rows}),
        (
            "/api/v1/deployments/ages-fr/predict",
            {
                "dataframe_split": {
                    "columns": ["age", "calls"],
                    "data": [[r["age"], r["calls"]] for r in rows],
                }
            },
        ),
        ("/api/v1/deployments/ages-fr/executions", {"rows": rows}),
    ):
        status, _, answer = _send(conn, "POST", path, json.dumps(body).encode(), _json(served.ds))
        assert status == 422, answer
        answers.append(answer["error"])
    for error in answers:
        assert error["code"] == "invalid_argument"
        assert error["message"] == expected
        assert error["details"] == [{"row": 1, "column": "age", "message": expected}]
    assert answers[0]["field"] == "inputs[1].age"
    _predict_ok(served, conn)
    conn.close()


def test_integers_outside_int64_in_a_batch_file_fail_the_run_naming_row_and_column(setup: Setup) -> None:
    served = setup
    with TestClient(create_app(ctx=served.ctx), base_url="https://testserver") as client:
        csv = f"age,calls\n30,1\n{2**64 + 5},1\n".encode()
        queued = client.post(
            "/api/v1/deployments/ages-fr/executions",
            files={"file": ("in.csv", csv)},
            headers=served.ds.headers,
        )
        assert queued.status_code == 202, queued.text
        assert Worker(served.ctx).run_once()
        run = client.get(f"/api/v1/executions/{queued.json()['id']}", headers=served.ds.headers).json()
    assert run["status"] == "failed"
    assert "row 2, column 'age': expected an integer within the 64-bit range" in run["error"]


# --- the JSON helpers, without a server ----------------------------------------------------------------


def test_depth_counts_arrays_and_objects_but_not_brackets_in_strings() -> None:
    assert not json_depth_exceeds(b'{"a": [1, {"b": [2]}]}', 4)
    assert json_depth_exceeds(b'{"a": [1, {"b": [2]}]}', 3)
    assert not json_depth_exceeds(b'{"s": "[[[[[[{{{{{{", "t": "\\"[[[["}', 1)
    assert json_depth_exceeds(b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1))
    assert not json_depth_exceeds(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    assert not json_depth_exceeds(b"[]" * 3_000_000)  # wide, not deep: several chunks
    assert json_depth_exceeds(b"[]" * 1_500_000 + b"[" * 70)
    assert not json_depth_exceeds(b"42")


def test_parse_json_keeps_integers_exact_and_reads_nan() -> None:
    assert parse_json(b'{"x": -9223372036854775809}') == {"x": -(2**63) - 1}
    assert parse_json(b'{"x": 18446744073709551621}') == {"x": 2**64 + 5}
    value = parse_json(b'{"x": NaN}')["x"]
    assert value != value
    assert parse_json(b'{"id": "12345678901234567890"}') == {"id": "12345678901234567890"}
    with pytest.raises(Exception, match="levels deep") as caught:
        parse_json(DEEP_OBJECTS)
    assert getattr(caught.value, "field", None) == "body"
    with pytest.raises(Exception, match="not valid JSON"):
        parse_json(b'{"x": ')
