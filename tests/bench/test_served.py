"""`make bench`, served: the hot URLs through gunicorn over loopback, as a browser or script gets them.

The bench agency (BENCH_SIZE) and the demo agency are served by gunicorn with two workers, DEBUG off and
persistent database connections as in docker-compose.yml. A bounded load generator (two keep-alive
connections, a fixed number of requests per URL) drives each URL in turn, in three rounds; every figure is
its throughput as a ratio to `/healthz` measured the same way in the same round, the median of the rounds,
so HTTP, connection handling and middleware costs are inside the figure and the machine's speed is not.

The project page is measured three times: served from its cache (a hit); with a task of the project
touched before every request (a miss: a new version, with nothing the page shows changed, which a write to
a field the page does not show gives too), judged; and with a task given a new title before every request,
so that each view renders the task's card, the tasks and the input picker afresh, shown.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django_scopes import scopes_disabled

from agencyops.demo import demo_seed
from agencyops.models import ClientContact
from projects.models import Project, Task
from tests import factories
from tests.bench import seed

ROOT = Path(__file__).resolve().parents[2]
REQUESTS_PER_URL = int(os.environ.get("BENCH_SERVED_REQUESTS", "200"))
ROUNDS = int(os.environ.get("BENCH_SERVED_ROUNDS", "3"))
CONNECTIONS = 2
WORKERS = 2
AFTER_A_CHANGE = "  … task list API, first read after a change"
HOME_AFTER_A_CHANGE = "  … owner home, first view after a change in the agency"
AFTER_AN_EDIT = "  … project page, first view after an edit it shows"
PROJECT_DETAIL = "project detail API"
# Shown beside the judged lines, with no target of the issue's: the owner home and the task list after a
# change, the project page after an edit it shows, and the project detail API (measured against Taiga's in
# the issue).
SHOWN = (HOME_AFTER_A_CHANGE, AFTER_AN_EDIT, AFTER_A_CHANGE, PROJECT_DETAIL)
TARGETS = {
    "owner home": 0.25,
    # Not among the issue's served targets; held to the pages' own.
    "projects list (first page)": 0.25,
    "project page (cache hit)": 0.25,
    "project page (cache miss)": 0.25,
    "projects API list": 0.3,
    "task list API (200-task project)": 0.3,
    "portal home": 0.3,
}


@dataclass
class Served:
    port: int
    database: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(database: str, static_root: Path) -> dict[str, str]:
    base = settings.DATABASES["default"]
    user = base.get("USER") or "postgres"
    host = base.get("HOST") or "127.0.0.1"
    port = base.get("PORT") or 5432
    environment = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "TEST_DATABASE_NAME")
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY if len(settings.SECRET_KEY) >= 50 else secrets.token_urlsafe(64),
        DATABASE_URL=f"postgres://{user}@{host}:{port}/{database}",
        DATABASE_CONN_MAX_AGE="60",
        REDIS_URL=settings.REDIS_URL,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(static_root),
    )
    return environment


def _collect_static(environment: dict[str, str], static_root: Path) -> None:
    """Collect the static files once per checkout (the Docker build does this for production)."""
    if (static_root / "staticfiles.json").exists():
        return
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr


def _wait_until_up(port: int, process: subprocess.Popen, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn stopped while starting"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer within a minute")


@pytest.fixture(scope="module")
def served(bench, django_db_blocker) -> Iterator[Served]:
    """gunicorn serving the bench database (already seeded and committed)."""
    database = connection.settings_dict["NAME"]
    static_root = ROOT / ".data" / "bench-static"
    environment = _environment(database, static_root)
    _collect_static(environment, static_root)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "agencyops.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
    )
    try:
        _wait_until_up(port, process)
        yield Served(port=port, database=database)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _session_cookie(user) -> str:
    """A committed login session for ``user``, as the login page would create."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _cookies_set(response: http.client.HTTPResponse) -> list[str]:
    """``name=value`` of each cookie the response sets, but the session's (the caller's own is kept)."""
    kept = []
    for header in response.headers.get_all("Set-Cookie") or []:
        name_value = header.split(";", 1)[0].strip()
        if name_value.split("=", 1)[0] != settings.SESSION_COOKIE_NAME:
            kept.append(name_value)
    return kept


