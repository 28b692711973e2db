"""``/docs`` in Chromium with every request to another host refused (a site without internet): Swagger UI
renders the API from the server's own files, under the app's Content Security Policy."""

from __future__ import annotations

from urllib.parse import urlparse

from playwright.sync_api import ConsoleMessage, Page, Route, expect

from tests.e2e.helpers import screenshot


def test_api_docs_work_offline_under_the_csp(page: Page, app_url: str, output_path: str) -> None:
    here = urlparse(app_url).netloc
    elsewhere: list[str] = []
    problems: list[str] = []

    def offline(route: Route) -> None:
        if urlparse(route.request.url).netloc == here or route.request.url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":  # a CSP violation is reported here
            problems.append(message.text)

    page.route("**/*", offline)
    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(f"{app_url}/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("modelport")
    predict = page.locator(".opblock").filter(has_text="/api/v1/deployments/{ref}/predict").first
    expect(predict).to_be_visible()
    predict.locator(".opblock-summary").click()
    expect(page.get_by_text("dataframe_split").first).to_be_visible()
    screenshot(page, output_path, "api-docs")
    assert elsewhere == []
    assert problems == []
