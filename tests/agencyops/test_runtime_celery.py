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


def test_celery_reads_every_celery_setting_of_the_settings_module_and_nothing_else():
    from django.conf import settings

    from agencyops.celery import DjangoCelerySettings

    names = {name for name in dir(settings) if name.startswith("CELERY_")}
    copied = DjangoCelerySettings()
    assert set(copied) == names and len(copied) == len(names)
    assert "SECRET_KEY" not in copied and "DATABASES" not in copied
    # Under Celery's own names, as the worker, beat and every sender read them.
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.result_backend == settings.CELERY_RESULT_BACKEND
    assert app.conf.task_default_queue == settings.CELERY_TASK_DEFAULT_QUEUE
    assert app.conf.task_acks_late is settings.CELERY_TASK_ACKS_LATE is True
    assert app.conf.worker_prefetch_multiplier == settings.CELERY_WORKER_PREFETCH_MULTIPLIER
    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    # Celery's Django fixup and the worker's connection reuse read this one by its Django name.
    assert app.conf.get("CELERY_DB_REUSE_MAX") == settings.CELERY_DB_REUSE_MAX
