"""Every write of the approvals layer: requests, versions, comments, decisions, the log, change requests.

A final decision locks its request row, so two clicks at once produce exactly one decision and one
log entry (the database's one-final-decision-per-round constraint backs this up). Mail leaves only
after the transaction commits.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from agencyops.models import ClientContact, Membership, Role, User
from agencyops.permissions import can_manage_approvals, require
from approvals.files import check_upload
from approvals.models import (
    ApprovalRequest,
    ApprovalStatus,
    AssetVersion,
    ChangeRequest,
    ChangeRequestDecision,
    ChangeRequestVerdict,
    Comment,
    DecisionLogEntry,
    FeedbackSource,
    LogSource,
    Notification,
    ReviewerDecision,
    Scope,
    Verdict,
    VersionKind,
    VersionPage,
)
from projects import services as project_services
from projects.calendars import agency_calendar
from projects.models import DeadlineChangeCause, Project, Task, TaskStatus

CAPTURE_SOURCES = (FeedbackSource.EMAIL, FeedbackSource.CALL, FeedbackSource.MEETING, FeedbackSource.CHAT)


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


# --------------------------------------------------------------------------- notifications


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
    transaction.on_commit(lambda: send_mail(subject, full_body, settings.DEFAULT_FROM_EMAIL, [to]))
    return notification


# --------------------------------------------------------------------------- requests and versions


def _store_version(
    *,
    actor: Membership,
    request: ApprovalRequest,
    kind: str,
    upload: Any = None,
    text: str = "",
    notes: str = "",
) -> AssetVersion:
    if kind == VersionKind.TEXT:
        if not text.strip():
            raise ValidationError({"text": "Paste the copy to approve."})
        checked = None
    else:
        checked = check_upload(upload)
    number = (request.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = AssetVersion(
        agency=request.agency,
        request=request,
        number=number,
        kind=checked.kind if checked else VersionKind.TEXT,
        text=text.strip() if not checked else "",
        notes=notes.strip(),
        uploaded_by=actor,
    )
    if checked:
        upload.seek(0)
        version.original_name = getattr(upload, "name", "")[:255]
        version.size_bytes = upload.size
        version.width, version.height = checked.width, checked.height
        version.file.save(version.original_name or f"v{number}", upload, save=False)
    version.save()
    if checked and checked.pages:
        for index, (png, width, height) in enumerate(checked.pages, start=1):
            page = VersionPage(
                agency=request.agency, version=version, number=index, width=width, height=height
            )
            page.image.save(f"v{number}-p{index}.png", ContentFile(png), save=False)
            page.save()
    return version


@transaction.atomic
def approval_request_create(
    *,
    actor: Membership,
    project: Project,
    title: str,
    final_approver: ClientContact,
    scopes: list[str],
    due_at: datetime | None,
    scope_notes: str = "",
    deliverable: str = "",
    after_approval: str = "",
    task: Task | None = None,
    internal_approver: Membership | None = None,
    kind: str = VersionKind.TEXT,
    upload: Any = None,
    text: str = "",
) -> ApprovalRequest:
    """Prepare an approval request with its first version: who approves, what exactly, by when, what follows."""
    _require_planner(actor)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Say what is being approved."
    if final_approver.client_id != project.client_id or not final_approver.is_active:
        errors["final_approver"] = f"Choose a contact at {project.client.name} as the final approver."
    unknown = [s for s in scopes if s not in Scope.values]
    if not scopes or unknown:
        errors["scopes"] = "Choose what is being approved: copy, design, strategy, budget or timing."
    if due_at is None:
        errors["due_at"] = "Say when feedback is due."
    elif due_at <= timezone.now():
        errors["due_at"] = "Feedback cannot be due in the past."
    if task is not None and task.project_id != project.pk:
        errors["task"] = "Choose a task of this project."
    if internal_approver is not None and (
        internal_approver.agency_id != actor.agency_id or not internal_approver.is_active
    ):
        errors["internal_approver"] = "Choose someone on your team."
    if errors:
        raise ValidationError(errors)
    request = ApprovalRequest.objects.create(
        agency=actor.agency,
        project=project,
        client=project.client,
        task=task,
        title=title.strip(),
        deliverable=(deliverable or title).strip(),
        final_approver=final_approver,
        scopes=list(dict.fromkeys(scopes)),
        scope_notes=scope_notes.strip(),
        due_at=due_at,
        after_approval=(after_approval or actor.agency.approval_terms).strip(),
        internal_approver=internal_approver,
        created_by=actor,
    )
    _store_version(actor=actor, request=request, kind=kind, upload=upload, text=text)
    return request


def rounds_included(request: ApprovalRequest) -> int:
    return request.project.revision_rounds_included


@dataclass(frozen=True)
class SendCheck:
    """What sending the current version means: which revision round it is and whether it is beyond budget."""

    version: AssetVersion
    revision_round: int
    included: int

    @property
    def beyond_budget(self) -> bool:
        return self.revision_round > self.included

    @property
    def label(self) -> str:
        if self.revision_round == 0:
            return "First round"
        return f"Revision round {self.revision_round} of {self.included} included"


def approval_send_check(request: ApprovalRequest) -> SendCheck:
    """Flag a revision round beyond the project's budget before it is sent."""
    version = request.versions.order_by("-number").first()
    if version is None:
        raise ValidationError("Add a version before sending.")
    return SendCheck(
        version=version, revision_round=version.revision_round, included=rounds_included(request)
    )


