"""What the browser tests share: signing in, accessibility checks, screenshots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD


def sign_in(page: Page, app_url: str, username: str, path: str = "/") -> None:
    """Sign in through the sign-in page, then open ``path`` (a deep link, served by the API)."""
    page.goto(f"{app_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    if path != "/":
        page.goto(f"{app_url}{path}")


def check_accessibility(page: Page, name: str) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    page.wait_for_load_state("networkidle")
    # Colours are measured as they end up: stop MUI's transitions (style-src allows inline styles).
    page.add_style_tag(
        content="*, *::before, *::after { transition: none !important; animation: none !important; }"
    )
    page.wait_for_timeout(100)
    result: dict[str, Any] = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}" for v in bad
    ]
    assert not bad, f"accessibility problems on {name}:\n" + "\n".join(summary)


def screenshot(page: Page, output_path: str, name: str) -> Path:
    """A full-page screenshot under the test's output folder (test-results/<test>/)."""
    # From the top: a full-page capture of a scrolled page draws the sticky app bar mid-page.
    page.evaluate("() => window.scrollTo(0, 0)")
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def url_matching(app_url: str, path_regex: str) -> re.Pattern[str]:
    return re.compile(re.escape(app_url) + path_regex)
