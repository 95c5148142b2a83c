"""Platform-level Celery tasks."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(name="agencyops.tasks.heartbeat")
def heartbeat() -> str:
    """Record that beat and a worker are alive; /healthz and the admin can read it."""
    now = timezone.now().isoformat()
    cache.set("agencyops:heartbeat", now, timeout=None)
    return now


@shared_task(name="agencyops.tasks.fold_agency_changes")
def fold_agency_changes() -> int:
    """Keep the agencies' data versions quick to read: their change rows folded into their tallies."""
    from agencyops.data_version import agency_changes_fold

    return agency_changes_fold()


# Tasks that live beside the code they serve; imported here so workers (which autodiscover tasks.py) know them.
from agencyops.mail import mail_send  # noqa: E402, F401
from agencyops.notifications.tasks import (  # noqa: E402, F401
    notification_mail_send,
    send_daily_digests,
    send_digests_for_agency,
)
