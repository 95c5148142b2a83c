"""What approvals add to the owner's home view "Needs decision": client approvals, internal sign-offs,
changes a client asked for (shown to the project's coordinator) and change requests. Two statements in all
(plus three queries to project late approvals onto the schedule), whatever the agency's size, which the home
view sends with its own (``home_decision_reads``). Registered with the platform in approvals/sections.py as a
contribution to the project layer's "Needs decision" list.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import NamedTuple

from django.utils import timezone

from agencyops.models import Agency, Membership
from agencyops.planned_sql import Statement, planned_reads
from agencyops.row_links import link_by_id
from approvals.models import ApprovalStatus
from projects import scheduling
from projects.calendars import agency_calendar
from projects.home_sections import ExtraItem
from projects.models import LIVE_PROJECT_STATUSES, Task, TaskDependency, TaskStatus

# The requests "Needs decision" lists, written once: the ORM spent longer compiling this five-table query
# (on every view of the home page) than PostgreSQL spends running it. Scoped to the agency like every query.
HOME_REQUESTS_SQL = """
SELECT r.id, r.status, r.title, r.due_at, r.project_id, r.task_id, p.name, fa.full_name,
       r.internal_approver_id, iu.full_name, t.due_date, t.status,
       -- the round, in a subquery rather than an aggregate: grouping by every column costs more to plan
       (SELECT v.number FROM approvals_assetversion v
        WHERE v.agency_id = %(agency)s AND v.request_id = r.id ORDER BY v.number DESC LIMIT 1)
FROM approvals_approvalrequest r
JOIN projects_project p ON p.id = r.project_id
JOIN agencyops_clientcontact fa ON fa.id = r.final_approver_id
LEFT JOIN projects_task t ON t.id = r.task_id
LEFT JOIN agencyops_membership im ON im.id = r.internal_approver_id
LEFT JOIN agencyops_user iu ON iu.id = im.user_id
WHERE r.agency_id = %(agency)s AND p.status = ANY(%(live)s)
  AND (r.status = ANY(%(waiting)s) OR (r.status = %(changes_requested)s AND p.coordinator_id = %(membership)s))
ORDER BY r.due_at, r.id
"""

HOME_CHANGE_REQUESTS_SQL = """
SELECT cr.id, cr.description, cr.citation, cr.impact_summary, p.name
FROM approvals_changerequest cr
JOIN projects_project p ON p.id = cr.project_id
WHERE cr.agency_id = %(agency)s AND p.status = ANY(%(live)s)
  AND NOT EXISTS (SELECT 1 FROM approvals_changerequestdecision d WHERE d.change_request_id = cr.id)
