"""The Celery app: Redis broker, tasks autodiscovered from each app's tasks.py."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agencyops.settings")


class DjangoCelerySettings(Mapping[str, Any]):
    """The CELERY_* settings of Django's settings module, copied into a dict when Celery first reads its
    configuration (by then the settings are loaded; they never change after).

    Celery looks several settings up for every message it sends or receives, each under a few spellings.
    Through Django's lazy settings object every look-up (and every miss, an exception) went through its
    attribute hooks: 0.13 ms of the 0.5 ms that queueing one task cost."""

    @cached_property
    def _values(self) -> dict[str, Any]:
        from django.conf import settings

        return {name: getattr(settings, name) for name in dir(settings) if name.startswith("CELERY_")}

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


# DjangoTask adds delay_on_commit: side effects leave a transaction only once it commits.
app = Celery("agencyops", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object(DjangoCelerySettings(), namespace="CELERY")
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
