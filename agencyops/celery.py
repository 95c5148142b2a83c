"""The Celery app: Redis broker, tasks autodiscovered from each app's tasks.py."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agencyops.settings")

# DjangoTask adds delay_on_commit: side effects leave a transaction only once it commits.
app = Celery("agencyops", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Database connections across tasks. Celery's Django fixup recycles them every CELERY_DB_REUSE_MAX tasks
# (settings.py); between those, a `celery worker` process (as `make run`, docker-compose and the drafting
# bench start it) keeps its connection unless it broke. A worker started inside another process (the
# tests' in-process workers) closes it after each task, Celery's default, so it never outlives the test.
_worker_process = {"keeps_connections": False}


@signals.celeryd_init.connect
def _a_worker_process_starts(**kwargs: Any) -> None:
    # Sent by `celery worker` only, before the pool's children are forked (they inherit the flag).
    _worker_process["keeps_connections"] = True


@signals.task_postrun.connect
def _close_database_connections(task: Any = None, **kwargs: Any) -> None:
    if task is not None and getattr(task.request, "is_eager", False):
        return  # ran inside the caller's own connection (and maybe its transaction)
    from django.db import connections

    keep = _worker_process["keeps_connections"] and app.conf.get("CELERY_DB_REUSE_MAX")
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        if not keep or (connection.errors_occurred and not connection.is_usable()):
            connection.close()
