"""The deadline-risk scan: read an agency's live projects in a fixed number of queries, evaluate the
pure rules (projects/risks/) and store the result (projects/escalations.py).

Queries do not grow with projects or tasks: one per kind of row for the whole agency (the tasks in a fixed
number of parts), sent in a fixed number of batches down one pipeline, each batch while the rows of the one
before are worked on (see _Reads).
"""

from __future__ import annotations

import gc
import zoneinfo
from collections import defaultdict
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import EmptyResultSet
from django.db.models import F, IntegerField, QuerySet
from django.db.models.functions import Cast, Mod
from django_scopes import get_scope

from agencyops.lookups import AnyOf
from agencyops.models import Agency, Membership
from agencyops.planned_sql import Statement, planned_batches
from projects import risks, scheduling
from projects.calendars import agency_calendar, agency_closures, agency_today, calendar_years
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
from projects.risk_inputs import RiskInputRead, RiskInputs, risk_inputs_providers, risk_inputs_reads
from projects.risks.snapshot import snapshot_from_fields
from projects.workload import WorkItem, weekly_shares

LOOKAHEAD_DAYS = 5
ZERO_HOURS = Decimal(0)

# The columns of the tasks the scan reads, in the order _PlanBuilder unpacks them.
TASK_COLUMNS = (
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
    # Estimates have one decimal place: read as whole tenths, which the driver reads far faster than
    # decimals; only the few tasks that load the capacity weeks become Decimal hours.
    "estimated_tenths",
    "phase__name",
    "added_after_plan",
    "recurrence_period",
    "order",
)


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
    a quarter of the snapshot's time at the default size, and growing faster than the data. Paused while
    a snapshot is built, and while a scan's snapshot is alive; reference counting still frees everything
    as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def agency_snapshot(agency: Agency, *, project_ids: Sequence[int] | None = None) -> AgencySnapshot:
    """Load the live projects of an agency (or some of them) as rule snapshots, in one round trip to the
    database (one query per kind of row, sent together)."""
    with _cyclic_gc_paused():
        return _agency_snapshot(agency, project_ids=project_ids)


# The live tasks are read in this many parts, by project: PostgreSQL sends each part while the one before is
# put in plan order, and the scan waits on the database for the first part alone, not for every task.
TASK_PARTS = 2


@dataclass(frozen=True)
class _Reads:
    """The snapshot's reads, compiled: each statement's SQL and parameters (None for a filter that can match
    nothing), in batches, and the providers' reads whose rows come at the end of the last.

    The first batch holds the projects, people and closures with the first part of the tasks; then one
    batch for each other part of the tasks; then what hangs off the tasks (links, inputs, moves, the
    providers' rows). PostgreSQL runs each batch while the snapshot works on the rows of the one before.
    Rows come back as plain tuples: Django's own iteration fetches 100 rows at a time and copies each
    one, which for an agency's tens of thousands of task rows cost half as much again as their SQL."""

    first: tuple[Statement | None, ...]
    task_parts: tuple[Statement | None, ...]
    around_plans: tuple[Statement | None, ...]
    provider_reads: tuple[RiskInputRead, ...]


# Compiled reads by key (see _reads); cleared when full, which only costs compiling them again.
_READS_KEPT = 64
_kept_reads: dict[Hashable, _Reads] = {}


def _reads(agency: Agency, *, project_ids: Sequence[int] | None, years: range) -> _Reads:
    """The snapshot's reads for this agency, compiled once and kept: building and compiling a dozen
    querysets cost a small agency's scan a tenth of its rules every time, for SQL that only changes with
    the scope the querysets are built in, the projects scanned, the calendar's years and the providers."""
    key = (
        tuple(sorted(get_scope().items())),
        agency.pk,
        agency.time_zone,
        None if project_ids is None else tuple(project_ids),
        years,
        risk_inputs_providers(),
    )
    try:
        reads = _kept_reads.get(key)
    except TypeError:
        # A scope value that cannot be a key (django-scopes allows any): compiled afresh.
        return _compile_reads(agency, project_ids=project_ids, years=years)
    if reads is None:
        if len(_kept_reads) >= _READS_KEPT:
            _kept_reads.clear()
        reads = _kept_reads[key] = _compile_reads(agency, project_ids=project_ids, years=years)
    return reads


