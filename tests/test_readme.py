"""The README's "Using it" examples run as written against a real server (``modelport serve`` on SQLite).

Every ```python and ```bash block of that section runs in order, in a folder of its own: the Python
blocks share one namespace (``client`` made in the first is used by the next), the shell lines run one
by one with the environment a reader would have (``export`` lines included). Only placeholders are
filled in: the server's URL for ``http://127.0.0.1:8000``, API tokens for ``mp_...`` (a data
scientist's in Python; in the shell, the token that ``modelport users token`` printed), and the things
a reader brings: ``pipeline`` and ``X_train`` (a fitted scikit-learn pipeline and its training frame),
and the files the examples name (``model.skops``, ``*.csv``). Long-running commands (``modelport
serve``, ``modelport worker``) are started, seen working, and stopped.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```(python|bash)\n(.*?)^```", re.M | re.S)
PASSWORD = "readme-password-1"
LONG_RUNNING = {("modelport", "serve"), ("modelport", "worker")}

pytestmark = pytest.mark.slow


def using_it(text: str) -> list[tuple[str, str]]:
    """The (language, code) of each python and bash block under the README's "## Using it"."""
    section = text.split("\n## Using it\n", 1)[1].split("\n## ", 1)[0]
    return FENCE.findall(section)


def shell_lines(code: str) -> list[str]:
    """The commands of a bash block, continuation lines joined, blank lines and comments left out."""
    joined = code.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"the server stopped: {log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"no answer from {url}: {log.read_text()[-3000:]}"
        time.sleep(0.3)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class Reader:
    """Someone following the README in a folder of their own, with a server running."""

    folder: Path
    url: str
    env: dict[str, str]
    ds_token: str
    namespace: dict[str, Any] = field(default_factory=dict)
    shell_token: str | None = None
    ran: list[str] = field(default_factory=list)

    def python(self, code: str) -> None:
        code = code.replace('"http://127.0.0.1:8000"', repr(self.url)).replace(
            '"mp_..."', repr(self.ds_token)
        )
        cwd = os.getcwd()
        os.chdir(self.folder)
        try:
            exec(compile(code, "README.md (python block)", "exec"), self.namespace)  # noqa: S102
        finally:
            os.chdir(cwd)
        self.ran.append(code)

    def shell(self, line: str) -> None:
        line = line.replace("http://127.0.0.1:8000", self.url)
        if "mp_..." in line:
            assert self.shell_token, f"{line!r} needs the token printed by `modelport users token` before it"
            line = line.replace("mp_...", self.shell_token)
        words = shlex.split(line, comments=True)
        if words[0] == "export":
            for assignment in words[1:]:
                name, _, value = assignment.partition("=")
                self.env[name] = value
            self.ran.append(line)
            return
        words[0] = str(BIN / words[0]) if (BIN / words[0]).exists() else words[0]
        if tuple(words[:2]) in {(str(BIN / a), b) for a, b in LONG_RUNNING}:
            self._long_running(line, words)
            return
        done = subprocess.run(
            words, cwd=self.folder, env=self.env, capture_output=True, text=True, timeout=600, check=False
        )
        assert done.returncode == 0, f"`{line}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        if words[1:3] == ["users", "token"]:
            self.shell_token = done.stdout.strip().splitlines()[-1]
            assert self.shell_token.startswith("mp_"), done.stdout
        self.ran.append(line)

    def _long_running(self, line: str, words: list[str]) -> None:
        port = _free_port()
        log = self.folder / f"{words[1]}.log"
        env = {**self.env, "MODELPORT_PORT": str(port)}
        with log.open("wb") as out:
            proc = subprocess.Popen(words, cwd=self.folder, env=env, stdout=out, stderr=subprocess.STDOUT)
            try:
                if words[1] == "serve":
                    _wait_http(f"http://127.0.0.1:{port}/healthz", proc, log)
                else:
                    deadline = time.monotonic() + 60
                    while "waiting for executions" not in log.read_text():
                        assert proc.poll() is None, f"`{line}` stopped: {log.read_text()[-3000:]}"
                        assert time.monotonic() < deadline, f"`{line}` did not start: {log.read_text()}"
                        time.sleep(0.2)
            finally:
                _stop(proc)
        self.ran.append(line)


def _reader_pipeline() -> tuple[Pipeline, pd.DataFrame]:
    """What a reader brings: a fitted pipeline on the columns the examples send, and its training data."""
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"tenure_months": rng.integers(1, 72, 300), "monthly_spend": rng.normal(40, 10, 300)})
    y = ((x["tenure_months"] < 12) & (x["monthly_spend"] > 40)).astype(int)
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y), x


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    home = tmp_path / "home"
    folder = tmp_path / "reader"
    folder.mkdir()
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MODELPORT_")},
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "MODELPORT_HOME": str(home),
        "MODELPORT_SECRET_KEY": "readme-secret",
        "MODELPORT_WORKER_POLL_SECONDS": "0.2",
        "MODELPORT_NEW_PASSWORD": PASSWORD,
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "modelport"), "serve", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_http(f"{url}/readyz", server, log)
            for args in (
                ["users", "create", "readme-ds", "--role", "data_scientist", "--department", "marketing"],
                ["users", "token", "readme-ds"],
            ):
                done = subprocess.run(
                    [str(BIN / "modelport"), *args], env=env, capture_output=True, text=True, check=True
                )
            ds_token = done.stdout.strip().splitlines()[-1]
            pipe, x = _reader_pipeline()
            skops.io.dump(pipe, folder / "model.skops")
            for name in ("customers.csv", "customers-december.csv"):
                x.head(50).to_csv(folder / name, index=False)
            yield Reader(
                folder,
                url,
                {**env, "MODELPORT_URL": url},
                ds_token,
                namespace={"__name__": "readme", "pipeline": pipe, "X_train": x},
            )
        finally:
            _stop(server)


def test_the_readme_blocks_are_found() -> None:
    blocks = using_it(README.read_text(encoding="utf-8"))
    assert [lang for lang, _ in blocks].count("python") >= 2
    assert [lang for lang, _ in blocks].count("bash") >= 2
    assert shell_lines("a \\\n  b # c\n# d\n\ne\n") == ["a    b # c", "e"]


def test_the_readme_using_it_examples_run(reader: Reader) -> None:
    for language, code in using_it(README.read_text(encoding="utf-8")):
        if language == "python":
            reader.python(code)
        else:
            for line in shell_lines(code):
                reader.shell(line)
    client = reader.namespace["client"]
    assert client.get_model("churn-fr").version_count >= 1
    assert any(line.startswith("modelport serve") for line in reader.ran)
    produced = {p.name for p in reader.folder.rglob("*") if p.is_file()}
    assert {"model.skops", "customers.csv"} <= produced
