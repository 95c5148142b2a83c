"""Celery tasks of the approvals layer: reminders to final approvers, once per rule."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agencyops.models import Agency
from agencyops.tenant_tasks import fan_out_per_agency, tenant_task
from approvals.models import ApprovalRequest, ApprovalStatus

logger = logging.getLogger(__name__)


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


# A PDF's pages render within these limits: the soft one stops the render cleanly, the hard one ends the
# worker child if it does not stop. Pixels per page are bounded by PDF_PAGE_MAX_PIXELS (approvals.files).
RENDER_SOFT_SECONDS = 120
RENDER_HARD_SECONDS = 150


@shared_task(
    name="approvals.tasks.render_version_pages",
    soft_time_limit=RENDER_SOFT_SECONDS,
    time_limit=RENDER_HARD_SECONDS,
    acks_late=True,
)
def render_version_pages(version_id: int, agency_id: int) -> int:
    """Render a stored PDF version's pages for pinning, or a large image's bounded preview for reviewers;
    a missing version or one already rendered is a no-op."""
    from celery.exceptions import SoftTimeLimitExceeded

    from approvals.files import render_image_preview, render_pdf_pages
    from approvals.models import AssetVersion, VersionKind
    from approvals.services import version_pages_store

    with scope(agency=agency_id):
        version = AssetVersion.objects.filter(pk=version_id, kind__in=[VersionKind.PDF, VersionKind.IMAGE]).first()
        if version is None or not version.file or version.pages.exists():
            return 0
        with version.file.open("rb") as handle:
            data = handle.read()
        try:
            pages = render_pdf_pages(data) if version.kind == VersionKind.PDF else [render_image_preview(data)]
        except SoftTimeLimitExceeded:
            logger.warning("Rendering the pages of version %s took too long; left unrendered", version_id)
            return 0
        return version_pages_store(version=version, pages=pages)


@shared_task(name="approvals.tasks.render_pending_pages")
def render_pending_pages() -> int:
    """Beat job: PDF versions whose rendering was never queued (the broker was down) or was lost get queued."""
    from approvals.models import AssetVersion, VersionKind

    settled = timezone.now() - timedelta(minutes=2)
    with scopes_disabled():
        pending = list(
            AssetVersion.objects.filter(kind=VersionKind.PDF, pages__isnull=True, created_at__lte=settled)
            .values_list("pk", "agency_id")
            .distinct()
        )
    for version_id, agency_id in pending:
        render_version_pages.delay(version_id, agency_id)
    return len(pending)