@transaction.atomic
def approval_request_send(
    *,
    actor: Membership,
    request: ApprovalRequest,
    accept_change_request: bool = False,
    extra_cost: Decimal | int = 0,
) -> ApprovalRequest:
    """Send the current version to the client. A round beyond budget needs confirming and creates a change request."""
    _require_planner(actor)
    return _send(
        actor=actor, request=request, accept_change_request=accept_change_request, extra_cost=extra_cost
    )


def _send(
    *, actor: Membership, request: ApprovalRequest, accept_change_request: bool, extra_cost: Decimal | int
) -> ApprovalRequest:
    # The role check stays in approval_request_send: an internal approver (often a member) sends by signing off.
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (
        ApprovalStatus.DRAFT,
        ApprovalStatus.AWAITING_INTERNAL,
        ApprovalStatus.CHANGES_REQUESTED,
    ):
        raise ValidationError(
            f"This request is {request.get_status_display().lower()}; it cannot be sent now."
        )
    check = approval_send_check(request)
    if check.version.sent_at is not None:
        raise ValidationError("This version was already sent; upload a new version for the next round.")
    if request.internal_approver_id and request.internal_signed_off_at is None:
        request.status = ApprovalStatus.AWAITING_INTERNAL
        request.save(update_fields=["status"])
        notify(
            agency=request.agency,
            to=request.internal_approver.user.email,
            recipient=request.internal_approver.user,
            subject=f"Sign-off needed: {request.title}",
            body=f"{actor.user.full_name} needs your sign-off on “{request.title}” before it goes to {request.client.name}.",
            kind="internal_signoff",
            dedupe_key=f"approval:{request.pk}:v{check.version.number}:internal",
            request=request,
            url=reverse(
                "approval_detail", kwargs={"agency_slug": request.agency.slug, "request_id": request.pk}
            ),
        )
        return request
    if check.beyond_budget:
        if not accept_change_request:
            raise ValidationError(
                f"This is revision round {check.revision_round} and the project includes {check.included}. "
                "Sending it creates a change request for the extra round.",
                code="beyond_budget",
            )
        change_request_create(
            requester=actor,
            project=request.project,
            approval_request=request,
            description=f"Extra revision round {check.revision_round} of “{request.deliverable}” "
            f"(the project includes {check.included}).",
            reason="extra_round",
            impact_budget=Decimal(str(extra_cost or 0)),
        )
    now = timezone.now()
    check.version.sent_at = now
    check.version.save(update_fields=["sent_at"])
    request.status = ApprovalStatus.AWAITING_CLIENT
    request.sent_at = now
    request.save(update_fields=["status", "sent_at"])
    approver = request.final_approver
    notify(
        agency=request.agency,
        to=approver.email,
        recipient=approver.user,
        subject=f"For your approval: {request.title}",
        body=(
            f"{request.agency.name} asks you to review “{request.title}” ({check.label.lower()}).\n"
            f"What to approve: {', '.join(request.scope_labels)}. {request.scope_notes}\n"
            f"Please decide by {format_moment(request.due_at, request.agency)}.\n"
            f"After approval: {request.after_approval}"
        ),
        kind="approval_sent",
        dedupe_key=f"approval:{request.pk}:v{check.version.number}:sent",
        request=request,
        url=reverse("portal_approval", kwargs={"agency_slug": request.agency.slug, "request_id": request.pk}),
    )
    return request


