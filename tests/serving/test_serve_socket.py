"""``modelport serve --workers N`` listens on a socket whose connections get TCP_NODELAY."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from modelport.cli.main import NATIVE_THREAD_VARIABLES, _nodelay_socket


def test_the_shared_socket_gives_tcp_nodelay_to_accepted_connections() -> None:
    config = uvicorn.Config(
        "modelport.api.app:app_factory", factory=True, host="127.0.0.1", port=0, workers=2
    )
    plain = config.bind_socket()
    assert plain.proto == 0  # what uvicorn makes: asyncio then leaves Nagle on for each connection
    sock = _nodelay_socket(plain)
    sock.listen()
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        client = socket.create_connection(sock.getsockname()[:2])
        accepted, _ = sock.accept()
        try:
            assert accepted.proto == socket.IPPROTO_TCP
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        finally:
            accepted.close()
            client.close()
    finally:
        sock.close()


def test_serve_caps_native_threads_unless_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from modelport.cli.main import app

    seen: dict[str, str | None] = {}

    def fake_run(*_args: Any, **_kwargs: Any) -> None:
        seen.update({name: os.environ.get(name) for name in NATIVE_THREAD_VARIABLES})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    for name in NATIVE_THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")  # an operator's choice is kept
    monkeypatch.setenv("MODELPORT_HOME", str(tmp_path))
    monkeypatch.setenv("MODELPORT_SECRET_KEY", "test")
    result = CliRunner().invoke(app, ["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert seen == {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "3"}
