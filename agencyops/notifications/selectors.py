"""Reads of the notification service: the bell's count, the notification centre, a person's preferences."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q

from agencyops.models import Agency, Membership, Notification, NotificationPreference
from agencyops.notifications.kinds import CHANNEL_LABELS, KINDS, Channel, Kind

NOTIFICATIONS_PER_PAGE = 30


@dataclass(frozen=True)
class DayGroup:
    """The notifications of one day (in the agency's time zone), in one of the page's two parts."""

    day: date
    unread: bool
    notifications: list[Notification]


def notifications_page(membership: Membership, page_number: str | int | None) -> tuple[Page, list[DayGroup]]:
    """The caller's notifications in this agency, unread first then newest first, grouped by day."""
    rows = (
        Notification.objects.filter(agency=membership.agency, recipient_id=membership.user_id)
        .annotate(is_read=ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField()))
        .order_by("is_read", "-created_at", "-pk")
    )
    page = Paginator(rows, NOTIFICATIONS_PER_PAGE).get_page(page_number)
    zone = zoneinfo.ZoneInfo(membership.agency.time_zone)
    groups: list[DayGroup] = []
    for notification in page.object_list:
        day = notification.created_at.astimezone(zone).date()
        unread = notification.read_at is None
        if not groups or groups[-1].day != day or groups[-1].unread != unread:
            groups.append(DayGroup(day=day, unread=unread, notifications=[]))
        groups[-1].notifications.append(notification)
    return page, groups


@dataclass(frozen=True)
class PreferenceRow:
    kind: Kind
    channel: Channel
    is_default: bool


def notification_preferences_for(membership: Membership) -> list[PreferenceRow]:
    """Every kind of event with the person's channel for it (their own choice or their role's default)."""
    return notification_preferences_of(
        agency=membership.agency, user_id=membership.user_id, role=membership.role
    )


def notification_preferences_of(*, agency: Agency, user_id: int, role: str) -> list[PreferenceRow]:
    """Every kind of event with this person's channel for it in the agency (``role`` gives the defaults)."""
    chosen = dict(
        NotificationPreference.objects.filter(agency=agency, user_id=user_id).values_list("kind", "channel")
    )
    return [
        PreferenceRow(
            kind=kind,
            channel=Channel(chosen[key]) if key in chosen else kind.default_for(role),
            is_default=key not in chosen,
        )
        for key, kind in KINDS.items()
    ]


CHANNEL_CHOICES = [(channel.value, label) for channel, label in CHANNEL_LABELS.items()]
