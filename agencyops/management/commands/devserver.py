"""`make run`: migrate, load the demo agency once, then run web, Celery worker and beat until Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from agencyops.celery import app as celery_app
from agencyops.demo import demo_seed
from agencyops.management.commands.seed_demo import describe_demo

# How long each child gets to finish what it is doing after Ctrl-C before it is told harder.
GRACE_SECONDS = 15
WORKER_READY_SECONDS = 60
TERM_SECONDS = 5


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None

    def signal_group(self, signum: int) -> None:
        # Each child leads its own process group, so the signal reaches runserver's autoreloaded
        # child and the worker's pool exactly as a Ctrl-C in their own terminal would.
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                pass


class Command(BaseCommand):
    help = (
        "Run AgencyOps for development: migrate, load the demo agency the first time, then run the web "
        "server, a Celery worker and Celery beat together until Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1", help="Address the web server listens on.")
        parser.add_argument("--port", type=int, default=8000, help="Port the web server listens on.")
        parser.add_argument(
            "--noreload", action="store_true", help="Do not restart the web server on code changes."
        )
        parser.add_argument(
            "--smtp-port",
            type=int,
            default=settings.INBOUND_SMTP_PORT,
            help="Port of the SMTP listener for inbound client mail (0: do not start it).",
        )

    def handle(
        self, *args: Any, addr: str, port: int, noreload: bool, smtp_port: int, **options: Any
    ) -> None:
        if not settings.DEBUG:
            self.stderr.write(
                self.style.WARNING(
                    "DEBUG is off (DATABASE_URL is set): static files are not served and HTTPS is enforced. "
                    "Set DEBUG=1 for local development."
                )
            )
        call_command("migrate", interactive=False, verbosity=1)
        summary = demo_seed()
        # The children open their own connections; this process only waits from here on.
        connections.close_all()

        children = self._children(addr=addr, port=port, noreload=noreload, smtp_port=smtp_port)
        stop = threading.Event()
        signals_seen: list[int] = []

        def on_signal(signum: int, frame: Any) -> None:
            signals_seen.append(signum)
            if len(signals_seen) > 1:
                # A second Ctrl-C means "now": do not wait for graceful shutdowns.
                for child in children:
                    child.signal_group(signal.SIGKILL)
            stop.set()

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for child in children:
                child.process = subprocess.Popen(
                    child.argv,
                    cwd=settings.BASE_DIR,
                    process_group=0,
                    env=child_environment(os.environ, addr=addr, port=port),
                )
            # Printed last: after the worker's and beat's own banners, so it is what the terminal shows.
            self._wait_for_worker(children, stop)
            self._print_banner(addr=addr, port=port, demo_lines=describe_demo(summary), smtp_port=smtp_port)
            failed = self._wait_until_stopped_or_failed(children, stop)
        finally:
            self._stop(children)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if failed is not None:
            status = failed.process.returncode if failed.process is not None else None
            raise CommandError(f"The {failed.name} process exited with status {status}; stopped the others.")
        self.stdout.write("Stopped the web server, the worker and beat.")

    def _children(self, *, addr: str, port: int, noreload: bool, smtp_port: int = 0) -> list[Child]:
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        web = [python, manage, "runserver", f"{addr}:{port}"] + (["--noreload"] if noreload else [])
        worker = [
            python, "-m", "celery", "-A", "agencyops", "worker", "-l", "info", "--concurrency", "2",
            "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-n", "devserver@%h",
        ]  # fmt: skip
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        beat = [
            python, "-m", "celery", "-A", "agencyops", "beat", "-l", "info",
            "-s", str(settings.DATA_DIR / "celerybeat-schedule"),
        ]  # fmt: skip
        children = [Child("web", web), Child("worker", worker), Child("beat", beat)]
        if smtp_port:
            smtp = [
                python,
                manage,
                "inbound_smtp",
                "--host",
                settings.INBOUND_SMTP_HOST,
                "--port",
                str(smtp_port),
            ]
            children.append(Child("inbound mail", smtp))
        return children

    def _wait_for_worker(self, children: list[Child], stop: threading.Event) -> None:
        """Until this server's worker answers a ping (at most WORKER_READY_SECONDS), or a child exits."""
        name = f"devserver@{socket.gethostname()}"
        deadline = time.monotonic() + WORKER_READY_SECONDS
        while time.monotonic() < deadline and not stop.is_set():
            if any(c.process is not None and c.process.poll() is not None for c in children):
                return
            try:
                if celery_app.control.ping(destination=[name], timeout=1.0):
                    time.sleep(0.5)  # beat logs its start-up lines just after
                    return
            except Exception:  # noqa: BLE001 - the broker may still be starting; the banner must still come
                time.sleep(0.5)

    def _print_banner(self, *, addr: str, port: int, demo_lines: list[str], smtp_port: int = 0) -> None:
        host = "127.0.0.1" if addr in ("0.0.0.0", "") else addr
        stores = (
            f"embedded PostgreSQL and Redis under {settings.DATA_DIR}"
            if settings.EMBEDDED_SERVERS
            else "PostgreSQL from DATABASE_URL, Redis from REDIS_URL"
        )
        lines = [
            "",
            self.style.SUCCESS(f"AgencyOps is running at http://{host}:{port}/"),
            f"Web server, Celery worker (queue {settings.CELERY_TASK_DEFAULT_QUEUE}) and Celery beat;",
            f"data: {stores}.",
            *demo_lines,
            *(
                [f"Inbound client mail: SMTP on {settings.INBOUND_SMTP_HOST}:{smtp_port} (see the README)."]
                if smtp_port
                else []
            ),
            "Press Ctrl-C to stop.",
            "",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _wait_until_stopped_or_failed(self, children: list[Child], stop: threading.Event) -> Child | None:
        while not stop.wait(0.5):
            for child in children:
                if child.process is not None and child.process.poll() is not None:
                    return child
        return None

    def _stop(self, children: list[Child]) -> None:
        running = [c for c in children if c.process is not None]
        for signum, seconds in (
            (signal.SIGINT, GRACE_SECONDS),
            (signal.SIGTERM, TERM_SECONDS),
            (signal.SIGKILL, 5),
        ):
            for child in running:
                child.signal_group(signum)
            deadline = time.monotonic() + seconds
            for child in running:
                try:
                    child.process.wait(timeout=max(0.0, deadline - time.monotonic()))  # type: ignore[union-attr]
                except subprocess.TimeoutExpired:
                    pass
            running = [c for c in running if c.process.poll() is None]  # type: ignore[union-attr]
            if not running:
                return


def child_environment(
    inherited: Any, *, addr: str, port: int, site_url_configured: bool | None = None
) -> dict[str, str]:
    """The children's environment: the one this process was started with (they are the same app), with
    links in mails and exports pointing at the port this server listens on unless SITE_URL was set."""
    if site_url_configured is None:
        site_url_configured = settings.SITE_URL_CONFIGURED
    children = dict(inherited)
    if not site_url_configured:
        host = "127.0.0.1" if addr in ("0.0.0.0", "") else addr
        children["SITE_URL"] = f"http://{host}:{port}"
    return children
