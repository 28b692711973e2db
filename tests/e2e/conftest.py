"""Browser tests: Playwright driving Debian's Chromium against a real ``modelport serve``.

They need ``/usr/bin/chromium`` and the built web app (``frontend/dist``). Without them the tests
skip with a message saying how to get them, unless ``MODELPORT_REQUIRE_BROWSER=1`` (CI), which
turns a missing browser or build into a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
DIST = ROOT / "frontend" / "dist" / "index.html"
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "modelport-demo"
REQUIRED = os.environ.get("MODELPORT_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return "install Debian's chromium to run the browser tests: apt-get install -y chromium"
    if not DIST.exists():
        return (
            "build the web app to run the browser tests: npm ci && npm run build in frontend/ (or make test)"
        )
    if not AXE.exists():
        return "install the web app's packages to run the browser tests: npm ci in frontend/ (or make test)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "install the test extra to run the browser tests: pip install -e '.[test]'"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            if REQUIRED:
                item.add_marker(pytest.mark.usefixtures("_browser_required"))
            else:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def _browser_required() -> None:
    reason = _missing()
    if reason:
        pytest.fail(f"MODELPORT_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """A failed browser test leaves ``failure.png`` beside its other screenshots."""
    yield
    if "page" in request.fixturenames and request.node.stash.get(_FAILED, False):
        folder = Path(request.getfixturevalue("output_path"))
        folder.mkdir(parents=True, exist_ok=True)
        request.getfixturevalue("page").screenshot(path=str(folder / "failure.png"), full_page=True)


@pytest.fixture(autouse=True)
def _axe_in_every_page(request: pytest.FixtureRequest) -> None:
    """Load axe-core into every document the test's page opens, before the app's own scripts.

    An init script goes in through the browser's debugging protocol, so the app's Content Security
    Policy (``script-src 'self'``) stays on and is tested too: an injected ``<script>`` tag would be blocked.
    """
    if "page" in request.fixturenames:
        request.getfixturevalue("page").add_init_script(path=str(AXE))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``modelport serve`` with the demo catalog, on a free port and a throwaway home."""
    if _missing():
        pytest.skip(_missing() or "")
    home = tmp_path_factory.mktemp("modelport-home")
    port = _free_port()
    env = {**os.environ, "MODELPORT_HOME": str(home), "MODELPORT_DEMO": "true", "NO_COLOR": "1"}
    log = (home / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "modelport"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"modelport serve exited: {(home / 'serve.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"modelport serve did not start: {(home / 'serve.log').read_text()[-3000:]}"
                )
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


class Api:
    """A signed-in HTTP client for setting up data the browser then uses."""

    def __init__(self, url: str, username: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        res = self.http.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        res.raise_for_status()
        self.http.headers["X-CSRF-Token"] = res.json()["csrf_token"]
        # The session cookie is Secure: httpx would not send it back over http, so pass it by hand.
        self.http.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in res.cookies.items())

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.delete(path, **kw)


@pytest.fixture(scope="session")
def ds_api(app_url: str) -> Iterator[Api]:
    api = Api(app_url, "ds")
    yield api
    api.http.close()
