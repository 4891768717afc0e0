"""Playwright fixtures for the end-to-end suite: one headless Debian chromium per session, a fresh context per test.

Run with:  .venv/bin/pytest changai/tests_browser -q -p no:randomly
Set CHROMIUM_PATH to use another chromium binary (default /usr/bin/chromium).
"""

import os
import shutil

import pytest

# Playwright's sync API runs an asyncio event loop in the main thread; without this Django
# refuses ORM calls made from fixtures and tests ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


def _chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return shutil.which(path)


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        wanted = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
        reason = f"no chromium binary at {wanted} (apt-get install chromium, or set CHROMIUM_PATH)"
        if os.environ.get("CHANGAI_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_cast(transactional_db, cast):
    """The fixed cast, committed to the database so the live server thread can see it."""
    return cast


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def login(page, live_server, username, password):
    """Log in through the real login form; returns the page after the post-login navigation."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page
