"""Writes survive a Redis outage: the "rescan soon" step runs after commit and a cache or broker failure there
is logged, never a 500. The tests run their own redis-server, so stopping it disturbs nobody else."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager

import pytest
import redis
from django.db import transaction
from django.urls import reverse
from django_scopes import scope

from agencyops.celery import app as celery_app
from projects import services
from projects.calendars import agency_calendar
from projects.models import DeadlineChange, Task, TaskStatus
from projects.tasks import SCAN_SOON_SECONDS, scan_soon_key
from tests import factories
from tests.factories import token_client

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs a redis-server binary"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, on a free port, without persistence."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


def _reset_celery_connections() -> None:
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local = threading.local()


@contextmanager
def celery_pointed_at(url: str):
    saved = celery_app.conf.broker_url, celery_app.conf.result_backend
    celery_app.conf.broker_url = celery_app.conf.result_backend = url
    _reset_celery_connections()
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.result_backend = saved
        _reset_celery_connections()


@pytest.fixture
def private_redis(settings):
    """Cache, broker, the scan lock and /healthz all on a private redis-server for this test."""
    server = PrivateRedis()
    server.start()
    settings.REDIS_URL = server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "agencyops",
        }
    }
    with celery_pointed_at(server.url):
        yield server
    server.stop()


@pytest.fixture
def project(team):
    return factories.project_create(actor=team["coordinator"], client=team["clients"][0])


def first_open_task(project) -> Task:
    with scope(agency=project.agency_id):
        return Task.objects.filter(project=project, status=TaskStatus.NOT_STARTED).order_by("due_date").first()


def queued_scans(server: PrivateRedis) -> int:
    return server.client().llen(celery_app.conf.task_default_queue)


def test_a_change_queues_one_scan_after_commit_and_changes_before_it_runs_ride_on_it(
    team, project, private_redis, django_capture_on_commit_callbacks
):
    api = token_client(team["members"][0].user)
    task = first_open_task(project)
    task_url = reverse("api_task_detail", kwargs={"agency_slug": team["agency"].slug, "pk": task.pk})

    with django_capture_on_commit_callbacks(execute=True):
        api.patch(task_url, {"status": "in_progress"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        api.patch(task_url, {"status": "blocked", "blocked_reason": "No copy yet"}, format="json")

    assert queued_scans(private_redis) == 1
    ttl = private_redis.client().ttl(f"agencyops:1:{scan_soon_key(team['agency'].pk)}")
    # The key lasts exactly as long as the countdown, so a change after the scan starts queues the next.
    assert 0 < ttl <= SCAN_SOON_SECONDS


def test_a_rolled_back_change_neither_holds_the_key_nor_queues_a_scan(
    team, project, private_redis, django_capture_on_commit_callbacks
):
    task = first_open_task(project)

    with django_capture_on_commit_callbacks(execute=True), scope(agency=team["agency"].pk):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.task_update_status(actor=team["coordinator"], task=task, status=TaskStatus.IN_PROGRESS)
            raise RuntimeError("the request failed later")

    assert private_redis.client().keys("*scan-soon*") == []
    assert queued_scans(private_redis) == 0


def test_with_redis_stopped_status_changes_due_date_moves_and_scan_now_are_saved(
    team, project, private_redis, as_coordinator, django_capture_on_commit_callbacks, client
):
    agency = team["agency"]
    api = token_client(team["coordinator"].user)
    api.raise_request_exception = as_coordinator.raise_request_exception = False
    first, second = first_open_task(project), None
    with scope(agency=agency.pk):
        second = Task.objects.filter(project=project).exclude(pk=first.pk).order_by("-due_date").first()
        new_due = agency_calendar(agency).add_business_days(second.due_date, 2)
    private_redis.stop()

    with django_capture_on_commit_callbacks(execute=True):
        status = api.patch(
            reverse("api_task_detail", kwargs={"agency_slug": agency.slug, "pk": first.pk}),
            {"status": "in_progress"},
            format="json",
        )
    with django_capture_on_commit_callbacks(execute=True):
        moved = api.patch(
            reverse("api_task_detail", kwargs={"agency_slug": agency.slug, "pk": second.pk}),
            {"due_date": new_due.isoformat(), "reason": "Client asked for two more days"},
            format="json",
        )
    with django_capture_on_commit_callbacks(execute=True):
        form = as_coordinator.post(
            reverse("task_status", kwargs={"agency_slug": agency.slug, "task_id": first.pk}),
            {"status": "blocked", "blocked_reason": "Waiting for the logo"},
        )
    scan_page = as_coordinator.post(
        reverse("project_scan", kwargs={"agency_slug": agency.slug, "project_id": project.pk})
    )
    scan_api = api.post(reverse("api_project_scan", kwargs={"agency_slug": agency.slug, "pk": project.pk}))
    health = client.get("/healthz")

    assert status.status_code == 200, status.content
    assert moved.status_code == 200, moved.content
    assert form.status_code == 302
    assert scan_page.status_code == 302
    assert scan_api.status_code == 200, scan_api.content
    assert "opened" in scan_api.json()
    with scope(agency=agency.pk):
        assert Task.objects.get(pk=first.pk).status == TaskStatus.BLOCKED
        assert Task.objects.get(pk=second.pk).due_date == new_due
        assert DeadlineChange.objects.filter(task=second).exists()
    # The outage stays visible to the load balancer.
    assert health.status_code == 503
    assert "redis" in health.content.decode().lower()
