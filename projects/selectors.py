"""Reads behind the project pages: the project list, a project's page, a task's page, history, templates.

Each selector runs a fixed number of queries whatever the number of projects, tasks or moves:
counts are annotations, related rows come through select_related / prefetch_related. The hottest reads
(the project page, the API's project and task lists) are statements written once in SQL and return
plain rows, because compiling their querysets and building model instances cost more than the data.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Prefetch, QuerySet

from agencyops.data_version import agency_kept, code_stamp
from agencyops.models import Agency, Client, Membership, Role, User
from agencyops.planned_sql import planned_cursor, planned_results, unseen_by_planner
from projects import calendars, extensions, page_versions, scheduling
from projects import health as health_rule
from projects.builtin_templates import BUILTIN_TEMPLATES, builtin_spec
from projects.calendars import agency_calendar, calendar_years
from projects.health import (
    AT_RISK_SQL,
    COUNTED_STATES,
    HEALTH_FACTS_SQL,
    ProjectHealth,
    project_health,
)
from projects.models import (
    Brief,
    ChecklistItem,
    DeadlineChange,
    EscalationSeverity,
    LaunchChange,
    Party,
    Phase,
    Project,
    ProjectStatus,
    ProjectTemplate,
    RequiredInput,
    Task,
    TaskAttachment,
    TaskComment,
    TaskDependency,
    TaskStatus,
)
from projects.page_versions import project_page_version
from projects.services import BUILTIN_PREFIX, brief_missing, team_handles
from projects.template_spec import SpecError, TemplateSpec, parse_spec

# --------------------------------------------------------------------------- the project list


# The project list's one query (the projects page and the API): a page of the agency's projects with
# what each row shows, and how many projects the filters keep (a window over all of them). The page is cut
# first; its rows' task counts and health facts are read after, for those rows only (through the project's
# task and escalation indexes). When the ``at_risk`` filter needs the health of every project, the inner
# query reads it too ({health_filter}). Clients and coordinators are joined to the page's rows only.
# Written once rather than compiled by the ORM on every request.
PROJECT_LIST_SQL = """
SELECT p.id, p.name, c.id, c.name, p.status, p.launch_date, p.template_name,
       m.id, u.full_name, m.is_active,
       (SELECT ARRAY[count(*),
                     count(*) FILTER (WHERE t.status = 'done'),
                     count(*) FILTER (WHERE t.status <> 'done' AND t.due_date < %(today)s),
                     count(*) FILTER (WHERE t.status = 'blocked')]
        FROM projects_task t WHERE t.project_id = p.id),
       health.forecast_launch, health.open_risks, p.created_at, p.matching
