"""Time logged against tasks: typed-in minutes, start/stop timers, edits with history, cost rates, retainers.

Every change writes a TimeEntryRevision (append-only), so "who changed these hours and when" is a query.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencyops.models import Membership
from agencyops.permissions import can_lead_work, is_agency_member, is_owner, require
from projects.calendars import agency_today
from projects.models import (
    MemberCostRate,
    Project,
    Task,
    TaskCategory,
    TimeEntry,
    TimeEntryAction,
    TimeEntryRevision,
)

MAX_MINUTES = 24 * 60
MAX_NOTE = 300


def _revise(entry: TimeEntry, action: str, actor: Membership) -> None:
    TimeEntryRevision.objects.create(
        agency_id=entry.agency_id,
        entry=entry,
        action=action,
        work_date=entry.work_date,
        minutes=entry.minutes,
        note=entry.note,
        changed_by=actor,
    )


def _check(*, actor: Membership, minutes: int, work_date: dt.date, note: str) -> None:
    errors: dict[str, str] = {}
    if not 1 <= minutes <= MAX_MINUTES:
        errors["minutes"] = "Log between 1 minute and 24 hours."
    if work_date > agency_today(actor.agency):
        errors["work_date"] = "Time is logged for today or earlier."
    if len(note) > MAX_NOTE:
        errors["note"] = f"Keep the note under {MAX_NOTE} characters."
    if errors:
        raise ValidationError(errors)


def _may_change(actor: Membership, entry: TimeEntry) -> None:
    if entry.member_id != actor.pk and not can_lead_work(actor):
        raise ValidationError("Only the person who logged the time, or a coordinator, can change it.")
    if entry.deleted_at is not None:
        raise ValidationError("This entry was removed.")


@transaction.atomic
def time_entry_log(
    *, actor: Membership, task: Task, minutes: int, work_date: dt.date | None = None, note: str = ""
) -> TimeEntry:
    """Log minutes spent on a task (with a note), for today unless another day is given."""
    require(is_agency_member, actor, "Only the agency's team logs time.")
    work_date = work_date or agency_today(actor.agency)
    note = note.strip()
    _check(actor=actor, minutes=minutes, work_date=work_date, note=note)
    entry = TimeEntry.objects.create(
        agency_id=actor.agency_id,
        task=task,
        project_id=task.project_id,
        client_id=task.project.client_id,
        member=actor,
        work_date=work_date,
        minutes=minutes,
        note=note,
    )
    _revise(entry, TimeEntryAction.LOGGED, actor)
    return entry


def _stop(entry: TimeEntry, actor: Membership, now: dt.datetime) -> TimeEntry:
    assert entry.timer_started_at is not None
    elapsed = (now - entry.timer_started_at).total_seconds()
    entry.minutes = min(MAX_MINUTES, max(1, math.ceil(elapsed / 60)))
    entry.timer_started_at = None
    entry.save(update_fields=["minutes", "timer_started_at"])
    _revise(entry, TimeEntryAction.TIMER_STOPPED, actor)
    return entry


@transaction.atomic
def time_timer_start(*, actor: Membership, task: Task, note: str = "") -> TimeEntry:
    """Start a timer on a task; a timer already running on another task stops first (one at a time)."""
    require(is_agency_member, actor, "Only the agency's team logs time.")
    now = timezone.now()
    running = TimeEntry.objects.select_for_update().filter(
        member=actor, timer_started_at__isnull=False, deleted_at__isnull=True
    )
    for entry in running:
        if entry.task_id == task.pk:
            return entry
        _stop(entry, actor, now)
    entry = TimeEntry.objects.create(
        agency_id=actor.agency_id,
        task=task,
        project_id=task.project_id,
        client_id=task.project.client_id,
        member=actor,
        work_date=agency_today(actor.agency),
        minutes=0,
        note=note.strip()[:MAX_NOTE],
        timer_started_at=now,
    )
    _revise(entry, TimeEntryAction.TIMER_STARTED, actor)
    return entry


@transaction.atomic
def time_timer_stop(*, actor: Membership, entry: TimeEntry) -> TimeEntry:
    """Stop a running timer: its minutes are the time since it started (at least one, at most a day)."""
    entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    _may_change(actor, entry)
    if entry.timer_started_at is None:
        raise ValidationError("This timer is not running.")
    return _stop(entry, actor, timezone.now())


@transaction.atomic
def time_entry_edit(
    *, actor: Membership, entry: TimeEntry, minutes: int, work_date: dt.date, note: str
) -> TimeEntry:
    """Correct an entry; the earlier state stays in its history."""
    entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    _may_change(actor, entry)
    if entry.timer_started_at is not None:
        raise ValidationError("Stop the timer before editing the entry.")
    note = note.strip()
    _check(actor=actor, minutes=minutes, work_date=work_date, note=note)
    entry.minutes, entry.work_date, entry.note = minutes, work_date, note
    entry.save(update_fields=["minutes", "work_date", "note"])
    _revise(entry, TimeEntryAction.EDITED, actor)
    return entry


@transaction.atomic
def time_entry_delete(*, actor: Membership, entry: TimeEntry) -> TimeEntry:
    """Remove an entry from the totals; the row and its history stay."""
    entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    _may_change(actor, entry)
    entry.deleted_at = timezone.now()
    entry.timer_started_at = None
    entry.save(update_fields=["deleted_at", "timer_started_at"])
    _revise(entry, TimeEntryAction.DELETED, actor)
    return entry


@transaction.atomic
def task_category_set(*, actor: Membership, task: Task, category: str) -> Task:
    """Say what kind of work a task is (production, review, reporting, …)."""
    require(can_lead_work, actor, "Only owners and coordinators change a task's category.")
    if category and category not in TaskCategory.values:
        raise ValidationError({"category": "Choose one of the task categories."})
    task.category = category
    task.save(update_fields=["category", "updated_at"])
    return task


@transaction.atomic
def member_cost_rate_set(
    *, actor: Membership, membership: Membership, hourly_cost: Decimal, currency: str
) -> MemberCostRate:
    """What an hour of this person costs: owners only, because margins are theirs to see."""
    require(is_owner, actor, "Only owners see and set cost rates.")
    if membership.agency_id != actor.agency_id:
        raise ValidationError("Choose someone on your team.")
    if hourly_cost < 0 or len(currency.strip()) != 3:
        raise ValidationError("Give the hourly cost as a positive amount and a currency such as USD.")
    rate, _ = MemberCostRate.objects.update_or_create(
        agency_id=actor.agency_id,
        membership=membership,
        defaults={"hourly_cost": hourly_cost, "currency": currency.strip().upper(), "updated_by": actor},
    )
    return rate


@transaction.atomic
def project_retainer_terms_set(
    *,
    actor: Membership,
    project: Project,
    included_hours: Decimal | None,
    monthly_fee: Decimal | None,
    currency: str,
) -> Project:
    """A retainer's monthly hours and fee, so each month shows hours used against included."""
    require(can_lead_work, actor, "Only owners and coordinators set retainer terms.")
    if (included_hours is not None and included_hours < 0) or (monthly_fee is not None and monthly_fee < 0):
        raise ValidationError("Hours and fee cannot be negative.")
    if monthly_fee is not None and len(currency.strip()) != 3:
        raise ValidationError({"currency": "Give the fee's currency (e.g. USD)."})
    project.retainer_included_hours = included_hours
    project.retainer_monthly_fee = monthly_fee
    project.retainer_fee_currency = currency.strip().upper()
    project.save(update_fields=["retainer_included_hours", "retainer_monthly_fee", "retainer_fee_currency"])
    return project
