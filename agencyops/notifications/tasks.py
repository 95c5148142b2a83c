"""Celery tasks of the notification service: a notification's mail (at most once), the daily digest."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from agencyops.inbound.services import reply_headers_for_target
from agencyops.mail import Mail, mail_message, mail_render
from agencyops.models import Agency, Notification, User
from agencyops.notifications.kinds import kind_for_event
from agencyops.notifications.unsubscribe import unsubscribe_url
from agencyops.tenant_tasks import fan_out_per_agency, tenant_task


def notification_mail_render(notification: Notification) -> Mail:
    return mail_render(
        to=notification.recipient_email,
        subject=notification.subject,
        template="mail/notification",
        context={"notification": notification},
        agency=notification.agency,
    )


@tenant_task("agencyops.notifications.notification_mail_send", model=Notification)
def notification_mail_send(notification: Notification) -> bool:
    """Mail one notification unless it was mailed already (a rerun, a duplicate message) — at most one mail."""
    with transaction.atomic():
        # The lock makes a second copy of this task wait, then find mailed_at set and do nothing.
        locked = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("agency")
            .filter(pk=notification.pk, mailed_at__isnull=True)
            .first()
        )
        if locked is None:
            return False
        message = notification_mail_render(locked).as_task_args()
        # A mail about a client's request carries a recorded Message-ID and Reply-To its inbound address,
        # so the client's answer comes back to the inbox and is filed on the request.
        message["headers"] = {
            **message.get("headers", {}),
            **reply_headers_for_target(
                agency=locked.agency, target_type=locked.target_type, target_id=locked.target_id
            ),
        }
        mail_message(**message).send()
        locked.mailed_at = timezone.now()
        locked.save(update_fields=["mailed_at"])
    return True


def digest_mail_render(*, agency: Agency, user: User, items: list[Notification]) -> Mail:
    """One person's digest: the items grouped by kind, and a signed link that stops these digest mails."""
    from agencyops.notifications.services import digest_items_by_kind

    kinds = sorted({k.key for k in (kind_for_event(n.kind) for n in items) if k is not None})
    unsubscribe = unsubscribe_url(user_id=user.pk, agency_id=agency.pk, kinds=kinds)
    count = len(items)
    return mail_render(
        to=user.email,
        subject=f"{agency.name}: {count} update{'s' if count != 1 else ''} for you today",
        template="mail/digest",
        context={"groups": digest_items_by_kind(items), "unsubscribe_url": unsubscribe, "person": user},
        agency=agency,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


@tenant_task("agencyops.notifications.send_digests_for_agency", model=Agency)
def send_digests_for_agency(agency: Agency) -> int:
    """One agency's digests: one mail per person with waiting items."""
    from agencyops.notifications.services import notification_digest_send

    return notification_digest_send(agency=agency)


@shared_task(name="agencyops.notifications.send_daily_digests")
def send_daily_digests() -> int:
    """Beat job (daily): one digest task per agency with waiting digest items."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        agency_ids = Notification.objects.filter(channel="digest", digested_at__isnull=True).values_list(
            "agency_id", flat=True
        )
        return fan_out_per_agency(send_digests_for_agency, list(agency_ids))