def _compile_reads(agency: Agency, *, project_ids: Sequence[int] | None, years: range) -> _Reads:
    tz = zoneinfo.ZoneInfo(agency.time_zone)
    scanned = Project.objects.live()
    if project_ids is not None:
        scanned = scanned.filter(pk__in=project_ids)
    # Approvals and change requests come from the layer above, through the providers it registers.
    provider_reads = risk_inputs_reads(scanned, tz)
    # The scanned projects' ids as one list the database works out once and then looks up through each
    # table's index; a plain subquery made it scan every task of the agency (done projects' too) per read.
    scanned_ids = ArraySubquery(scanned.order_by().values("id"))

    def live_tasks(part: int) -> QuerySet[Task]:
        # Capacity is agency-wide: the load counts every live project's open tasks, not only the scanned
        # ones. A part is the projects whose id leaves that remainder: each project's tasks in one part.
        if project_ids is None:
            ids = scanned.order_by().alias(part=Mod("id", TASK_PARTS)).filter(part=part).values("id")
            return Task.objects.filter(AnyOf(F("project_id"), ArraySubquery(ids)))
        return Task.objects.of_live_projects().alias(part=Mod("project_id", TASK_PARTS)).filter(part=part)

    # The few columns the rules read, not model instances (projects with their clients and briefs, members
    # with their users); in the order _agency_snapshot unpacks them.
    querysets = [
        scanned.values_list(
            "id", "name", "client__name", "launch_date", "revision_rounds_included", "brief__deliverables"
        ),
        Membership.objects.values_list(
            "id", "user__full_name", "user__email", "weekly_capacity_hours", "is_active"
        ),
        agency_closures(agency, years),
        *(
            # Not sorted by the database: their default order sorts by the project's name (a collated
            # text sort), and any order at all cost it more than reading the rows. Sorted plan by plan.
            live_tasks(part)
            .order_by()
            .annotate(estimated_tenths=Cast(F("estimated_hours") * 10, IntegerField()))
            .values_list(*TASK_COLUMNS)
            for part in range(TASK_PARTS)
        ),
        TaskDependency.objects.filter(AnyOf(F("successor__project_id"), scanned_ids)).values_list(
            "predecessor_id", "successor_id", "kind", "lag_days", "id"
        ),
        # Each input with the tasks that wait on it (the link table's ids), one row per pair.
        RequiredInput.objects.filter(AnyOf(F("project_id"), scanned_ids))
        .order_by("expected_by", "description", "id")
        .values_list(
            "id",
            "project_id",
            "description",
            "short_name",
            "expected_by",
            "from_party",
            "from_name",
            "received_at",
            "tasks",
        ),
        DeadlineChange.objects.filter(
            AnyOf(F("task__project_id"), scanned_ids), cause=DeadlineChangeCause.MANUAL
        ).values_list(
            "id",
            "task_id",
            "task__project_id",
            "old_due",
            "new_due",
            "changed_at",
            "cause",
            "changed_by__user__full_name",
        ),
        *(read.rows for read in provider_reads),
    ]
    statements: list[Statement | None] = []
    for queryset in querysets:
        try:
            statements.append(queryset.query.sql_with_params())
        except EmptyResultSet:
            statements.append(None)
    # Projects, people and closures, the tasks in parts, then the rest (see _Reads).
    tasks_end = 3 + TASK_PARTS
    return _Reads(
        first=tuple(statements[:4]),
        task_parts=tuple(statements[4:tasks_end]),
        around_plans=tuple(statements[tasks_end:]),
        provider_reads=tuple(provider_reads),
    )


