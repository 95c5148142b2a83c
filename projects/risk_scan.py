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
from datetime import date
from decimal import Decimal
from typing import Any

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


def _agency_snapshot(agency: Agency, *, project_ids: Sequence[int] | None) -> AgencySnapshot:
    today = agency_today(agency)
    calendar = agency_calendar(agency, around=today)
    tz = zoneinfo.ZoneInfo(agency.time_zone)
    projects_qs = Project.objects.live().select_related("client", "brief")
    if project_ids is not None:
        projects_qs = projects_qs.filter(pk__in=project_ids)
    projects = list(projects_qs)
    ids = [p.pk for p in projects]
    # Capacity is agency-wide: the load counts every live project's open tasks, not only the scanned ones.
    # Named tuples, not dicts: for tens of thousands of rows, building a dict per row cost more than the SQL.
    task_rows = list(
        Task.objects.of_live_projects().values_list(
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
            named=True,
        )
    )
    members = {m.pk: m for m in Membership.objects.select_related("user")}
    deps: dict[int, list[scheduling.Dependency]] = defaultdict(list)
    key_of = {row.id: row.key for row in task_rows}
    for pred_id, succ_id, kind, lag in TaskDependency.objects.filter(
        successor__project_id__in=ids
    ).values_list("predecessor_id", "successor_id", "kind", "lag_days"):
        if pred_id in key_of:
            deps[succ_id].append(scheduling.Dependency(predecessor=key_of[pred_id], kind=kind, lag=lag))
    inputs_by_project: dict[int, list[risks.InputSnap]] = defaultdict(list)
    inputs_of_task: dict[int, list[int]] = defaultdict(list)
    for item in RequiredInput.objects.filter(project_id__in=ids).values_list(
        "id",
        "project_id",
        "description",
        "short_name",
        "expected_by",
        "from_party",
        "from_name",
        "received_at",
        named=True,
    ):
        inputs_by_project[item.project_id].append(
            risks.InputSnap(
                id=item.id,
                description=item.description,
                short_name=item.short_name,
                expected_by=item.expected_by,
                from_party=item.from_party,
                from_name=item.from_name,
                received_at=item.received_at,
            )
        )
    # Which tasks wait on which input: the link table's pairs, not the linked tasks loaded whole.
    for input_id, task_id in (
        RequiredInput.tasks.through.objects.filter(requiredinput__project_id__in=ids)
        .order_by("requiredinput_id", "task_id")
        .values_list("requiredinput_id", "task_id")
    ):
        inputs_of_task[task_id].append(input_id)
    changes_by_project: dict[int, list[risks.DeadlineChangeSnap]] = defaultdict(list)
    for change in DeadlineChange.objects.filter(
        task__project_id__in=ids, cause=DeadlineChangeCause.MANUAL
    ).values(
        "id",
        "task_id",
        "task__project_id",
        "old_due",
        "new_due",
        "changed_at",
        "cause",
        "changed_by__user__full_name",
    ):
        changes_by_project[change["task__project_id"]].append(
            risks.DeadlineChangeSnap(
                id=change["id"],
                task_id=change["task_id"],
                old_due=change["old_due"],
                new_due=change["new_due"],
                changed_at=change["changed_at"],
                cause=change["cause"],
                changed_by_name=change["changed_by__user__full_name"] or "",
            )
        )
    # Approvals and change requests come from the layer above, through the providers it registers.
    inputs = risk_inputs_collect(ids, tz)
    # Weekly load across all live projects, with the projects that contribute to each week.
    weeks = risks.capacity_weeks(today, calendar)
    project_names = {p.pk: p.name for p in projects}
    load: dict[tuple[int, date], tuple[float, tuple[str, ...]]] = {}
    contributors: dict[tuple[int, date], set[str]] = defaultdict(set)
    hours: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    # Every open assigned task's hours, spread over the weeks in one pass (the weeks' bounds once).
    project_of = {row.id: row.project_id for row in task_rows}
    work = [
        WorkItem(
            member_id=row.assignee_id,
            start=row.start_date,
            due=row.due_date,
            hours=row.estimated_hours or Decimal(0),
            task_id=row.id,
        )
        for row in task_rows
        if row.status != TaskStatus.DONE and row.assignee_id is not None
    ]
    for item, monday, value in weekly_shares(work, calendar, weeks):
        if value:
            key = (item.member_id, monday)
            hours[key] += value
            contributors[key].add(project_names.get(project_of[item.task_id], "another project"))
    for key, value in hours.items():
        load[key] = (float(value), tuple(sorted(contributors[key])))
    member_snaps = tuple(
        risks.MemberSnap(
            id=m.pk,
            name=m.user.full_name or m.user.email,
            weekly_capacity_hours=float(m.weekly_capacity_hours),
            is_active=m.is_active,
        )
        for m in members.values()
    )
    tasks_by_project: dict[int, list[risks.TaskSnap]] = defaultdict(list)
    for row in task_rows:
        if row.project_id not in project_names:
            continue
        member = members.get(row.assignee_id) if row.assignee_id else None
        tasks_by_project[row.project_id].append(
            risks.TaskSnap(
                id=row.id,
                key=row.key,
                title=row.title,
                start=row.start_date,
                due=row.due_date,
                duration=row.duration_days,
                status=row.status,
                phase=row.phase__name or "",
                discipline=row.discipline,
                assignee_id=row.assignee_id,
                assignee_name=(member.user.full_name if member else ""),
                assignee_active=bool(member and member.is_active) if row.assignee_id else True,
                needs_decision=row.needs_decision,
                decision_question=row.decision_question,
                decision_by=row.decision_by,
                predecessors=tuple(deps.get(row.id, ())),
                input_ids=tuple(inputs_of_task.get(row.id, ())),
                added_beyond_brief=row.added_after_plan,
                period=row.recurrence_period,
            )
        )
    snapshots = [
        risks.ProjectSnapshot(
            project_id=p.pk,
            project_name=p.name,
            client_name=p.client.name,
            launch_date=p.launch_date,
            tasks=tuple(tasks_by_project[p.pk]),
            inputs=tuple(inputs_by_project[p.pk]),
            deadline_changes=tuple(changes_by_project[p.pk]),
            members=member_snaps,
            weekly_load=load,
            brief_deliverables=tuple(p.brief.deliverable_list) if hasattr(p, "brief") else (),
            revision_rounds_included=p.revision_rounds_included,
            approvals=tuple(inputs.approvals.get(p.pk, ())),
            change_requests=tuple(inputs.change_requests.get(p.pk, ())),
        )
        for p in projects
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
