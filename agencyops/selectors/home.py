"""What the owner's home view shows: what is due this week, what is blocked, what needs a decision.

Two queries answer all three sections, so the page costs the same on a two-project agency and on
one with five hundred projects: one places every task that belongs here (a large agency has
hundreds), the other loads what is shown of those listed. Rows come back as plain values, not
model instances: the page needs a few columns of each. Each section lists its most pressing items
up to a limit, with full counts, so it stays readable in a minute; the rest is one "show all" link
away.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import NamedTuple, TypeVar

from django.db.models import Q
from django.urls import reverse

from agencyops import dates
from agencyops.models import Agency, Membership
from projects.models import Party, ProjectStatus, Task, TaskStatus

# Done and cancelled projects no longer endanger anything; their leftovers stay off the home view.
LIVE_PROJECT_STATUSES = (ProjectStatus.PLANNING, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)
STALLED_STATUSES = (TaskStatus.BLOCKED, TaskStatus.WAITING)
STATUS_LABELS = dict(TaskStatus.choices)


@dataclass(frozen=True)
class HomeLimits:
    """How many items each section lists before "show all"; counts always cover everything."""

    overdue: int | None = 8
    this_week: int | None = 20
    blocked: int | None = 10
    decisions: int | None = 10


EVERYTHING = HomeLimits(overdue=None, this_week=None, blocked=None, decisions=None)


@dataclass(frozen=True, slots=True)
class HomeTask:
    """The columns of one task that the home view shows."""

    pk: int
    title: str
    status: str
    due_date: date
    updated_at: datetime
    waiting_on: str
    waiting_on_name: str
    waiting_since: date | None
    blocked_reason: str
    blocked_since: date | None
    needs_decision: bool
    decision_question: str
    decision_by: str
    project_id: int
    project_name: str
    launch_date: date
    client_id: int
    client_name: str
    owner_name: str | None  # None when nobody (or someone who left) is on it: "Owner unclear"
    url: str
    status_url: str
    due_label: str
    launch_label: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class ClientGroup:
    """One client's tasks inside a day (or inside the overdue group)."""

    client_id: int
    client_name: str
    tasks: list[HomeTask]


@dataclass(frozen=True)
class DayGroup:
    """The open tasks due on one day of this working week, client by client.

    ``count`` is every task due that day; ``clients`` holds those listed (fewer past the limit).
    """

    day: date
    label: str
    count: int
    clients: list[ClientGroup]

    @property
    def hidden(self) -> int:
        return self.count - sum(len(group.tasks) for group in self.clients)


@dataclass(frozen=True)
class BlockedItem:
    """A blocked or waiting task: why, since when, and the launch it puts at risk."""

    task: HomeTask
    reason: str
    since: date | None
    since_label: str


@dataclass(frozen=True)
class DecisionItem:
    """Something that waits for a person's decision.

    ``kind`` says where it comes from ("task" today; approvals and escalations join later), so the
    list can mix kinds while the template shows them the same way.
    """

    kind: str
    question: str
    decided_by: str
    about: str
    url: str
    project_name: str
    due_date: date | None
    due_label: str
    task: HomeTask | None = None


@dataclass(frozen=True)
class HomeSections:
    """Everything the home view shows, already grouped, ordered and counted."""

    today: date
    week_start: date
    week_end: date
    week_label: str = ""
    overdue: list[ClientGroup] = field(default_factory=list)
    overdue_count: int = 0
    due_this_week: list[DayGroup] = field(default_factory=list)
    blocked: list[BlockedItem] = field(default_factory=list)
    blocked_count: int = 0
    blocked_count_extra: int = 0
    needs_decision: list[DecisionItem] = field(default_factory=list)
    needs_decision_count: int = 0
    # Approvals, sign-offs, change requests and escalations (see home_decisions.py).
    decisions_elsewhere: list = field(default_factory=list)
    blocked_elsewhere: list = field(default_factory=list)

    @property
    def due_count(self) -> int:
        """Tasks in the "Due this week" section, overdue ones included."""
        return self.overdue_count + sum(day.count for day in self.due_this_week)

    @property
    def overdue_hidden(self) -> int:
        return self.overdue_count - sum(len(group.tasks) for group in self.overdue)

    @property
    def due_hidden(self) -> int:
        return self.overdue_hidden + sum(day.hidden for day in self.due_this_week)

    @property
    def blocked_total(self) -> int:
        return self.blocked_count + self.blocked_count_extra

    @property
    def blocked_hidden(self) -> int:
        return self.blocked_total - len(self.blocked) - len(self.blocked_elsewhere)

    @property
    def needs_decision_hidden(self) -> int:
        return self.needs_decision_count - len(self.needs_decision) - len(self.decisions_elsewhere)

    @property
    def is_cut(self) -> bool:
        """Whether some section lists fewer items than it counts."""
        return bool(self.due_hidden or self.blocked_hidden or self.needs_decision_hidden)


