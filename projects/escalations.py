"""Escalations: storing what the risk scan finds (one row per distinct risk) and what people do about it.

The rules themselves are pure (projects/risks/); this module keeps their results in step with the
database: new risks are opened, returning ones reopened, vanished ones resolved with the time they
cleared, and every step is an append-only event.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from agencyops import dates
from agencyops.model_rows import model_loader
from agencyops.models import Membership, Role
from agencyops.permissions import require
from agencyops.planned_sql import planned_batches, planned_cursor
from projects.calendars import agency_today
from projects.models import ESCALATION_OPEN_STATES, Escalation, EscalationEvent, EscalationState
from projects.permissions import can_manage_escalation


def _require_lead(actor: Membership) -> None:
    require(can_manage_escalation, actor, "Only owners and coordinators handle escalations.")


def _event(
    escalation: Escalation, action: str, actor: Membership | None = None, note: str = ""
) -> EscalationEvent:
    return EscalationEvent(
        agency_id=escalation.agency_id, escalation=escalation, action=action, actor=actor, note=note
    )


@transaction.atomic
def escalation_acknowledge(*, actor: Membership, escalation: Escalation, note: str = "") -> Escalation:
    """Someone has seen it and is on it; it stays listed until its cause clears or it is resolved."""
    _require_lead(actor)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if not escalation.is_open:
        raise ValidationError("This escalation is resolved.")
    escalation.state = EscalationState.ACKNOWLEDGED
    escalation.save(update_fields=["state"])
    _event(escalation, "acknowledged", actor, note.strip()).save()
    return escalation


@transaction.atomic
def escalation_assign(
    *, actor: Membership, escalation: Escalation, assignee: Membership | None
) -> Escalation:
    """Give the escalation to someone on the team to act on."""
    _require_lead(actor)
    if assignee is not None and (assignee.agency_id != actor.agency_id or not assignee.is_active):
        raise ValidationError({"assignee": "Choose someone on your team."})
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    escalation.assignee = assignee
    escalation.save(update_fields=["assignee"])
    _event(escalation, "assigned", actor, assignee.user.full_name if assignee else "Unassigned").save()
    return escalation


@transaction.atomic
def escalation_snooze(
    *, actor: Membership, escalation: Escalation, until: date | None, note: str = ""
) -> Escalation:
    """Hide it from the lists until a date; it comes back then if the cause is still there."""
    _require_lead(actor)
    if until is None or until <= agency_today(actor.agency):
        raise ValidationError({"until": "Snooze until a day after today."})
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if not escalation.is_open:
        raise ValidationError("This escalation is resolved.")
    escalation.state = EscalationState.SNOOZED
    escalation.snoozed_until = until
    escalation.save(update_fields=["state", "snoozed_until"])
    _event(escalation, "snoozed", actor, f"Until {until:%a %-d %b}. {note.strip()}".strip()).save()
    return escalation


@transaction.atomic
def escalation_resolve(*, actor: Membership, escalation: Escalation, note: str) -> Escalation:
    """Close it by hand with a note saying what was done. If the scan finds the risk again, it reopens."""
    _require_lead(actor)
    if not note.strip():
        raise ValidationError({"note": "Say how it was resolved."})
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if not escalation.is_open:
        raise ValidationError("This escalation is already resolved.")
    escalation.state = EscalationState.RESOLVED
    escalation.resolved_at = timezone.now()
    escalation.save(update_fields=["state", "resolved_at"])
    _event(escalation, "resolved", actor, note.strip()).save()
    return escalation


@dataclass(frozen=True)
class Found:
    """One risk as a scan found it, ready to store."""

    project_id: int | None
    rule: str
    fingerprint: str
    severity: str
    section: str
    message: str
    facts: dict[str, Any]
    task_id: int | None = None


@dataclass(frozen=True)
class SyncResult:
    opened: list[Escalation]
    reopened: list[Escalation]
    updated: int
    cleared: int


def escalations_sync(
    *, agency_id: int, found: Iterable[Found], today: date, meanwhile: Callable[[], None] | None = None
) -> SyncResult:
    """Bring the agency's stored escalations in line with what a full scan found; writes only changes.

    ``meanwhile`` is called once, while PostgreSQL writes the escalations the scan opens (or before the
    other writes when it opens none): the caller's work that can go on in the meantime."""
    now = timezone.now()
    found_by_key = {f.fingerprint: f for f in found}
    # The rows a scan can change: those it found (open, snoozed or resolved) and the open ones it no longer
    # finds. Resolved history it does not find again stays unread, however long the agency's history grows.
    columns, load = _stored_loader()
    with planned_cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {Escalation._meta.db_table} e WHERE e.agency_id = %(agency)s "
            "AND (e.fingerprint = ANY(%(found)s) OR e.state = ANY(%(open)s))",
            {"agency": agency_id, "found": list(found_by_key), "open": _OPEN_STATES},
        )
        existing = {row.fingerprint: row for row in map(load, cursor.fetchall())}
    new_items, reopened, changed, events = [], [], [], []
    for key, item in found_by_key.items():
        row = existing.get(key)
        if row is None:
            new_items.append(item)
            continue
        dirty = False
        if (row.message, row.facts, row.severity, row.section) != (
            item.message,
            item.facts,
            item.severity,
            item.section,
        ):
            row.message, row.facts, row.severity, row.section = (
                item.message,
                item.facts,
                item.severity,
                item.section,
            )
            dirty = True
            events.append(_event(row, "updated", note=item.message))
        if row.state == EscalationState.RESOLVED:
            row.state, row.cleared_at, row.resolved_at, row.notified_at = (
                EscalationState.OPEN,
                None,
                None,
                None,
            )
            reopened.append(row)
            events.append(_event(row, "reopened", note="The scan found this risk again."))
            dirty = True
        elif row.state == EscalationState.SNOOZED and row.snoozed_until and row.snoozed_until <= today:
            row.state, row.snoozed_until = EscalationState.OPEN, None
            events.append(_event(row, "woke", note="Snooze ended and the risk is still there."))
            dirty = True
        if dirty:
            row.last_seen_at = now
            changed.append(row)
    cleared = 0
    for key, row in existing.items():
        if key not in found_by_key and row.is_open:
            row.state, row.cleared_at, row.resolved_at = EscalationState.RESOLVED, now, now
            events.append(_event(row, "cleared", note="The scan no longer finds this risk."))
            changed.append(row)
            cleared += 1
    created = _escalations_open(agency_id=agency_id, items=new_items, now=now, meanwhile=meanwhile)
    if changed:
        Escalation.objects.bulk_update(
            changed,
            [
                "message",
                "facts",
                "severity",
                "section",
                "state",
                "cleared_at",
                "resolved_at",
                "snoozed_until",
                "notified_at",
                "last_seen_at",
            ],
        )
    if events:
        EscalationEvent.objects.bulk_create(events)
    return SyncResult(opened=created, reopened=reopened, updated=len(changed) - cleared, cleared=cleared)


