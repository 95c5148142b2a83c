"""Reads behind the project pages: the project list, a project's page, a task's page, history, templates.

Each selector runs a fixed number of queries whatever the number of projects, tasks or moves:
counts are annotations, related rows come through select_related / prefetch_related.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from agencyops.models import Agency, Client, Membership, Role
from projects import scheduling
from projects.builtin_templates import BUILTIN_TEMPLATES, builtin_spec
from projects.calendars import agency_calendar
from projects.models import (
    ChecklistItem,
    DeadlineChange,
    Escalation,
    EscalationSeverity,
    EscalationState,
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
from projects.services import BUILTIN_PREFIX, brief_missing, team_handles
from projects.template_spec import SpecError, TemplateSpec, parse_spec

# --------------------------------------------------------------------------- the project list


def projects_for_list(
    agency: Agency,
    *,
    client_id: int | None = None,
    coordinator_id: int | None = None,
    status: str = "",
    at_risk: bool = False,
    today: date,
) -> QuerySet[Project]:
    """Every project of the agency with its progress, overdue and blocked counts and an ``at_risk`` flag.

    At risk: an open task past due, a blocked task, or the last one-off task due after the launch date.
    Retainer periods are left out of "last due": they run past the launch on purpose.
    """
    open_task = ~Q(tasks__status=TaskStatus.DONE)
    projects = (
        Project.objects.filter(agency=agency)
        .select_related("client", "coordinator__user")
        .annotate(
            tasks_total=Count("tasks"),
            tasks_done=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE)),
            overdue_count=Count("tasks", filter=open_task & Q(tasks__due_date__lt=today)),
            blocked_count=Count("tasks", filter=Q(tasks__status=TaskStatus.BLOCKED)),
            last_due=Max("tasks__due_date", filter=Q(tasks__recurrence_period__isnull=True)),
        )
        .annotate(
            at_risk=Case(
                When(
                    Q(overdue_count__gt=0) | Q(blocked_count__gt=0) | Q(last_due__gt=F("launch_date")),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("launch_date", "name", "pk")
    )
    if client_id:
        projects = projects.filter(client_id=client_id)
    if coordinator_id:
        projects = projects.filter(coordinator_id=coordinator_id)
    if status in ProjectStatus.values:
        projects = projects.filter(status=status)
    if at_risk:
        projects = projects.filter(at_risk=True)
    return projects


def agency_has_projects(agency: Agency) -> bool:
    """Whether the agency has started any project (picks the list's empty state)."""
    return Project.objects.filter(agency=agency).exists()


def clients_for_filter(agency: Agency) -> QuerySet[Client]:
    """Clients to filter the project list by: every client, archived ones too (their projects remain)."""
    return Client.objects.filter(agency=agency).order_by("name", "pk")


def planners_for_filter(agency: Agency) -> QuerySet[Membership]:
    """People who can coordinate a project: owners and coordinators, with their names."""
    return (
        Membership.objects.filter(agency=agency, role__in=(Role.OWNER, Role.COORDINATOR))
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


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


def _worst_first() -> Case:
    # Severities are words, so "high" before "medium" before "low" needs its own ordering.
    return Case(
        When(severity=EscalationSeverity.HIGH, then=Value(0)),
        When(severity=EscalationSeverity.MEDIUM, then=Value(1)),
        default=Value(2),
    )


def with_checklist_progress(queryset: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with ``checklist_total`` and ``checklist_done``, counted in the same query (for board cards)."""
    steps = ChecklistItem.objects.filter(task=OuterRef("pk")).order_by().values("task")
    total = steps.annotate(n=Count("pk")).values("n")
    done = steps.filter(done=True).annotate(n=Count("pk")).values("n")
    return queryset.annotate(
        checklist_total=Coalesce(Subquery(total, output_field=IntegerField()), 0),
        checklist_done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
    )


def _tasks_with_moves(queryset: QuerySet[Task]) -> QuerySet[Task]:
    # "Moved N times" is a count over the append-only history, never a stored counter.
    return queryset.select_related("assignee__user", "phase").annotate(moves=Count("deadline_changes"))


@dataclass
class PhaseGroup:
    phase: Phase | None
    tasks: list[Task]

    @property
    def name(self) -> str:
        return self.phase.name if self.phase else "No phase"


@dataclass
class ProjectPage:
    """Everything a project's page shows, loaded in a fixed number of queries."""

    project: Project
    today: date
    phases: list[Phase]
    tasks: list[Task]
    dependencies: list[TaskDependency]
    inputs: list[RequiredInput]
    missing: list[str]
    critical_keys: set[str]
    forecast_launch: date | None
    first_start: date | None
    columns: list[tuple[str, str, list[Task]]] = field(default_factory=list)
    groups: list[PhaseGroup] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)

    @property
    def tasks_done(self) -> int:
        return sum(1 for t in self.tasks if t.status == TaskStatus.DONE)

    @property
    def launch_slips(self) -> bool:
        return self.forecast_launch is not None and self.forecast_launch > self.project.launch_date


def _scheduling_values(
    tasks: list[Task], dependencies: list[TaskDependency]
) -> tuple[list[scheduling.PlanTask], dict[str, scheduling.Slot]]:
    keys = {t.pk: t.key for t in tasks}
    preds: dict[int, list[scheduling.Dependency]] = defaultdict(list)
    for dep in dependencies:
        if dep.predecessor_id in keys:
            preds[dep.successor_id].append(
                scheduling.Dependency(predecessor=keys[dep.predecessor_id], kind=dep.kind, lag=dep.lag_days)  # type: ignore[arg-type]
            )
    plan = [
        scheduling.PlanTask(key=t.key, duration=t.duration_days, predecessors=tuple(preds[t.pk]))
        for t in tasks
    ]
    slots = {t.key: scheduling.Slot(t.start_date, t.due_date) for t in tasks}
    return plan, slots


def projects_with_header() -> QuerySet[Project]:
    """Projects with what every project page's header shows: client, coordinator, brief and its owner."""
    return Project.objects.select_related(
        "agency", "client", "coordinator__user", "brief__internal_owner__user"
    )


def project_page(project: Project, today: date) -> ProjectPage:
    """A project's brief, inputs, phases, tasks (with moves, critical path and decisions) and open risks.

    ``project`` should come from ``projects_with_header()`` so the header costs no extra query.
    """
    phases = list(Phase.objects.filter(project=project).select_related("owner__user").order_by("order", "pk"))
    tasks = list(
        with_checklist_progress(_tasks_with_moves(Task.objects.filter(project=project))).order_by(
            "start_date", "order", "pk"
        )
    )
    dependencies = list(TaskDependency.objects.filter(successor__project=project))
    inputs = list(
        RequiredInput.objects.filter(project=project)
        .prefetch_related(
            Prefetch(
                "tasks", queryset=Task.objects.only("pk", "title", "project_id").order_by("start_date", "pk")
            )
        )
        .order_by("expected_by", "description", "pk")
    )
    # Open and acknowledged risks, worst first; snoozed ones stay out of sight until their date.
    escalations = list(
        Escalation.objects.filter(
            project=project, state__in=(EscalationState.OPEN, EscalationState.ACKNOWLEDGED)
        )
        .select_related("assignee__user", "task")
        .order_by(_worst_first(), "-last_seen_at", "pk")
    )
    critical: set[str] = set()
    if tasks:
        plan, slots = _scheduling_values(tasks, dependencies)
        calendar = agency_calendar(project.agency, around=today)
        critical = set(scheduling.critical_path(plan, slots, calendar=calendar))
    one_off = [t for t in tasks if t.recurrence_period is None] or tasks
    page = ProjectPage(
        project=project,
        today=today,
        phases=phases,
        tasks=tasks,
        dependencies=dependencies,
        inputs=inputs,
        missing=brief_missing(project.brief, inputs_count=len(inputs)),
        critical_keys=critical,
        forecast_launch=max((t.due_date for t in one_off), default=None),
        first_start=min((t.start_date for t in tasks), default=None),
        escalations=escalations,
    )
    for task in tasks:
        task.is_critical = task.key in critical  # type: ignore[attr-defined]
        task.is_overdue = task.status != TaskStatus.DONE and task.due_date < today  # type: ignore[attr-defined]
    for item in inputs:
        item.is_overdue = item.received_at is None and item.expected_by < today  # type: ignore[attr-defined]
    page.columns = [
        (value, label, [t for t in tasks if t.status == value]) for value, label in TaskStatus.choices
    ]
    by_phase: dict[int | None, list[Task]] = defaultdict(list)
    for task in tasks:
        by_phase[task.phase_id].append(task)
    page.groups = [PhaseGroup(phase, by_phase[phase.pk]) for phase in phases if by_phase.get(phase.pk)]
    if by_phase.get(None):
        page.groups.append(PhaseGroup(None, by_phase[None]))
    return page


# --------------------------------------------------------------------------- history


def project_deadline_history(project: Project) -> list[DeadlineChange]:
    """Every due-date move of a project's tasks, newest first, with ``business_days`` moved on each row."""
    rows = list(
        DeadlineChange.objects.filter(task__project=project)
        .select_related("task", "caused_by_task", "changed_by__user")
        .order_by("-changed_at", "-pk")
    )
    if rows:
        calendar = agency_calendar(project.agency)
        for row in rows:
            row.business_days = calendar.business_days_between(row.old_due, row.new_due)  # type: ignore[attr-defined]
    return rows


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