def _throughput(port: int, path: str, cookie: str, *, before_each: Callable[[], None] | None = None) -> float:
    """Requests per second over CONNECTIONS keep-alive connections, REQUESTS_PER_URL in all."""
    headers = {"Cookie": cookie, "X-Forwarded-Proto": "https", "Accept": "text/html,application/json"}
    per_connection = REQUESTS_PER_URL // CONNECTIONS
    busy: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def drive() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        spent = 0.0
        for _ in range(per_connection):
            if before_each is not None:
                before_each()
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            spent += time.perf_counter() - started
            if response.status != 200:
                with lock:
                    failures.append(f"{path}: {response.status}")
                break
        conn.close()
        with lock:
            busy.append(spent)

    # Warm up: each worker compiles its templates and opens its database connection first.
    for _ in range(WORKERS * 3):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        # As a browser does: the cookies a page sets (its CSRF cookie) come back with the next request,
        # instead of every request being a first visit that makes the server mint a new one.
        kept = _cookies_set(response)
        if kept:
            headers["Cookie"] = "; ".join([cookie, *kept])
    threads = [threading.Thread(target=drive) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    # Each connection's own request time, so the touch before a cache-miss request is not counted.
    return per_connection * CONNECTIONS / max(busy)


def _touch(task_id: int) -> Callable[[], None]:
    """Change a row the project page shows, so its next view renders afresh."""

    def touch() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE projects_task SET title = title WHERE id = %s", [task_id])

    return touch


def _retitle(task_id: int) -> Callable[[], None]:
    """Give a task the page shows a title it has not had before, so its next view renders the task's card,
    the tasks and the input picker afresh (no kept body shows that title)."""
    edits = iter(range(1, 10**9))

    def retitle() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                r"UPDATE projects_task SET title = regexp_replace(title, ' #[0-9a-f]+$', '') || %s WHERE id = %s",
                [f" #{secrets.token_hex(4)}{next(edits):x}", task_id],
            )

    return retitle