@transaction.atomic
def approval_internal_signoff(*, actor: Membership, request: ApprovalRequest) -> ApprovalRequest:
    """The internal approver signs off; the request then goes to the client."""
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.internal_approver_id != actor.pk and actor.role != Role.OWNER:
        raise ValidationError(
            "Only the named internal approver or an owner can sign this off.", code="forbidden"
        )
    if request.status != ApprovalStatus.AWAITING_INTERNAL:
        raise ValidationError("This request is not waiting for an internal sign-off.")
    request.internal_signed_off_at = timezone.now()
    request.status = ApprovalStatus.DRAFT
    request.save(update_fields=["internal_signed_off_at", "status"])
    return _send(actor=actor, request=request, accept_change_request=True, extra_cost=0)


@transaction.atomic
def version_add(
    *,
    actor: Membership,
    request: ApprovalRequest,
    kind: str,
    upload: Any = None,
    text: str = "",
    notes: str = "",
) -> AssetVersion:
    """Upload the next version: a new round, not yet sent. Approved work reopens only through a change request."""
    _require_planner(actor)
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.is_closed:
        raise ValidationError(
            "This deliverable is approved. Revisions go through a change request, so the new work is agreed first.",
            code="closed",
        )
    latest = request.versions.order_by("-number").first()
    if latest is not None and latest.sent_at is None:
        raise ValidationError("The latest version has not been sent yet; replace it by sending it first.")
    version = _store_version(actor=actor, request=request, kind=kind, upload=upload, text=text, notes=notes)
    request.status = ApprovalStatus.DRAFT
    request.internal_signed_off_at = None
    request.save(update_fields=["status", "internal_signed_off_at"])
    return version


# --------------------------------------------------------------------------- comments and feedback


def _check_pin(page: int, pin_x: float | None, pin_y: float | None, version: AssetVersion) -> None:
    if (pin_x is None) != (pin_y is None):
        raise ValidationError({"pin_x": "A pin needs both a horizontal and a vertical position."})
    if pin_x is None:
        return
    if version.kind == VersionKind.TEXT:
        raise ValidationError({"pin_x": "Copy takes comments on a selected passage, not pins."})
    for name, value in (("pin_x", pin_x), ("pin_y", pin_y)):
        if not 0 <= value <= 1:
            raise ValidationError({name: "A pin must sit on the page (between 0 and 1)."})
    pages = version.pages.count() if version.kind == VersionKind.PDF else 1
    if not 1 <= page <= pages:
        raise ValidationError({"page": f"This version has {pages} page{'s' if pages != 1 else ''}."})


@transaction.atomic
def comment_add(
    *,
    author: User,
    request: ApprovalRequest,
    version: AssetVersion,
    body: str,
    membership: Membership | None = None,
    contact: ClientContact | None = None,
    is_internal: bool = False,
    parent: Comment | None = None,
    page: int = 1,
    pin_x: float | None = None,
    pin_y: float | None = None,
    quote: str = "",
    quote_start: int | None = None,
    quote_end: int | None = None,
) -> Comment:
    """Comment on a version: pinned on an image or PDF page, on a passage of copy, or in general."""
    if (membership is None) == (contact is None):
        raise ValueError("A comment comes from a team member or a client contact.")
    if contact is not None:
        if contact.client_id != request.client_id:
            raise ValidationError("No such approval request.", code="not_found")
        if is_internal:
            raise ValidationError("Clients cannot write internal comments.")
    if version.request_id != request.pk:
        raise ValidationError({"version": "Choose a version of this request."})
    if contact is not None and version.sent_at is None:
        raise ValidationError("This version has not been sent to you yet.", code="not_found")
    if not body.strip():
        raise ValidationError({"body": "Write your comment."})
    if parent is not None and (
        parent.request_id != request.pk or (contact is not None and parent.is_internal)
    ):
        raise ValidationError({"parent": "Reply to a comment of this request."})
    _check_pin(page, pin_x, pin_y, version)
    if quote_start is not None or quote_end is not None:
        if version.kind != VersionKind.TEXT:
            raise ValidationError({"quote": "Passages are selected on copy versions only."})
        if quote_start is None or quote_end is None or not 0 <= quote_start < quote_end <= len(version.text):
            raise ValidationError({"quote": "Select a passage of the copy."})
        quote = version.text[quote_start:quote_end]
    return Comment.objects.create(
        agency=request.agency,
        request=request,
        version=version,
        parent=parent,
        body=body.strip(),
        is_internal=is_internal or bool(parent and parent.is_internal),
        author=author,
        author_contact=contact,
        author_membership=membership,
        page=page,
        pin_x=pin_x,
        pin_y=pin_y,
        quote=quote,
        quote_start=quote_start,
        quote_end=quote_end,
        source=FeedbackSource.PORTAL if contact is not None else FeedbackSource.APP,
    )


