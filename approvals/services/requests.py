"""Approval requests: preparing them, the revision budget check, internal sign-off and sending to the client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencyops.input_bounds import date_out_of_range
from agencyops.models import ClientContact, Membership, Role
from agencyops.notifications.services import notify
from approvals.models import ApprovalRequest, ApprovalStatus, AssetVersion, Scope, VersionKind
from approvals.services._shared import _require_planner, format_moment
from approvals.services.change_requests import change_request_create
from approvals.services.versions import _store_version
from projects.models import Project, Task


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
    # The range first, so an absurd date is answered with the allowed range.
    elif out_of_range := date_out_of_range(due_at.date(), today=timezone.now().date()):
        errors["due_at"] = out_of_range
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
        # One line: the title becomes a mail subject, where a line break is a header injection.
        title=" ".join(title.split()),
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
    # The page's Send button and the API's can_send ask the same (approvals/permissions.py): only a draft
    # goes out; awaiting sign-off is sent by the sign-off, and a new version turns changes requested to draft.
    if request.status != ApprovalStatus.DRAFT:
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
            target=request,
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
        target=request,
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
