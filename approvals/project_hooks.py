"""What approvals adds to the project layer, registered at start-up (projects never imports approvals):

- a section on every project's page: each approval request, its round, its state and the next action
  ("Changes requested by Anna Reyes — upload version 2");
- after a committed launch moves: where the client approved the timing, a change request citing that
  approval is proposed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from agencyops.models import Agency, Membership
from approvals.models import ApprovalStatus, ChangeRequest, DecisionLogEntry, Scope, Verdict
from approvals.selectors import round_label
from approvals.services import format_moment
from projects import extensions
from projects.calendars import agency_calendar
from projects.models import LaunchChange, Project

# --------------------------------------------------------------------------- the project page section


@dataclass(frozen=True)
class ApprovalLine:
    """One request as the project page lists it."""

    request_id: int
    title: str
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


# Every approval request of a project with what its line shows: the latest version's number and who
# gave the binding decision, each read through the request's own index. The section is read with the
# project page's own statements (its parameters named as theirs), so the statement is written once rather
# than compiled by the ORM each time (that compiling cost several times the query), and prepared.
APPROVAL_LINES_SQL = """
SELECT r.id, r.title, r.status, r.due_at, approver.full_name, p.revision_rounds_included,
       (SELECT v.number FROM approvals_assetversion v
        WHERE v.request_id = r.id ORDER BY v.number DESC LIMIT 1),
       (SELECT c.full_name FROM approvals_reviewerdecision d
        JOIN agencyops_clientcontact c ON c.id = d.contact_id
        WHERE d.request_id = r.id AND d.is_final ORDER BY d.decided_at DESC, d.id DESC LIMIT 1)
FROM approvals_approvalrequest r
JOIN agencyops_clientcontact approver ON approver.id = r.final_approver_id
JOIN projects_project p ON p.id = r.project_id
WHERE r.agency_id = %(agency)s AND r.project_id = %(project)s
ORDER BY r.due_at, r.id
"""

STATUS_LABELS = dict(ApprovalStatus.choices)


def approval_lines_from_rows(agency: Agency, rows: list[tuple[Any, ...]]) -> list[ApprovalLine]:
    """The lines of ``APPROVAL_LINES_SQL``'s rows, the team's moves first."""
    lines = []
    for request_id, title, status, due_at, approver, rounds_included, latest_number, decided_by in rows:
        action, needs_team = next_action(
            status=status, latest_number=latest_number, decided_by=decided_by or "", approver=approver
        )
        lines.append(
            ApprovalLine(
                request_id=request_id,
                title=title,
                round=round_label(latest_number, rounds_included),
                state=STATUS_LABELS.get(status, status),
                next_action=action,
                due=format_moment(due_at, agency),
                needs_team=needs_team,
            )
        )
    lines.sort(key=lambda line: not line.needs_team)
    return lines


PROJECT_SECTION_TEMPLATE = "approvals/_project_section.html"


def project_approvals_section(
    agency: Agency, project_id: int, today: date, rows: list[tuple[Any, ...]]
) -> extensions.PageSection:
    """The project page's approvals, from ``APPROVAL_LINES_SQL``'s rows: each request, its round, its state
    and the next action. Kept in the page's body: the tables it reads move the page's version (migration
    approvals/0006)."""
    return extensions.PageSection(
        key="approvals",
        title="Approvals",
        template=PROJECT_SECTION_TEMPLATE,
        context={"lines": approval_lines_from_rows(agency, rows), "project_id": project_id},
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
    extensions.register_page_section(
        "approvals",
        rows_sql=APPROVAL_LINES_SQL,
        build=project_approvals_section,
        template=PROJECT_SECTION_TEMPLATE,
    )
    extensions.on_launch_moved("approvals.change_request", propose_change_request)
