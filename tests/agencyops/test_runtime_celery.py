"""A real Celery worker on the real Redis (REDIS_URL, or the embedded one) runs the project's tasks."""

from __future__ import annotations

from datetime import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from agencyops.celery import app


@pytest.fixture
def running_worker():
    """A worker thread consuming the project's default queue, as `celery -A agencyops worker` does."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as worker:
        yield worker


@pytest.mark.worker
def test_a_worker_runs_the_heartbeat_and_hands_back_its_result(running_worker):
    from agencyops.tasks import heartbeat

    cache.delete("agencyops:heartbeat")

    beat_at = heartbeat.delay().get(timeout=10)

    assert datetime.fromisoformat(beat_at).tzinfo is not None
    # The worker wrote to the same Redis the web processes read: /healthz and the admin see it.
    assert cache.get("agencyops:heartbeat") == beat_at


@pytest.mark.worker
def test_the_worker_consumes_the_queue_named_in_settings(running_worker, settings):
    queues = {queue.name for queue in running_worker.consumer.task_consumer.queues}
    assert settings.CELERY_TASK_DEFAULT_QUEUE in queues
