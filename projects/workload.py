"""Who has what on: the reads behind My work, the team workload table and the calendar feed.

``weekly_hours`` (and ``spread_hours``) are pure: plain values and a business calendar in, hours per
member and ISO week out. The selectors below load rows with a fixed number of queries and feed them in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import Prefetch, Q

from agencyops.models import Agency, Discipline, Membership, Role
from agencyops.planned_sql import planned_cursor
from projects.models import LIVE_PROJECT_STATUSES, Party, RequiredInput, Task, TaskDependency, TaskStatus
from projects.scheduling import BusinessCalendar, working_week
from projects.timeline import short_date

WORKLOAD_WEEKS = 6
CENT = Decimal("0.01")
ONE_DAY = timedelta(days=1)
DISCIPLINE_LABELS = dict(Discipline.choices)
ROLE_LABELS = dict(Role.choices)
ONE_WEEK = timedelta(days=7)


# --------------------------------------------------------------------------- pure: hours per week


class WorkItem(NamedTuple):
    """A task's effort as the workload needs it: whose, when, how many hours (a named tuple: a page
    builds hundreds)."""

    member_id: int | None
    start: date
    due: date
    hours: Decimal
    task_id: int = 0


def week_start(d: date) -> date:
    """The Monday of d's ISO week."""
    return d - timedelta(days=d.weekday())


def weeks_from(d: date, count: int) -> list[date]:
    """The Mondays of d's week and the ``count - 1`` weeks after it."""
    first = week_start(d)
    return [first + timedelta(weeks=i) for i in range(count)]


_WeekBounds = list[tuple[date, int, int]]


def _week_bounds(calendar: BusinessCalendar, weeks: Sequence[date]) -> _WeekBounds:
    """Each Monday with the business-day indexes of its first day and of the next Monday."""
    return [
        (monday, calendar.business_day_index(monday), calendar.business_day_index(monday + ONE_WEEK))
        for monday in weeks
    ]


def _hundredths(hours: Decimal) -> int | None:
    """``hours`` as a whole number of hundredths of an hour, or None when it has finer digits."""
    scaled = hours * 100
    return int(scaled) if scaled == scaled.to_integral_value() else None


def _share(hundredths: int, days: int, total: int) -> int:
    """``days`` out of ``total`` of an amount of hundredths, rounded half up: in whole numbers, exactly what
    ``(amount * days / total).quantize(CENT, ROUND_HALF_UP)`` gives for an amount above zero."""
    return (2 * hundredths * days + total) // (2 * total)


def _spread(
    item: WorkItem, calendar: BusinessCalendar, bounds: _WeekBounds
) -> Iterator[tuple[date, Decimal]]:
    hours = Decimal(item.hours)
    if hours <= 0:
        return
    # Business days are counted by index: those of the task in a week are the overlap of two ranges.
    start = calendar.business_day_index(item.start)
    end = calendar.business_day_index(item.due + ONE_DAY)
    total = end - start
    if total <= 0:
        due_week = week_start(item.due)
        for monday, _, _ in bounds:
            if monday == due_week:
                yield monday, hours.quantize(CENT, ROUND_HALF_UP)
        return
    hundredths = _hundredths(hours)
    for monday, first, after in bounds:
        days = min(end, after) - max(start, first)
        if days > 0:
            if hundredths is None:
                yield monday, (hours * days / total).quantize(CENT, ROUND_HALF_UP)
            else:
                yield monday, Decimal(_share(hundredths, days, total)).scaleb(-2)


def spread_hours(item: WorkItem, calendar: BusinessCalendar, weeks: Sequence[date]) -> dict[date, Decimal]:
    """A task's hours in each of ``weeks`` (Mondays), spread evenly over its business days.

    Shares are rounded to the cent of an hour. A task with no business day in its span (a date
    moved onto a holiday) puts all its hours in the week it is due.
    """
    return dict(_spread(item, calendar, _week_bounds(calendar, weeks)))


def weekly_shares(
    items: Iterable[WorkItem], calendar: BusinessCalendar, weeks: Sequence[date]
) -> Iterator[tuple[WorkItem, date, Decimal]]:
    """Each item's hours in each of ``weeks`` it touches, as (item, Monday, hours), for callers that need to
    know which item a share came from; the weeks' bounds are worked out once for all the items."""
    bounds = _week_bounds(calendar, weeks)
    for item in items:
        for monday, hours in _spread(item, calendar, bounds):
            yield item, monday, hours