ORDER BY cr.created_at, cr.id
"""


class _Request(NamedTuple):
    """The columns of an approval request that "Needs decision" shows or sorts by."""

    pk: int
    status: str
    title: str
    due_at: datetime
    project_id: int
    task_id: int | None
    project_name: str
    final_approver_name: str
    internal_approver_id: int | None
    internal_approver_name: str | None
    task_due_date: date | None
    task_status: str | None
    round: int | None


def _launch_impacts(agency: Agency, late: list[_Request], today: date) -> dict[int, str]:
    """For late approvals gating a milestone already due: how far the launch moves if it is decided today."""
    gated = {
        r.pk: r.task_id
        for r in late
        if r.task_id
        and r.task_due_date is not None
        and r.task_due_date < today
        and r.task_status != TaskStatus.DONE
    }
    if not gated:
        return {}
    project_ids = {r.project_id for r in late if r.pk in gated}
    tasks = list(
        Task.objects.filter(project_id__in=project_ids).values(
            "id", "project_id", "key", "duration_days", "start_date", "due_date", "recurrence_period"
        )
    )
    key_of = {t["id"]: t["key"] for t in tasks}
    preds: dict[int, list[scheduling.Dependency]] = defaultdict(list)
    for pred, succ, kind, lag in TaskDependency.objects.filter(
        successor__project_id__in=project_ids
    ).values_list("predecessor_id", "successor_id", "kind", "lag_days"):
        preds[succ].append(scheduling.Dependency(predecessor=key_of[pred], kind=kind, lag=lag))
    calendar = agency_calendar(agency, around=today)
    impacts = {}
    for request in late:
        task_id = gated.get(request.pk)
        if task_id is None:
            continue
        rows = [t for t in tasks if t["project_id"] == request.project_id]
        plan = [
            scheduling.PlanTask(key=t["key"], duration=t["duration_days"], predecessors=tuple(preds[t["id"]]))
            for t in rows
        ]
        slots = {t["key"]: scheduling.Slot(t["start_date"], t["due_date"]) for t in rows}
        one_off = [t["due_date"] for t in rows if t["recurrence_period"] is None]
        before = max(one_off) if one_off else today
        moved = scheduling.cascade(
            plan, slots, moved=key_of[task_id], new_due=calendar.roll_forward(today), calendar=calendar
        )
        after = max(
            [moved.get(t["key"], slots[t["key"]]).due for t in rows if t["recurrence_period"] is None],
            default=before,
        )
        impacts[request.pk] = scheduling.describe_launch_shift(before, after, calendar=calendar)
    return impacts


def home_decision_reads(*, agency: Agency, membership: Membership, **_: object) -> list[Statement]:
    """The two statements "Needs decision" reads for approvals: the requests, then the change requests (the
    home view sends them with its own)."""
    params = {
        "agency": agency.pk,
        "live": [status.value for status in LIVE_PROJECT_STATUSES],
        "waiting": [ApprovalStatus.AWAITING_CLIENT.value, ApprovalStatus.AWAITING_INTERNAL.value],
        # The client's verdict reaches the coordinator without opening the approvals list.
        "changes_requested": ApprovalStatus.CHANGES_REQUESTED.value,
        "membership": membership.pk,
    }
    return [(HOME_REQUESTS_SQL, params), (HOME_CHANGE_REQUESTS_SQL, params)]


def home_decision_items(
    *,
    agency: Agency,
    membership: Membership,
    today: date,
    rows: list[list[tuple]] | None = None,
    changes_at: Callable[[datetime], None] | None = None,
    **_: object,
) -> list[tuple[tuple, ExtraItem]]:
    """Approvals, sign-offs, changes asked of the viewer's projects and change requests waiting on someone,
    each with its sort key: late approvals first, then by due day. ``rows`` are those of
    ``home_decision_reads``' statements when the caller sent them; otherwise they are read here.
    ``changes_at`` hears when each approval still on time turns late (the list changes then, with no write)."""
    zone = zoneinfo.ZoneInfo(agency.time_zone)
    now = timezone.now()
    slug = agency.slug
    decisions: list[tuple[tuple, ExtraItem]] = []

    if rows is None:
        rows = planned_reads(home_decision_reads(agency=agency, membership=membership))
    request_rows, changes = rows
    requests = [_Request(*row) for row in request_rows]
    request_link = link_by_id("approval_detail", "request_id", agency_slug=slug)
    late = [r for r in requests if r.status == ApprovalStatus.AWAITING_CLIENT and r.due_at < now]
    impacts = _launch_impacts(agency, late, today)
    from approvals.services import format_moment

    for r in requests:
        due_day = r.due_at.astimezone(zone).date()
        url = request_link(r.pk)
        if r.status == ApprovalStatus.AWAITING_INTERNAL:
            item = ExtraItem(
                kind="signoff",
                question=f"Sign off “{r.title}” before it goes to the client",
                decided_by=r.internal_approver_name if r.internal_approver_id else "An owner",
                about=r.title,
                url=url,
                project_name=r.project_name,
                due_date=due_day,
                due_label=format_moment(r.due_at, agency),
                badge="Internal sign-off",
                subject=("approval", r.pk),
            )
        elif r.status == ApprovalStatus.CHANGES_REQUESTED:
            item = ExtraItem(
                kind="changes_requested",
                question=f"Changes requested by {r.final_approver_name} — upload version {(r.round or 1) + 1}",
                decided_by=membership.user.full_name or membership.user.email,
                about=r.title,
                url=url,
                project_name=r.project_name,
                due_date=None,
                due_label="",
                badge="Changes requested",
                badge_class="badge-warn",
                subject=("approval", r.pk),
            )
            decisions.append(((0, today), item))
            continue
        else:
            is_late = r.due_at < now
            if not is_late and changes_at is not None:
                changes_at(r.due_at)
            item = ExtraItem(
                kind="approval",
                question=f"Client decision on “{r.title}” (version {r.round or 1})",
                decided_by=r.final_approver_name,
                about=r.title,
                url=url,
                project_name=r.project_name,
                due_date=due_day,
                due_label=("was due " if is_late else "") + format_moment(r.due_at, agency),
                impact=impacts.get(r.pk, ""),
                late=is_late,
                badge="Late approval" if is_late else "Approval",
                badge_class="badge-bad" if is_late else "badge-info",
                subject=("approval", r.pk),
            )
        decisions.append(((0 if item.late else 1, due_day), item))

    change_link = link_by_id("change_request_detail", "change_request_id", agency_slug=slug)
    for change_id, description, citation, impact_summary, project_name in changes:
        item = ExtraItem(
            kind="change_request",
            question=f"Change request: {description}",
            decided_by="An owner or the coordinator",
            about=citation,
            project_name=project_name,
            url=change_link(change_id),
            due_date=None,
            due_label="",
            impact=impact_summary,
            badge="Change request",
            badge_class="badge-warn",
            subject=("change_request", change_id),
        )
        decisions.append(((1, today), item))
    return decisions
