"""A real ``uvicorn`` server on loopback with a worker beside it, for SDK and CLI tests that run
profiles and trainings (SQLite, local folder), and the data they train on. The ``ctx`` and ``server``
fixtures (or ``server_without_worker``, named ``server`` too) are imported and listed in ``__all__`` by the
test modules that use them."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import uvicorn

from modelport.api.app import create_app
from modelport.batch.worker import Worker
from modelport.context import Context
from modelport.db.migrate import upgrade
from tests.conftest import make_context


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def worker_context(tmp_path: Path) -> Iterator[Context]:
    """A migrated SQLite context whose worker looks at the queue often."""
    context = make_context(tmp_path, f"sqlite:///{tmp_path / 'modelport.db'}", worker_poll_seconds=0.2)
    upgrade(context.db)
    try:
        yield context
    finally:
        context.db.dispose()


@contextmanager
def serve(ctx: Context, *, worker: bool = True) -> Iterator[str]:
    """The API on a free port (its URL) and, with ``worker``, one worker running its executions."""
    port = free_port()
    config = uvicorn.Config(create_app(ctx=ctx), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    runner = Worker(ctx, concurrency=1) if worker else None
    if runner:
        runner.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        if runner:
            runner.stop(grace=0)
        srv.should_exit = True
        thread.join(10)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    """A migrated SQLite context for a served API with a worker (see ``worker_context``)."""
    with worker_context(tmp_path) as context:
        yield context


@pytest.fixture
def server(ctx: Context) -> Iterator[str]:
    """The URL of the API on ``ctx``, with one worker running its executions."""
    with serve(ctx) as url:
        yield url


@pytest.fixture(name="server")
def server_without_worker(sqlite_ctx: Context) -> Iterator[str]:
    """``server`` for tests that run nothing: the API on ``sqlite_ctx`` (tests/conftest.py), no worker."""
    with serve(sqlite_ctx, worker=False) as url:
        yield url


def flat(text: str) -> str:
    """CLI output with rich's line wrapping undone."""
    return " ".join(text.split())


def churn_frame(rows: int = 240, seed: int = 0) -> pd.DataFrame:
    """Customers with a number, an integer, a category with gaps and a binary target ``churned`` that
    the features explain (so that any candidate learns it)."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, rows)
    calls = rng.poisson(2, rows)
    plan = rng.choice(["basic", "pro", "family"], rows).astype(object)
    plan[rng.random(rows) < 0.05] = None
    churned = ((calls > 2) & (tenure < 30)) | (rng.random(rows) < 0.05)
    return pd.DataFrame(
        {
            "tenure_months": tenure,
            "monthly_spend": rng.normal(40, 10, rows).round(2),
            "support_calls": calls,
            "plan": plan,
            "churned": np.where(churned, "yes", "no"),
        }
    )