def weekly_hours(
    tasks: Iterable[WorkItem], calendar: BusinessCalendar, weeks: Sequence[date]
) -> dict[tuple[int | None, date], Decimal]:
    """Hours per (member, week start): each task's hours spread over its business days, summed per ISO week.

    Only the given weeks are counted; a (member, week) with no hours has no entry. The shares are those of
    ``spread_hours``, summed in whole hundredths of an hour (the workload page spreads hundreds of tasks).
    """
    bounds = _week_bounds(calendar, weeks)
    index = calendar.business_day_index
    # Many tasks share a start, a due date or an estimate: each is worked out once.
    start_index: dict[date, int] = {}
    end_index: dict[date, int] = {}
    hundredths_of: dict[Decimal, int | None] = {}
    whole: dict[tuple[int | None, date], int] = defaultdict(int)
    finer: dict[tuple[int | None, date], Decimal] = defaultdict(Decimal)
    for item in tasks:
        hours = item.hours if type(item.hours) is Decimal else Decimal(item.hours)
        if hours <= 0:
            continue
        start = start_index.get(item.start)
        if start is None:
            start = start_index[item.start] = index(item.start)
        end = end_index.get(item.due)
        if end is None:
            end = end_index[item.due] = index(item.due + ONE_DAY)
        total = end - start
        if total <= 0:
            for monday, share in _spread(item, calendar, bounds):
                finer[(item.member_id, monday)] += share
            continue
        if hours in hundredths_of:
            hundredths = hundredths_of[hours]
        else:
            hundredths = hundredths_of[hours] = _hundredths(hours)
        for monday, first, after in bounds:
            days = (end if end < after else after) - (start if start > first else first)
            if days > 0:
                if hundredths is None:
                    finer[(item.member_id, monday)] += (hours * days / total).quantize(CENT, ROUND_HALF_UP)
                else:
                    whole[(item.member_id, monday)] += _share(hundredths, days, total)
    totals = {key: Decimal(value).scaleb(-2) for key, value in whole.items()}
    for key, value in finer.items():
        totals[key] = totals.get(key, Decimal(0)) + value
    return totals


# --------------------------------------------------------------------------- workload table


@dataclass(frozen=True)
class WorkloadCell:
    week: date
    hours: Decimal
    capacity: Decimal | None

    @property
    def overloaded(self) -> bool:
        return self.capacity is not None and self.hours > self.capacity


@dataclass(frozen=True)
class WorkloadRow:
    """One person (or "Owner unclear") across the weeks; the drill-down link carries ``member_key``."""

    member_key: str
    name: str
    detail: str
    capacity: Decimal | None
    cells: list[WorkloadCell]


@dataclass(frozen=True)
class DrilldownLine:
    task_id: int
    title: str
    project_id: int
    project: str
    client: str
    start: date
    due: date
    hours_in_week: Decimal
    hours_total: Decimal


@dataclass
class Workload:
    """The table of the workload page, plus the work items behind it (for a drill-down)."""

    weeks: list[date]
    rows: list[WorkloadRow]
    calendar: BusinessCalendar
    items: list[WorkItem] = field(default_factory=list)

    @property
    def has_hours(self) -> bool:
        return any(cell.hours for row in self.rows for cell in row.cells)

    def row(self, member_key: str) -> WorkloadRow | None:
        return next((r for r in self.rows if r.member_key == member_key), None)

    def hours_in_cell(self, member_key: str, week: date) -> dict[int, Decimal]:
        """The hours each task puts into one cell, by task id; no query."""
        member = None if member_key == UNCLEAR else int(member_key)
        shares = {}
        for item in self.items:
            if item.member_id == member:
                hours = spread_hours(item, self.calendar, [week]).get(week)
                if hours:
                    shares[item.task_id] = hours
        return shares


UNCLEAR = "unclear"


def workload_drilldown(table: Workload, member_key: str, week: date) -> list[DrilldownLine]:
    """The tasks that make up one cell with their project and client, largest share first; one query."""
    shares = table.hours_in_cell(member_key, week)
    tasks = Task.objects.filter(pk__in=shares).values_list(
        "id",
        "title",
        "project_id",
        "project__name",
        "project__client__name",
        "start_date",
        "due_date",
        "estimated_hours",
    )
    lines = [
        DrilldownLine(
            task_id=task_id,
            title=title,
            project_id=project_id,
            project=project,
            client=client,
            start=start,
            due=due,
            hours_in_week=shares[task_id],
            hours_total=hours,
        )
        for task_id, title, project_id, project, client, start, due, hours in tasks
    ]
    return sorted(lines, key=lambda line: (-line.hours_in_week, line.due, line.title))


