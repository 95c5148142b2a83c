"""Celery tasks of the approvals layer: reminders to final approvers, once per rule."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from agencyops.models import Agency
from agencyops.tenant_tasks import fan_out_per_agency, tenant_task
from approvals.models import ApprovalRequest, ApprovalStatus


def _reminder_horizon():
    return timezone.now() + timedelta(hours=settings.APPROVAL_REMINDER_HOURS_BEFORE)


@shared_task(name="approvals.tasks.send_approval_reminders")
def send_approval_reminders() -> int:
    """Beat job: queue one reminder task per agency that has requests due soon or overdue."""
    with scopes_disabled():
        agency_ids = (
            ApprovalRequest.objects.filter(status=ApprovalStatus.AWAITING_CLIENT, due_at__lte=_reminder_horizon())
            .values_list("agency_id", flat=True)
            .distinct()
        )
        return fan_out_per_agency(remind_approvers_for_agency, list(agency_ids))


@tenant_task("approvals.tasks.remind_approvers_for_agency", model=Agency)
def remind_approvers_for_agency(agency: Agency) -> int:
    """Remind the final approvers of one agency's requests before the due time and once it has passed."""
    due = ApprovalRequest.objects.filter(
        agency=agency, status=ApprovalStatus.AWAITING_CLIENT, due_at__lte=_reminder_horizon()
    ).values_list("pk", flat=True)
    return sum(_remind(request_id) for request_id in list(due))


@tenant_task("approvals.tasks.remind_approver", model=ApprovalRequest)
def remind_approver(request: ApprovalRequest) -> int:
    """Send whichever reminder is due for one request; the notification's key makes a rerun a no-op."""
    return _remind(request.pk)


def _remind(request_id: int) -> int:
    from agencyops.notifications.services import notify
    from approvals.services import format_moment

    request = (
        ApprovalRequest.objects.select_related("agency", "final_approver", "final_approver__user")
        .filter(pk=request_id, status=ApprovalStatus.AWAITING_CLIENT)
        .first()
    )
    if request is None:
        return 0
    version = request.versions.filter(sent_at__isnull=False).order_by("-number").first()
    if version is None:
        return 0
    now = timezone.now()
    overdue = now >= request.due_at
    rule = "overdue" if overdue else "before"
    when = format_moment(request.due_at, request.agency)
    body = (
        f"“{request.title}” was due for your decision on {when}. The schedule waits on it."
        if overdue
        else f"A reminder: “{request.title}” is due for your decision by {when}."
    )
    approver = request.final_approver
    sent = notify(
        agency=request.agency,
        to=approver.email,
        recipient=approver.user,
        subject=("Overdue: " if overdue else "Reminder: ") + request.title,
        body=body,
        kind=f"reminder_{rule}",
        dedupe_key=f"approval:{request.pk}:v{version.number}:reminder:{rule}",
        target=request,
        url=reverse("portal_approval", kwargs={"agency_slug": request.agency.slug, "request_id": request.pk}),
    )
    return 1 if sent else 0
