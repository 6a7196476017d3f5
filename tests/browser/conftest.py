"""Playwright (sync API) driving Debian's Chromium against pytest-django's live_server.

Never `playwright install`: the browser is /usr/bin/chromium (apt package `chromium`).
Without it the browser tests are skipped with a clear reason, except in CI where that fails.
"""

import os
from pathlib import Path

import pytest

from tests.fixtures.personas import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect

    # Playwright's 5 s default for expect() is short on a loaded 2-core machine.
    expect.set_options(timeout=15_000)
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run should have installed chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium) - browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# Reports every Content-Security-Policy violation of a page to the test, across navigations
# (Playwright's init scripts and bindings are not subject to the page's CSP).
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline code"}` +
    ` at ${event.documentURI} (${event.sourceFile || "?"}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def csp_violations():
    """What the browser refused under the CSP in this test; a test with any fails."""
    seen: list[str] = []
    yield seen
    if seen:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(seen), pytrace=False)


@pytest.fixture
def new_page(browser, live_server, csp_violations):
    """new_page() -> a page in a fresh browser context (its own cookies), base URL = live_server.

    Every page reports CSP violations (the securitypolicyviolation event and the console's
    "Content Security Policy" errors) to `csp_violations`, which fails the test."""
    contexts = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            csp_violations.append(f"console: {message.text}")

    def make():
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        context.expose_binding(
            "__reportCspViolation", lambda _source, text: csp_violations.append(text)
        )
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", on_console)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def login():
    """login(page, user): sign in through the real sign-in form."""

    def sign_in(page, user, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return sign_in