@transaction.atomic
def feedback_capture(
    *,
    actor: Membership,
    request: ApprovalRequest,
    body: str,
    source: str,
    said_by: str,
    said_at: datetime | None,
    version: AssetVersion | None = None,
) -> Comment:
    """Log feedback that arrived by email, call, meeting or chat into the request's thread, with its source."""
    _require_planner(actor)
    errors = {}
    if source not in CAPTURE_SOURCES:
        errors["source"] = "Say where the feedback came from: email, call, meeting or chat."
    if not said_by.strip():
        errors["said_by"] = "Say who gave the feedback."
    if said_at is None:
        errors["said_at"] = "Say when it was given."
    elif said_at > timezone.now():
        errors["said_at"] = "Feedback cannot come from the future."
    if not body.strip():
        errors["body"] = "Write down the feedback."
    if errors:
        raise ValidationError(errors)
    version = version or request.versions.order_by("-number").first()
    return Comment.objects.create(
        agency=request.agency,
        request=request,
        version=version,
        body=body.strip(),
        author=actor.user,
        author_membership=actor,
        source=source,
        source_at=said_at,
        said_by=said_by.strip(),
    )


@transaction.atomic
def comment_resolve(*, actor: Membership, comment: Comment, resolved: bool = True) -> Comment:
    """The agency marks a comment dealt with (or reopens it)."""
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = actor if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


# --------------------------------------------------------------------------- decisions


def _log_entry_for_decision(
    request: ApprovalRequest, decision: ReviewerDecision, version: AssetVersion
) -> DecisionLogEntry:
    verdict = decision.get_verdict_display()
    text = (
        f"{verdict}: {request.title} (version {version.number}; {', '.join(request.scope_labels).lower()})."
    )
    if decision.changes:
        text += f" Changes: {decision.changes}"
    timeline = ""
    if decision.verdict == Verdict.REQUEST_CHANGES:
        timeline = "Another revision round before this deliverable can move on."
    elif request.task_id:
        timeline = f"“{request.task.title}” can go ahead."
    local_day = _local(decision.decided_at, request.agency).date()
    return DecisionLogEntry.objects.create(
        agency=request.agency,
        client=request.client,
        project=request.project,
        decided_on=local_day,
        decision=text,
        approver_name=decision.contact.full_name,
        approver_contact=decision.contact,
        asset=request.deliverable,
        impact_timeline=timeline,
        impact_deliverables=request.after_approval if decision.verdict != Verdict.REQUEST_CHANGES else "",
        source_kind=LogSource.APPROVAL,
        source_note=f"Approval request “{request.title}”, version {version.number}",
        approval_request=request,
        version=version,
        reviewer_decision=decision,
    )


