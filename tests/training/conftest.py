"""A real MLflow tracking server for the tests of this folder, from its own venv (``make mlflow-venv``
builds ~/.cache/modelport/mlflow-venv-<hash>: full ``mlflow``, whose pins may clash with the project's),
on SQLite and a local artifact folder, started once per session and stopped after."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PINS = ROOT / "tests" / "training" / "mlflow-server.txt"
# Where `make mlflow-venv` builds it: outside the clone, named after the pins' hash (see the Makefile).
_PINS_HASH = hashlib.sha256(PINS.read_bytes()).hexdigest()[:12]
_BUILT = Path.home() / ".cache" / "modelport" / f"mlflow-venv-{_PINS_HASH}"
MLFLOW_VENV = Path(os.environ.get("MODELPORT_TEST_MLFLOW_VENV", _BUILT))
START_TIMEOUT_S = 180.0
QUIET = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and the workers it started (its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a running ``mlflow server`` (tracking, registry and proxied artifacts)."""
    executable = MLFLOW_VENV / "bin" / "mlflow"
    if not executable.exists():
        pytest.fail(f"no MLflow server venv at {MLFLOW_VENV}: run `make mlflow-venv` (or `make test`)")
    folder = tmp_path_factory.mktemp("mlflow-server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    command = [
        str(executable),
        "server",
        "--backend-store-uri",
        f"sqlite:///{folder / 'mlflow.db'}",
        "--artifacts-destination",
        str(folder / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=folder,
            # no job runner (its consumer processes only serve MLflow's GenAI jobs)
            env={**os.environ, **QUIET, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"mlflow server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"mlflow server did not answer in {START_TIMEOUT_S:.0f} s:\n{log.read_text()[-3000:]}"
                )
            time.sleep(0.5)
        with pytest.MonkeyPatch.context() as env:
            for name, value in QUIET.items():
                env.setenv(name, value)
            yield url
    finally:
        _stop(process)
