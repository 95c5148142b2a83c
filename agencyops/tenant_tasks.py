"""The shape every tenant Celery task takes: ids in, the row's agency scope, quiet on a missing row,
transient errors retried with exponential backoff and jitter; and beat jobs that fan out one task per agency.

    @tenant_task("approvals.tasks.remind_approvers_for_agency", model=Agency)
    def remind_approvers_for_agency(agency: Agency) -> int: ...

    @shared_task(name="approvals.tasks.send_approval_reminders")
    def send_approval_reminders() -> int:
        return fan_out_per_agency(remind_approvers_for_agency)
"""

from __future__ import annotations

import functools
import smtplib
from collections.abc import Callable, Iterable
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.db.models import Model
from django_scopes import scope, scopes_disabled
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Errors that say "try again later", not "this is wrong": a dropped connection to the database, Redis,
# the broker or the mail server. Anything else is a bug and fails loudly at once.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    BrokerError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPResponseException,
    ConnectionError,
    TimeoutError,
)

# Waits of 2, 4, 8... seconds (each a random part of that, so retries of many tasks spread out), at most
# ten minutes; five retries span about an hour in the worst case.
RETRY_OPTIONS: dict[str, Any] = {
    "retry_backoff": 2,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


def retrying_task(name: str, *, retry_on: tuple[type[BaseException], ...] = TRANSIENT_ERRORS, **options: Any):
    """A shared task that retries ``retry_on`` errors with backoff and jitter (options override the policy)."""
    return shared_task(name=name, autoretry_for=retry_on, **{**RETRY_OPTIONS, **options})


def _agency_of(model: type[Model], row_id: int) -> int | None:
    if model._meta.label_lower == "agencyops.agency":
        return row_id if model._base_manager.filter(pk=row_id).exists() else None
    with scopes_disabled():
        return model._base_manager.filter(pk=row_id).values_list("agency_id", flat=True).first()


def tenant_task(
    name: str,
    *,
    model: type[Model],
    retry_on: tuple[type[BaseException], ...] = TRANSIENT_ERRORS,
    **options: Any,
) -> Callable[[Callable[..., Any]], Any]:
    """Make ``func(row, *args)`` a task called with the row's id: it runs inside the row's agency scope,
    returns None when the row is gone, and retries transient errors with backoff and jitter."""

    def decorate(func: Callable[..., Any]) -> Any:
        @functools.wraps(func)
        def run(row_id: int, *args: Any, **kwargs: Any) -> Any:
            agency_id = _agency_of(model, row_id)
            if agency_id is None:
                return None
            with scope(agency=agency_id):
                row = model._base_manager.filter(pk=row_id).first()
                if row is None:
                    return None
                return func(row, *args, **kwargs)

        return retrying_task(name, retry_on=retry_on, **options)(run)

    return decorate


def fan_out(task: Any, ids: Iterable[int], *args: Any) -> int:
    """Queue ``task(id, *args)`` once per id; the caller (a beat job) returns at once."""
    count = 0
    for row_id in ids:
        task.delay(row_id, *args)
        count += 1
    return count


def fan_out_per_agency(task: Any, agency_ids: Iterable[int] | None = None, *args: Any) -> int:
    """Queue ``task(agency_id, *args)`` for the given agencies (default: every agency)."""
    from agencyops.models import Agency

    if agency_ids is None:
        agency_ids = list(Agency.objects.order_by("pk").values_list("pk", flat=True))
    return fan_out(task, sorted(set(agency_ids)), *args)
