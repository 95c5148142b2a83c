"""What approvals adds to the project layer, registered at start-up (projects never imports approvals):

- a section on every project's page: each approval request, its round, its state and the next action
  ("Changes requested by Anna Reyes — upload version 2");
- after a committed launch moves: where the client approved the timing, a change request citing that
  approval is proposed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Subquery

from agencyops.models import Agency, Membership
from approvals.models import (
    ApprovalRequest,
    ApprovalStatus,
    AssetVersion,
    ChangeRequest,
    DecisionLogEntry,
    ReviewerDecision,
    Scope,
    Verdict,
)
from approvals.selectors import round_label
from approvals.services import format_moment
from projects import extensions
from projects.calendars import agency_calendar
from projects.models import LaunchChange, Project

# --------------------------------------------------------------------------- the project page section


@dataclass(frozen=True)
class ApprovalLine:
    """One request as the project page lists it."""

    request: ApprovalRequest
    round: str
    state: str
    next_action: str
    due: str
    needs_team: bool


def next_action(
    *, status: str, latest_number: int | None, decided_by: str, approver: str
) -> tuple[str, bool]:
    """What happens next with a request, in words, and whether it is the team's move."""
    upcoming = (latest_number or 0) + 1
    if status == ApprovalStatus.CHANGES_REQUESTED:
        who = decided_by or "the client"
        return f"Changes requested by {who} — upload version {upcoming}", True
    if status == ApprovalStatus.APPROVED_WITH_CHANGES:
        who = decided_by or "the client"
        return f"Approved with changes by {who} — make the changes and carry on", True
    if status == ApprovalStatus.DRAFT:
        return ("Upload version 1 and send it" if not latest_number else "Send it to the client"), True
    if status == ApprovalStatus.AWAITING_INTERNAL:
        return "Waiting for internal sign-off", True
    if status == ApprovalStatus.AWAITING_CLIENT:
        return f"Waiting for {approver or 'the client'} to decide", False
    if status == ApprovalStatus.APPROVED:
        return f"Approved by {decided_by or approver}", False
    return "Cancelled", False


def approval_lines(agency: Agency, project_id: int) -> list[ApprovalLine]:
    """Every approval request of the project, the team's moves first (one query)."""
    latest = AssetVersion.objects.filter(request=OuterRef("pk")).order_by("-number").values("number")[:1]
    binding = (
        ReviewerDecision.objects.filter(request=OuterRef("pk"), is_final=True)
        .order_by("-decided_at", "-pk")
        .values("contact__full_name")[:1]
    )
    rows = (
        ApprovalRequest.objects.filter(agency=agency, project_id=project_id)
        .select_related("final_approver", "project")
        # The columns the section shows: the project page's cached body makes this query's compile time
        # a large part of every view, so it selects five columns, not three tables.
        .only("title", "status", "due_at", "final_approver__full_name", "project__revision_rounds_included")
        .annotate(latest_number=Subquery(latest), decided_by=Subquery(binding))
        .order_by("due_at", "pk")
    )
    lines = []
    for row in rows:
        action, needs_team = next_action(
            status=row.status,
            latest_number=row.latest_number,
            decided_by=row.decided_by or "",
            approver=row.final_approver.full_name,
        )
        lines.append(
            ApprovalLine(
                request=row,
                round=round_label(row.latest_number, row.project.revision_rounds_included),
                state=row.get_status_display(),
                next_action=action,
                due=format_moment(row.due_at, agency),
                needs_team=needs_team,
            )
        )
    lines.sort(key=lambda line: not line.needs_team)
    return lines


def project_approvals_section(agency: Agency, project_id: int, today: date) -> extensions.PageSection:
    """The project page's approvals: each request, its round, its state and the next action."""
    return extensions.PageSection(
        key="approvals",
        title="Approvals",
        template="approvals/_project_section.html",
        context={"lines": approval_lines(agency, project_id), "project_id": project_id},
    )


# --------------------------------------------------------------------------- a committed launch moves


def timing_approval(project: Project) -> DecisionLogEntry | None:
    """The latest client approval of this project's timing in the decision log, if any."""
    return (
        DecisionLogEntry.objects.filter(
            project=project,
            approval_request__scopes__contains=[Scope.TIMING],
            reviewer_decision__verdict__in=[Verdict.APPROVE, Verdict.APPROVE_WITH_CHANGES],
        )
        .select_related("approval_request")
        .order_by("-decided_on", "-recorded_at", "-pk")
        .first()
    )


def propose_change_request(*, change: LaunchChange, actor: Membership) -> str | None:
    """Where the client approved the timing, moving the committed launch proposes a change request citing it."""
    project = change.project
    entry = timing_approval(project)
    if entry is None:
        return None
    calendar_days = (change.new_launch - change.old_launch).days
    proposal = ChangeRequest.objects.create(
        agency=project.agency,
        project=project,
        client=project.client,
        approval_request=entry.approval_request,
        cites=entry,
        citation=(
            f"The timing was approved on {entry.decided_on:%-d %B} by {entry.approver_name}"
            f" ({entry.approval_request.title})."
        ),
        description=(
            f"Move the committed launch from {change.old_launch:%a %-d %b %Y} to "
            f"{change.new_launch:%a %-d %b %Y}: {change.reason}"
        ),
        reason="other",
        impact_business_days=_business_days(project, change),
        impact_summary=f"Committed launch moves {'later' if calendar_days > 0 else 'earlier'} "
        f"to {change.new_launch:%a %-d %b}"[:200],
        requested_by_membership=actor,
    )
    return (
        f"The client approved the timing on {entry.decided_on:%-d %b}, so change request #{proposal.pk} "
        f"was proposed citing that approval."
    )


def _business_days(project: Project, change: LaunchChange) -> int:
    calendar = agency_calendar(project.agency)
    return calendar.business_days_between(change.old_launch, change.new_launch)


def register() -> None:
    """Plug approvals into the project layer (called once from ApprovalsConfig.ready)."""
    extensions.register_page_section("approvals", project_approvals_section)
    extensions.on_launch_moved("approvals.change_request", propose_change_request)