# The workload's two reads, written once (the ORM compiled them again on every view, at several times what
# PostgreSQL spends running them): the agency's active members, and every open task of a live project with
# hours in the window, in the plan's own order.
WORKLOAD_MEMBERS_SQL = """
SELECT m.id, u.full_name, u.email, m.discipline, m.role, m.weekly_capacity_hours
FROM agencyops_membership m JOIN agencyops_user u ON u.id = m.user_id
WHERE m.agency_id = %(agency)s AND m.is_active
ORDER BY u.full_name, u.email, m.id
"""

WORKLOAD_TASKS_SQL = """
SELECT t.id, t.assignee_id, t.start_date, t.due_date, t.estimated_hours
FROM projects_task t JOIN projects_project p ON p.id = t.project_id
WHERE t.agency_id = %(agency)s AND p.status = ANY(%(live)s) AND t.status <> %(done)s
  AND t.start_date <= %(end)s AND t.due_date >= %(start)s AND t.estimated_hours > 0
ORDER BY t.project_id, t.start_date, t."order"
"""


def workload_for(
    agency: Agency, *, today: date, calendar: BusinessCalendar, weeks: int = WORKLOAD_WEEKS
) -> Workload:
    """Each active member's open hours per week (this week and the next ones) against their capacity.

    Two queries whatever the team or plan size: the members, and every open task in the window.
    """
    # "This week" as everywhere else: on a weekend, the coming working week (scheduling.working_week).
    mondays = weeks_from(working_week(today, calendar.working_weekdays)[0], weeks)
    params = {
        "agency": agency.pk,
        "live": [status.value for status in LIVE_PROJECT_STATUSES],
        "done": TaskStatus.DONE.value,
        "start": mondays[0],
        "end": mondays[-1] + timedelta(days=6),
    }
    with planned_cursor() as cursor:
        cursor.execute(WORKLOAD_MEMBERS_SQL, params)
        members = cursor.fetchall()
        cursor.execute(WORKLOAD_TASKS_SQL, params)
        task_rows = cursor.fetchall()
    active = frozenset(m[0] for m in members)
    # Tasks of nobody, or of someone who left, count for one "Owner unclear" row (member None).
    items = [
        WorkItem(member if member in active else None, start, due, hours, pk)
        for pk, member, start, due, hours in task_rows
    ]
    totals = weekly_hours(items, calendar, mondays)
    zero = Decimal(0)
    rows = [
        WorkloadRow(
            member_key=str(pk),
            name=full_name or email,
            detail=DISCIPLINE_LABELS.get(discipline) or ROLE_LABELS.get(role, role),
            capacity=capacity,
            cells=[WorkloadCell(week=w, hours=totals.get((pk, w), zero), capacity=capacity) for w in mondays],
        )
        for pk, full_name, email, discipline, role, capacity in members
    ]
    if any(member is None for member, _week in totals):
        rows.append(
            WorkloadRow(
                member_key=UNCLEAR,
                name="Owner unclear",
                detail="Nobody assigned, or the assignee left",
                capacity=None,
                cells=[
                    WorkloadCell(week=w, hours=totals.get((None, w), zero), capacity=None) for w in mondays
                ],
            )
        )
    return Workload(weeks=mondays, rows=rows, calendar=calendar, items=items)


# --------------------------------------------------------------------------- my work


@dataclass(frozen=True)
class DayGroup:
    day: date
    tasks: list[Task]
    is_today: bool
    closed: bool


@dataclass
class MyWork:
    """A member's open tasks: overdue first, then by due day over this week and next, then what waits."""

    today: date
    overdue: list[Task]
    days: list[DayGroup]
    later_count: int
    waiting: list[Task]
    # The Monday of "this week" (scheduling.working_week: the coming week on a weekend).
    this_monday: date | None = None

    @property
    def weeks(self) -> list[tuple[str, list[DayGroup]]]:
        """The day groups under "This week" and "Next week"."""
        this_week = self.this_monday or week_start(self.today)
        labelled: list[tuple[str, list[DayGroup]]] = [("This week", []), ("Next week", [])]
        for group in self.days:
            labelled[0 if week_start(group.day) <= this_week else 1][1].append(group)
        return [(label, groups) for label, groups in labelled if groups]

    @property
    def has_any(self) -> bool:
        return bool(self.overdue or self.later_count or self.waiting or any(g.tasks for g in self.days))