def _measure_agency(
    served: Served, report, *, label: str, agency, owner_user, contact_user, page, big
) -> None:
    owner = _session_cookie(owner_user)
    client = _session_cookie(contact_user)
    slug = agency.slug
    touched = Task.objects.filter(project=page).values_list("pk", flat=True).first()
    urls: list[tuple[str, str, str, Callable[[], None] | None]] = [
        ("owner home", f"/{slug}/", owner, None),
        # Kept under the agency's data version: shown after a change too (a task of the page's project
        # touched, which moves the version and leaves what the home shows as it was), not judged.
        (HOME_AFTER_A_CHANGE, f"/{slug}/", owner, _touch(touched)),
        ("projects list (first page)", f"/{slug}/projects/", owner, None),
        ("project page (cache hit)", f"/{slug}/projects/{page.pk}/", owner, None),
        ("project page (cache miss)", f"/{slug}/projects/{page.pk}/", owner, _touch(touched)),
        # A title the page has never shown, each time: shown beside the miss, not judged (see the README).
        (AFTER_AN_EDIT, f"/{slug}/projects/{page.pk}/", owner, _retitle(touched)),
        ("projects API list", f"/api/v1/agencies/{slug}/projects/", owner, None),
        (
            f"task list API ({big.tasks_count}-task project)",
            f"/api/v1/agencies/{slug}/projects/{big.pk}/tasks/",
            owner,
            None,
        ),
        # Kept under the plan's version like the project page: shown after a change too, not judged (the
        # issue sets no target for it).
        (
            AFTER_A_CHANGE,
            f"/api/v1/agencies/{slug}/projects/{big.pk}/tasks/",
            owner,
            _touch(Task.objects.filter(project=big).values_list("pk", flat=True).first()),
        ),
        ("portal home", f"/portal/{slug}/", client, None),
        (PROJECT_DETAIL, f"/api/v1/agencies/{slug}/projects/{page.pk}/", owner, None),
    ]
    # ROUNDS rounds, each measuring every URL between two measurements of /healthz; each URL's figure is
    # the median of its rounds. The reference of a round is /healthz at its fastest, before or after the
    # pages: a worker's first requests (its imports, its connections) must never slow the reference and so
    # flatter every ratio (the first measurement after gunicorn started once read /healthz at 6.6 ms, 1.0 ms
    # later). One round of 200 requests a URL moved by a fifth between runs minutes apart.
    health_before = _throughput(served.port, "/healthz", owner)
    per_round: list[tuple[float, list[float]]] = []
    for _round in range(ROUNDS):
        rates_now = []
        for _name, path, cookie, before_each in urls:
            # Each URL meets the change rows as beat leaves them (folded every five minutes), not the
            # hundreds the touches before it wrote in the last few seconds.
            seed.changes_fold()
            rates_now.append(_throughput(served.port, path, cookie, before_each=before_each))
        health_after = _throughput(served.port, "/healthz", owner)
        per_round.append((max(health_before, health_after), rates_now))
        health_before = health_after
    health = statistics.median(h for h, _rates in per_round)
    rates = [
        (
            name,
            statistics.median(rates_now[i] for _h, rates_now in per_round),
            statistics.median(rates_now[i] / h for h, rates_now in per_round),
        )
        for i, (name, _path, _cookie, _before) in enumerate(urls)
    ]
    missed = []
    for name, rate, ratio in rates:
        if name in SHOWN:
            report.add(f"served {label}: {name}", f"{1000 / rate:.1f}", "—", f"{1000 / health:.1f}",
                       f"{ratio:.2f}× of /healthz", "shown", "—")  # fmt: skip
            continue
        target = TARGETS.get(name) or TARGETS["task list API (200-task project)"]
        passed = ratio >= target
        report.add(
            f"served {label}: {name}",
            f"{1000 / rate:.1f}",
            "—",
            f"{1000 / health:.1f}",
            f"{ratio:.2f}× of /healthz",
            f"≥ {target:g}×",
            "PASS" if passed else "FAIL",
        )
        if not passed:
            missed.append(f"{name}: {ratio:.2f}× /healthz (target ≥ {target:g}×)")
    assert not missed, f"served {label}: " + "; ".join(missed)


def test_the_default_agency_served_by_gunicorn_against_healthz(bench, served, report, django_db_blocker):
    with django_db_blocker.unblock(), scopes_disabled():
        big = Project.objects.get(pk=bench.big_project.pk)
        big.tasks_count = Task.objects.filter(project=big).count()
        contact = ClientContact.objects.filter(client=big.client, user__isnull=False).first()
        if contact is None:
            contact = factories.contact_create(actor=bench.owner, client=big.client)
        _measure_agency(
            served,
            report,
            label=f"bench agency ({seed.SIZE})",
            agency=bench.agency,
            owner_user=bench.owner.user,
            contact_user=contact.user,
            page=bench.page_project,
            big=big,
        )


def test_the_demo_agency_served_by_gunicorn_against_healthz(served, report, django_db_blocker):
    with django_db_blocker.unblock():
        demo = demo_seed()
        with scopes_disabled():
            projects = list(Project.objects.filter(agency=demo.agency))
            for project in projects:
                project.tasks_count = Task.objects.filter(project=project).count()
        page = max(projects, key=lambda p: p.tasks_count)
        with scopes_disabled():
            _measure_agency(
                served,
                report,
                label="demo agency",
                agency=demo.agency,
                owner_user=demo.owner.user,
                contact_user=demo.contacts[0].user,
                page=page,
                big=page,
            )
