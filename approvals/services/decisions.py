"""Client verdicts on a round, final and advisory, and the client's decision log."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from agencyops import hooks
from agencyops.input_bounds import date_out_of_range
from agencyops.models import ClientContact, Membership
from agencyops.notifications.services import notify
from approvals.models import (
    VERDICT_OUTCOMES,
    ApprovalRequest,
    ApprovalStatus,
    AssetVersion,
    Comment,
    DecisionLogEntry,
    LogSource,
    ReviewerDecision,
    Verdict,
)
from approvals.services._shared import _local, _require_planner
from approvals.services.feedback import comment_add
from projects import services as project_services
from projects.calendars import agency_today
from projects.models import Project, Task, TaskStatus

MAX_LOGGED_REQUESTS = 10
MAX_LOGGED_REQUEST_CHARS = 300


def _log_entry_for_decision(
    request: ApprovalRequest, decision: ReviewerDecision, version: AssetVersion
) -> DecisionLogEntry:
    verdict = decision.get_verdict_display()
    text = (
        f"{verdict}: {request.title} (version {version.number}; {', '.join(request.scope_labels).lower()})."
    )
    if decision.changes:
        text += f" Changes: {decision.changes}"
    if decision.verdict == Verdict.REQUEST_CHANGES:
        # The log says what was asked for, not only that something was: the client's comments on the round.
        asked = list(
            Comment.objects.filter(version=version, author_contact__client=request.client, is_internal=False)
            .order_by("created_at", "pk")
            .values_list("body", flat=True)[:MAX_LOGGED_REQUESTS]
        )
        if asked:
            text += " Changes asked for: " + " · ".join(
                " ".join(body.split())[:MAX_LOGGED_REQUEST_CHARS] for body in asked
            )
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
        project_services.task_successors_tell_ready(done=Task.objects.get(pk=request.task_id))
    coordinator = request.project.coordinator or request.created_by
    if coordinator is not None:
        notify(
            agency=request.agency,
            to=coordinator.user.email,
            recipient=coordinator.user,
            subject=f"{VERDICT_OUTCOMES[decision.verdict]}: {request.title}",
            body=f"{contact.full_name} decided “{decision.get_verdict_display().lower()}” on “{request.title}” "
            f"(version {version.number}).",
            kind="decision",
            dedupe_key=f"approval:{request.pk}:v{version.number}:decided",
            target=request,
            url=reverse(
                "approval_detail", kwargs={"agency_slug": request.agency.slug, "request_id": request.pk}
            ),
        )
    if verdict != Verdict.REQUEST_CHANGES:
        # Higher layers react (the library files the approved work) without approvals importing them.
        hooks.announce(hooks.APPROVAL_REQUEST_APPROVED, request_id=request.pk, agency_id=request.agency_id)
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
    elif out_of_range := date_out_of_range(decided_on, today=agency_today(actor.agency)):
        errors["decided_on"] = out_of_range
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
