"""Every write of the notification service: telling a person (routed by their preferences), read marks,
preferences, and the daily digest."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, OuterRef, Subquery
from django.utils import timezone
from django_scopes import scope

from agencyops.mail import mail_queue, queue_on_commit
from agencyops.models import (
    Agency,
    ClientContact,
    Membership,
    Notification,
    NotificationPreference,
    User,
)
from agencyops.notifications.kinds import CLIENT_CONTACT, KINDS, Channel, channel_for, kind_for_event


def _role_and_choice(agency: Agency, recipient: User | None, event: str) -> tuple[str | None, str | None]:
    """Who the recipient is to the agency (a role, a client contact, or nobody) and their stored choice."""
    if recipient is None:
        return None, None
    kind = kind_for_event(event)
    chosen = NotificationPreference.objects.filter(
        agency=agency, user=OuterRef("user"), kind=kind.key if kind else ""
    ).values("channel")[:1]
    seat = (
        Membership.objects.filter(agency=agency, user=recipient, is_active=True)
        .annotate(chosen=Subquery(chosen))
        .values_list("role", "chosen")
        .first()
    )
    if seat is not None:
        return seat
    contact = (
        ClientContact.objects.filter(agency=agency, user=recipient, is_active=True)
        .annotate(chosen=Subquery(chosen))
        .values_list("chosen", flat=True)
    )
    for choice in contact[:1]:
        return CLIENT_CONTACT, choice
    return None, None


def notify(
    *,
    agency: Agency,
    to: str,
    subject: str,
    body: str,
    kind: str,
    dedupe_key: str,
    recipient: User | None = None,
    target: Model | None = None,
    url: str = "",
) -> Notification | None:
    """Tell a person about an event the way they chose (in the app, mail now, daily digest, or not at all).

    The (agency, dedupe_key) pair is unique: a second call with the same key (a task that ran twice)
    stores and sends nothing. Mail leaves only after commit, from a worker.
    """
    from agencyops.notifications.tasks import notification_mail_send

    role, chosen = _role_and_choice(agency, recipient, kind)
    channel = channel_for(event=kind, role=role, chosen=chosen)
    if channel == Channel.OFF:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                agency=agency,
                recipient_email=to,
                recipient=recipient,
                kind=kind,
                subject=subject[:200],
                body=body,
                url=url[:300],
                target_type=target._meta.label_lower if target is not None else "",
                target_id=target.pk if target is not None else None,
                dedupe_key=dedupe_key[:160],
                channel=channel.value,
            )
    except IntegrityError:
        return None
    if channel == Channel.MAIL:
        queue_on_commit(notification_mail_send, row_id=notification.pk)
    return notification


def _own(membership: Membership) -> Any:
    return Notification.objects.filter(agency=membership.agency, recipient_id=membership.user_id)


@transaction.atomic
def notification_mark_read(*, membership: Membership, notification_id: int) -> Notification:
    """Mark one of the caller's own notifications read; anyone else's is a 404 (Notification.DoesNotExist)."""
    notification = _own(membership).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, membership: Membership) -> int:
    """Mark every unread notification of the caller in this agency read; returns how many."""
    return _own(membership).filter(read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, agency: Agency, user: User, choices: dict[str, str]) -> None:
    """Store a person's channel per kind of event in one agency (unknown kinds or channels are refused)."""
    errors = {
        key: f"“{value}” is not a way to be told."
        for key, value in choices.items()
        if value not in {c.value for c in Channel}
    }
    errors |= {key: "No such kind of event." for key in choices if key not in KINDS}
    if errors:
        raise ValidationError(errors)
    for key, value in choices.items():
        NotificationPreference.objects.update_or_create(
            agency=agency, user=user, kind=key, defaults={"channel": value}
        )


def notification_digest_send(*, agency: Agency) -> int:
    """Mail each person their waiting digest items in one mail; each item goes in one digest only."""
    from agencyops.notifications.tasks import digest_mail_render

    recipients = (
        Notification.objects.filter(agency=agency, channel=Channel.DIGEST, digested_at__isnull=True)
        .exclude(recipient=None)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for user_id in list(recipients):
        with transaction.atomic():
            # Locked and marked in one transaction: a second digest run at the same time skips these rows.
            items = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(agency=agency, recipient_id=user_id, channel=Channel.DIGEST, digested_at__isnull=True)
                .order_by("created_at", "pk")
            )
            if not items:
                continue
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(digested_at=timezone.now())
            mail_queue(digest_mail_render(agency=agency, user=items[0].recipient, items=items))
            sent += 1
    return sent


def digest_items_by_kind(items: list[Notification]) -> dict[str, list[Notification]]:
    grouped: dict[str, list[Notification]] = defaultdict(list)
    for item in items:
        kind = kind_for_event(item.kind)
        grouped[kind.label if kind else "Other"].append(item)
    return dict(grouped)


@transaction.atomic
def notification_unsubscribe(*, user_id: int, agency_id: int, kinds: tuple[str, ...]) -> list[str]:
    """From a signed digest link: those kinds move to in-app only. Returns the kinds' labels."""
    user = User.objects.filter(pk=user_id).first()
    agency = Agency.objects.filter(pk=agency_id).first()
    known = [k for k in kinds if k in KINDS]
    if user is None or agency is None or not known:
        return []
    with scope(agency=agency.pk):
        notification_preferences_set(
            agency=agency, user=user, choices=dict.fromkeys(known, Channel.IN_APP.value)
        )
    return [KINDS[k].label for k in known]
