"""Celery tasks of the project layer."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from django_scopes import scope, scopes_disabled

from agencyops.models import Agency
from agencyops.tenant_tasks import fan_out_per_agency, tenant_task
from projects.models import LIVE_PROJECT_STATUSES, Project

logger = logging.getLogger(__name__)


@shared_task(name="projects.tasks.generate_retainer_work")
def generate_retainer_work() -> int:
    """Beat job: every retainer project creates its deliverables for the periods ahead (idempotent)."""
    with scopes_disabled():
        projects = list(
            Project.objects.exclude(recurrence_frequency="")
            .live()
            .values_list("pk", "agency_id")
        )
    made = 0
    for project_id, agency_id in projects:
        made += generate_retainer_work_for_project(project_id, agency_id)
    return made


@shared_task(name="projects.tasks.generate_retainer_work_for_project")
def generate_retainer_work_for_project(project_id: int, agency_id: int) -> int:
    """Create one retainer's upcoming deliverables; a missing project is a quiet no-op."""
    from projects import services

    with scope(agency=agency_id):
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            return 0
        return services.retainer_generate(project=project)


SCAN_LOCK_SECONDS = 15 * 60


def _redis():
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)


@shared_task(name="projects.tasks.scan_all_agencies")
def scan_all_agencies() -> int:
    """Beat job (every 15 minutes): queue a risk scan for every agency with live projects."""
    with scopes_disabled():
        agency_ids = list(
            Agency.objects.filter(projects__status__in=LIVE_PROJECT_STATUSES)
            .values_list("pk", flat=True)
            .distinct()
        )
    return fan_out_per_agency(scan_agency, agency_ids)


@contextmanager
def agency_scan_lock(agency_id: int) -> Iterator[bool]:
    """Hold the agency's scan lock while the block runs; yields False (and holds nothing) if a scan has it.

    Two scans of one agency at the same time would both insert the same new escalations, so the beat job,
    the after-change rescan and "Scan now" all take this one lock. It lives in Redis; while Redis is down,
    a PostgreSQL advisory lock stands in, so "Scan now" still works.
    """
    from redis.exceptions import RedisError

    lock = _redis().lock(f"agencyops:risk-scan:{agency_id}", timeout=SCAN_LOCK_SECONDS, blocking=False)
    try:
        acquired = bool(lock.acquire(blocking=False))
    except RedisError:
        logger.warning("Redis unavailable; the risk scan of agency %s takes a database lock", agency_id)
        with _database_scan_lock(agency_id) as acquired:
            yield acquired
        return
    try:
        yield acquired
    finally:
        if acquired:
            try:
                lock.release()
            except RedisError:  # it expires on its own
                logger.warning("Redis unavailable; the scan lock of agency %s expires by itself", agency_id)


# The first key of PostgreSQL's two-key advisory locks: "risk scan"; the second is the agency.
_SCAN_ADVISORY_CLASS = 0x5CA1


@contextmanager
def _database_scan_lock(agency_id: int) -> Iterator[bool]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_SCAN_ADVISORY_CLASS, agency_id])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_SCAN_ADVISORY_CLASS, agency_id])


def agency_scan_now(agency: Any) -> dict | None:
    """Scan one agency in this process and mail new high risks; None when another scan holds the lock."""
    from projects.escalations import escalations_notify
    from projects.risk_scan import agency_scan

    with agency_scan_lock(agency.pk) as acquired:
        if not acquired:
            return None
        with scope(agency=agency.pk):
            result = agency_scan(agency)
            notified = escalations_notify(agency=agency, escalations=[*result.opened, *result.reopened])
        return {
            "opened": len(result.opened),
            "reopened": len(result.reopened),
            "updated": result.updated,
            "cleared": result.cleared,
            "notified": notified,
        }


@tenant_task("projects.tasks.scan_agency", model=Agency, max_retries=3)
def scan_agency(agency: Agency) -> dict | None:
    """Scan one agency's live projects. A lock per agency makes a second scan at the same time a no-op;
    a database or Redis hiccup retries the scan with backoff; a deleted agency is a quiet no-op."""
    result = agency_scan_now(agency)
    if result is None:
        return {"skipped": "another scan of this agency is running"}
    return result


# A change schedules a scan this long after it commits; changes in the meantime ride on that scan.
SCAN_SOON_SECONDS = 30


def scan_soon_key(agency_id: int) -> str:
    return f"agencyops:scan-soon:{agency_id}"


def scan_soon(agency_id: int) -> None:
    """After a change that can create or clear a risk: scan the agency shortly after the change commits.

    Nothing touches Redis before the commit, so a rolled-back change schedules nothing and a Redis outage
    cannot fail the change itself.
    """
    from django.db import transaction

    transaction.on_commit(lambda: _queue_scan_soon(agency_id))


def _queue_scan_soon(agency_id: int) -> None:
    """Queue one scan SCAN_SOON_SECONDS ahead unless one is already queued.

    The key lives exactly as long as the countdown: a change committed before the scan starts is seen by
    it, and the first change after it starts queues the next one. A broker or cache outage is logged and
    left to the 15-minute beat scan.
    """
    from django.core.cache import cache
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import RedisError

    try:
        if cache.add(scan_soon_key(agency_id), 1, timeout=SCAN_SOON_SECONDS):
            scan_agency.apply_async(args=[agency_id], countdown=SCAN_SOON_SECONDS, retry=False)
    except (RedisError, BrokerError, OSError):
        logger.warning(
            "Could not queue the risk scan of agency %s; the scheduled scan will catch up",
            agency_id,
            exc_info=True,
        )


@shared_task(name="projects.tasks.send_escalation_digests")
def send_escalation_digests() -> int:
    """Beat job (daily): queue one digest task per agency (each agency's owners get one digest a day)."""
    return fan_out_per_agency(send_escalation_digest_for_agency)


@tenant_task("projects.tasks.send_escalation_digest_for_agency", model=Agency)
def send_escalation_digest_for_agency(agency: Agency) -> int:
    """One agency's daily digest of open escalations; the notification key makes a rerun a no-op."""
    from projects.escalations import escalation_digest_send

    return escalation_digest_send(agency=agency)


@shared_task(name="projects.tasks.fold_project_changes")
def fold_project_changes() -> int:
    """Keep the project pages' versions quick to read: their change rows folded into their tallies."""
    from projects.page_versions import project_changes_fold

    return project_changes_fold()
