"""What approvals add to the owner's home view "Needs decision": client approvals, internal sign-offs,
changes a client asked for (shown to the project's coordinator) and change requests. Two queries in all
(plus three to project late approvals onto the schedule), whatever the agency's size. Registered with the
platform in approvals/apps.py as a contribution to the project layer's "Needs decision" list.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import date

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from agencyops.models import Agency, Membership
from approvals.models import ApprovalRequest, ApprovalStatus, AssetVersion, ChangeRequest
from projects import scheduling
from projects.calendars import agency_calendar
from projects.home_sections import ExtraItem
from projects.models import LIVE_PROJECT_STATUSES, Task, TaskDependency, TaskStatus


def _launch_impacts(agency: Agency, late: list[ApprovalRequest], today: date) -> dict[int, str]:
    """For late approvals gating a milestone already due: how far the launch moves if it is decided today."""
    gated = {
        r.pk: r.task_id
        for r in late
        if r.task_id and r.task and r.task.due_date < today and r.task.status != TaskStatus.DONE
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


def home_decision_items(
    *, agency: Agency, membership: Membership, today: date, **_: object
) -> list[tuple[tuple, ExtraItem]]:
    """Approvals, sign-offs, changes asked of the viewer's projects and change requests waiting on someone,
    each with its sort key: late approvals first, then by due day."""
    zone = zoneinfo.ZoneInfo(agency.time_zone)
    now = timezone.now()
    slug = agency.slug
    decisions: list[tuple[tuple, ExtraItem]] = []

    # Built here, under the caller's tenant scope (a scoped manager filters by the scope active when
    # the queryset is made).
    latest_round = (
        AssetVersion.objects.filter(request=OuterRef("pk")).order_by("-number").values("number")[:1]
    )
    waiting = Q(status__in=[ApprovalStatus.AWAITING_CLIENT, ApprovalStatus.AWAITING_INTERNAL])
    # The client's verdict reaches the coordinator without opening the approvals list.
    asked_of_me = Q(status=ApprovalStatus.CHANGES_REQUESTED, project__coordinator=membership)
    requests = list(
        ApprovalRequest.objects.filter(waiting | asked_of_me, project__status__in=LIVE_PROJECT_STATUSES)
        .select_related("project", "final_approver", "internal_approver__user", "task")
        # Only the columns the list shows: every selected column of five tables cost more to compile
        # (in Python, on every view of the home page) than the query costs to run.
        .only(
            "status",
            "title",
            "due_at",
            "project_id",
            "task_id",
            "project__name",
            "final_approver__full_name",
            "internal_approver__user__full_name",
            "task__due_date",
            "task__status",
        )
        # The round in a subquery, not an aggregate: grouping by every selected column costs more to plan.
        .annotate(round=Subquery(latest_round))
        .order_by("due_at")
    )
    late = [r for r in requests if r.status == ApprovalStatus.AWAITING_CLIENT and r.due_at < now]
    impacts = _launch_impacts(agency, late, today)
    from approvals.services import format_moment

    for r in requests:
        due_day = r.due_at.astimezone(zone).date()
        url = reverse("approval_detail", kwargs={"agency_slug": slug, "request_id": r.pk})
        if r.status == ApprovalStatus.AWAITING_INTERNAL:
            item = ExtraItem(
                kind="signoff",
                question=f"Sign off “{r.title}” before it goes to the client",
                decided_by=r.internal_approver.user.full_name if r.internal_approver else "An owner",
                about=r.title,
                url=url,
                project_name=r.project.name,
                due_date=due_day,
                due_label=format_moment(r.due_at, agency),
                badge="Internal sign-off",
                subject=("approval", r.pk),
            )
        elif r.status == ApprovalStatus.CHANGES_REQUESTED:
            item = ExtraItem(
                kind="changes_requested",
                question=f"Changes requested by {r.final_approver.full_name} — upload version {(r.round or 1) + 1}",
                decided_by=membership.user.full_name or membership.user.email,
                about=r.title,
                url=url,
                project_name=r.project.name,
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
            item = ExtraItem(
                kind="approval",
                question=f"Client decision on “{r.title}” (version {r.round or 1})",
                decided_by=r.final_approver.full_name,
                about=r.title,
                url=url,
                project_name=r.project.name,
                due_date=due_day,
                due_label=("was due " if is_late else "") + format_moment(r.due_at, agency),
                impact=impacts.get(r.pk, ""),
                late=is_late,
                badge="Late approval" if is_late else "Approval",
                badge_class="badge-bad" if is_late else "badge-info",
                subject=("approval", r.pk),
            )
        decisions.append(((0 if item.late else 1, due_day), item))

    for change in (
        ChangeRequest.objects.filter(decision__isnull=True, project__status__in=LIVE_PROJECT_STATUSES)
        .select_related("project")
        .only("description", "citation", "impact_summary", "project__name")
        .order_by("created_at")
    ):
        item = ExtraItem(
            kind="change_request",
            question=f"Change request: {change.description}",
            decided_by="An owner or the coordinator",
            about=change.citation,
            project_name=change.project.name,
            url=reverse(
                "change_request_detail", kwargs={"agency_slug": slug, "change_request_id": change.pk}
            ),
            due_date=None,
            due_label="",
            impact=change.impact_summary,
            badge="Change request",
            badge_class="badge-warn",
            subject=("change_request", change.pk),
        )
        decisions.append(((1, today), item))
    return decisions