def _escalations_open(
    *, agency_id: int, items: list[Found], now: datetime, meanwhile: Callable[[], None] | None
) -> list[Escalation]:
    """Store newly found risks as open escalations, each with its "found" event, in one statement.

    The rows travel as one JSON document that the database unpacks: an agency's first scan opens hundreds
    of escalations, and bulk_create's per-value preparation (every field of every row, and the text of each
    array element escaped in Python) cost more than the rules that found them. The statement is sent
    before the rows the caller gets back are built, and PostgreSQL writes while they are."""
    if not items:
        if meanwhile is not None:
            meanwhile()
        return []
    rows = json.dumps(
        [
            {
                "project": item.project_id,
                "rule": item.rule,
                "fingerprint": item.fingerprint,
                "severity": item.severity,
                "section": item.section,
                "task": item.task_id,
                "message": item.message,
                "facts": item.facts,
            }
            for item in items
        ]
    )
    with planned_batches() as pipeline:
        opened = pipeline.send(
            [
                (
                    _open_sql(),
                    {"rows": rows, "agency": agency_id, "state": EscalationState.OPEN.value, "now": now},
                )
            ]
        )
        # As the ORM builds the rows it reads (every column at once); the columns left empty are None, as
        # stored. Their ids come from the statement.
        escalation = Escalation._meta
        columns = [field.attname for field in escalation.concrete_fields]
        created = {}
        for item in items:
            stored = {
                "agency_id": agency_id,
                "project_id": item.project_id,
                "rule": item.rule,
                "fingerprint": item.fingerprint,
                "severity": item.severity,
                "section": item.section,
                "task_id": item.task_id,
                "message": item.message,
                "facts": item.facts,
                "state": EscalationState.OPEN.value,
                "first_seen_at": now,
                "last_seen_at": now,
            }
            created[item.fingerprint] = Escalation.from_db(
                DEFAULT_DB_ALIAS, columns, [stored.get(name) for name in columns]
            )
        if meanwhile is not None:
            meanwhile()
        [ids] = opened.rows()
    for pk, fingerprint in ids:
        created[fingerprint].pk = pk
    return list(created.values())


_OPEN_STATES = [state.value for state in ESCALATION_OPEN_STATES]