def _party_text(task: Task) -> str:
    if task.waiting_on == Party.VENDOR:
        return task.waiting_on_name or "a vendor"
    if task.waiting_on == Party.CLIENT:
        return f"the client ({task.waiting_on_name})" if task.waiting_on_name else "the client"
    if task.waiting_on == Party.AGENCY:
        return task.waiting_on_name or "the agency"
    return task.waiting_on_name or "someone"


def waiting_on_text(task: Task) -> str:
    """ "Waiting on the client since Tue 12 May"."""
    since = f" since {short_date(task.waiting_since)}" if task.waiting_since else ""
    return f"Waiting on {_party_text(task)}{since}"


def _person(membership: Membership | None) -> str:
    if membership is None or not membership.is_active:
        return "Owner unclear"
    return membership.user.full_name or membership.user.email


def _blockers(task: Task) -> list[str]:
    """What a task is waiting on, in words: its waiting status, blocker, unfinished predecessors, inputs."""
    lines = []
    if task.status == TaskStatus.WAITING:
        lines.append(waiting_on_text(task))
    if task.status == TaskStatus.BLOCKED and task.blocked_reason:
        lines.append(f"Blocked: {task.blocked_reason}")
    for link in task.open_predecessor_links:
        pred = link.predecessor
        owner, due = _person(pred.assignee), short_date(pred.due_date)
        lines.append(f"Needs “{pred.title}” first ({owner}, due {due})")
    for item in task.missing_inputs:
        lines.append(f"{item.description} from {item.owed_by}, expected {short_date(item.expected_by)}")
    if task.needs_decision:
        who = f" from {task.decision_by}" if task.decision_by else ""
        lines.append(f"Decision needed{who}: {task.decision_question}")
    return lines


def my_open_tasks(membership: Membership) -> list[Task]:
    """A member's open tasks in live projects, with project, client, open predecessors and missing inputs.

    Four queries whatever the number of tasks.
    """
    tasks = list(
        Task.objects.filter(
            agency_id=membership.agency_id,
            assignee=membership,
            project__status__in=LIVE_PROJECT_STATUSES,
        )
        .exclude(status=TaskStatus.DONE)
        .select_related("project", "project__client")
        .prefetch_related(
            Prefetch(
                "predecessor_links",
                queryset=TaskDependency.objects.filter(~Q(predecessor__status=TaskStatus.DONE))
                .select_related("predecessor__assignee__user")
                .order_by("predecessor__due_date", "pk"),
                to_attr="open_predecessor_links",
            ),
            Prefetch(
                "required_inputs",
                queryset=RequiredInput.objects.filter(received_at__isnull=True).order_by("expected_by", "pk"),
                to_attr="missing_inputs",
            ),
        )
        .order_by("due_date", "project__name", "order", "pk")
    )
    for task in tasks:
        task.blockers = _blockers(task)  # type: ignore[attr-defined]
    return tasks


def my_work_for(membership: Membership, *, today: date, calendar: BusinessCalendar) -> MyWork:
    """Overdue tasks, tasks due each working day left this week and next, and what waits on others."""
    tasks = my_open_tasks(membership)
    first = working_week(today, calendar.working_weekdays)[0]
    last = first + timedelta(days=13)
    working = set(calendar.working_weekdays)
    by_day: dict[date, list[Task]] = defaultdict(list)
    overdue, waiting, later = [], [], 0
    for task in tasks:
        if task.status == TaskStatus.WAITING:
            waiting.append(task)
        if task.due_date < today:
            overdue.append(task)
        elif task.due_date <= last:
            by_day[task.due_date].append(task)
        else:
            later += 1
    # The working weekdays from today to the end of next week, plus any other day something is due.
    days = sorted(
        {
            today + timedelta(days=i)
            for i in range((last - today).days + 1)
            if (today + timedelta(days=i)).weekday() in working
        }
        | set(by_day)
    )
    groups = [
        DayGroup(day=d, tasks=by_day.get(d, []), is_today=d == today, closed=not calendar.is_business_day(d))
        for d in days
    ]
    waiting.sort(key=lambda t: (t.waiting_since or today, t.due_date, t.pk))
    return MyWork(
        today=today, overdue=overdue, days=groups, later_count=later, waiting=waiting, this_monday=first
    )


# --------------------------------------------------------------------------- calendar feed


def feed_tasks(membership: Membership) -> list[Task]:
    """The open tasks of live projects assigned to a member, for their calendar feed (one query)."""
    return list(
        Task.objects.filter(
            agency_id=membership.agency_id,
            assignee=membership,
            project__status__in=LIVE_PROJECT_STATUSES,
        )
        .exclude(status=TaskStatus.DONE)
        .select_related("project", "project__client")
        .order_by("due_date", "pk")
    )
