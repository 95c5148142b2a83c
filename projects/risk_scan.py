"""The deadline-risk scan: read an agency's live projects in a fixed number of queries, evaluate the
pure rules (projects/risks/) and store the result (projects/escalations.py).

Queries do not grow with projects or tasks: one per kind of row for the whole agency.
"""

from __future__ import annotations

import gc
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from agencyops.models import Agency, Membership
from projects import risks, scheduling
from projects.calendars import agency_calendar, agency_today
from projects.escalations import Found, SyncResult, escalations_sync
from projects.models import (
    DeadlineChange,
    DeadlineChangeCause,
    Project,
    RequiredInput,
    Task,
    TaskDependency,
    TaskStatus,
    deliverable_lines,
)
from projects.risk_inputs import risk_inputs_collect
from projects.workload import WorkItem, weekly_shares

LOOKAHEAD_DAYS = 5


@dataclass
class AgencySnapshot:
    """Everything the rules need for one agency, as plain values."""

    agency: Agency
    today: date
    calendar: scheduling.BusinessCalendar
    projects: list[risks.ProjectSnapshot]


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """While tens of thousands of small rows become rule snapshots, Python's cyclic collector would walk
    the whole process heap again and again and free nothing (rows, tuples and snapshots hold no cycles):
    a quarter of the snapshot's time at the default size, and growing faster than the data. Paused for
    the build only; reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def agency_snapshot(agency: Agency, *, project_ids: Sequence[int] | None = None) -> AgencySnapshot:
    """Load the live projects of an agency (or some of them) as rule snapshots; one query per kind of row."""
    with _cyclic_gc_paused():
        return _agency_snapshot(agency, project_ids=project_ids)


def _rows(queryset: QuerySet) -> list[tuple]:
    """A values_list queryset's rows as plain tuples, fetched at once. The queryset is built (and scoped to
    the agency) as usual; only the iteration is skipped: Django's fetches 100 rows at a time and copies
    each one, which for an agency's tens of thousands of task rows cost half as much again as the SQL."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        # What Django's own iteration answers for a filter that can match nothing (no live projects).
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _agency_snapshot(agency: Agency, *, project_ids: Sequence[int] | None) -> AgencySnapshot:
    today = agency_today(agency)
    calendar = agency_calendar(agency, around=today)
    tz = zoneinfo.ZoneInfo(agency.time_zone)
    projects_qs = Project.objects.live()
    if project_ids is not None:
        projects_qs = projects_qs.filter(pk__in=project_ids)
    # The few columns the rules read, not the projects, clients and briefs as model instances.
    projects = _rows(
        projects_qs.values_list(
            "id", "name", "client__name", "launch_date", "revision_rounds_included", "brief__deliverables"
        )
    )
    ids = [project[0] for project in projects]
    tasks_by_project: dict[int, list[risks.TaskSnap]] = {project_id: [] for project_id in ids}
    # Capacity is agency-wide: the load counts every live project's open tasks, not only the scanned ones.
    # Ordered by integers only: the tasks' default order sorts by the project's name, a collated text sort
    # that cost the database more than reading the rows; within a project the order is the same.
    task_rows = _rows(
        Task.objects.of_live_projects()
        .order_by("start_date", "order", "id")
        .values_list(
            "id",
            "project_id",
            "key",
            "title",
            "start_date",
            "due_date",
            "duration_days",
            "status",
            "discipline",
            "assignee_id",
            "needs_decision",
            "decision_question",
            "decision_by",
            "estimated_hours",
            "phase__name",
            "added_after_plan",
            "recurrence_period",
        )
    )
    # Each member's name and whether they are active, and their snapshot for the capacity rule.
    assignees: dict[int, tuple[str, bool]] = {}
    member_snaps = []
    for member_id, full_name, email, capacity, is_active in _rows(
        Membership.objects.values_list(
            "id", "user__full_name", "user__email", "weekly_capacity_hours", "is_active"
        )
    ):
        assignees[member_id] = (full_name, bool(is_active))
        member_snaps.append(
            risks.MemberSnap(
                id=member_id,
                name=full_name or email,
                weekly_capacity_hours=float(capacity),
                is_active=is_active,
            )
        )
    key_of = {row[0]: row[2] for row in task_rows}
    deps: dict[int, list[scheduling.Dependency]] = defaultdict(list)
    # Plans repeat the same few links (after "t003", finish to start, no lag): one value for each.
    links: dict[tuple[str, str, int], scheduling.Dependency] = {}
    for pred_id, succ_id, kind, lag in _rows(
        TaskDependency.objects.filter(successor__project_id__in=ids).values_list(
            "predecessor_id", "successor_id", "kind", "lag_days"
        )
    ):
        predecessor = key_of.get(pred_id)
        if predecessor is None:
            continue
        link = links.get((predecessor, kind, lag))
        if link is None:
            link = links[predecessor, kind, lag] = scheduling.Dependency(
                predecessor=predecessor, kind=kind, lag=lag
            )
        deps[succ_id].append(link)
    inputs_by_project: dict[int, list[risks.InputSnap]] = defaultdict(list)
    inputs_of_task: dict[int, list[int]] = defaultdict(list)
    for (
        input_id,
        project_id,
        description,
        short_name,
        expected_by,
        from_party,
        from_name,
        received_at,
    ) in _rows(
        RequiredInput.objects.filter(project_id__in=ids).values_list(
            "id",
            "project_id",
            "description",
            "short_name",
            "expected_by",
            "from_party",
            "from_name",
            "received_at",
        )
    ):
        inputs_by_project[project_id].append(
            risks.InputSnap(
                id=input_id,
                description=description,
                short_name=short_name,
                expected_by=expected_by,
                from_party=from_party,
                from_name=from_name,
                received_at=received_at,
            )
        )
    # Which tasks wait on which input: the link table's pairs, not the linked tasks loaded whole.
    for input_id, task_id in _rows(
        RequiredInput.tasks.through.objects.filter(requiredinput__project_id__in=ids)
        .order_by("requiredinput_id", "task_id")
        .values_list("requiredinput_id", "task_id")
    ):
        inputs_of_task[task_id].append(input_id)
    changes_by_project: dict[int, list[risks.DeadlineChangeSnap]] = defaultdict(list)
    for change_id, task_id, project_id, old_due, new_due, changed_at, cause, changed_by_name in _rows(
        DeadlineChange.objects.filter(task__project_id__in=ids, cause=DeadlineChangeCause.MANUAL).values_list(
            "id",
            "task_id",
            "task__project_id",
            "old_due",
            "new_due",
            "changed_at",
            "cause",
            "changed_by__user__full_name",
        )
    ):
        changes_by_project[project_id].append(
            risks.DeadlineChangeSnap(
                id=change_id,
                task_id=task_id,
                old_due=old_due,
                new_due=new_due,
                changed_at=changed_at,
                cause=cause,
                changed_by_name=changed_by_name or "",
            )
        )
    # Approvals and change requests come from the layer above, through the providers it registers.
    inputs = risk_inputs_collect(ids, tz)
    # Weekly load across all live projects, with the projects that contribute to each week.
    weeks = risks.capacity_weeks(today, calendar)
    project_names = {project[0]: project[1] for project in projects}
    load: dict[tuple[int, date], tuple[float, tuple[str, ...]]] = {}
    contributors: dict[tuple[int, date], set[str]] = defaultdict(set)
    hours: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    # A task can only put hours into the capacity weeks if it is due on or after their first day and
    # starts before the end of the last: the others (most of a plan) are not spread at all.
    first_day, after_last = weeks[0], weeks[-1] + timedelta(weeks=1)
    work: list[WorkItem] = []
    project_of: dict[int, int] = {}
    unassigned = ("", True)
    from_fields = risks.TaskSnap.from_fields
    for (
        task_id,
        project_id,
        key,
        title,
        start,
        due,
        duration,
        status,
        discipline,
        assignee_id,
        needs_decision,
        decision_question,
        decision_by,
        estimated_hours,
        phase,
        added_after_plan,
        period,
    ) in task_rows:
        if assignee_id is not None and status != TaskStatus.DONE and due >= first_day and start < after_last:
            project_of[task_id] = project_id
            work.append(
                WorkItem(
                    member_id=assignee_id,
                    start=start,
                    due=due,
                    hours=estimated_hours or Decimal(0),
                    task_id=task_id,
                )
            )
        bucket = tasks_by_project.get(project_id)
        if bucket is None:
            continue
        assignee_name, assignee_active = (
            assignees.get(assignee_id, ("", False)) if assignee_id else unassigned
        )
        predecessors = deps.get(task_id)
        input_ids = inputs_of_task.get(task_id)
        bucket.append(
            from_fields(
                {
                    "id": task_id,
                    "key": key,
                    "title": title,
                    "start": start,
                    "due": due,
                    "duration": duration,
                    "status": status,
                    "phase": phase or "",
                    "discipline": discipline,
                    "assignee_id": assignee_id,
                    "assignee_name": assignee_name,
                    "assignee_active": assignee_active,
                    "needs_decision": needs_decision,
                    "decision_question": decision_question,
                    "decision_by": decision_by,
                    "predecessors": tuple(predecessors) if predecessors else (),
                    "input_ids": tuple(input_ids) if input_ids else (),
                    "added_beyond_brief": added_after_plan,
                    "period": period,
                }
            )
        )
    # Every such task's hours, spread over the weeks in one pass (the weeks' bounds once).
    for item, monday, value in weekly_shares(work, calendar, weeks):
        if value:
            week_key = (item.member_id, monday)
            hours[week_key] += value
            contributors[week_key].add(project_names.get(project_of[item.task_id], "another project"))
    for week_key, value in hours.items():
        load[week_key] = (float(value), tuple(sorted(contributors[week_key])))
    members = tuple(member_snaps)
    snapshots = [
        risks.ProjectSnapshot(
            project_id=project_id,
            project_name=name,
            client_name=client_name,
            launch_date=launch_date,
            tasks=tuple(tasks_by_project[project_id]),
            inputs=tuple(inputs_by_project[project_id]),
            deadline_changes=tuple(changes_by_project[project_id]),
            members=members,
            weekly_load=load,
            brief_deliverables=tuple(deliverable_lines(deliverables)) if deliverables else (),
            revision_rounds_included=revision_rounds_included,
            approvals=tuple(inputs.approvals.get(project_id, ())),
            change_requests=tuple(inputs.change_requests.get(project_id, ())),
        )
        for project_id, name, client_name, launch_date, revision_rounds_included, deliverables in projects
    ]
    return AgencySnapshot(agency=agency, today=today, calendar=calendar, projects=snapshots)


def _found(item: risks.Escalation) -> Found:
    facts: dict[str, Any] = dict(item.facts)
    for subject in ("input_id", "member_id", "approval_id", "change_request_id"):
        if getattr(item, subject) is not None:
            facts[subject] = getattr(item, subject)
    return Found(
        project_id=item.project_id,
        rule=item.rule,
        fingerprint=item.fingerprint,
        severity=item.severity,
        section=item.section,
        message=item.message,
        facts=facts,
        task_id=item.task_id,
    )


def agency_scan(agency: Agency) -> SyncResult:
    """Scan every live project of an agency and store what changed. Callers hold the agency's scan lock."""
    snapshot = agency_snapshot(agency)
    found = risks.evaluate_many(
        snapshot.projects, today=snapshot.today, calendar=snapshot.calendar, lookahead_days=LOOKAHEAD_DAYS
    )
    return escalations_sync(agency_id=agency.pk, found=[_found(f) for f in found], today=snapshot.today)
