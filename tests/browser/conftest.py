"""Headless Chromium through Playwright, driving the app served by pytest-django's live_server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian's chromium package; browser tests skip on a laptop without it, and fail in CI."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests."
        if os.environ.get("CI"):
            pytest.fail(f"{message} CI installs it in .ci/run, so here it is a failure, not a skip.")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium_executable: Path) -> Iterator:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls while one
    # runs unless told this is deliberate. The ORM calls here are the tests' own setup, never
    # concurrent. Only while the browser runs: subprocesses of other tests must not inherit it
    # (`check --deploy` rightly refuses it).
    already_set = "DJANGO_ALLOW_ASYNC_UNSAFE" in os.environ
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=str(chromium_executable), headless=True, args=LAUNCH_ARGS
            )
            yield launched
            launched.close()
    finally:
        if not already_set:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh browser context (no cookies) per test."""
    context = browser.new_context()
    new_page = context.new_page()
    new_page.set_default_timeout(15_000)
    yield new_page
    context.close()


@pytest.fixture
def fast_password_hashing(settings) -> None:
    # The demo agency creates a dozen accounts; Argon2's deliberate slowness adds nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def log_in_as(page, live_server):
    """``log_in_as(email)``: log the page in as a demo person, logging out whoever is in first."""
    from django.urls import reverse
    from playwright.sync_api import expect

    from agencyops.demo import DEMO_PASSWORD

    login_path = reverse("login")

    def log_in(email: str) -> None:
        log_out = page.get_by_role("button", name="Log out")
        if log_out.count():
            log_out.click()
            page.wait_for_url(f"**{login_path}*")
        page.goto(live_server.url + login_path)
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        # Where a login lands depends on who it is (agency home or portal); it is never the login page.
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    return log_in
