"""Celery tasks of the approvals layer: reminders to final approvers, once per rule."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from approvals.models import ApprovalRequest, ApprovalStatus


@shared_task(name="approvals.tasks.send_approval_reminders")
def send_approval_reminders() -> int:
    """Beat job: remind final approvers before the due time and once it has passed (each rule once per round)."""
    now = timezone.now()
    soon = now + timedelta(hours=settings.APPROVAL_REMINDER_HOURS_BEFORE)
    with scopes_disabled():
        due = list(
            ApprovalRequest.objects.filter(
                status=ApprovalStatus.AWAITING_CLIENT, due_at__lte=soon
            ).values_list("pk", "agency_id")
        )
    return sum(remind_approver(request_id, agency_id) for request_id, agency_id in due)


@shared_task(name="approvals.tasks.remind_approver")
def remind_approver(request_id: int, agency_id: int) -> int:
    """Send whichever reminder is due for one request; the notification's key makes a rerun a no-op."""
    from approvals.services import format_moment, notify

    with scope(agency=agency_id):
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
            request=request,
            url=reverse(
                "portal_approval", kwargs={"agency_slug": request.agency.slug, "request_id": request.pk}
            ),
        )
        return 1 if sent else 0