@transaction.atomic
def approval_decide(
    *, contact: ClientContact, request: ApprovalRequest, verdict: str, changes: str = "", comment: str = ""
) -> ReviewerDecision:
    """The final approver decides the current round; the decision is logged and the coordinator told.

    Request changes needs at least one comment on the round (or one written with the decision).
    """
    if contact.client_id != request.client_id:
        raise ValidationError("No such approval request.", code="not_found")
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": "Choose approve, approve with changes, or request changes."})
    # The lock makes concurrent decisions queue; the second finds the round closed.
    request = (
        ApprovalRequest.objects.select_for_update(of=("self",))
        .select_related("project", "client", "task")
        .get(pk=request.pk)
    )
    if request.final_approver_id != contact.pk:
        raise ValidationError(
            f"Only {request.final_approver.full_name}, the final approver, can decide. Your verdict can be recorded as advice.",
            code="not_final_approver",
        )
    version = request.versions.filter(sent_at__isnull=False).order_by("-number").first()
    if request.status != ApprovalStatus.AWAITING_CLIENT or version is None:
        raise ValidationError("This round is closed; there is nothing to decide right now.", code="closed")
    if ReviewerDecision.objects.filter(version=version, is_final=True).exists():
        raise ValidationError("This round is closed; there is nothing to decide right now.", code="closed")
    if verdict == Verdict.APPROVE_WITH_CHANGES and not changes.strip():
        raise ValidationError({"changes": "List the changes you approve with."})
    if comment.strip():
        comment_add(author=contact.user, request=request, version=version, body=comment, contact=contact)
    if (
        verdict == Verdict.REQUEST_CHANGES
        and not Comment.objects.filter(
            version=version, author_contact__client=request.client, is_internal=False
        ).exists()
    ):
        raise ValidationError({"comment": "Add at least one comment saying what should change."})
    try:
        with transaction.atomic():
            decision = ReviewerDecision.objects.create(
                agency=request.agency,
                request=request,
                version=version,
                contact=contact,
                verdict=verdict,
                changes=changes.strip(),
                is_final=True,
            )
    except IntegrityError:
        raise ValidationError(
            "This round is closed; there is nothing to decide right now.", code="closed"
        ) from None
    request.status = {
        Verdict.APPROVE: ApprovalStatus.APPROVED,
        Verdict.APPROVE_WITH_CHANGES: ApprovalStatus.APPROVED_WITH_CHANGES,
        Verdict.REQUEST_CHANGES: ApprovalStatus.CHANGES_REQUESTED,
    }[Verdict(verdict)]
    request.decided_at = decision.decided_at
    request.save(update_fields=["status", "decided_at"])
    _log_entry_for_decision(request, decision, version)
    if verdict != Verdict.REQUEST_CHANGES and request.task_id and request.task.status != TaskStatus.DONE:
        # The review milestone it gates is done: the work behind it can move on.
        Task.objects.filter(pk=request.task_id).update(status=TaskStatus.DONE, completed_at=timezone.now())
    coordinator = request.project.coordinator or request.created_by
    if coordinator is not None:
        notify(
            agency=request.agency,
            to=coordinator.user.email,
            recipient=coordinator.user,
            subject=f"{decision.get_verdict_display()}: {request.title}",
            body=f"{contact.full_name} decided “{decision.get_verdict_display().lower()}” on “{request.title}” "
            f"(version {version.number}).",
            kind="decision",
            dedupe_key=f"approval:{request.pk}:v{version.number}:decided",
            request=request,
            url=reverse(
                "approval_detail", kwargs={"agency_slug": request.agency.slug, "request_id": request.pk}
            ),
        )
    project_services._rescan_soon(request.agency_id)
    return decision


@transaction.atomic
def approval_advise(
    *, contact: ClientContact, request: ApprovalRequest, verdict: str, changes: str = ""
) -> ReviewerDecision:
    """Another contact records an advisory verdict on the current round; it does not decide."""
    if contact.client_id != request.client_id:
        raise ValidationError("No such approval request.", code="not_found")
    if contact.pk == request.final_approver_id:
        raise ValidationError("As the final approver, your verdict decides: use the decision form.")
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": "Choose approve, approve with changes, or request changes."})
    version = request.versions.filter(sent_at__isnull=False).order_by("-number").first()
    if request.status != ApprovalStatus.AWAITING_CLIENT or version is None:
        raise ValidationError("This round is closed.", code="closed")
    try:
        with transaction.atomic():
            return ReviewerDecision.objects.create(
                agency=request.agency,
                request=request,
                version=version,
                contact=contact,
                verdict=verdict,
                changes=changes.strip(),
                is_final=False,
            )
    except IntegrityError:
        raise ValidationError("You already gave your verdict on this round.") from None


