"""The Celery app: Redis broker, tasks autodiscovered from each app's tasks.py."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agencyops.settings")

app = Celery("agencyops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
