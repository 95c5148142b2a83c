"""Listen for inbound client mail over SMTP (development): `make run` starts this beside the web server."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from agencyops.inbound.smtp import inbound_smtp_controller


class Command(BaseCommand):
    help = (
        "Run a small SMTP server that files mail sent to <token>@INBOUND_EMAIL_DOMAIN into the agencies' "
        "inboxes (for development; production posts raw mail to /inbound/email/)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.INBOUND_SMTP_HOST, help="Address to listen on.")
        parser.add_argument("--port", type=int, default=settings.INBOUND_SMTP_PORT, help="Port to listen on.")

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        controller = inbound_smtp_controller(host=host, port=port)
        controller.start()
        self.stdout.write(f"Inbound mail: SMTP on {host}:{port} for *@{settings.INBOUND_EMAIL_DOMAIN}")
        self.stdout.flush()
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        try:
            while not stop.wait(1):
                pass
        finally:
            controller.stop()