# --------------------------------------------------------------------------- decision log


@transaction.atomic
def decision_log_add(
    *,
    actor: Membership,
    client: Any,
    decision: str,
    approver_name: str,
    asset: str,
    decided_on: date | None,
    source_kind: str = LogSource.OTHER,
    source_note: str = "",
    project: Project | None = None,
    impact_timeline: str = "",
    impact_budget: str = "",
    impact_deliverables: str = "",
    corrects: DecisionLogEntry | None = None,
) -> DecisionLogEntry:
    """Record a decision taken outside a request (or correct an entry: corrections are new entries)."""
    _require_planner(actor)
    errors = {}
    if not decision.strip():
        errors["decision"] = "Write what was decided."
    if not approver_name.strip():
        errors["approver_name"] = "Say who approved it."
    if not asset.strip():
        errors["asset"] = "Say which asset or campaign it affects."
    if decided_on is None:
        errors["decided_on"] = "Say when it was decided."
    if source_kind not in LogSource.values:
        errors["source_kind"] = "Say where the decision came from."
    if project is not None and project.client_id != client.pk:
        errors["project"] = "Choose a project of this client."
    if corrects is not None and corrects.client_id != client.pk:
        errors["corrects"] = "Correct an entry of this client's log."
    if errors:
        raise ValidationError(errors)
    return DecisionLogEntry.objects.create(
        agency=actor.agency,
        client=client,
        project=project,
        decided_on=decided_on,
        decision=decision.strip(),
        approver_name=approver_name.strip(),
        asset=asset.strip(),
        impact_timeline=impact_timeline.strip(),
        impact_budget=impact_budget.strip(),
        impact_deliverables=impact_deliverables.strip(),
        source_kind=source_kind,
        source_note=source_note.strip(),
        corrects=corrects,
        recorded_by=actor,
    )


# --------------------------------------------------------------------------- change requests


def _approval_citation(request: ApprovalRequest) -> tuple[DecisionLogEntry | None, str]:
    entry = (
        DecisionLogEntry.objects.filter(
            approval_request=request,
            reviewer_decision__verdict__in=[Verdict.APPROVE, Verdict.APPROVE_WITH_CHANGES],
        )
        .order_by("-recorded_at")
        .first()
    )
    if entry is None:
        return None, f"“{request.deliverable}” has not been approved yet."
    return entry, f"{request.deliverable} was approved on {entry.decided_on:%-d %B} by {entry.approver_name}."


def _rework_task(request: ApprovalRequest | None, project: Project) -> Task | None:
    """The work a revision redoes: the task the approval gates, or the project's next open task."""
    if request is not None and request.task_id:
        return request.task
    return project.tasks.exclude(status=TaskStatus.DONE).order_by("start_date", "order").first()


@transaction.atomic
def change_request_create(
    *,
    project: Project,
    description: str,
    requester: Membership | None = None,
    contact: ClientContact | None = None,
    approval_request: ApprovalRequest | None = None,
    reason: str = "revise_approved",
    rework_days: int | None = None,
    impact_budget: Decimal | int = 0,
) -> ChangeRequest:
    """Record a request to change approved work: cite the decision, and state the timeline and budget impact."""
    if (requester is None) == (contact is None):
        raise ValueError("A change request comes from a team member or a client contact.")
    if contact is not None and contact.client_id != project.client_id:
        raise ValidationError("No such project.", code="not_found")
    if not description.strip():
        raise ValidationError({"description": "Describe the change."})
    if Decimal(str(impact_budget)) < 0:
        raise ValidationError({"impact_budget": "The budget impact cannot be negative."})
    entry, citation = (None, "") if approval_request is None else _approval_citation(approval_request)
    task = _rework_task(approval_request, project)
    days = rework_days if rework_days is not None else (max(task.duration_days, 1) if task else 0)
    if days < 0:
        raise ValidationError({"rework_days": "Rework cannot be negative."})
    impact_days, summary = 0, ""
    if task is not None and days:
        calendar = agency_calendar(project.agency)
        preview = project_services.task_reschedule_preview(
            task=task, new_due=calendar.add_business_days(task.due_date, days)
        )
        impact_days = calendar.business_days_between(preview.launch_before, preview.launch_after)
        summary = preview.summary
    return ChangeRequest.objects.create(
        agency=project.agency,
        project=project,
        client=project.client,
        approval_request=approval_request,
        cites=entry,
        citation=citation,
        description=description.strip(),
        reason=reason,
        affected_task=task,
        rework_days=days,
        impact_business_days=impact_days,
        impact_summary=summary,
        impact_budget=Decimal(str(impact_budget)),
        requested_by_contact=contact,
        requested_by_membership=requester,
    )


