"""A real ``uvicorn`` server on loopback with the embedded worker, and a two-column churn model
registered through the SDK as ``churn-fr`` (alias ``champion``), for the SDK, CLI and README tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import uvicorn
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import modelport
from modelport.api.app import create_app
from modelport.context import Context
from modelport.db.migrate import upgrade
from modelport.schemas import Role
from tests.conftest import Actor, add_user, make_context


@dataclass
class Served:
    url: str
    ctx: Context
    ds: Actor

    def client(self) -> modelport.Client:
        return modelport.Client(self.url, token=self.ds.token)


def customers(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"tenure_months": rng.integers(1, 72, rows).astype(float), "monthly_spend": rng.normal(40, 10, rows)}
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    ctx = make_context(
        tmp_path, f"sqlite:///{tmp_path / 'modelport.db'}", worker_enabled=True, worker_poll_seconds=0.2
    )
    upgrade(ctx.db)
    ds = add_user(ctx, "nb-user", Role.data_scientist, "marketing")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(ctx=ctx), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        x = customers(200)
        y = ((x["tenure_months"] < 24) & (x["monthly_spend"] > 40)).astype(int)
        pipeline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=200)).fit(x, y)
        with modelport.Client(f"http://127.0.0.1:{port}", token=ds.token) as client:
            client.register(
                pipeline,
                "churn-fr",
                title="Churn FR",
                department="marketing",
                sample=x.head(),
                aliases=["champion"],
            )
        yield Served(f"http://127.0.0.1:{port}", ctx, ds)
    finally:
        server.should_exit = True
        thread.join(10)
        ctx.db.dispose()
