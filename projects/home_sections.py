"""What the owner's home view shows: what is due this week, what is blocked, what risks the scan found and
what needs a decision. The project layer registers these sections with the platform (projects/apps.py);
approvals add their client decisions, sign-offs and change requests to "Needs decision" through a
contribution (approvals/home_sections.py), so this module never imports approvals.

One statement answers the task sections, so the page costs the same on a two-project agency and on
one with five hundred projects: it places every task that belongs here (a large agency has hundreds)
and returns what is shown of those listed. It goes to PostgreSQL in one round trip with the risks and
the statements the contributions to "Needs decision" read. Rows come back as plain values, not model
instances: the page needs a few columns of each. Each section lists its most pressing items
up to a limit, with full counts, so it stays readable in a minute; the rest is one "show all" link
away.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple, TypeVar

from django.urls import reverse

from agencyops import dates
from agencyops import sections as registry
from agencyops.models import Agency, Membership
from agencyops.planned_sql import Statement, planned_reads
from agencyops.row_links import link_by_id
from projects.models import LIVE_PROJECT_STATUSES, EscalationState, Party, TaskStatus

# What other apps add to the "Needs decision" list: (sort key, ExtraItem) pairs, see contributions_reads.
HOME_DECISIONS = "home.needs_decision"
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
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


class HomeTask(NamedTuple):
    """The columns of one task that the home view shows (a named tuple: the page digests what it shows,
    and a tuple is the cheapest thing to digest)."""

    pk: int
    title: str
    status: str
    due_date: date
    updated_at: datetime | None  # listed as blocked or waiting only: their "since" when none was recorded
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
    def shown(self) -> int:
        return sum(len(group.tasks) for group in self.clients)

    @property
    def hidden(self) -> int:
        return self.count - self.shown


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
class ExtraItem:
    """An item of the home view that is not a task (an approval, a sign-off, a change request or a risk the
    scan found), shown like a decision item. Each app builds its own and says how it is badged.

    ``subject`` names what the item is about (``("task", 12)``, ``("approval", 3)``): one question that
    several signals point at is listed once.
    """

    kind: str
    question: str
    decided_by: str
    about: str
    url: str
    project_name: str
    due_date: date | None
    due_label: str
    impact: str = ""
    late: bool = False
    severity: str = ""
    badge: str = ""
    badge_class: str = "badge-info"
    subject: tuple[str, int] | None = None
    task: None = None


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
    needs_decision: list[DecisionItem] = field(default_factory=list)
    needs_decision_count: int = 0
    # Approvals, sign-offs, change requests (contributed by approvals) and decision-type risks.
    decisions_elsewhere: list[ExtraItem] = field(default_factory=list)
    # Risks the scan found that hold work up: their own group, never mixed into "Blocked".
    risks: list[ExtraItem] = field(default_factory=list)
    risks_count: int = 0

    @property
    def due_count(self) -> int:
        """Tasks in the "Due this week" section, overdue ones included."""
        return self.overdue_count + sum(day.count for day in self.due_this_week)

    @property
    def overdue_shown(self) -> int:
        return sum(len(group.tasks) for group in self.overdue)

    @property
    def overdue_hidden(self) -> int:
        return self.overdue_count - self.overdue_shown

    @property
    def due_hidden(self) -> int:
        return self.overdue_hidden + sum(day.hidden for day in self.due_this_week)

    @property
    def blocked_total(self) -> int:
        """Blocked and waiting tasks only; risks are counted in ``risks_count``."""
        return self.blocked_count

    @property
    def blocked_hidden(self) -> int:
        return self.blocked_count - len(self.blocked)

    @property
    def risks_hidden(self) -> int:
        return self.risks_count - len(self.risks)

    @property
    def needs_decision_shown(self) -> int:
        return len(self.needs_decision) + len(self.decisions_elsewhere)

    @property
    def needs_decision_hidden(self) -> int:
        return self.needs_decision_count - self.needs_decision_shown

    @property
    def is_cut(self) -> bool:
        """Whether some section lists fewer items than it counts."""
        return bool(self.due_hidden or self.blocked_hidden or self.needs_decision_hidden or self.risks_hidden)


def short_date(day: date, *, this_year: int) -> str:
    """ "Tue 12 May" within the year, "Tue 12 May 2027" outside it (English, like the rest of the UI)."""
    return dates.short_date_in(day, this_year=this_year)


def working_week(agency: Agency, today: date) -> tuple[date, date]:
    """Monday and the last working day of the agency's current working week.

    Once that week is over (a weekend), "this week" is the coming one: that is what an owner
    looking on Sunday evening wants to see.
    """
    from projects.scheduling import working_week as one_working_week  # the one "this week"

    return one_working_week(today, agency.working_weekdays or (0, 1, 2, 3, 4))


# The home view's task query, written once: on a small agency the ORM spent longer compiling it (on every
# view) than PostgreSQL spent running it. Scoped to the agency like every query.
#
# It places tasks through the expression of the index task_home_placement_idx (projects.models.Task),
# written as there with its values in the text: "due by the end of the week, or stalled, or waiting for a
# decision" is then one range of that index instead of a pass over all the agency's tasks. The statuses
# are our own constants. PostgreSQL counts the tasks of each day and returns only the rows that can be
# listed: a large agency has hundreds of tasks this week, and the page lists a few dozen.
#
# The statement is prepared, so its one plan serves every week, and the range is written with both its
# ends: from the first day a date can hold (where stalled and undecided tasks are placed) to the week's
# end. PostgreSQL prices a range with an end it cannot know as a narrow one (half a percent of the rows)
# and so plans the placing index for any week; the week's end alone it prices as a third of the
# agency's tasks, and such a plan once read all 25,000 of them through the agency's plain index (4 ms
# instead of 1). Planned for each week's values instead, the planning cost more than the reading.
STALLED_SQL = ", ".join(f"'{status.value}'" for status in STALLED_STATUSES)
PLACEMENT_FLOOR_SQL = "'0001-01-01'::date"
PLACEMENT_SQL = f"CASE WHEN (t.status IN ({STALLED_SQL}) OR t.needs_decision) THEN {PLACEMENT_FLOOR_SQL} ELSE t.due_date END"
PLACED_BY_WEEK_END_SQL = f"{PLACEMENT_SQL} BETWEEN {PLACEMENT_FLOOR_SQL} AND %(week_end)s"

_DAYS, _OVERDUE, _THIS_WEEK, _STALLED, _DECIDING, _DECIDING_LISTED = range(6)

# One statement: the tasks due on each day up to the week's end; the first overdue and this week's tasks
# (due date, project, plan order); the stalled ones, the nearest launch first (that is the one they hurt
# soonest), with how many there are; every task waiting for a decision (a risk about any of them is the same
# question) and the first of them. The listed ones come with what the page shows of them: project, client,
# owner, and for stalled ones when they last changed (their "since" when none was recorded; a moment costs
# a parse per row). Counted and cut by PostgreSQL: a large agency has hundreds of tasks this week, and the
# page lists a few dozen.
HOME_ROWS_SQL = f"""
WITH placed AS MATERIALIZED (
    SELECT t.id, t.due_date, t.status, t.needs_decision, p.launch_date, p.name, t."order"
    FROM projects_task t JOIN projects_project p ON p.id = t.project_id
    WHERE t.agency_id = %(agency)s AND p.agency_id = %(agency)s AND p.status = ANY(%(live)s)
      AND t.status <> '{TaskStatus.DONE.value}' AND {PLACED_BY_WEEK_END_SQL}
), listed AS (
    -- Each part cut in its own order (PostgreSQL keeps the first few of a sort, not all of it), with the
    -- keys of that order for the page's order below.
    (SELECT {_OVERDUE} AS part, id, due_date AS first_key, NULL::date AS second_key, name, "order",
            NULL::bigint AS total
     FROM placed WHERE due_date < %(today)s ORDER BY due_date, name, "order", id LIMIT %(overdue)s)
    UNION ALL
    (SELECT {_THIS_WEEK}, id, due_date, NULL, name, "order", NULL
     FROM placed WHERE due_date BETWEEN %(today)s AND %(week_end)s
     ORDER BY due_date, name, "order", id LIMIT %(this_week)s)
    UNION ALL
    (SELECT {_STALLED}, id, launch_date, due_date, NULL, NULL, count(*) OVER ()
     FROM placed WHERE status IN ({STALLED_SQL}) ORDER BY launch_date, due_date, id LIMIT %(blocked)s)
    UNION ALL
    (SELECT {_DECIDING_LISTED}, id, due_date, NULL, name, "order", NULL
     FROM placed WHERE needs_decision ORDER BY due_date, name, "order", id LIMIT %(decisions)s)
)
(SELECT l.part, l.id, l.total, t.due_date, t.title, t.status,
        CASE WHEN l.part = {_STALLED} THEN t.updated_at END,
        t.waiting_on, t.waiting_on_name, t.waiting_since,
        t.blocked_reason, t.blocked_since, t.needs_decision, t.decision_question, t.decision_by,
        t.project_id, p.name, p.launch_date, p.client_id, c.name, m.is_active, u.full_name, u.email,
        l.first_key, l.second_key, l.name AS third_key, l."order" AS fourth_key
 FROM listed l
 JOIN projects_task t ON t.id = l.id
 JOIN projects_project p ON p.id = t.project_id
 JOIN agencyops_client c ON c.id = p.client_id
 LEFT JOIN agencyops_membership m ON m.id = t.assignee_id
 LEFT JOIN agencyops_user u ON u.id = m.user_id)
