"""What every approval action relies on: who may manage approvals, the agency's local time, notifications."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction

from agencyops.inbound.services import inbound_reply_headers
from agencyops.models import Membership, User
from agencyops.permissions import require
from approvals.models import ApprovalRequest, Notification
from approvals.permissions import can_manage_approvals


def _require_planner(actor: Membership) -> None:
    require(can_manage_approvals, actor, "Only owners and coordinators can manage approvals.")


def _local(moment: datetime, agency: Any) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(agency.time_zone))


def format_moment(moment: datetime, agency: Any) -> str:
    """'Thu 14 May, 3 pm' in the agency's time zone."""
    local = _local(moment, agency)
    hour = local.strftime("%-I")
    minutes = "" if local.minute == 0 else local.strftime(":%M")
    return f"{local:%a %-d %b}, {hour}{minutes} {local.strftime('%p').lower()}"


def notify(
    *,
    agency: Any,
    to: str,
    subject: str,
    body: str,
    kind: str,
    dedupe_key: str,
    recipient: User | None = None,
    request: ApprovalRequest | None = None,
    url: str = "",
) -> Notification | None:
    """Record a notification and mail it after commit; a second call with the same key does nothing."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                agency=agency,
                recipient_email=to,
                recipient=recipient,
                kind=kind,
                subject=subject,
                body=body,
                url=url,
                approval_request=request,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return None
    full_body = body + (f"\n\n{settings.SITE_URL}{url}" if url else "")
    headers = {}
    if request is not None:
        # Recorded so that a reply (by its In-Reply-To) is filed on this request; replies go to its address.
        headers = inbound_reply_headers(
            agency=agency, target="approvals.request", target_id=request.pk, client_id=request.client_id
        )
    mail = EmailMessage(subject, full_body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers)
    transaction.on_commit(mail.send)
    return notification
