"""The first hour, end to end in Chromium (issue 8): a business user takes an open model to a new
market in a few clicks and runs a file with a bad row; a data scientist schedules a deployment on an
uploaded dataset, and the failure of a scheduled run reaches an SMTP server, a webhook receiver and
the bell of the web app.

One ``modelport serve`` for the module, with the demo catalog, e-mail through a local aiosmtpd
server, its scheduler off: the test ticks a scheduler itself, on the same database, as
tests/scheduling does.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import update

from modelport.context import Context
from modelport.db.tables import DeploymentRow, utcnow
from modelport.services.scheduler import Scheduler
from modelport.settings import Settings
from tests.e2e.conftest import ROOT, Api, _missing
from tests.e2e.helpers import check_accessibility, screenshot, sign_in, url_matching

SECRET = "first-hour-webhook-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


@dataclass
class Mailbox:
    """An aiosmtpd handler keeping every message it is sent."""

    messages: list[tuple[list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        assert isinstance(envelope.content, bytes)
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@dataclass
class Hooks:
    """A webhook endpoint on loopback: the calls it received (headers, raw body)."""

    url: str
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@dataclass
class Served:
    url: str
    settings: Settings
    mailbox: Mailbox
    hooks: Hooks

    def context(self) -> Context:
        """A context on the server's database and artifact store, for the test's own scheduler."""
        return Context.from_settings(self.settings)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The demo on ``modelport serve``, mailing through a local SMTP server, its scheduler off."""
    if _missing():
        pytest.skip(_missing() or "")
    mailbox = Mailbox()
    smtp_port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    hooks = Hooks(f"http://127.0.0.1:{_free_port()}/hooks/modelport")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            hooks.calls.append((dict(self.headers.items()), body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", int(hooks.url.split(":")[2].split("/")[0])), Handler)
    threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    home = tmp_path_factory.mktemp("first-hour-home")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "MODELPORT_HOME": str(home),
        "MODELPORT_DEMO": "true",
        "MODELPORT_PUBLIC_URL": url,
        "MODELPORT_SMTP_HOST": "127.0.0.1",
        "MODELPORT_SMTP_PORT": str(smtp_port),
        "MODELPORT_SMTP_STARTTLS": "false",
        "MODELPORT_SCHEDULER_ENABLED": "false",
        "MODELPORT_NOTIFY_POLL_SECONDS": "0.3",
    }
    settings = Settings(
        home=home,
        public_url=url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_starttls=False,
        scheduler_enabled=False,
        worker_enabled=False,
        notify_sender_enabled=False,
    )
    log = (home / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "modelport"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env, "NO_COLOR": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 120
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
        yield Served(url, settings, mailbox, hooks)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        receiver.shutdown()
        receiver.server_close()
        controller.stop()


@pytest.fixture(scope="module")
def ds(served: Served) -> Iterator[Api]:
    api = Api(served.url, "ds")
    yield api
    api.http.close()


def _rows(ds: Api, model: str, count: int) -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
    """The model's input columns, ``count`` rows made from its example, and its first numeric column."""
    version = ds.get(f"/api/v1/models/{model}/versions/champion").json()
    example: dict[str, Any] = version["example"]["input"]
    columns = [c["name"] for c in version["input_schema"]["columns"]]
    numeric = next(
        c for c in version["input_schema"]["columns"] if c["type"] in ("double", "float", "integer", "long")
    )
    rows = [dict(example) for _ in range(count)]
    return columns, rows, numeric


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


class Clicks:
    """Clicks the test makes, counted: what a user would click from the model page to the results."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, target: Locator) -> None:
        self.count += 1
        target.click()


def test_business_user_deploys_an_open_model_to_a_new_market(
    page: Page, served: Served, ds: Api, output_path: str, tmp_path: Path
) -> None:
    """Item 8 and 6: model page → open market deployed → first results in at most 6 clicks; a file with one
    bad row is scored but that row, which the errors file names; results and errors downloaded."""
    model = "price-elasticity"
    opened = ds.http.put(
        f"/api/v1/models/{model}/self-service", json={"alias": "champion", "markets": ["PT"]}
    )
    assert opened.status_code == 200, opened.text
    columns, rows, numeric = _rows(ds, model, 6)
    rows[3] = {**rows[3], numeric["name"]: "not-a-number"}
    data = tmp_path / "pt-week-48.csv"
    data.write_text(_csv(columns, rows))

    sign_in(page, served.url, "analyst", f"/models/{model}")
    panel = page.get_by_test_id("markets-panel")
    expect(panel.get_by_test_id("markets-opening")).to_contain_text("Open to PT")
    check_accessibility(page, "model page with self-service")
    click = Clicks()

    click(panel.get_by_role("button", name="Deploy to my market"))
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Deployment name")).to_have_value("price-elasticity-pt")
    click(dialog.get_by_label("Score the good rows and report the bad ones in an errors file"))
    screenshot(page, output_path, "deploy-to-my-market")
    click(dialog.get_by_role("button", name="Deploy", exact=True))
    expect(page).to_have_url(url_matching(served.url, rf"/models/{model}/run\?deployment=\d+&tab=file$"))
    expect(page.get_by_test_id("template")).to_contain_text("CSV template")
    page.get_by_test_id("run-file").locator("input[type=file]").set_input_files(str(data))
    expect(page.get_by_test_id("column-check")).to_contain_text(f"{len(columns)} columns")
    click(page.get_by_role("button", name="Start the run"))
    expect(page).to_have_url(url_matching(served.url, r"/runs/\d+$"))
    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded", timeout=45_000)
    expect(page.get_by_test_id("results-grid")).to_contain_text("1–5 of 5")
    assert click.count <= 6, f"{click.count} clicks from the model page to the first results"

    warnings = page.get_by_test_id("run-warnings")
    expect(warnings).to_contain_text("1 row was left out")
    check_accessibility(page, "run with a row left out")
    screenshot(page, output_path, "run-with-errors-file")

    with page.expect_download() as results:
        page.get_by_role("link", name="CSV", exact=True).click()
    scored = list(csv.DictReader(io.StringIO(Path(results.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(scored) == 5
    assert all(r["prediction"] not in ("", None) for r in scored), scored[0]
    assert all(r[numeric["name"]] != "not-a-number" for r in scored)

    with page.expect_download() as errors:
        warnings.get_by_role("link", name="Errors file").click()
    assert errors.value.suggested_filename.endswith("-errors.csv")
    listed = list(csv.DictReader(io.StringIO(Path(errors.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(listed) == 1, listed
    assert listed[0]["row"] == "4"
    assert listed[0]["column"] == numeric["name"]
    assert listed[0]["value"] == "not-a-number"
    assert listed[0]["reason"]

    # The owner hears about the new market, and the deployment's page links back to the run.
    deployment = ds.get("/api/v1/deployments/price-elasticity-pt").json()
    assert (deployment["market"], deployment["on_bad_rows"], deployment["owner"]) == ("PT", "skip", "analyst")
    heard = ds.get("/api/v1/notifications", params={"unread": True}).json()["items"]
    assert any(n["kind"] == "market_deployed" and "PT" in n["title"] for n in heard), heard


def _genuine(headers: dict[str, str], body: bytes) -> bool:
    """The check docs/api.md gives a receiver: HMAC-SHA256 of "<timestamp>.<body>" with the secret."""
    ts = headers["X-Modelport-Timestamp"]
    mac = hmac.new(SECRET.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(ts)) < 300
    return fresh and hmac.compare_digest(f"sha256={mac}", headers["X-Modelport-Signature"])


def test_data_scientist_schedules_on_a_dataset_and_hears_of_a_failed_run(
    page: Page, served: Served, ds: Api, output_path: str, tmp_path: Path
) -> None:
    """Item 2 and 9: a schedule on a dataset uploaded from the deploy page; its due run that cannot start
    fails with its reason, which reaches the SMTP server, a signed webhook call and the bell."""
    name = "promo-uplift-nl-weekly"
    hook = ds.post(
        "/api/v1/webhooks",
        json={"name": "ops", "url": served.hooks.url, "secret": SECRET, "events": ["schedule_skipped"]},
    )
    assert hook.status_code == 201, hook.text
    columns, rows, _ = _rows(ds, "promo-uplift", 20)
    data = tmp_path / "nl-stores.csv"
    data.write_text(_csv(columns, rows))

    sign_in(page, served.url, "ds", "/models/promo-uplift/deploy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Deploy Promotion uplift estimator")
    page.get_by_test_id("markets").fill("NL")
    page.get_by_test_id("markets").press("Enter")
    expect(page.get_by_label("Deployment name")).to_have_value("promo-uplift-nl")
    page.get_by_label("Deployment name").fill(name)
    # A file with each run cannot be scheduled: the schedule is offered with a stored input only.
    expect(page.get_by_test_id("schedule-needs-stored")).to_be_visible()
    expect(page.get_by_label("Run on a schedule")).to_have_count(0)
    page.get_by_label("A stored dataset (upload it here, once)").check()
    page.get_by_test_id("dataset-file").locator("input[type=file]").set_input_files(str(data))
    expect(page.get_by_test_id("dataset-file-stored")).to_contain_text(
        f"nl-stores.csv is stored ({len(columns)} columns)"
    )
    page.get_by_label("Run on a schedule").check()
    page.get_by_test_id("cron").fill("30 5 * * 1")
    expect(page.get_by_text("The usual time zone of NL")).to_be_visible()
    helper = page.get_by_test_id("cron-helper")
    expect(helper).to_contain_text("Every Monday at 05:30")
    expect(helper).to_contain_text("Next runs (Europe/Amsterdam)")
    expect(page.get_by_test_id("cron-next").locator("li")).to_have_count(5)
    check_accessibility(page, "deploy on a dataset")
    screenshot(page, output_path, "deploy-scheduled-dataset")
    page.get_by_role("button", name="Deploy", exact=True).click()

    expect(page).to_have_url(url_matching(served.url, rf"/deployments/{name}$"))
    expect(page.get_by_test_id("deployment-schedule")).to_contain_text(
        "Every Monday at 05:30 (Europe/Amsterdam)"
    )
    expect(page.get_by_test_id("next-run")).to_contain_text("05:30 (Europe/Amsterdam)")
    expect(page.get_by_test_id("deployment-input")).to_contain_text("Stored dataset nl-stores.csv")
    check_accessibility(page, "deployment page")
    screenshot(page, output_path, "deployment-page")

    # The dataset disappears from the artifact store; the due time comes and the test's scheduler ticks.
    deployment = ds.get(f"/api/v1/deployments/{name}").json()
    assert (
        deployment["input"]["kind"] == "dataset" and deployment["schedule"]["timezone"] == "Europe/Amsterdam"
    )
    ctx = served.context()
    try:
        ctx.artifacts.delete(deployment["input"]["dataset"])
        due = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
        with ctx.db.session() as s:
            s.execute(update(DeploymentRow).where(DeploymentRow.name == name).values(next_run_at=due))
        created = Scheduler(ctx).tick()
    finally:
        ctx.db.dispose()
    assert len(created) == 1
    run = ds.get(f"/api/v1/executions/{created[0]}").json()
    assert (run["status"], run["trigger"]) == ("failed", "schedule")
    assert "dataset" in run["error"]

    mail = _wait_for(
        lambda: [m for to, m in served.mailbox.messages if name in str(m["Subject"])], 30, "the e-mail"
    )
    to, message = next((to, m) for to, m in served.mailbox.messages if m is mail[0])
    assert to == ["camille.martin@example.com"]
    assert str(message["Subject"]) == f"[modelport] Scheduled run of {name} could not run"
    text = message.get_payload(decode=True)
    assert isinstance(text, bytes)
    assert "dataset" in text.decode() and f"{served.url}/runs/{run['id']}" in text.decode()

    headers, body = _wait_for(
        lambda: served.hooks.calls[-1] if served.hooks.calls else None, 30, "the webhook"
    )
    assert headers["X-Modelport-Event"] == "schedule_skipped"
    assert _genuine(headers, body)
    payload = json.loads(body)
    assert payload["data"]["deployment"] == name and payload["data"]["execution_id"] == run["id"]
    assert payload["link"] == f"{served.url}/runs/{run['id']}"

    # In the web app: the bell counts it, the list shows it, its link opens the failed run.
    page.reload()
    unread = ds.get("/api/v1/notifications/unread-count").json()["unread"]
    assert unread >= 1
    expect(page.get_by_test_id("notification-count")).to_have_text(str(unread))
    page.get_by_test_id("notification-bell").click()
    expect(page).to_have_url(url_matching(served.url, r"/notifications$"))
    item = page.get_by_test_id("notification").filter(has_text=f"Scheduled run of {name} could not run")
    expect(item).to_have_attribute("data-unread", "true")
    check_accessibility(page, "notifications")
    screenshot(page, output_path, "notifications")
    item.get_by_role("link").click()
    expect(page).to_have_url(url_matching(served.url, rf"/runs/{run['id']}$"))
    expect(page.get_by_test_id("run-status")).to_have_text("Failed")
    expect(page.get_by_role("main")).to_contain_text("dataset")
    page.go_back()
    expect(page.get_by_test_id("notification").filter(has_text=name)).to_have_attribute(
        "data-unread", "false"
    )


def test_a_requested_market_is_approved_in_one_click(page: Page, served: Served, ds: Api) -> None:
    """Item 8: for a market that is not open, a business user asks; the owner sees the request on the
    model page and approves it in one click; the market is then open to the one who asked."""
    model = "invoice-anomaly"
    opened = ds.http.put(
        f"/api/v1/models/{model}/self-service", json={"alias": "champion", "markets": ["FR"]}
    )
    assert opened.status_code == 200, opened.text

    sign_in(page, served.url, "analyst", f"/models/{model}")
    panel = page.get_by_test_id("markets-panel")
    panel.get_by_role("button", name="Request this market").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Market").fill("GR")
    dialog.get_by_label("Message (optional)").fill("Athens stores from January")
    dialog.get_by_role("button", name="Send the request").click()
    expect(panel).to_contain_text("Request for GR sent to ds.")

    page.context.clear_cookies()
    sign_in(page, served.url, "ds", f"/models/{model}#markets")
    requests = page.get_by_test_id("market-requests")
    expect(requests).to_contain_text("Athens stores from January")
    check_accessibility(page, "model page with a market request")
    requests.get_by_role("button", name="Approve GR").click()
    expect(page.get_by_test_id("markets-opening")).to_contain_text("Open to FR, GR")
    expect(page.get_by_test_id("market-requests")).to_have_count(0)
    decided = ds.get("/api/v1/market-requests", params={"model": model}).json()["items"]
    assert [(r["market"], r["status"], r["decided_by"]) for r in decided] == [("GR", "approved", "ds")]
