"""A real OpenID Connect provider (node ``oidc-provider``, configured in provider.mjs) on loopback.

Needs ``node`` and ``npm ci --prefix tests/oidc`` (``make test`` runs it). Without them the end-to-end
tests skip, unless MODELPORT_REQUIRE_OIDC=1, where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).parent
REQUIRE_OIDC = os.environ.get("MODELPORT_REQUIRE_OIDC") == "1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unavailable(reason: str) -> None:
    if REQUIRE_OIDC:
        pytest.fail(f"the OIDC provider is required (MODELPORT_REQUIRE_OIDC=1): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def oidc_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The issuer URL of a running oidc-provider, stopped at the end of the session."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        _unavailable("oidc-provider is not installed: run `npm ci --prefix tests/oidc`")
    assert node is not None
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("oidc") / "provider.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv: node and our own script
            [node, str(HERE / "provider.mjs"), str(port)], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                _unavailable(f"oidc-provider did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        yield issuer
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