def _agency_snapshot(agency: Agency, *, project_ids: Sequence[int] | None) -> AgencySnapshot:
    today = agency_today(agency)
    reads = _reads(agency, project_ids=project_ids, years=calendar_years(today))
    with planned_batches() as pipeline:
        project_rows, member_rows, closure_rows, task_rows = pipeline.send(reads.first).rows()
        calendar = agency_calendar(agency, around=today, closures=[row[0] for row in closure_rows])
        builder = _PlanBuilder(today, calendar, project_rows, member_rows)
        # Each batch goes out before the rows of the one before are put in plan order.
        for part in reads.task_parts:
            batch = pipeline.send([part])
            builder.add(task_rows)
            [task_rows] = batch.rows()
        # What hangs off the tasks, in the binary format: the moves' moments are read in C, not one by
        # one in Python.
        around_plans = pipeline.send(reads.around_plans, binary=True)
        builder.add(task_rows)
        plans = builder.finish()
        link_rows, input_rows, change_rows, *provider_rows = around_plans.rows()
    inputs = RiskInputs()
    for read, rows in zip(reads.provider_reads, provider_rows, strict=True):
        read.collect(rows, inputs)
    # Each task's links, in the order they were made (they arrive almost in that order, which the sort
    # only checks), from live tasks only.
    link_rows.sort(key=itemgetter(4))
    # Plans repeat the same few links (after "t003", finish to start, no lag): one value for each.
    links: dict[tuple[str, str, int], scheduling.Dependency] = {}
    key_of, fields_of = plans.key_of, plans.fields_of
    for pred_id, succ_id, kind, lag, _link_id in link_rows:
        predecessor = key_of.get(pred_id)
        fields = fields_of.get(succ_id)
        if predecessor is None or fields is None:
            continue
        link = links.get((predecessor, kind, lag))
        if link is None:
            link = links[predecessor, kind, lag] = scheduling.Dependency(
                predecessor=predecessor, kind=kind, lag=lag
            )
        # Most tasks follow one or two others: a tuple grown link by link costs less than a list per task.
        fields["predecessors"] += (link,)
    inputs_by_project: dict[int, list[risks.InputSnap]] = defaultdict(list)
    inputs_of_task: dict[int, list[int]] = defaultdict(list)
    previous = None
    for (
        input_id,
        project_id,
        description,
        short_name,
        expected_by,
        from_party,
        from_name,
        received_at,
        task_id,
    ) in input_rows:
        if task_id is not None:
            inputs_of_task[task_id].append(input_id)
        if input_id == previous:
            continue
        previous = input_id
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
    for task_id, input_ids in inputs_of_task.items():
        fields = fields_of.get(task_id)
        if fields is not None:
            fields["input_ids"] = tuple(sorted(input_ids))
    changes_by_project: dict[int, list[risks.DeadlineChangeSnap]] = defaultdict(list)
    for change_id, task_id, project_id, old_due, new_due, changed_at, cause, changed_by_name in change_rows:
        changes_by_project[project_id].append(
            snapshot_from_fields(
                risks.DeadlineChangeSnap,
                {
                    "id": change_id,
                    "task_id": task_id,
                    "old_due": old_due,
                    "new_due": new_due,
                    "changed_at": changed_at,
                    "cause": cause,
                    "changed_by_name": changed_by_name or "",
                },
            )
        )
    members, load, tasks_by_project = plans.members, plans.weekly_load, plans.tasks_by_project
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
        for project_id, name, client_name, launch_date, revision_rounds_included, deliverables in project_rows
    ]
    return AgencySnapshot(agency=agency, today=today, calendar=calendar, projects=snapshots)


@dataclass
class _Plans:
    """The scanned projects' tasks as rule snapshots in plan order, before their links and inputs are
    known (each snapshot's fields, by task id, are filled in when those arrive), and the people's week
    by week load across every live project."""

    members: tuple[risks.MemberSnap, ...]
    tasks_by_project: dict[int, list[risks.TaskSnap]]
    fields_of: dict[int, dict[str, Any]]
    key_of: dict[int, str]
    weekly_load: dict[tuple[int, date], tuple[float, tuple[str, ...]]]