UNION ALL
(SELECT {_DAYS}, NULL, count(*), due_date, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, due_date, NULL, NULL, NULL
 FROM placed WHERE due_date <= %(week_end)s GROUP BY due_date)
UNION ALL
(SELECT {_DECIDING}, id, NULL, due_date, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
 FROM placed WHERE needs_decision)
ORDER BY part, first_key, second_key, third_key, fourth_key, id
"""


@dataclass(frozen=True)
class _Placed:
    """Where the agency's open tasks go: how many are due on each day up to the end of the week, the ids
    listed in each part (in the page's order), how many are stalled, every task waiting for a decision, and
    what the page shows of each listed task."""

    day_counts: list[tuple[date, int]]
    overdue: list[int]
    this_week: list[int]
    stalled: list[int]
    stalled_count: int
    deciding: list[int]
    deciding_listed: list[int]
    shown: dict[int, HomeTask]


def _home_rows_statement(agency: Agency, *, today: date, week_end: date, limits: HomeLimits) -> Statement:
    return (
        HOME_ROWS_SQL,
        {
            "agency": agency.pk,
            "live": [status.value for status in LIVE_PROJECT_STATUSES],
            "today": today,
            "week_end": week_end,
            # No limit (LIMIT NULL) when everything is asked for.
            "overdue": limits.overdue,
            "this_week": limits.this_week,
            "blocked": limits.blocked,
            "decisions": limits.decisions,
        },
    )


def _placed(agency: Agency, rows: list[tuple], today: date) -> _Placed:
    """HOME_ROWS_SQL's rows, placed."""
    task_link = link_by_id("task_detail", "task_id", agency_slug=agency.slug)
    status_link = link_by_id("task_status", "task_id", agency_slug=agency.slug)
    year = today.year
    parts: tuple[list[int], ...] = ([], [], [], [], [], [])
    day_counts: list[tuple[date, int]] = []
    shown: dict[int, HomeTask] = {}
    stalled_count = 0
    for row in rows:
        part, pk, total, due_date = row[:4]
        if part == _DAYS:
            day_counts.append((due_date, total))
            continue
        parts[part].append(pk)
        if part == _DECIDING:
            continue
        if part == _STALLED:
            stalled_count = total
        elif pk in shown:
            # Listed twice (overdue and stalled, say): one task, with its "since" if it is stalled.
            continue
        title, status, updated_at = row[4:7]
        shown[pk] = HomeTask(
            pk,
            title,
            status,
            due_date,
            updated_at,
            *row[7:20],
            owner_name=(row[21] or row[22]) if row[20] else None,
            url=task_link(pk),
            status_url=status_link(pk),
            due_label=short_date(due_date, this_year=year),
            launch_label=short_date(row[17], this_year=year),
        )
    return _Placed(
        day_counts=day_counts,
        overdue=parts[_OVERDUE],
        this_week=parts[_THIS_WEEK],
        stalled=parts[_STALLED],
        stalled_count=stalled_count,
        deciding=parts[_DECIDING],
        deciding_listed=parts[_DECIDING_LISTED],
        shown=shown,
    )


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


# The risks the home view lists, written once like the task statement above.
HOME_RISKS_SQL = """
SELECT e.id, e.message, e.task_id, e.severity, e.section,
       e.facts ->> 'approval_id', e.facts ->> 'change_request_id', p.name, e.assignee_id, u.full_name
FROM projects_escalation e
LEFT JOIN projects_project p ON p.id = e.project_id
LEFT JOIN agencyops_membership m ON m.id = e.assignee_id
LEFT JOIN agencyops_user u ON u.id = m.user_id
WHERE e.agency_id = %(agency)s AND e.state = ANY(%(states)s)
ORDER BY e.last_seen_at DESC, e.id DESC
"""


def _escalations_statement(agency: Agency) -> Statement:
    return (
        HOME_RISKS_SQL,
        {"agency": agency.pk, "states": [EscalationState.OPEN.value, EscalationState.ACKNOWLEDGED.value]},
    )


def _escalation_items(agency: Agency, rows: list[tuple], today: date) -> list[tuple[tuple, ExtraItem, str]]:
    """Open and acknowledged risks (HOME_RISKS_SQL's rows), each with its sort key and the home section it
    belongs to."""
    list_url = reverse("escalation_list", kwargs={"agency_slug": agency.slug})
    pairs = []
    for (
        pk,
        message,
        task_id,
        severity,
        section,
        approval_id,
        change_request_id,
        project,
        assignee,
        who,
    ) in rows:
        if task_id:
            subject: tuple[str, int] | None = ("task", task_id)
        elif approval_id:
            subject = ("approval", int(approval_id))
        elif change_request_id:
            subject = ("change_request", int(change_request_id))
        else:
            subject = None
        item = ExtraItem(
            kind="escalation",
            question=message,
            decided_by=who if assignee else "Owner or coordinator",
            # The rule's sentence is the title people read; the rule id is for machines.
            about=message,
            project_name=project or "",
            url=f"{list_url}#escalation-{pk}",
            due_date=None,
            due_label="",
            severity=severity,
            badge="Risk",
            badge_class="badge-bad" if severity == "high" else "badge-warn",
            subject=subject,
        )
        pairs.append(((SEVERITY_ORDER.get(severity, 3), today), item, section))
    return pairs


def home_sections(
    agency: Agency,
    membership: Membership,
    today: date,
    *,
    limits: HomeLimits = HomeLimits(),
    changes_at: Callable[[datetime], None] | None = None,
) -> HomeSections:
    """The home sections for a member of the agency, in one round trip whatever the agency's size.

    One statement places every task (a large agency has hundreds this week) and loads what is shown of the
    ones listed; one more loads the risks; each app that contributes to "Needs decision" adds its own
    statements (approvals: requests and change requests). All of them go to PostgreSQL together.
    Every member sees the agency-wide picture; ``membership`` is the caller, for items that depend on
    who is looking (the changes a client asked of the projects they coordinate). ``changes_at`` hears of
    each moment at which an item changes by itself (see ``SectionContext.changes_at``).
    """
    week_start, week_end = working_week(agency, today)
    year = today.year
    contributed = registry.contributions_reads(
        HOME_DECISIONS,
        agency=agency,
        membership=membership,
        today=today,
        short_date=short_date,
        changes_at=changes_at,
    )
    placed_rows, risk_rows, *contributed_rows = planned_reads(
        [
            _home_rows_statement(agency, today=today, week_end=week_end, limits=limits),
            _escalations_statement(agency),
            *contributed.statements,
        ]
    )
    placed = _placed(agency, placed_rows, today)
    shown = placed.shown
    overdue_count = sum(count for day, count in placed.day_counts if day < today)

    listed_by_day: dict[date, list[HomeTask]] = defaultdict(list)
    for pk in placed.this_week:
        task = shown[pk]
        listed_by_day[task.due_date].append(task)
    days = [
        DayGroup(
            day=day,
            label=short_date(day, this_year=year),
            count=count,
            clients=_by_client(listed_by_day.get(day, [])),
        )
        for day, count in placed.day_counts
        if today <= day
    ]

    zone = zoneinfo.ZoneInfo(agency.time_zone)
    # Other apps' items first, then the scan's, so that equal keys keep that order (the sort is stable).
    decision_pairs = contributed.collect(contributed_rows)
    risk_pairs = []
    for key, item, section in _escalation_items(agency, risk_rows, today):
        (risk_pairs if section == "blocked" else decision_pairs).append((key, item))
    # One question, one item: a risk about a task flagged for decision (or about an approval or change
    # request already listed) is the same question; the item that names the decider stays.
    covered = {("task", pk) for pk in placed.deciding}
    covered |= {item.subject for _, item in decision_pairs if item.kind != "escalation" and item.subject}
    decision_pairs = [
        (key, item)
        for key, item in decision_pairs
        if item.kind != "escalation" or item.subject not in covered
    ]
    decision_pairs.sort(key=lambda pair: pair[0])
    risk_pairs.sort(key=lambda pair: pair[0])
    extra_decisions = [item for _, item in decision_pairs]
    risks = [item for _, item in risk_pairs]
    return HomeSections(
        today=today,
        week_start=week_start,
        week_end=week_end,
        week_label=f"{short_date(week_start, this_year=year)} to {short_date(week_end, this_year=year)}",
        overdue=_by_client([shown[pk] for pk in placed.overdue]),
        overdue_count=overdue_count,
        due_this_week=days,
        blocked=[_blocked_item(shown[pk], agency, zone, year) for pk in placed.stalled],
        blocked_count=placed.stalled_count,
        needs_decision=[_decision_item(shown[pk]) for pk in placed.deciding_listed],
        needs_decision_count=len(placed.deciding) + len(extra_decisions),
        decisions_elsewhere=_take(extra_decisions, limits.decisions),
        risks=_take(risks, limits.blocked),
        risks_count=len(risks),
    )


def home_sections_for_page(context: registry.SectionContext) -> HomeSections:
    """The home view's project sections share one load per page (see SectionContext.memo)."""
    from projects.calendars import agency_today

    limits = EVERYTHING if context.extra.get("show_all") else HomeLimits()
    return context.memo(
        "projects.home",
        lambda: home_sections(
            context.agency,
            context.viewer,
            agency_today(context.agency),
            limits=limits,
            changes_at=context.changes_at,
        ),
    )
