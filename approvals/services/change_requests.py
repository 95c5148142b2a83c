"""Change requests to approved work: the cited approval, the timeline and budget impact, and the decision."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from agencyops.input_bounds import MAX_REWORK_DAYS
from agencyops.models import ClientContact, Membership
from agencyops.notifications.services import notify
from agencyops.permissions import can_plan_projects, require
from approvals.models import (
    ApprovalRequest,
    ApprovalStatus,
    ChangeRequest,
    ChangeRequestDecision,
    ChangeRequestVerdict,
    DecisionLogEntry,
    LogSource,
    Verdict,
)
from approvals.permissions import can_decide_change_request
from approvals.services._shared import _local
from projects import services as project_services
from projects.calendars import agency_calendar
from projects.models import DeadlineChangeCause, Project, Task, TaskStatus


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
    if days > MAX_REWORK_DAYS:
        raise ValidationError(
            {"rework_days": f"Rework of more than {MAX_REWORK_DAYS} business days is a new project."}
        )
    impact_days, summary = 0, ""
    if task is not None and days:
        calendar = agency_calendar(project.agency)
        preview = project_services.task_reschedule_preview(
            task=task, new_due=calendar.add_business_days(task.due_date, days)
        )
        impact_days = calendar.business_days_between(preview.launch_before, preview.launch_after)
        summary = preview.summary
    change = ChangeRequest.objects.create(
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
    _tell_coordinator(change, requester=requester, contact=contact)
    return change


def _tell_coordinator(
    change: ChangeRequest, *, requester: Membership | None, contact: ClientContact | None
) -> None:
    """The project's coordinator hears about a change request they did not raise themselves."""
    coordinator = change.project.coordinator
    if coordinator is None or not coordinator.is_active or coordinator == requester:
        return
    who = contact.full_name if contact is not None else requester.user.full_name
    notify(
        agency=change.agency,
        to=coordinator.user.email,
        recipient=coordinator.user,
        subject=f"Change requested: {change.project.name}",
        body=f"{who} asks for a change to {change.project.name}: {change.description}",
        kind="change_requested",
        dedupe_key=f"change-request:{change.pk}:raised",
        target=change,
        url=reverse(
            "change_request_detail",
            kwargs={"agency_slug": change.agency.slug, "change_request_id": change.pk},
        ),
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


def _commit_agreed_launch(
    change_request: ChangeRequest, *, mover: Membership, impact: project_services.RescheduleImpact
) -> None:
    """An approved change request is the agreement on its timeline: where its rework takes the forecast
    past the committed launch, the commitment moves with it, recorded as a launch change citing the
    request (and proposing no second change request). Without a planner to record it, the slip stays
    a launch-at-risk escalation for the coordinator to settle."""
    if not impact.slip_business_days or not can_plan_projects(mover):
        return
    project_services.project_move_launch(
        actor=mover,
        project=change_request.project,
        new_launch=impact.launch_after,
        reason=f"Approved change request #{change_request.pk}: {change_request.description}"[:2000],
        source_reference=f"change-request:{change_request.pk}",
        agreed_by_client=True,
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
        require(can_decide_change_request, actor, "Only owners and coordinators decide change requests.")
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
            impact = project_services.task_reschedule(
                actor=mover,
                task=task,
                new_due=calendar.add_business_days(task.due_date, change_request.rework_days),
                reason=f"Approved change request #{change_request.pk}: {change_request.description}",
                cause=DeadlineChangeCause.CHANGE_REQUEST,
                source_reference=f"change-request:{change_request.pk}",
            )
            _commit_agreed_launch(change_request, mover=mover, impact=impact)
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