class _PlanBuilder:
    """Puts the tasks in plan order as rule snapshots, part by part (each part holds whole projects), and
    adds up the people's load week by week across every live project."""

    def __init__(
        self,
        today: date,
        calendar: scheduling.BusinessCalendar,
        project_rows: list[tuple[Any, ...]],
        member_rows: list[tuple[Any, ...]],
    ) -> None:
        self.calendar = calendar
        self.tasks_by_project: dict[int, list[risks.TaskSnap]] = {project[0]: [] for project in project_rows}
        self.project_names = {project[0]: project[1] for project in project_rows}
        # Each member's name and whether they are active, and their snapshot for the capacity rule.
        self.assignees: dict[int, tuple[str, bool]] = {}
        member_snaps = []
        for member_id, full_name, email, capacity, is_active in member_rows:
            self.assignees[member_id] = (full_name, bool(is_active))
            member_snaps.append(
                risks.MemberSnap(
                    id=member_id,
                    name=full_name or email,
                    weekly_capacity_hours=float(capacity),
                    is_active=is_active,
                )
            )
        self.members = tuple(member_snaps)
        self.weeks = risks.capacity_weeks(today, calendar)
        # Every live task's key, which the links name; each scanned task's fields, by id.
        self.key_of: dict[int, str] = {}
        self.fields_of: dict[int, dict[str, Any]] = {}
        # The open, assigned tasks that can put hours into the capacity weeks, and their projects.
        self.work: list[WorkItem] = []
        self.project_of: dict[int, int] = {}

    def add(self, task_rows: list[tuple[Any, ...]]) -> None:
        """Take one part of the tasks (see TASK_COLUMNS)."""
        # A project's tasks, put in plan order below.
        rows_of_project: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        key_of, fields_of, work, project_of = self.key_of, self.fields_of, self.work, self.project_of
        tasks_by_project, assignees = self.tasks_by_project, self.assignees
        for row in task_rows:
            rows_of_project[row[1]].append(row)
            key_of[row[0]] = row[2]
        # A task can only put hours into the capacity weeks if it is due on or after their first day and
        # starts before the end of the last: the others (most of a plan) are not spread at all.
        first_day, after_last = self.weeks[0], self.weeks[-1] + timedelta(weeks=1)
        unassigned = ("", True)
        done = TaskStatus.DONE.value
        # Plan order is by start, then the order in the plan: sorted project by project (a few dozen rows
        # each), about a third of the cost of sorting the agency's rows at once.
        in_plan_order = itemgetter(4, 17, 0)
        for project_id, rows in rows_of_project.items():
            rows.sort(key=in_plan_order)
            scanned = project_id in tasks_by_project
            project_fields = []
            for (
                task_id,
                _project_id,
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
                estimated_tenths,
                phase,
                added_after_plan,
                period,
                _order,
            ) in rows:
                if assignee_id is not None and status != done and due >= first_day and start < after_last:
                    project_of[task_id] = project_id
                    work.append(
                        WorkItem(
                            member_id=assignee_id,
                            start=start,
                            due=due,
                            hours=Decimal(estimated_tenths).scaleb(-1) if estimated_tenths else ZERO_HOURS,
                            task_id=task_id,
                        )
                    )
                if not scanned:
                    continue
                assignee_name, assignee_active = (
                    assignees.get(assignee_id, ("", False)) if assignee_id else unassigned
                )
                fields_of[task_id] = fields = {
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
                    # Filled in from the links and inputs when they arrive.
                    "predecessors": (),
                    "input_ids": (),
                    "added_beyond_brief": added_after_plan,
                    "period": period,
                }
                project_fields.append(fields)
            if scanned:
                tasks_by_project[project_id] = risks.TaskSnap.from_fields(project_fields)

    def finish(self) -> _Plans:
        """The plans, once every part is in, with the weekly load across all of them."""
        contributors: dict[tuple[int, date], set[str]] = defaultdict(set)
        hours: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
        project_names, project_of = self.project_names, self.project_of
        # Every such task's hours, spread over the weeks in one pass (the weeks' bounds once).
        for item, monday, value in weekly_shares(self.work, self.calendar, self.weeks):
            if value:
                week_key = (item.member_id, monday)
                hours[week_key] += value
                contributors[week_key].add(project_names.get(project_of[item.task_id], "another project"))
        load = {
            week_key: (float(value), tuple(sorted(contributors[week_key])))
            for week_key, value in hours.items()
        }
        return _Plans(
            members=self.members,
            tasks_by_project=self.tasks_by_project,
            fields_of=self.fields_of,
            key_of=self.key_of,
            weekly_load=load,
        )


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
    # The collector stays paused until the snapshot and what the rules found are freed: resumed after the
    # snapshot alone, its first passes would walk every task snapshot while the rules run.
    with _cyclic_gc_paused():
        return _scan(agency)


def _scan(agency: Agency) -> SyncResult:
    held = [agency_snapshot(agency)]
    snapshot = held[0]
    today = snapshot.today
    found = [
        _found(f)
        for f in risks.evaluate_many(
            snapshot.projects, today=today, calendar=snapshot.calendar, lookahead_days=LOOKAHEAD_DAYS
        )
    ]
    del snapshot
    # The snapshot (tens of thousands of objects at a large agency) is freed while PostgreSQL writes what
    # the scan found, not after.
    return escalations_sync(agency_id=agency.pk, found=found, today=today, meanwhile=held.clear)