@transaction.atomic
def approval_request_revision(
    *,
    request: ApprovalRequest,
    description: str,
    contact: ClientContact | None = None,
    requester: Membership | None = None,
) -> ChangeRequest:
    """Asking to revise approved work does not reopen it silently: it becomes a change request."""
    request = (
        ApprovalRequest.objects.select_for_update(of=("self",))
        .select_related("project", "task")
        .get(pk=request.pk)
    )
    if not request.is_closed or request.status == ApprovalStatus.CANCELLED:
        raise ValidationError("This request is still open: comment on it instead.")
    return change_request_create(
        project=request.project,
        description=description,
        contact=contact,
        requester=requester,
        approval_request=request,
        reason="revise_approved",
    )


@transaction.atomic
def change_request_decide(
    *,
    change_request: ChangeRequest,
    verdict: str,
    note: str = "",
    actor: Membership | None = None,
    contact: ClientContact | None = None,
) -> ChangeRequestDecision:
    """Approve or reject a change request. Approval shifts the affected tasks through the scheduling service."""
    if (actor is None) == (contact is None):
        raise ValueError("A change request is decided by a team member or a client contact.")
    if actor is not None:
        require(can_manage_approvals, actor, "Only owners and coordinators decide change requests.")
    if contact is not None and contact.pk != (
        change_request.approval_request.final_approver_id if change_request.approval_request else None
    ):
        raise ValidationError("Only the final approver can decide this change request.", code="forbidden")
    if verdict not in ChangeRequestVerdict.values:
        raise ValidationError({"verdict": "Approve or reject the change request."})
    ChangeRequest.objects.select_for_update().filter(pk=change_request.pk).first()
    try:
        with transaction.atomic():
            decision = ChangeRequestDecision.objects.create(
                agency=change_request.agency,
                change_request=change_request,
                verdict=verdict,
                note=note.strip(),
                decided_by_membership=actor,
                decided_by_contact=contact,
            )
    except IntegrityError:
        raise ValidationError("This change request has already been decided.") from None
    if verdict == ChangeRequestVerdict.APPROVED:
        task = change_request.affected_task
        mover = actor or change_request.project.coordinator or change_request.requested_by_membership
        if task is not None and change_request.rework_days and mover is not None:
            task = Task.objects.get(pk=task.pk)
            calendar = agency_calendar(change_request.agency)
            project_services.task_reschedule(
                actor=mover,
                task=task,
                new_due=calendar.add_business_days(task.due_date, change_request.rework_days),
                reason=f"Approved change request #{change_request.pk}: {change_request.description}",
                cause=DeadlineChangeCause.CHANGE_REQUEST,
                source_reference=f"change-request:{change_request.pk}",
            )
        request = change_request.approval_request
        if request is not None and change_request.reason == "revise_approved" and request.is_closed:
            # The approved deliverable reopens for a new version, now that the extra work is agreed.
            ApprovalRequest.objects.filter(pk=request.pk).update(status=ApprovalStatus.DRAFT)
        DecisionLogEntry.objects.create(
            agency=change_request.agency,
            client=change_request.client,
            project=change_request.project,
            decided_on=_local(decision.decided_at, change_request.agency).date(),
            decision=f"Change request approved: {change_request.description}",
            approver_name=(actor.user.full_name if actor else contact.full_name),
            approver_contact=contact,
            asset=request.deliverable if request else change_request.project.name,
            impact_timeline=change_request.impact_summary,
            impact_budget=f"{change_request.impact_budget}" if change_request.impact_budget else "",
            source_kind=LogSource.CHANGE_REQUEST,
            source_note=f"Change request #{change_request.pk}",
            approval_request=request,
            recorded_by=actor,
        )
    return decision
