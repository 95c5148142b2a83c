"""The Celery app: Redis broker, tasks autodiscovered from each app's tasks.py."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agencyops.settings")

# DjangoTask adds delay_on_commit: side effects leave a transaction only once it commits.
app = Celery("agencyops", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