def short_date(day: date, *, this_year: int) -> str:
    """ "Tue 12 May" within the year, "Tue 12 May 2027" outside it (English, like the rest of the UI)."""
    return dates.short_date_in(day, this_year=this_year)


def _task_url_around_id(url_name: str, agency_slug: str) -> tuple[str, str]:
    """A task URL split around the task's id, so hundreds of rows get links from one reverse()."""
    any_id = 2_147_483_647
    url = reverse(url_name, kwargs={"agency_slug": agency_slug, "task_id": any_id})
    before, _, after = url.partition(str(any_id))
    return before, after


def working_week(agency: Agency, today: date) -> tuple[date, date]:
    """Monday and the last working day of the agency's current working week.

    Once that week is over (a weekend), "this week" is the coming one: that is what an owner
    looking on Sunday evening wants to see.
    """
    weekdays = sorted(agency.working_weekdays or (0, 1, 2, 3, 4))
    monday = today - timedelta(days=today.weekday())
    end = monday + timedelta(days=weekdays[-1])
    if today > end:
        monday, end = monday + timedelta(days=7), end + timedelta(days=7)
    return monday, end


class _Row(NamedTuple):
    """The few columns that decide where a task goes and in what order (fetched for every task)."""

    pk: int
    due_date: date
    status: str
    needs_decision: bool
    launch_date: date


def _home_rows(agency: Agency, *, week_end: date) -> list[_Row]:
    """Every open task of a live project that is due by the end of the week, stalled, or waiting for a
    decision: the columns that place it, oldest due date first."""
    rows = (
        Task.objects.filter(agency=agency, project__status__in=LIVE_PROJECT_STATUSES)
        .exclude(status=TaskStatus.DONE)
        .filter(Q(due_date__lte=week_end) | Q(status__in=STALLED_STATUSES) | Q(needs_decision=True))
        .order_by("due_date", "project__name", "order", "pk")
        .values_list("pk", "due_date", "status", "needs_decision", "project__launch_date")
    )
    return [_Row(*row) for row in rows]


_COLUMNS = (
    "pk",
    "title",
    "status",
    "due_date",
    "updated_at",
    "waiting_on",
    "waiting_on_name",
    "waiting_since",
    "blocked_reason",
    "blocked_since",
    "needs_decision",
    "decision_question",
    "decision_by",
    "project_id",
    "project__name",
    "project__launch_date",
    "project__client_id",
    "project__client__name",
    "assignee__is_active",
    "assignee__user__full_name",
    "assignee__user__email",
)


def home_tasks(agency: Agency, *, pks: Iterable[int], today: date) -> dict[int, HomeTask]:
    """What the home view shows of these tasks, by id, with project, client and owner (one query)."""
    url_before, url_after = _task_url_around_id("task_detail", agency.slug)
    status_before, status_after = _task_url_around_id("task_status", agency.slug)
    year = today.year
    rows = Task.objects.filter(agency=agency, pk__in=list(pks)).values_list(*_COLUMNS)
    return {
        row[0]: HomeTask(
            *row[:18],  # type: ignore[misc]
            owner_name=(row[19] or row[20]) if row[18] else None,
            url=f"{url_before}{row[0]}{url_after}",
            status_url=f"{status_before}{row[0]}{status_after}",
            due_label=short_date(row[3], this_year=year),
            launch_label=short_date(row[15], this_year=year),
        )
        for row in rows
    }


Item = TypeVar("Item")


def _take(rows: list[Item], limit: int | None) -> list[Item]:
    return rows if limit is None else rows[:limit]


def _by_client(tasks: list[HomeTask]) -> list[ClientGroup]:
    grouped: dict[int, list[HomeTask]] = defaultdict(list)
    names: dict[int, str] = {}
    for task in tasks:
        names[task.client_id] = task.client_name
        grouped[task.client_id].append(task)
    order = sorted(names, key=lambda pk: (names[pk].lower(), pk))
    return [ClientGroup(client_id=pk, client_name=names[pk], tasks=grouped[pk]) for pk in order]