FROM (
    SELECT p.id, p.name, p.client_id, p.coordinator_id, p.status, p.launch_date, p.template_name,
           p.created_at, count(*) OVER () AS matching
    FROM projects_project p
    {health_filter}
    WHERE p.agency_id = %(agency)s {filters}
    ORDER BY p.launch_date, p.name, p.id
    LIMIT %(limit)s OFFSET %(offset)s
) p
JOIN agencyops_client c ON c.id = p.client_id
LEFT JOIN agencyops_membership m ON m.id = p.coordinator_id
LEFT JOIN agencyops_user u ON u.id = m.user_id
CROSS JOIN LATERAL ({health}) health
ORDER BY p.launch_date, p.name, p.id
"""


class ProjectListRow(NamedTuple):
    """A project as the lists show it (the projects page and the API): its client, coordinator, status
    and launch, its tasks counted, and its health (``projects.health`` decides at risk)."""

    id: int
    name: str
    client_id: int
    client_name: str
    status: str
    status_label: str
    launch_date: date
    template_name: str
    coordinator_id: int | None
    coordinator_name: str | None
    coordinator_active: bool | None
    tasks_total: int
    tasks_done: int
    overdue_count: int
    blocked_count: int
    forecast_launch: date | None
    open_risks: int
    at_risk: bool
    created_at: Any


@dataclass
class ProjectRowsPage:
    """A page of the project list and how many projects its filters keep."""

    count: int
    rows: list[ProjectListRow]


PROJECT_STATUS_LABELS = dict(ProjectStatus.choices)


def project_rows_page(
    agency: Agency,
    *,
    client_id: int | None = None,
    coordinator_id: int | None = None,
    status: str = "",
    at_risk: bool = False,
    on_track: bool = False,
    today: date,
    offset: int,
    limit: int,
    shape: Callable[[ProjectRowsPage], Any] | None = None,
    shape_parts: Sequence[Any] = (),
    keep: bool = True,
) -> Any:
    """A page of the agency's projects in launch order, with their task counts and health
    (``projects.health``): what the projects page and the project list API both show.

    Kept under the agency's data version (``agencyops.data_version``) with its filters and the day: the
    same page again costs the version and one cache read; after any change to what it reads, one query (a
    second only to count a page past the end).

    With ``shape``, what it makes of the page is kept and returned instead (the API keeps its rows encoded
    as it answers them), under ``shape_parts`` too: everything else the shape depends on. With ``keep``
    False it is read afresh and not kept: for a caller that keeps what it makes of it under the same
    version (the projects page keeps its whole body), where a kept page would only be another round trip
    to miss and another to fill."""
    filters = (client_id, coordinator_id, status, at_risk, on_track, today, offset, limit)

    def load() -> Any:
        page = _project_rows_page_read(
            agency,
            client_id=client_id,
            coordinator_id=coordinator_id,
            status=status,
            at_risk=at_risk,
            on_track=on_track,
            today=today,
            offset=offset,
            limit=limit,
        )
        return page if shape is None else shape(page)

    if not keep:
        return load()
    name = "projects.project_rows_page" if shape is None else "projects.project_rows_page:shaped"
    return agency_kept(agency.pk, name, (_project_rows_stamp(), *filters, *shape_parts), load)


@functools.cache
def _project_rows_stamp() -> str:
    """The code a kept page of projects follows from: these selectors and the health rule."""
    return code_stamp(sys.modules[__name__], health_rule)


def _project_rows_page_read(
    agency: Agency,
    *,
    client_id: int | None,
    coordinator_id: int | None,
    status: str,
    at_risk: bool,
    on_track: bool,
    today: date,
    offset: int,
    limit: int,
) -> ProjectRowsPage:
    """``project_rows_page`` read from PostgreSQL, in one query (a second only to count a page past the end)."""
    filters, params = [], {"agency": agency.pk, "today": today, "limit": limit, "offset": offset}
    if client_id:
        filters.append("AND p.client_id = %(client)s")
        params["client"] = client_id
    if coordinator_id:
        filters.append("AND p.coordinator_id = %(coordinator)s")
        params["coordinator"] = coordinator_id
    if status in ProjectStatus.values:
        filters.append("AND p.status = %(status)s")
        params["status"] = status
    if at_risk:
        filters.append(f"AND {AT_RISK_SQL}")
    elif on_track:
        filters.append(f"AND NOT {AT_RISK_SQL}")
    health_filter = f"CROSS JOIN LATERAL ({HEALTH_FACTS_SQL}) health" if at_risk or on_track else ""
    sql = PROJECT_LIST_SQL.format(
        health=HEALTH_FACTS_SQL, health_filter=health_filter, filters=" ".join(filters)
    )
    with planned_cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
        if found:
            count = found[0][-1]
        elif offset:
            # Past the end: the window had no row to stand on, so the filters' total is counted apart.
            cursor.execute(
                f"SELECT count(*) FROM ({sql.replace('LIMIT %(limit)s OFFSET %(offset)s', '')}) matching",
                params,
            )
            count = cursor.fetchone()[0]
        else:
            count = 0
    rows = []
    for row in found:
        total, done, overdue, blocked = row[10]
        forecast, open_risks, launch = row[11], row[12], row[5]
        rows.append(
            ProjectListRow(
                id=row[0],
                name=row[1],
                client_id=row[2],
                client_name=row[3],
                status=row[4],
                status_label=PROJECT_STATUS_LABELS.get(row[4], row[4]),
                launch_date=launch,
                template_name=row[6],
                coordinator_id=row[7],
                coordinator_name=row[8],
                coordinator_active=row[9],
                tasks_total=total,
                tasks_done=done,
                overdue_count=overdue,
                blocked_count=blocked,
                forecast_launch=forecast,
                open_risks=open_risks,
                at_risk=project_health(
                    open_risks=open_risks, launch_date=launch, forecast_launch=forecast
                ).at_risk,
                created_at=row[13],
            )
        )
    return ProjectRowsPage(count=count, rows=rows)


def agency_has_projects(agency: Agency) -> bool:
    """Whether the agency has started any project (picks the list's empty state)."""
    return Project.objects.filter(agency=agency).exists()


# The project list's filter choices, in one statement: every client (archived ones too: their projects
# remain), and the people who can coordinate a project (owners and coordinators) by name.
LIST_FILTER_CHOICES_SQL = """
SELECT 'client', c.id, c.name, c.name FROM agencyops_client c WHERE c.agency_id = %(agency)s
UNION ALL
SELECT 'planner', m.id, coalesce(nullif(u.full_name, ''), u.email), u.full_name
FROM agencyops_membership m JOIN agencyops_user u ON u.id = m.user_id
WHERE m.agency_id = %(agency)s AND m.role IN (%(owner)s, %(coordinator)s)
ORDER BY 1, 4, 2
"""


def list_filter_choices(agency: Agency) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(clients, planners) to filter the project list by, as (id, name) in name order."""
    with planned_cursor() as cursor:
        cursor.execute(
            LIST_FILTER_CHOICES_SQL,
            {"agency": agency.pk, "owner": Role.OWNER.value, "coordinator": Role.COORDINATOR.value},
        )
        rows = cursor.fetchall()
    clients = [(pk, label) for kind, pk, label, _sort in rows if kind == "client"]
    planners = [(pk, label) for kind, pk, label, _sort in rows if kind == "planner"]
    return clients, planners


def active_members(agency: Agency) -> QuerySet[Membership]:
    """The team today, for assignee and owner pickers."""
    return (
        Membership.objects.filter(agency=agency, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class TemplateSummary:
    """A template as the pickers and the template list show it."""

    ref: str
    name: str
    description: str
    spec: TemplateSpec | None
    builtin: bool
    pk: int | None = None
    error: str = ""

    @property
    def task_count(self) -> int:
        return len(self.spec.tasks) if self.spec else 0

    @property
    def phase_count(self) -> int:
        return len(self.spec.phases) if self.spec else 0

    def tasks_by_phase(self) -> list[tuple[str, list[Any]]]:
        if not self.spec:
            return []
        groups: dict[str, list[Any]] = {p.name: [] for p in self.spec.phases}
        for task in self.spec.tasks:
            groups.setdefault(task.phase, []).append(task)
        return [(name, tasks) for name, tasks in groups.items() if tasks]


def templates_for_picker(agency: Agency) -> list[TemplateSummary]:
    """The six built-ins, then the agency's own templates (one query)."""
    summaries = [
        TemplateSummary(
            f"{BUILTIN_PREFIX}{slug}", data["name"], data["description"], builtin_spec(slug), True
        )
        for slug, data in BUILTIN_TEMPLATES.items()
    ]
    for template in ProjectTemplate.objects.filter(agency=agency).order_by("name", "pk"):
        try:
            spec, error = parse_spec(template.spec), ""
        except SpecError as exc:  # a stored spec that no longer parses is shown, not hidden
            spec, error = None, str(exc)
        summaries.append(
            TemplateSummary(
                str(template.pk), template.name, template.description, spec, False, template.pk, error
            )
        )
    return summaries


# --------------------------------------------------------------------------- a project's page


# A project's header: the project with its client, coordinator, brief and the brief's owner, as
# ``projects_with_header`` selects them (``_header_loaders`` reads their columns in this order).
PROJECT_HEADER_FROM = """FROM projects_project p
JOIN agencyops_client c ON c.id = p.client_id
LEFT JOIN agencyops_membership cm ON cm.id = p.coordinator_id
LEFT JOIN agencyops_user cu ON cu.id = cm.user_id
LEFT JOIN projects_brief b ON b.project_id = p.id
LEFT JOIN agencyops_membership om ON om.id = b.internal_owner_id
LEFT JOIN agencyops_user ou ON ou.id = om.user_id"""

# The project page's rows, in one round trip: six statements sent together (each prepared), each read
# through the project's (or the task's) own index. Written once rather than compiled by the ORM on every
# render: compiling the header, the plan, its links, checklists, inputs, risks and closures as querysets cost
# more than running them. ``page_versions.PROJECT_PAGE_VERSION_SQL`` must cover every row read here (a
# checklist step through its task's row, which every checklist service touches).
PROJECT_PAGE_STATEMENTS = (
    f"""SELECT {{header}}
{PROJECT_HEADER_FROM}
WHERE p.agency_id = %(agency)s AND p.id = %(project)s
""",
    """SELECT t.id, t.key, t.title, t.status, t.phase_id, t.start_date, t.due_date, t.duration_days,
       t.recurrence_period, t.needs_decision, t.waiting_on, t.waiting_on_name,
       CASE WHEN m.is_active THEN u.full_name END,
       (SELECT count(*) FROM projects_deadlinechange dc WHERE dc.task_id = t.id),
       (SELECT count(*) FROM projects_checklistitem ci WHERE ci.task_id = t.id),
       (SELECT count(*) FROM projects_checklistitem ci WHERE ci.task_id = t.id AND ci.done),
       -- [predecessor id, lag, 1 for start-to-start] for each link into the task
       ARRAY(SELECT ARRAY[d.predecessor_id, d.lag_days, (d.kind = 'SS')::int]
             FROM projects_taskdependency d WHERE d.successor_id = t.id ORDER BY d.id)
FROM projects_task t
LEFT JOIN agencyops_membership m ON m.id = t.assignee_id
LEFT JOIN agencyops_user u ON u.id = m.user_id
WHERE t.agency_id = %(agency)s AND t.project_id = %(project)s
ORDER BY t.start_date, t."order", t.id
""",
    """SELECT array_agg(cl.date) FROM projects_agencyclosure cl
WHERE cl.agency_id = %(agency)s AND cl.date >= %(closures_from)s AND cl.date < %(closures_to)s
""",
    """SELECT ph.id, ph.name, ph.due_date, CASE WHEN m.is_active THEN u.full_name END
FROM projects_phase ph
LEFT JOIN agencyops_membership m ON m.id = ph.owner_id
LEFT JOIN agencyops_user u ON u.id = m.user_id
WHERE ph.agency_id = %(agency)s AND ph.project_id = %(project)s
ORDER BY ph."order", ph.id
""",
    """SELECT ri.id, ri.description, ri.from_party, ri.from_name, ri.expected_by, ri.received_at,
       ARRAY(SELECT t.id FROM projects_requiredinput_tasks l JOIN projects_task t ON t.id = l.task_id
             WHERE l.requiredinput_id = ri.id ORDER BY t.start_date, t.id),
       ARRAY(SELECT t.title FROM projects_requiredinput_tasks l JOIN projects_task t ON t.id = l.task_id
             WHERE l.requiredinput_id = ri.id ORDER BY t.start_date, t.id)
FROM projects_requiredinput ri
WHERE ri.agency_id = %(agency)s AND ri.project_id = %(project)s
ORDER BY ri.expected_by, ri.description, ri.id
""",
    """-- Open and acknowledged risks, worst first; snoozed ones stay out of sight until their date.
SELECT e.id, e.severity, e.state, e.message, e.task_id, t.title, coalesce(nullif(u.full_name, ''), u.email),
       e.first_seen_at
FROM projects_escalation e
LEFT JOIN projects_task t ON t.id = e.task_id
LEFT JOIN agencyops_membership m ON m.id = e.assignee_id
LEFT JOIN agencyops_user u ON u.id = m.user_id
WHERE e.agency_id = %(agency)s AND e.project_id = %(project)s AND e.state = ANY(%(counted)s)
ORDER BY CASE e.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, e.last_seen_at DESC, e.id
""",
)

TASK_STATUS_LABELS = dict(TaskStatus.choices)
PARTY_LABELS = dict(Party.choices)
SEVERITY_LABELS = dict(EscalationSeverity.choices)


class PageTask(NamedTuple):
    """A task as the project page shows it: a card on the board, a row of the list by phase.

    ``owner_name`` is None when the owner is unclear (nobody assigned, or the assignee has left)."""

    pk: int
    key: str
    title: str
    status: str
    status_label: str
    phase_id: int | None
    start_date: date
    due_date: date
    owner_name: str | None
    needs_decision: bool
    waiting_on: str
    waiting_label: str
    moves: int
    checklist_total: int
    checklist_done: int
    is_critical: bool
    is_overdue: bool


class PagePhase(NamedTuple):
    pk: int
    name: str
    due_date: date | None
    owner_name: str | None


class PageTaskRef(NamedTuple):
    pk: int
    title: str


class PageInput(NamedTuple):
    """A required input: what, from whom, by when, and the tasks that need it (in plan order)."""

    pk: int
    description: str
    owed_by: str
    expected_by: date
    received_at: date | None
    is_overdue: bool
    tasks: tuple[PageTaskRef, ...]


class PageRisk(NamedTuple):
    """An open (or acknowledged) escalation of the project."""

    pk: int
    severity: str
    severity_label: str
    state: str
    message: str
    task_id: int | None
    task_title: str | None
    assignee_name: str | None
    first_seen_at: Any


# A plan as the critical path needs it: each task's key, duration, start, due, retainer period (None for
# one-off work) and links in (predecessor's key, 1 for start-to-start, lag).
PlanFacts = tuple[tuple[str, int, date, date, date | None, tuple[tuple[str, int, int], ...]], ...]


@functools.lru_cache(maxsize=64)
def plan_critical_keys(plan: PlanFacts, calendar: scheduling.BusinessCalendar, today: date) -> frozenset[str]:
    """The keys of the plan's critical tasks (``scheduling.plan_critical_tasks``). A pure answer to the
    plan's facts, so a process keeps the last few: pages and lists reread unchanged plans all day."""
    schedule = [
        scheduling.PlanTask(
            key=key,
            duration=duration,
            predecessors=tuple(
                scheduling.Dependency(predecessor=predecessor, kind="SS" if ss else "FS", lag=lag)
                for predecessor, ss, lag in links
            ),
        )
        for key, duration, _start, _due, _period, links in plan
    ]
    return frozenset(
        scheduling.plan_critical_tasks(
            schedule,
            {key: scheduling.Slot(start, due) for key, _duration, start, due, _period, _links in plan},
            calendar=calendar,
            periods={key: period for key, _duration, _start, _due, period, _links in plan},
            today=today,
        )
    )


@dataclass
class PhaseGroup:
    phase: PagePhase | None
    tasks: list[PageTask]

    @property
    def name(self) -> str:
        return self.phase.name if self.phase else "No phase"


@dataclass
class ProjectPage:
    """Everything a project's page shows, read in one round trip (the header apart)."""

    project: Project
    today: date
    phases: list[PagePhase]
    tasks: list[PageTask]
    inputs: list[PageInput]
    missing: list[str]
    critical_keys: frozenset[str]
    forecast_launch: date | None
    first_start: date | None
    columns: list[tuple[str, str, list[PageTask]]] = field(default_factory=list)
    groups: list[PhaseGroup] = field(default_factory=list)
    escalations: list[PageRisk] = field(default_factory=list)

    @property
    def tasks_done(self) -> int:
        return sum(1 for t in self.tasks if t.status == TaskStatus.DONE)

    @property
    def tasks_total(self) -> int:
        return len(self.tasks)

    @property
    def health(self) -> ProjectHealth:
        """The project's one health (see projects.health), from the rows this page already holds."""
        return project_health(
            open_risks=len(self.escalations),
            launch_date=self.project.launch_date,
            forecast_launch=self.forecast_launch,
        )

    @property
    def launch_slips(self) -> bool:
        return self.health.launch_slips

    slip_business_days: int = 0


def projects_with_header() -> QuerySet[Project]:
    """Projects with what every project page's header shows: client, coordinator, brief and its owner."""
    return Project.objects.select_related(
        "agency", "client", "coordinator__user", "brief__internal_owner__user"
    )


class _RowLoader(NamedTuple):
    """Every concrete column of a model (as a table alias) and how to make an instance from them."""

    columns: str
    width: int
    load: Any


def _row_loader(model: type[Any], alias: str) -> _RowLoader:
    # As agencyops.tenancy builds the membership it reads in raw SQL: the fields' own database
    # conversions, then Model.from_db, so the instance is what the ORM would have made.
    columns = model._meta.concrete_fields
    names = [column.attname for column in columns]
    converters = [
        (i, column, column.get_db_converters(connection))
        for i, column in enumerate(columns)
        if column.get_db_converters(connection)
    ]

    def load(values: Any) -> Any:
        values = list(values)
        for i, column, chain in converters:
            for convert in chain:
                values[i] = convert(values[i], column, connection)
        return model.from_db(connection.alias, names, values)

    return _RowLoader(", ".join(f'{alias}."{column.column}"' for column in columns), len(columns), load)


@functools.cache
def _header_loaders() -> tuple[_RowLoader, ...]:
    """The header's models in the order PROJECT_PAGE_STATEMENTS selects them: what ``projects_with_header`` selects."""
    return (
        _row_loader(Project, "p"),
        _row_loader(Client, "c"),
        _row_loader(Membership, "cm"),
        _row_loader(User, "cu"),
        _row_loader(Brief, "b"),
        _row_loader(Membership, "om"),
        _row_loader(User, "ou"),
    )


@functools.cache
def _project_page_statements() -> tuple[str, ...]:
    header, *rest = PROJECT_PAGE_STATEMENTS
    return (header.replace("{header}", ", ".join(loader.columns for loader in _header_loaders())), *rest)


def _header(agency: Agency, row: Any) -> Project:
    """The project with its client, coordinator, brief and the brief's owner, as projects_with_header()
    would have loaded them, from the header statement's one row."""
    parts, start = [], 0
    for loader in _header_loaders():
        values = row[start : start + loader.width]
        start += loader.width
        parts.append(None if values[0] is None else loader.load(values))
    project, client, coordinator, coordinator_user, brief, owner, owner_user = parts
    project.agency = agency
    project.client = client
    if coordinator is not None:
        coordinator.user = coordinator_user
    project.coordinator = coordinator
    if brief is None:
        # As select_related leaves a missing one-to-one: asking for it raises, without a query.
        Project.brief.related.set_cached_value(project, None)  # type: ignore[attr-defined]
    else:
        if owner is not None:
            owner.user = owner_user
        brief.internal_owner = owner
        brief.project = project
        Project.brief.related.set_cached_value(project, brief)  # type: ignore[attr-defined]
    return project


def _project_params(agency: Agency, project_id: int, today: date) -> dict[str, Any]:
    """The parameters a project's statements read: the agency, the project, and the years of closures its
    business calendar covers around today."""
    years = calendar_years(today)
    return {
        "agency": agency.pk,
        "project": project_id,
        "closures_from": date(years.start, 1, 1),
        "closures_to": date(years.stop, 1, 1),
    }


def project_page(agency: Agency, project_id: int, today: date) -> ProjectPage | None:
    """A project's header, brief, inputs, phases, tasks (with moves, critical path and decisions) and open
    risks, in one round trip (PROJECT_PAGE_STATEMENTS, each prepared: planning them cost PostgreSQL
    about three times what running them does); None when the agency has no such project."""
    return project_page_from_rows(agency, today, project_page_rows(agency, project_id, today))


ProjectPageRows = list[list[tuple[Any, ...]]]


def _page_params(agency: Agency, project_id: int, today: date) -> dict[str, Any]:
    """The parameters of the page's statements and of its sections' (``agency``, ``project``, ``today``)."""
    return {
        **_project_params(agency, project_id, today),
        "counted": [str(state) for state in COUNTED_STATES],
        "today": today,
    }


def project_page_rows(agency: Agency, project_id: int, today: date) -> ProjectPageRows:
    """The rows a project's page is made from, as PostgreSQL returns them (``project_page_from_rows`` makes
    the page): what the page shows changed only if these did, with the agency and the day."""
    return planned_results(_project_page_statements(), _page_params(agency, project_id, today))


class ProjectPageReads(NamedTuple):
    """Everything a project's page is made from, read in one round trip."""

    rows: ProjectPageRows
    # The rows of each section other apps add (extensions.page_section_statements), in their order.
    section_rows: list[list[tuple[Any, ...]]]
    # The page's version read after them: when it is still the one read before the page's digest, no write
    # committed in between, so these rows are the ones the digest was computed from.
    version: page_versions.ProjectPageVersion | None


def project_page_reads(agency: Agency, project_id: int, today: date) -> ProjectPageReads:
    """The page's rows, its sections' and then its version (``ProjectPageReads``), in one round trip."""
    sections = extensions.page_section_statements()
    results = planned_results(
        (*_project_page_statements(), *sections, page_versions.PROJECT_PAGE_VERSION_SQL),
        _page_params(agency, project_id, today),
    )
    page_count = len(PROJECT_PAGE_STATEMENTS)
    return ProjectPageReads(
        rows=results[:page_count],
        section_rows=results[page_count:-1],
        version=page_versions.project_page_version_from_rows(results[-1]),
    )


@functools.cache
def _project_page_digest_sql(statements: tuple[str, ...]) -> str:
    # Each statement's rows as an array of their text, in the order the statement returns them (a change of
    # order alone, a task moved before another, is a change of the page), the arrays joined.
    arrays = ",\n".join(f"ARRAY(SELECT s::text FROM ({sql}) s)::text" for sql in statements)
    # The agency and the project unseen by the planner, so that one plan is kept for every project: planned
    # for each, a small agency's page beside a large one was planned afresh on every view, for good (0 of
    # 121 runs on a kept plan; 2.8 ms of the server's CPU a view against 1.2 ms).
    for name in ("agency", "project"):
        arrays = arrays.replace(f"%({name})s", unseen_by_planner(name))
    return f"SELECT md5(concat_ws('|', {arrays}))"


def project_page_digest(agency: Agency, project_id: int, today: date) -> str:
    """A digest of every row the project's page and its sections are made from (``project_page_reads``),
    computed by PostgreSQL in one statement: the first view after a write that changed nothing the page
    shows (a task's description, a row rewritten as it was) finds the body kept for the same rows by it,
    without reading them. Reading the fifty tasks and the sections and digesting them here cost the view
    about 1 ms of CPU; PostgreSQL digests them for little more than running the statements costs it. A view
    whose rows did change reads them after it."""
    statements = (*_project_page_statements(), *extensions.page_section_statements())
    with planned_cursor() as cursor:
        cursor.execute(_project_page_digest_sql(statements), _page_params(agency, project_id, today))
        return cursor.fetchone()[0]


def project_page_from_rows(agency: Agency, today: date, rows: ProjectPageRows) -> ProjectPage | None:
    """The project page made from ``project_page_rows``; None when the agency has no such project."""
    headers, plan, [(closures,)], phase_rows, input_rows, risk_rows = rows
    if not headers:
        return None
    project = _header(agency, headers[0])
    critical: frozenset[str] = frozenset()
    # Retainer periods feed their own months, not the launch (as in projects.health).
    forecast = max((row[6] for row in plan if row[8] is None), default=None)
    slip = 0
    if plan:
        keys = {row[0]: row[1] for row in plan}
        calendar = agency_calendar(project.agency, around=today, closures=closures or ())
        critical = plan_critical_keys(
            tuple(
                (
                    row[1],
                    row[7],
                    row[5],
                    row[6],
                    row[8],
                    tuple((keys[pred], ss, lag) for pred, lag, ss in row[16] if pred in keys),
                )
                for row in plan
            ),
            calendar,
            today,
        )
        if forecast is not None and forecast > project.launch_date:
            slip = calendar.business_days_between(project.launch_date, forecast)
    tasks = [
        PageTask(
            pk=row[0],
            key=row[1],
            title=row[2],
            status=row[3],
            status_label=TASK_STATUS_LABELS.get(row[3], row[3]),
            phase_id=row[4],
            start_date=row[5],
            due_date=row[6],
            owner_name=row[12],
            needs_decision=row[9],
            waiting_on=row[10],
            waiting_label=row[11] or PARTY_LABELS.get(row[10], row[10]),
            moves=row[13],
            checklist_total=row[14],
            checklist_done=row[15],
            is_critical=row[1] in critical,
            is_overdue=row[3] != TaskStatus.DONE and row[6] < today,
        )
        for row in plan
    ]
    phases = [PagePhase(*row) for row in phase_rows]
    inputs = [
        PageInput(
            pk=pk,
            description=description,
            owed_by=from_name or PARTY_LABELS.get(party, party),
            expected_by=expected_by,
            received_at=received_at,
            is_overdue=received_at is None and expected_by < today,
            tasks=tuple(PageTaskRef(*ref) for ref in zip(task_ids, titles, strict=True)),
        )
        for pk, description, party, from_name, expected_by, received_at, task_ids, titles in input_rows
    ]
    escalations = [
        PageRisk(
            pk=pk,
            severity=severity,
            severity_label=SEVERITY_LABELS.get(severity, severity),
            state=state,
            message=message,
            task_id=task_id,
            task_title=task_title,
            assignee_name=assignee_name,
            first_seen_at=first_seen_at,
        )
        for pk, severity, state, message, task_id, task_title, assignee_name, first_seen_at in risk_rows
    ]
    page = ProjectPage(
        project=project,
        today=today,
        phases=phases,
        tasks=tasks,
        inputs=inputs,
        missing=brief_missing(project.brief, inputs_count=len(inputs)),
        critical_keys=critical,
        forecast_launch=forecast,
        slip_business_days=slip,
        first_start=min((t.start_date for t in tasks), default=None),
        escalations=escalations,
    )
    page.columns = [
        (value, label, [t for t in tasks if t.status == value]) for value, label in TaskStatus.choices
    ]
    by_phase: dict[int | None, list[PageTask]] = defaultdict(list)
    for task in tasks:
        by_phase[task.phase_id].append(task)
    page.groups = [PhaseGroup(phase, by_phase[phase.pk]) for phase in phases if by_phase.get(phase.pk)]
    if by_phase.get(None):
        page.groups.append(PhaseGroup(None, by_phase[None]))
    return page


# --------------------------------------------------------------------------- the API's project reads


@dataclass
class ProjectSummary:
    """What the project detail API shows: the header, its phases and counts, never the whole plan."""

    project: Project
    phases: list[Phase]
    tasks_total: int
    tasks_done: int
    first_start: date | None
    forecast_launch: date | None
    open_risks: int
    missing: list[str]
    slip_business_days: int = 0

    @property
    def health(self) -> ProjectHealth:
        return project_health(
            open_risks=self.open_risks,
            launch_date=self.project.launch_date,
            forecast_launch=self.forecast_launch,
        )


# What the project detail API shows, in one round trip: the header as the project page reads it with the
# plan's counts, first start and required inputs counted and the health facts (projects.health); the phases
# with their owners; the agency's closures (the slip is counted in business days). Written once rather than
# compiled by the ORM on every request: compiling the header with five annotations cost several times what
# PostgreSQL spent on it.
PROJECT_SUMMARY_STATEMENTS = (
    f"""SELECT {{header}},
       (SELECT ARRAY[count(*), count(*) FILTER (WHERE t.status = '{TaskStatus.DONE.value}')]
        FROM projects_task t WHERE t.agency_id = %(agency)s AND t.project_id = p.id),
       (SELECT min(t.start_date) FROM projects_task t WHERE t.agency_id = %(agency)s AND t.project_id = p.id),
       (SELECT count(*) FROM projects_requiredinput ri WHERE ri.agency_id = %(agency)s AND ri.project_id = p.id),
       health.forecast_launch, health.open_risks
{PROJECT_HEADER_FROM}
CROSS JOIN LATERAL ({HEALTH_FACTS_SQL}) health
WHERE p.agency_id = %(agency)s AND p.id = %(project)s
""",
    """SELECT {phase}
FROM projects_phase ph
LEFT JOIN agencyops_membership pm ON pm.id = ph.owner_id
LEFT JOIN agencyops_user pu ON pu.id = pm.user_id
WHERE ph.agency_id = %(agency)s AND ph.project_id = %(project)s
ORDER BY ph."order", ph.id
""",
    PROJECT_PAGE_STATEMENTS[2],  # the agency's closures
)


@functools.cache
def _phase_loaders() -> tuple[_RowLoader, ...]:
    return (_row_loader(Phase, "ph"), _row_loader(Membership, "pm"), _row_loader(User, "pu"))


@functools.cache
def _project_summary_statements() -> tuple[str, ...]:
    header, phases, closures = PROJECT_SUMMARY_STATEMENTS
    return (
        header.replace("{header}", ", ".join(loader.columns for loader in _header_loaders())),
        phases.replace("{phase}", ", ".join(loader.columns for loader in _phase_loaders())),
        closures,
    )


def _phase(project: Project, row: Any) -> Phase:
    """A phase of ``project`` with its owner and the owner's person, from a row of the phases statement."""
    phase_loader, member_loader, user_loader = _phase_loaders()
    phase = phase_loader.load(row[: phase_loader.width])
    phase.project = project
    owner_values = row[phase_loader.width : phase_loader.width + member_loader.width]
    owner = None
    if owner_values[0] is not None:
        owner = member_loader.load(owner_values)
        owner.user = user_loader.load(row[phase_loader.width + member_loader.width :])
    phase.owner = owner
    return phase


def project_summary(agency: Agency, project_id: int, today: date) -> ProjectSummary | None:
    """A project's header, counts, health and phases in one round trip (PROJECT_SUMMARY_STATEMENTS); None
    when the agency has no such project."""
    headers, phase_rows, [(closures,)] = planned_results(
        _project_summary_statements(), _project_params(agency, project_id, today)
    )
    if not headers:
        return None
    row = headers[0]
    project = _header(agency, row)
    (tasks_total, tasks_done), first_start, inputs_count, forecast, open_risks = row[-5:]
    slip = 0
    if forecast is not None and forecast > project.launch_date:
        calendar = agency_calendar(agency, around=today, closures=closures or ())
        slip = calendar.business_days_between(project.launch_date, forecast)
    phases = [_phase(project, phase_row) for phase_row in phase_rows]
    return ProjectSummary(
        project=project,
        phases=phases,
        tasks_total=tasks_total,
        tasks_done=tasks_done,
        first_start=first_start,
        forecast_launch=forecast,
        open_risks=open_risks,
        missing=brief_missing(project.brief, inputs_count=inputs_count),
        slip_business_days=slip,
    )


# The task list API's pages: a plan of 14 to 50 tasks fits in one, a 200-task plan takes two.
TASK_PAGE_DEFAULT = 100
TASK_PAGE_MAX = 500
# Past the last position any plan can have (a bigint in SQL).
WHOLE_PLAN = 2**62


# The task list API's one query. The whole plan in order, as the critical path is judged over all of it:
# each task's key, title, duration, dates and the links into it (by the successor's index). The rows of
# the requested page as the list shows them, with their phase, assignee and how often each moved; the
# other rows leave those columns empty, so nothing is joined, counted or sent for them. The agency's
# closures (its business calendar) on the first row. Written once rather than compiled by the ORM on
# every request: compiling the plan, its links, the page's rows and the closures as four querysets cost
# more than running them.
TASK_LIST_SQL = """
SELECT s.id, s.key, s.title, s.duration_days, s.start_date, s.due_date, s.recurrence_period, s.on_page,
       s.links,
       CASE WHEN s.position = 0 THEN
           (SELECT array_agg(cl.date) FROM projects_agencyclosure cl
            WHERE cl.agency_id = %(agency)s AND cl.date >= %(closures_from)s AND cl.date < %(closures_to)s)
       END,
       ph.id, ph.name, m.id, u.full_name, m.is_active,
       CASE WHEN s.on_page THEN (SELECT count(*) FROM projects_deadlinechange dc WHERE dc.task_id = s.id) END,
       CASE WHEN s.on_page THEN s.discipline END,
       CASE WHEN s.on_page THEN s.estimated_hours::text END,
       CASE WHEN s.on_page THEN s.status END,
       CASE WHEN s.on_page THEN s.waiting_on END,
       CASE WHEN s.on_page THEN s.waiting_on_name END,
       CASE WHEN s.on_page THEN s.waiting_since END,
       CASE WHEN s.on_page THEN s.blocked_reason END,
       CASE WHEN s.on_page THEN s.blocked_since END,
       CASE WHEN s.on_page THEN s.needs_decision END,
       CASE WHEN s.on_page THEN s.decision_question END,
       CASE WHEN s.on_page THEN s.decision_by END,
       CASE WHEN s.on_page THEN s.decider_member_id END,
       CASE WHEN s.on_page THEN s.decider_contact_id END,
       CASE WHEN s.on_page THEN s.is_review_milestone END
FROM (
    SELECT t.*,
           -- [link id, predecessor id, lag, 1 for start-to-start] for each link into the task
           ARRAY(SELECT ARRAY[d.id, d.predecessor_id, d.lag_days, (d.kind = 'SS')::int]
                 FROM projects_taskdependency d WHERE d.successor_id = t.id ORDER BY d.id) AS links,
           row_number() OVER plan - 1 AS position,
           row_number() OVER plan - 1 BETWEEN %(offset)s AND %(last)s AS on_page
    FROM projects_task t
    WHERE t.agency_id = %(agency)s AND t.project_id = %(project)s
    WINDOW plan AS (ORDER BY t.start_date, t."order", t.id)
) s
LEFT JOIN projects_phase ph ON ph.id = CASE WHEN s.on_page THEN s.phase_id END
LEFT JOIN agencyops_membership m ON m.id = CASE WHEN s.on_page THEN s.assignee_id END
LEFT JOIN agencyops_user u ON u.id = m.user_id
ORDER BY s.position
"""


@dataclass
class ProjectTaskPage:
    """One page of a project's tasks in plan order, and how many the plan has.

    ``rows`` are plain dicts in the shape of ``projects.serializers.TaskSerializer`` (dates in ISO 8601,
    hours as a one-decimal string), ready to render as JSON: building a serializer field by field for
    each of a hundred tasks cost more than the query."""

    count: int
    rows: list[dict[str, Any]]


def _link(link_id: int, predecessor: int, ss: int, lag: int, row: tuple[Any, ...]) -> dict[str, Any]:
    """A dependency as a task's ``predecessors`` show it (PredecessorLinkSerializer's shape), from the
    predecessor's row of the plan (it may be on another page of the list)."""
    return {
        "id": link_id,
        "task": predecessor,
        "key": row[1],
        "title": row[2],
        "kind": "SS" if ss else "FS",
        "lag_days": lag,
        "start_date": row[4].isoformat(),
        "due_date": row[5].isoformat(),
    }


def project_tasks_page(
    agency: Agency, project_id: int, today: date, *, offset: int, limit: int | None
) -> ProjectTaskPage | None:
    """A page of the plan (``limit=None``: all of it from ``offset``), each task with its moves, whether it
    is critical and what it waits for; None when the agency has no such project.

    One query (a second only for a project without tasks, to tell it from a missing one): see
    TASK_LIST_SQL. Whether a task is critical depends on the whole plan, so it is judged over all of it
    whatever the page."""
    with connection.cursor() as cursor:
        cursor.execute(
            TASK_LIST_SQL,
            {
                **_project_params(agency, project_id, today),
                "offset": offset,
                "last": offset + limit - 1 if limit is not None else WHOLE_PLAN,
            },
        )
        plan = cursor.fetchall()
    if not plan:
        if not Project.objects.filter(agency=agency, pk=project_id).exists():
            return None
        return ProjectTaskPage(count=0, rows=[])
    keys = {row[0]: row[1] for row in plan}
    waits_for: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    facts = []
    for row in plan:
        links = []
        for link_id, predecessor, lag, ss in row[8]:
            if predecessor in keys:
                links.append((keys[predecessor], ss, lag))
                waits_for[row[0]].append((link_id, predecessor, ss, lag))
        facts.append((row[1], row[3], row[4], row[5], row[6], tuple(links)))
    critical = plan_critical_keys(
        tuple(facts),
        agency_calendar(agency, around=today, closures=plan[0][9] or ()),
        today,
    )
    by_id = {row[0]: row for row in plan}
    rows = []
    for row in plan:
        if not row[7]:
            continue
        (pk, key, title, duration, start, due, period), page = row[:7], row[10:]
        phase_id, assignee_id, assignee_active = page[0], page[2], page[4]
        links = sorted(waits_for[pk], key=lambda link: (by_id[link[1]][4], link[0]))
        rows.append(
            {
                "id": pk,
                "key": key,
                "title": title,
                "phase": None if phase_id is None else {"id": phase_id, "name": page[1]},
                "discipline": page[6],
                "assignee": None
                if assignee_id is None
                else {"id": assignee_id, "name": page[3], "is_active": assignee_active},
                # "Owner unclear": nobody is assigned, or the assignee has left the agency.
                "owner_unclear": assignee_id is None or not assignee_active,
                "duration_days": duration,
                "estimated_hours": page[7],
                "start_date": start.isoformat(),
                "due_date": due.isoformat(),
                "status": page[8],
                "waiting_on": page[9],
                "waiting_on_name": page[10],
                "waiting_since": page[11] and page[11].isoformat(),
                "blocked_reason": page[12],
                "blocked_since": page[13] and page[13].isoformat(),
                "needs_decision": page[14],
                "decision_question": page[15],
                "decision_by": page[16],
                "decider_member": page[17],
                "decider_contact": page[18],
                "is_review_milestone": page[19],
                "recurrence_period": period and period.isoformat(),
                "moved_count": page[5],
                "critical": key in critical,
                "predecessors": [_link(*link, by_id[link[1]]) for link in links],
            }
        )
    return ProjectTaskPage(count=len(plan), rows=rows)


@functools.cache
def _task_rows_stamp() -> str:
    """The code a kept page of the task list follows from: the selectors that shape its rows and judge the
    critical path, the scheduling and calendars they count with, and the version that covers the rows. A
    deploy that changes any of it never serves rows kept by the code before it."""
    return code_stamp(sys.modules[__name__], scheduling, calendars, page_versions)


def project_tasks_page_key(
    agency: Agency, project_id: int, today: date, *, offset: int, limit: int | None
) -> str | None:
    """Where a page of ``project_tasks_page`` is kept in the cache: under the project page's version, which
    PostgreSQL computes from every row the list shows (each task, its links and moves, the phases, the
    agency's people and closures: ``projects.page_versions``), so any change, however it was made, is in
    the next read; with the page, the day (the critical path and dates are today's) and the code the rows
    follow from. None when the agency has no such project."""
    stamp = project_page_version(agency_id=agency.pk, project_id=project_id)
    if stamp is None:
        return None
    raw_key = f"{agency.pk}:{project_id}:{stamp.version}:{offset}:{limit}:{today}:{_task_rows_stamp()}"
    return "task-list:" + hashlib.sha256(raw_key.encode()).hexdigest()


# --------------------------------------------------------------------------- history


def _history_rows(project: Project) -> list[DeadlineChange]:
    return list(
        DeadlineChange.objects.filter(task__project=project)
        .select_related("task", "caused_by_task", "changed_by__user")
        .order_by("-changed_at", "-pk")
    )


def project_deadline_history(project: Project) -> list[DeadlineChange]:
    """Every due-date move of a project's tasks, newest first, with ``business_days`` moved on each row."""
    rows = _history_rows(project)
    if rows:
        calendar = agency_calendar(project.agency)
        for row in rows:
            row.business_days = calendar.business_days_between(row.old_due, row.new_due)  # type: ignore[attr-defined]
    return rows


@dataclass
class HistoryEntry:
    """One act in a project's deadline history: a reschedule (the moved task, with the tasks it cascaded
    to listed inside it) or a move of the committed launch."""

    changed_at: Any
    changed_by: Membership | None
    reason: str
    moved: DeadlineChange | None = None
    cascaded: list[DeadlineChange] = field(default_factory=list)
    launch: LaunchChange | None = None

    @property
    def is_launch(self) -> bool:
        return self.launch is not None


def project_history_entries(project: Project) -> list[HistoryEntry]:
    """The deadline history as people read it, newest first: one entry per move, however many rows it wrote.

    The rows stay as they were written; rows of one reschedule share its ``move`` id and are grouped
    under the task that was moved (older rows without an id stand alone)."""
    rows = _history_rows(project)
    launch_changes = list(LaunchChange.objects.filter(project=project).select_related("changed_by__user"))
    if rows or launch_changes:
        calendar = agency_calendar(project.agency)  # one calendar for every row
        for row in rows:
            row.business_days = calendar.business_days_between(row.old_due, row.new_due)  # type: ignore[attr-defined]
        for change in launch_changes:
            change.business_days = calendar.business_days_between(change.old_launch, change.new_launch)  # type: ignore[attr-defined]
    groups: dict[Any, list[DeadlineChange]] = {}
    for row in reversed(rows):  # oldest first, so groups keep plan order
        groups.setdefault(row.move or ("row", row.pk), []).append(row)
    entries = []
    for members in groups.values():
        moved = next((r for r in members if r.caused_by_task_id is None), members[0])
        entries.append(
            HistoryEntry(
                changed_at=moved.changed_at,
                changed_by=moved.changed_by,
                reason=moved.reason,
                moved=moved,
                cascaded=sorted((r for r in members if r is not moved), key=lambda r: (r.new_due, r.pk)),
            )
        )
    for change in launch_changes:
        entries.append(
            HistoryEntry(
                changed_at=change.changed_at,
                changed_by=change.changed_by,
                reason=change.reason,
                launch=change,
            )
        )
    entries.sort(key=lambda e: e.changed_at, reverse=True)
    return entries


# --------------------------------------------------------------------------- a task's page


@dataclass
class TaskPage:
    """A task with its links, inputs and deadline history."""

    task: Task
    today: date
    predecessors: list[TaskDependency]
    successors: list[TaskDependency]
    inputs: list[RequiredInput]
    history: list[DeadlineChange]

    @property
    def moves(self) -> int:
        return len(self.history)

    @property
    def is_overdue(self) -> bool:
        return self.task.status != TaskStatus.DONE and self.task.due_date < self.today


def task_for_page(task_id: int) -> Task:
    """A task with its project, client, phase and assignee (raises Task.DoesNotExist)."""
    return Task.objects.select_related("project__client", "phase", "assignee__user").get(pk=task_id)


def task_page(task: Task, today: date) -> TaskPage:
    """Everything a task's page shows besides the task itself."""
    history = list(
        DeadlineChange.objects.filter(task=task)
        .select_related("caused_by_task", "changed_by__user")
        .order_by("-changed_at", "-pk")
    )
    if history:
        calendar = agency_calendar(task.agency, around=today)
        for row in history:
            row.business_days = calendar.business_days_between(row.old_due, row.new_due)  # type: ignore[attr-defined]
    for item in (inputs := list(task.required_inputs.order_by("expected_by", "pk"))):
        item.is_overdue = item.received_at is None and item.expected_by < today  # type: ignore[attr-defined]
    return TaskPage(
        task=task,
        today=today,
        predecessors=list(
            task.predecessor_links.select_related("predecessor").order_by("predecessor__start_date", "pk")
        ),
        successors=list(
            task.successor_links.select_related("successor").order_by("successor__start_date", "pk")
        ),
        inputs=inputs,
        history=history,
    )


def project_tasks_for_picker(project: Project) -> QuerySet[Task]:
    """A project's tasks, in plan order, for dependency and input pickers."""
    return (
        Task.objects.filter(project=project)
        .only("pk", "title", "key", "project_id")
        .order_by("start_date", "order", "pk")
    )


# --------------------------------------------------------------------------- a task's conversation


@dataclass
class TaskConversation:
    """The comments (authors, attachments and mentions loaded), the checklist and who can be @mentioned."""

    comments: list[TaskComment]
    checklist: list[ChecklistItem]
    team: list[tuple[str, Membership]]

    @property
    def checklist_done(self) -> int:
        return sum(1 for item in self.checklist if item.done)


def task_conversation(task: Task) -> TaskConversation:
    """Everything said on a task, oldest first, in a fixed number of queries however long the thread."""
    comments = list(
        TaskComment.objects.filter(task=task)
        .select_related("author__user")
        .prefetch_related(Prefetch("attachments", queryset=TaskAttachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )
    return TaskConversation(
        comments=comments,
        checklist=list(ChecklistItem.objects.filter(task=task).order_by("order", "pk")),
        team=sorted(team_handles(task.agency_id).items()),
    )