@cache
def _stored_loader() -> tuple[str, Callable[[Sequence[Any]], Escalation]]:
    """A stored escalation's columns and how a row of them becomes one, as the ORM builds it: the scan's
    read of what it can change is a prepared statement, which the ORM's compiling cost several times over
    at a small agency's size."""
    columns, load = model_loader(Escalation, "e")
    return columns, cast(Callable[[Sequence[Any]], Escalation], load)


@cache
def _open_sql() -> str:
    escalation, event = Escalation._meta, EscalationEvent._meta
    column = {f.name: f.column for f in escalation.concrete_fields}
    written = ("project", "rule", "fingerprint", "severity", "section", "task", "message", "facts")
    return f"""
        WITH found AS (
            SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS found(
                project bigint, rule text, fingerprint text, severity text, section text, task bigint,
                message text, facts jsonb
            )
        ), opened AS (
            INSERT INTO {escalation.db_table} (
                {column["agency"]}, {", ".join(column[name] for name in written)},
                {column["state"]}, {column["first_seen_at"]}, {column["last_seen_at"]}
            )
            SELECT %(agency)s, {", ".join(f"found.{name}" for name in written)}, %(state)s, %(now)s, %(now)s
            FROM found
            RETURNING {column["id"]}, {column["fingerprint"]}
        ), noted AS (
            INSERT INTO {event.db_table} ({event.get_field("agency").column},
                {event.get_field("escalation").column}, {event.get_field("action").column},
                {event.get_field("note").column}, {event.get_field("at").column})
            SELECT %(agency)s, opened.{column["id"]}, 'found', found.message, %(now)s
            FROM opened JOIN found ON found.fingerprint = opened.{column["fingerprint"]}
        )
        SELECT {column["id"]}, {column["fingerprint"]} FROM opened
        """


def _leads(agency: Any, project: Any | None) -> list[Membership]:
    owners = list(
        Membership.objects.filter(agency=agency, role=Role.OWNER, is_active=True).select_related("user")
    )
    coordinator = project.coordinator if project is not None else None
    if coordinator is not None and coordinator.is_active and coordinator.pk not in {m.pk for m in owners}:
        owners.append(coordinator)
    return owners


def escalations_notify(*, agency: Any, escalations: Iterable[Escalation]) -> int:
    """Mail new high-severity escalations to the project's coordinator and the owners, once per escalation."""
    from django.urls import reverse

    from agencyops.notifications.services import notify

    sent = 0
    now = timezone.now()
    for escalation in escalations:
        if escalation.severity != "high" or escalation.notified_at is not None:
            continue
        project = (
            Escalation.objects.select_related("project__coordinator__user").get(pk=escalation.pk).project
        )
        url = reverse("escalation_list", kwargs={"agency_slug": agency.slug})
        for lead in _leads(agency, project):
            if notify(
                agency=agency,
                to=lead.user.email,
                recipient=lead.user,
                kind="escalation",
                subject=f"Needs attention: {project.name if project else agency.name}",
                body=escalation.message,
                dedupe_key=f"escalation:{escalation.pk}:{lead.pk}",
                url=url,
            ):
                sent += 1
        Escalation.objects.filter(pk=escalation.pk).update(notified_at=now)
    return sent


def escalation_digest_send(*, agency: Any) -> int:
    """One mail a day to each owner listing the open escalations, worst first."""
    from django.urls import reverse

    from agencyops.notifications.services import notify

    today = agency_today(agency)
    open_rows = list(
        Escalation.objects.filter(state__in=[EscalationState.OPEN, EscalationState.ACKNOWLEDGED])
        .select_related("project")
        .order_by("severity", "-last_seen_at")
    )
    if not open_rows:
        return 0
    order = {"high": 0, "medium": 1, "low": 2}
    open_rows.sort(key=lambda e: (order.get(e.severity, 3), e.project.name if e.project else ""))
    lines = [
        f"- [{e.get_severity_display()}] {e.project.name + ': ' if e.project else ''}{e.message}"
        for e in open_rows
    ]
    body = (
        f"{len(open_rows)} open escalation{'s' if len(open_rows) != 1 else ''} at {agency.name}:\n\n"
        + "\n".join(lines)
    )
    url = reverse("escalation_list", kwargs={"agency_slug": agency.slug})
    sent = 0
    for owner in _leads(agency, None):
        if notify(
            agency=agency,
            to=owner.user.email,
            recipient=owner.user,
            kind="escalation_digest",
            subject=f"Daily risks digest, {dates.short_date(today)}",
            body=body,
            dedupe_key=f"digest:{today.isoformat()}:{owner.pk}",
            url=url,
        ):
            sent += 1
    return sent