def _waiting_on(task: HomeTask, agency: Agency) -> str:
    if task.waiting_on_name:
        return task.waiting_on_name
    if task.waiting_on == Party.CLIENT:
        return task.client_name
    if task.waiting_on == Party.AGENCY:
        return agency.name
    return "a vendor"


def _blocked_item(task: HomeTask, agency: Agency, zone: zoneinfo.ZoneInfo, this_year: int) -> BlockedItem:
    if task.status == TaskStatus.WAITING:
        reason = f"Waiting on {_waiting_on(task, agency)}"
        since = task.waiting_since or task.updated_at.astimezone(zone).date()
    else:
        reason = task.blocked_reason or "No reason given"
        since = task.blocked_since or task.updated_at.astimezone(zone).date()
    label = short_date(since, this_year=this_year)
    return BlockedItem(task=task, reason=reason, since=since, since_label=label)


def _decision_item(task: HomeTask) -> DecisionItem:
    return DecisionItem(
        kind="task",
        question=task.decision_question or f"Decide on “{task.title}”",
        decided_by=task.decision_by or "Owner unclear",
        about=task.title,
        url=task.url,
        project_name=task.project_name,
        due_date=task.due_date,
        due_label=task.due_label,
        task=task,
    )


def home_sections(
    agency: Agency, membership: Membership, today: date, *, limits: HomeLimits = HomeLimits()
) -> HomeSections:
    """The three home sections for a member of the agency, in two queries whatever the agency's size.

    The first query places every task (a large agency has hundreds this week) using a few columns;
    the second loads what is shown of the ones listed. Every member sees the agency-wide picture;
    ``membership`` is the caller, for the kinds of items that later depend on who is looking
    (approvals they must give, escalations to them).
    """
    week_start, week_end = working_week(agency, today)
    year = today.year
    rows = _home_rows(agency, week_end=week_end)

    overdue = [r for r in rows if r.due_date < today]
    this_week = [r for r in rows if today <= r.due_date <= week_end]
    # The nearest launch first: that is the one a stalled task hurts soonest.
    stalled = [r for r in rows if r.status in STALLED_STATUSES]
    stalled.sort(key=lambda r: (r.launch_date, r.due_date, r.pk))
    # The soonest due first: that decision holds up work earliest (rows are in due-date order already).
    deciding = [r for r in rows if r.needs_decision]

    overdue_listed = _take(overdue, limits.overdue)
    week_listed = _take(this_week, limits.this_week)
    stalled_listed = _take(stalled, limits.blocked)
    deciding_listed = _take(deciding, limits.decisions)
    listed = (overdue_listed, week_listed, stalled_listed, deciding_listed)
    shown = home_tasks(agency, pks={r.pk for part in listed for r in part}, today=today)

    listed_this_week = {r.pk for r in week_listed}
    days = []
    for day, group in groupby(this_week, key=lambda r: r.due_date):
        day_rows = list(group)
        tasks = [shown[r.pk] for r in day_rows if r.pk in listed_this_week]
        label = short_date(day, this_year=year)
        days.append(DayGroup(day=day, label=label, count=len(day_rows), clients=_by_client(tasks)))

    zone = zoneinfo.ZoneInfo(agency.time_zone)
    from agencyops.selectors.home_decisions import home_extras

    extra_decisions, extra_blocked = home_extras(agency, today, short_date)
    return HomeSections(
        today=today,
        week_start=week_start,
        week_end=week_end,
        week_label=f"{short_date(week_start, this_year=year)} to {short_date(week_end, this_year=year)}",
        overdue=_by_client([shown[r.pk] for r in overdue_listed]),
        overdue_count=len(overdue),
        due_this_week=days,
        blocked=[_blocked_item(shown[r.pk], agency, zone, year) for r in stalled_listed],
        blocked_count=len(stalled),
        needs_decision=[_decision_item(shown[r.pk]) for r in deciding_listed],
        needs_decision_count=len(deciding) + len(extra_decisions),
        decisions_elsewhere=_take(extra_decisions, limits.decisions),
        blocked_elsewhere=_take(extra_blocked, limits.blocked),
        blocked_count_extra=len(extra_blocked),
    )
