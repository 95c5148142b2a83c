"""`make screenshots`: the README's pictures, taken from the demo agency by headless Chromium at 1440 px.

Serves the app from this process on a free loopback port (the database and Redis are whatever the
settings use, embedded ones included), loads the demo agency if it is not there, logs in as the demo
people and saves a full-page PNG of each page. Pages are found by following links, as a person would,
so the command needs no knowledge of the product's tables.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.test.utils import override_settings

from agencyops.demo import DEMO_AGENCY_SLUG, DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
WIDTH = 1440
HEIGHT = 900
OWNER = "owner@brightside.test"
COORDINATOR = "coordinator@brightside.test"
CLIENT = "anna@acmedental.test"
PROJECT = "Spring smile campaign"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    help = "Write docs/screenshots/{home,board,task,portal}.png from the demo agency with headless Chromium."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs" / "screenshots"))
        parser.add_argument("--chromium", default=CHROMIUM, help="The Chromium binary Playwright drives.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not Path(options["chromium"]).exists():
            raise CommandError(f"{options['chromium']} is missing: install Debian's chromium package.")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:  # a development extra
            raise CommandError("Playwright is missing: pip install -e '.[dev]'.") from exc
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        call_command("migrate", "--noinput", verbosity=0)
        # The demo's addresses are not real: its invitation mails are sent (to nowhere) here, never left
        # in the broker for some later worker.
        with override_settings(
            MAIL_SEND_IN_PROCESS=True, EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"
        ):
            call_command("seed_demo", verbosity=0)

        port = _free_port()
        # Plain http on loopback: no HTTPS redirect or secure-only cookies for this one server.
        with override_settings(
            SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
        ):
            server = ThreadedWSGIServer(("127.0.0.1", port), _QuietHandler, allow_reuse_address=True)
            server.set_app(StaticFilesHandler(get_wsgi_application()))
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            # Playwright's sync API runs an event loop in this thread; the ORM runs only in the server's.
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=options["chromium"],
                        headless=True,
                        args=["--no-sandbox", "--disable-gpu"],
                    )
                    try:
                        written = self._shoot(browser, f"http://127.0.0.1:{port}", out)
                    finally:
                        browser.close()
            finally:
                server.shutdown()
                server.server_close()
        for path in written:
            self.stdout.write(f"Wrote {path}")

    def _shoot(self, browser: Any, base: str, out: Path) -> list[Path]:
        written: list[Path] = []

        def session(email: str) -> Any:
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1)
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("button", name="Log out").wait_for()
            return page

        def save(page: Any, name: str) -> None:
            page.wait_for_load_state("networkidle")
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            written.append(path)

        owner = session(OWNER)
        owner.goto(f"{base}/{DEMO_AGENCY_SLUG}/")
        save(owner, "home")
        owner.context.close()

        coordinator = session(COORDINATOR)
        coordinator.goto(f"{base}/{DEMO_AGENCY_SLUG}/projects/")
        coordinator.get_by_role("link", name=PROJECT).first.click()
        coordinator.wait_for_load_state()
        coordinator.goto(coordinator.url.split("?")[0] + "?view=board")
        # The board itself: the project page around it is long and has its own pictures elsewhere.
        coordinator.wait_for_load_state("networkidle")
        board = coordinator.locator("section:has(#tasks-h)")
        path = out / "board.png"
        board.screenshot(path=str(path))
        written.append(path)
        # The task everyone talks about in the demo: the blocked one, else the first card.
        cards = coordinator.locator("[data-board-cards] .proj-card-title a")
        blocked = coordinator.locator("[data-board-column='blocked'] .proj-card-title a")
        (blocked if blocked.count() else cards).first.click()
        coordinator.wait_for_load_state()
        save(coordinator, "task")
        coordinator.context.close()

        client = session(CLIENT)
        client.goto(f"{base}/portal/{DEMO_AGENCY_SLUG}/")
        save(client, "portal")
        awaiting = client.locator(".portal-awaiting a.portal-request-title")
        if awaiting.count():
            awaiting.first.click()
            client.wait_for_load_state()
            save(client, "portal-review")
        client.context.close()
        return written
