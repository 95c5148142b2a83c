"""Every write of the project layer: plans from templates, briefs, tasks, dependencies, deadline moves.

Dates come from projects.scheduling (pure); this module loads rows, asks it, and stores the answer
with its history. Deadline moves lock the project row so concurrent edits queue instead of losing
a history row.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone
from django.utils.text import slugify

from agencyops.models import Client, ClientStatus, Discipline, Membership
from agencyops.permissions import can_plan_projects, require
from projects import scheduling
from projects.builtin_templates import BUILTIN_TEMPLATES, builtin_spec
from projects.calendars import agency_calendar, agency_today
from projects.models import (
    Brief,
    CalendarFeed,
    DeadlineChange,
    DeadlineChangeCause,
    DependencyKind,
    Party,
    Phase,
    Project,
    ProjectStatus,
    ProjectTemplate,
    RequiredInput,
    Task,
    TaskDependency,
    TaskStatus,
)
from projects.template_spec import SpecError, TemplateSpec, parse_spec


def _rescan_soon(agency_id: int) -> None:
    """A change that can create or clear a risk: the agency's risk scan runs again shortly after commit."""
    from projects.tasks import scan_soon

    scan_soon(agency_id)


BUILTIN_PREFIX = "builtin:"


# --------------------------------------------------------------------------- permissions


def _require_planner(actor: Membership) -> None:
    require(can_plan_projects, actor, "Only owners and coordinators can plan projects.")


def _require_team(actor: Membership) -> None:
    if not actor.is_active:
        raise ValidationError("You are no longer on this agency's team.", code="forbidden")


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class TemplateChoice:
    ref: str
    name: str
    description: str
    spec: TemplateSpec
    builtin: bool


def template_resolve(*, agency: Any, ref: str) -> TemplateChoice:
    """A template by reference: ``builtin:<slug>`` or an agency template's id."""
    if ref.startswith(BUILTIN_PREFIX):
        slug = ref.removeprefix(BUILTIN_PREFIX)
        if slug not in BUILTIN_TEMPLATES:
            raise ValidationError({"template": "Choose one of the listed templates."})
        data = BUILTIN_TEMPLATES[slug]
        return TemplateChoice(ref, data["name"], data["description"], builtin_spec(slug), True)
    try:
        template = ProjectTemplate.objects.get(agency=agency, pk=int(ref))
    except (ValueError, ProjectTemplate.DoesNotExist):
        raise ValidationError({"template": "Choose one of the listed templates."}) from None
    return TemplateChoice(
        str(template.pk), template.name, template.description, parse_spec(template.spec), False
    )


def template_save_from_project(
    *, actor: Membership, project: Project, name: str, description: str = ""
) -> ProjectTemplate:
    """Save a project's phases, tasks, durations and dependencies as one of the agency's templates."""
    _require_planner(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the template a name."})
    if ProjectTemplate.objects.filter(agency=actor.agency, name__iexact=name).exists():
        raise ValidationError({"name": f"The agency already has a template called “{name}”."})
    phases = list(project.phases.order_by("order"))
    tasks = list(
        project.tasks.filter(recurrence_period__isnull=True)
        .select_related("phase")
        .prefetch_related("required_inputs")
        .order_by("start_date", "order")
    )
    deps = TaskDependency.objects.filter(
        successor__project=project, successor__recurrence_period__isnull=True
    )
    after: dict[int, list[dict[str, Any]]] = defaultdict(list)
    keys = {t.pk: t.key for t in tasks}
    for dep in deps:
        if dep.predecessor_id in keys:
            after[dep.successor_id].append(
                {"key": keys[dep.predecessor_id], "kind": dep.kind, "lag": dep.lag_days}
            )
    spec = {
        "phases": [{"name": p.name, "discipline": p.accountable_discipline} for p in phases],
        "tasks": [
            {
                "key": t.key,
                "title": t.title,
                "phase": t.phase.name if t.phase else phases[0].name,
                "discipline": t.discipline,
                "duration": t.duration_days,
                "hours": float(t.estimated_hours),
                "review": t.is_review_milestone,
                "after": after.get(t.pk, []),
                "inputs": [{"what": i.description, "party": i.from_party} for i in t.required_inputs.all()],
            }
            for t in tasks
        ],
    }
    if project.is_recurring:
        # A retainer keeps its rhythm and its per-period deliverables (one period's worth, without the date).
        spec["recurrence"] = {
            "frequency": project.recurrence_frequency,
            "interval": project.recurrence_interval,
            "weekday": project.recurrence_weekday,
            "day_of_month": project.recurrence_day_of_month,
            "periods_ahead": project.recurrence_periods_ahead,
        }
        first_period = min(
            (t.recurrence_period for t in project.tasks.filter(recurrence_period__isnull=False)), default=None
        )
        if first_period is not None:
            suffix = f"@{first_period:%Y-%m-%d}"
            period_tasks = list(project.tasks.filter(recurrence_period=first_period).select_related("phase"))
            period_keys = {t.pk: t.key.removesuffix(suffix) for t in period_tasks}
            period_deps: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for dep in TaskDependency.objects.filter(
                successor__in=period_tasks, predecessor__in=period_tasks
            ):
                period_deps[dep.successor_id].append(
                    {"key": period_keys[dep.predecessor_id], "kind": dep.kind, "lag": dep.lag_days}
                )
            for t in period_tasks:
                spec["tasks"].append(
                    {
                        "key": period_keys[t.pk],
                        "title": t.title.rsplit(" (", 1)[0],
                        "phase": t.phase.name if t.phase else phases[0].name,
                        "discipline": t.discipline,
                        "duration": t.duration_days,
                        "hours": float(t.estimated_hours),
                        "review": t.is_review_milestone,
                        "recurring": True,
                        "after": period_deps.get(t.pk, []),
                    }
                )
    parse_spec(spec)
    return ProjectTemplate.objects.create(
        agency=actor.agency, name=name, description=description.strip(), spec=spec, created_by=actor
    )


def template_update(
    *, actor: Membership, template: ProjectTemplate, name: str, description: str, spec: Mapping[str, Any]
) -> ProjectTemplate:
    """Edit an agency template; the spec is checked (phases, predecessors, loops) before it is stored."""
    _require_planner(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the template a name."})
    if (
        ProjectTemplate.objects.filter(agency=actor.agency, name__iexact=name)
        .exclude(pk=template.pk)
        .exists()
    ):
        raise ValidationError({"name": f"The agency already has a template called “{name}”."})
    try:
        parsed = parse_spec(spec)
    except SpecError as exc:
        raise ValidationError({"spec": str(exc)}) from None
    template.name, template.description, template.spec = name, description.strip(), parsed.to_json()
    template.save()
    return template


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class PlanPreview:
    """What creating a project would produce, shown before it is created."""

    template: TemplateChoice
    slots: dict[str, scheduling.Slot]
    launch: date
    start: date
    today: date
    shortfall_days: int

    @property
    def spec(self) -> TemplateSpec:
        return self.template.spec

    @property
    def starts_in_past(self) -> bool:
        return self.shortfall_days > 0


def project_preview(*, agency: Any, template_ref: str, launch_date: date | None) -> PlanPreview:
    """Back-schedule a template from a launch date without writing anything."""
    if launch_date is None:
        raise ValidationError({"launch_date": "Enter the launch (handoff) date."})
    today = agency_today(agency)
    if launch_date < today:
        raise ValidationError(
            {"launch_date": "The launch date is in the past; choose today or a later date."}
        )
    choice = template_resolve(agency=agency, ref=template_ref)
    calendar = agency_calendar(agency, around=launch_date)
    one_off = choice.spec.plan_tasks(recurring=False)
    slots = scheduling.back_schedule(one_off, launch=launch_date, calendar=calendar)
    start = scheduling.plan_start(slots)
    return PlanPreview(
        template=choice,
        slots=slots,
        launch=max(s.due for s in slots.values()),
        start=start,
        today=today,
        shortfall_days=scheduling.shortfall(slots, today=today, calendar=calendar),
    )


class _Assigner:
    """Picks, per discipline, the active member with the fewest open hours, counting what it assigns."""

    def __init__(self, agency: Any) -> None:
        members = (
            Membership.objects.filter(agency=agency, is_active=True)
            .exclude(discipline="")
            .annotate(
                load=Sum("assigned_tasks__estimated_hours", filter=~Q(assigned_tasks__status=TaskStatus.DONE))
            )
            .order_by("pk")
        )
        self.load: dict[int, Decimal] = {}
        self.by_discipline: dict[str, list[Membership]] = defaultdict(list)
        for m in members:
            self.load[m.pk] = m.load or Decimal(0)
            self.by_discipline[m.discipline].append(m)

    def pick(self, discipline: str, hours: Decimal = Decimal(0)) -> Membership | None:
        candidates = self.by_discipline.get(discipline) or []
        if not candidates:
            return None
        chosen = min(candidates, key=lambda m: (self.load[m.pk], m.pk))
        self.load[chosen.pk] += hours
        return chosen


def _materialise_tasks(
    *,
    project: Project,
    spec: TemplateSpec,
    tasks: list[scheduling.PlanTask],
    slots: Mapping[str, scheduling.Slot],
    phases: Mapping[str, Phase],
    assigner: _Assigner,
    calendar: scheduling.BusinessCalendar,
    key_suffix: str = "",
    period: date | None = None,
) -> list[Task]:
    """Create the tasks, their dependencies and required inputs of a scheduled plan (bulk inserts)."""
    by_key = {t.key: t for t in spec.tasks}
    rows = []
    for order, plan_task in enumerate(tasks):
        t = by_key[plan_task.key]
        hours = Decimal(str(t.hours))
        rows.append(
            Task(
                agency=project.agency,
                project=project,
                phase=phases.get(t.phase),
                key=t.key + key_suffix,
                title=t.title if period is None else f"{t.title} ({period:%b %Y})",
                discipline=t.discipline,
                assignee=assigner.pick(t.discipline, hours) if t.discipline else None,
                duration_days=t.duration,
                estimated_hours=hours,
                start_date=slots[t.key].start,
                due_date=slots[t.key].due,
                is_review_milestone=t.review,
                recurrence_period=period,
                order=order,
            )
        )
    created = Task.objects.bulk_create(rows)
    task_by_key = {t.key: t for t in created}
    deps = [
        TaskDependency(
            agency=project.agency,
            predecessor=task_by_key[dep.predecessor + key_suffix],
            successor=task_by_key[plan_task.key + key_suffix],
            kind=dep.kind,
            lag_days=dep.lag,
        )
        for plan_task in tasks
        for dep in plan_task.predecessors
    ]
    TaskDependency.objects.bulk_create(deps)
    inputs, links = [], []
    for plan_task in tasks:
        for item in by_key[plan_task.key].inputs:
            task = task_by_key[plan_task.key + key_suffix]
            inputs.append(
                (
                    RequiredInput(
                        agency=project.agency,
                        project=project,
                        description=item.what,
                        from_party=item.party,
                        expected_by=calendar.add_business_days(task.start_date, -item.lead_days),
                    ),
                    task,
                )
            )
    created_inputs = RequiredInput.objects.bulk_create([i for i, _ in inputs])
    for required, (_, task) in zip(created_inputs, inputs, strict=True):
        links.append(RequiredInput.tasks.through(requiredinput_id=required.pk, task_id=task.pk))
    RequiredInput.tasks.through.objects.bulk_create(links)
    return created


def _refresh_phase_deadlines(project: Project) -> None:
    """Each phase is due when its last task is; phases follow the plan, never drift from it."""
    dues = dict(
        Task.objects.filter(project=project, phase__isnull=False)
        .values_list("phase_id")
        .annotate(last=Max("due_date"))
        .values_list("phase_id", "last")
    )
    phases = list(project.phases.all())
    for phase in phases:
        phase.due_date = dues.get(phase.pk)
    Phase.objects.bulk_update(phases, ["due_date"])


@transaction.atomic
def project_create_from_template(
    *,
    actor: Membership,
    client: Client,
    name: str,
    template_ref: str,
    launch_date: date | None,
    accept_start_in_past: bool = False,
) -> Project:
    """Create a project with its whole plan back-scheduled from the launch date, briefed and assigned.

    Refuses a plan that would have to start in the past unless the planner accepted it.
    """
    _require_planner(actor)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Name the project."
    if client.agency_id != actor.agency_id:
        errors["client"] = "Choose one of your clients."
    elif client.status != ClientStatus.ACTIVE:
        errors["client"] = f"{client.name} is {client.get_status_display().lower()}; reactivate it first."
    if errors:
        raise ValidationError(errors)
    preview = project_preview(agency=actor.agency, template_ref=template_ref, launch_date=launch_date)
    if preview.starts_in_past and not accept_start_in_past:
        raise ValidationError(
            {
                "launch_date": (
                    f"This plan would have to start on {preview.start:%a %-d %b %Y}, "
                    f"{preview.shortfall_days} business day{'s' if preview.shortfall_days != 1 else ''} ago. "
                    "Choose a later launch date, or confirm that the team will compress the early tasks."
                )
            },
            code="starts_in_past",
        )
    choice = preview.template
    assert launch_date is not None
    recurrence = choice.spec.recurrence
    project = Project.objects.create(
        agency=actor.agency,
        client=client,
        name=name,
        template_name=choice.name,
        launch_date=preview.launch,
        coordinator=actor,
        created_by=actor,
        recurrence_frequency=recurrence.get("frequency", ""),
        recurrence_day_of_month=recurrence.get("day_of_month"),
        recurrence_weekday=recurrence.get("weekday"),
        recurrence_periods_ahead=recurrence.get("periods_ahead", 3),
        recurrence_start=preview.launch if recurrence else None,
    )
    Brief.objects.create(
        agency=actor.agency,
        project=project,
        campaign_name=name,
        internal_owner=actor,
        due_date=preview.launch,
        review_milestones="\n".join(t.title for t in choice.spec.tasks if t.review and not t.recurring),
    )
    assigner = _Assigner(actor.agency)
    phases = {}
    for order, phase_spec in enumerate(choice.spec.phases):
        phases[phase_spec.name] = Phase(
            agency=actor.agency,
            project=project,
            name=phase_spec.name,
            order=order,
            accountable_discipline=phase_spec.discipline,
            owner=assigner.pick(phase_spec.discipline) if phase_spec.discipline else None,
        )
    Phase.objects.bulk_create(phases.values())
    calendar = agency_calendar(actor.agency, around=launch_date)
    _materialise_tasks(
        project=project,
        spec=choice.spec,
        tasks=choice.spec.plan_tasks(recurring=False),
        slots=preview.slots,
        phases=phases,
        assigner=assigner,
        calendar=calendar,
    )
    if project.is_recurring:
        _generate_recurring(
            project=project, spec=choice.spec, phases=phases, assigner=assigner, calendar=calendar
        )
    _refresh_phase_deadlines(project)
    return project


# --------------------------------------------------------------------------- recurring retainer work


def _project_spec(project: Project) -> TemplateSpec | None:
    for slug, data in BUILTIN_TEMPLATES.items():
        if data["name"] == project.template_name:
            return builtin_spec(slug)
    template = ProjectTemplate.objects.filter(agency=project.agency, name=project.template_name).first()
    return parse_spec(template.spec) if template else None


def _recurrence_rule(project: Project) -> scheduling.Recurrence:
    try:
        return scheduling.Recurrence(
            frequency=project.recurrence_frequency,  # type: ignore[arg-type]
            interval=project.recurrence_interval,
            weekday=project.recurrence_weekday,
            day_of_month=project.recurrence_day_of_month,
        )
    except ValueError as exc:
        raise ValidationError({"recurrence": str(exc)}) from None


def _generate_recurring(
    *,
    project: Project,
    spec: TemplateSpec,
    phases: Mapping[str, Phase],
    assigner: _Assigner,
    calendar: scheduling.BusinessCalendar,
) -> int:
    rule = _recurrence_rule(project)
    today = agency_today(project.agency)
    start = max(project.recurrence_start or today, today)
    try:
        period_dues = scheduling.occurrences(
            rule, start=start, periods_ahead=project.recurrence_periods_ahead
        )
    except ValueError as exc:
        raise ValidationError({"recurrence": str(exc)}) from None
    existing = set(
        Task.objects.filter(project=project, recurrence_period__isnull=False)
        .values_list("recurrence_period", flat=True)
        .distinct()
    )
    recurring = spec.plan_tasks(recurring=True)
    made = 0
    for period_due in period_dues:
        if period_due in existing or not recurring:
            continue
        slots = scheduling.back_schedule(
            recurring, launch=calendar.roll_backward(period_due), calendar=calendar
        )
        _materialise_tasks(
            project=project,
            spec=spec,
            tasks=recurring,
            slots=slots,
            phases=phases,
            assigner=assigner,
            calendar=calendar,
            key_suffix=f"@{period_due:%Y-%m-%d}",
            period=period_due,
        )
        made += 1
    return made


@transaction.atomic
def retainer_generate(*, project: Project) -> int:
    """Create the retainer's deliverables for its next periods; running it again creates nothing twice."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not project.is_recurring or project.status in (ProjectStatus.DONE, ProjectStatus.CANCELLED):
        return 0
    spec = _project_spec(project)
    if spec is None:
        return 0
    phases = {p.name: p for p in project.phases.all()}
    calendar = agency_calendar(project.agency)
    made = _generate_recurring(
        project=project, spec=spec, phases=phases, assigner=_Assigner(project.agency), calendar=calendar
    )
    if made:
        _refresh_phase_deadlines(project)
    return made


@transaction.atomic
def project_set_recurrence(
    *,
    actor: Membership,
    project: Project,
    frequency: str,
    interval: int = 1,
    weekday: int | None = None,
    day_of_month: int | None = None,
    periods_ahead: int = 3,
) -> Project:
    """Set a retainer's rhythm; a rule that would generate more than a year at once is refused."""
    _require_planner(actor)
    if frequency not in ("weekly", "monthly"):
        raise ValidationError({"frequency": "Choose weekly or monthly."})
    project.recurrence_frequency = frequency
    project.recurrence_interval = interval
    project.recurrence_weekday = weekday
    project.recurrence_day_of_month = day_of_month
    project.recurrence_periods_ahead = periods_ahead
    rule = _recurrence_rule(project)
    try:
        scheduling.occurrences(rule, start=agency_today(project.agency), periods_ahead=periods_ahead)
    except ValueError as exc:
        raise ValidationError({"periods_ahead": str(exc)}) from None
    project.recurrence_start = project.recurrence_start or agency_today(project.agency)
    project.save()
    return project


# --------------------------------------------------------------------------- briefs and status


def brief_missing(brief: Brief, *, inputs_count: int | None = None) -> list[str]:
    """The labels of brief fields still empty (required inputs count as a field)."""
    missing = [label for field, label in Brief.REQUIRED_FIELDS if not brief.serializable_value(field)]
    if inputs_count is None:
        inputs_count = brief.project.required_inputs.count()
    if inputs_count == 0:
        missing.append("Required inputs")
    return missing


BRIEF_FIELDS = (
    "campaign_name",
    "objective",
    "deliverables",
    "channels",
    "internal_owner",
    "due_date",
    "review_milestones",
    "known_constraints",
)


@transaction.atomic
def brief_update(*, actor: Membership, project: Project, **fields: Any) -> Brief:
    """Edit a project's brief."""
    _require_planner(actor)
    brief = Brief.objects.select_for_update().get(project=project)
    for field, value in fields.items():
        if field not in BRIEF_FIELDS:
            raise TypeError(f"Unknown brief field: {field}")
        if field == "internal_owner" and value is not None and value.agency_id != actor.agency_id:
            raise ValidationError({"internal_owner": "Choose someone on your team."})
        setattr(brief, field, value.strip() if isinstance(value, str) else value)
    brief.full_clean(exclude=["agency", "project"])
    brief.save()
    return brief


@transaction.atomic
def project_update_settings(
    *, actor: Membership, project: Project, shift_successors: bool, revision_rounds_included: int
) -> Project:
    """Change how a project plans: whether moves ripple to successors, and revision rounds included."""
    _require_planner(actor)
    try:
        rounds = int(revision_rounds_included)
    except (TypeError, ValueError):
        rounds = -1
    if not 0 <= rounds <= 20:
        raise ValidationError({"revision_rounds_included": "Include between 0 and 20 revision rounds."})
    project = Project.objects.select_for_update().get(pk=project.pk)
    project.shift_successors = bool(shift_successors)
    project.revision_rounds_included = rounds
    project.save(update_fields=["shift_successors", "revision_rounds_included"])
    return project


PROJECT_TRANSITIONS = {
    ProjectStatus.PLANNING: {ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD, ProjectStatus.CANCELLED},
    ProjectStatus.ACTIVE: {ProjectStatus.ON_HOLD, ProjectStatus.DONE, ProjectStatus.CANCELLED},
    ProjectStatus.ON_HOLD: {ProjectStatus.ACTIVE, ProjectStatus.CANCELLED, ProjectStatus.PLANNING},
    ProjectStatus.DONE: {ProjectStatus.ACTIVE},
    ProjectStatus.CANCELLED: {ProjectStatus.PLANNING},
}


@transaction.atomic
def project_set_status(*, actor: Membership, project: Project, status: str) -> Project:
    """Move a project between planning, active, on hold, done and cancelled; going active needs a complete brief."""
    _require_planner(actor)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if status not in ProjectStatus.values:
        raise ValidationError({"status": f"“{status}” is not a project status."})
    if status == project.status:
        return project
    if status not in PROJECT_TRANSITIONS[ProjectStatus(project.status)]:
        raise ValidationError(
            {
                "status": f"A {project.get_status_display().lower()} project cannot become {ProjectStatus(status).label.lower()}."
            }
        )
    if status == ProjectStatus.ACTIVE:
        missing = brief_missing(project.brief)
        if missing:
            raise ValidationError(
                {"status": "Complete the brief before starting work. Missing: " + ", ".join(missing) + "."}
            )
    project.status = status
    project.save(update_fields=["status"])
    return project


# --------------------------------------------------------------------------- tasks


@transaction.atomic
def task_update_status(
    *,
    actor: Membership,
    task: Task,
    status: str,
    waiting_on: str = "",
    waiting_on_name: str = "",
    blocked_reason: str = "",
) -> Task:
    """Change a task's status; waiting says on whom, blocked says why."""
    _require_team(actor)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if status not in TaskStatus.values:
        raise ValidationError({"status": f"“{status}” is not a task status."})
    if status == TaskStatus.WAITING:
        if waiting_on not in Party.values:
            raise ValidationError(
                {"waiting_on": "Say whom the task is waiting on: the agency, the client or a vendor."}
            )
        if waiting_on == Party.VENDOR and not waiting_on_name.strip():
            raise ValidationError({"waiting_on_name": "Name the vendor."})
        if task.status != TaskStatus.WAITING or task.waiting_on != waiting_on:
            task.waiting_since = agency_today(actor.agency)
        task.waiting_on, task.waiting_on_name = waiting_on, waiting_on_name.strip()
    else:
        task.waiting_on, task.waiting_on_name, task.waiting_since = "", "", None
    if status == TaskStatus.BLOCKED:
        if not blocked_reason.strip():
            raise ValidationError({"blocked_reason": "Say why the task is blocked."})
        if task.status != TaskStatus.BLOCKED:
            # Rewording the reason of a task that stays blocked keeps the day it became blocked.
            task.blocked_since = agency_today(actor.agency)
        task.blocked_reason = blocked_reason.strip()
    else:
        task.blocked_reason, task.blocked_since = "", None
    task.completed_at = timezone.now() if status == TaskStatus.DONE else None
    task.status = status
    task.save()
    _rescan_soon(task.agency_id)
    return task


@transaction.atomic
def task_flag_decision(*, actor: Membership, task: Task, question: str, decide_by: str) -> Task:
    """Flag that a task needs a decision: what the question is and who must decide."""
    _require_team(actor)
    if not question.strip():
        raise ValidationError({"decision_question": "Write the question that needs deciding."})
    if not decide_by.strip():
        raise ValidationError({"decision_by": "Say who must decide."})
    task.needs_decision, task.decision_question, task.decision_by = True, question.strip(), decide_by.strip()
    task.save(update_fields=["needs_decision", "decision_question", "decision_by", "updated_at"])
    return task


@transaction.atomic
def task_clear_decision(*, actor: Membership, task: Task) -> Task:
    """The decision was taken: the task no longer waits for it."""
    _require_team(actor)
    task.needs_decision, task.decision_question, task.decision_by = False, "", ""
    task.save(update_fields=["needs_decision", "decision_question", "decision_by", "updated_at"])
    return task


@transaction.atomic
def task_assign(*, actor: Membership, task: Task, assignee: Membership | None) -> Task:
    """Give a task to someone on the team (or nobody)."""
    _require_planner(actor)
    if assignee is not None and (assignee.agency_id != actor.agency_id or not assignee.is_active):
        raise ValidationError({"assignee": "Choose someone on your team."})
    task.assignee = assignee
    task.save(update_fields=["assignee", "updated_at"])
    return task


@transaction.atomic
def task_create(
    *,
    actor: Membership,
    project: Project,
    title: str,
    phase: Phase | None = None,
    discipline: str = "",
    duration_days: int = 1,
    estimated_hours: Decimal | int | str = 0,
    after: Task | None = None,
    assignee: Membership | None = None,
) -> Task:
    """Add a one-off task to a project's plan: it starts when the task it follows allows (or today), and is
    marked as added after the plan so the risk scan can ask whether the brief covers it."""
    _require_planner(actor)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Name the task."
    try:
        duration = int(duration_days)
    except (TypeError, ValueError):
        duration = -1
    if duration < 0 or duration > 250:
        errors["duration_days"] = "The duration is a whole number of business days, 0 for a milestone."
    try:
        hours = Decimal(str(estimated_hours or 0))
    except ArithmeticError:
        hours = Decimal(-1)
    if hours < 0:
        errors["estimated_hours"] = "Hours cannot be below zero."
    if phase is not None and phase.project_id != project.pk:
        errors["phase"] = "Choose a phase of this project."
    if after is not None and after.project_id != project.pk:
        errors["after"] = "A task can only follow a task of the same project."
    if assignee is not None and (assignee.agency_id != actor.agency_id or not assignee.is_active):
        errors["assignee"] = "Choose someone on your team."
    if discipline and discipline not in Discipline.values:
        errors["discipline"] = "Choose one of the disciplines."
    if errors:
        raise ValidationError(errors)
    calendar = agency_calendar(actor.agency)
    start = calendar.roll_forward(agency_today(actor.agency))
    if after is not None:
        pred = scheduling.PlanTask(key=after.key, duration=after.duration_days)
        earliest = scheduling.earliest_start(
            pred,
            scheduling.Slot(after.start_date, after.due_date),
            scheduling.Dependency(after.key),
            calendar,
        )
        start = max(start, earliest)
    due = calendar.add_business_days(start, max(duration - 1, 0))
    base = slugify(title)[:60] or "task"
    taken = set(Task.objects.filter(project=project, key__startswith=base).values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    task = Task.objects.create(
        agency=actor.agency,
        project=project,
        phase=phase,
        key=key,
        title=title,
        discipline=discipline,
        assignee=assignee,
        duration_days=duration,
        estimated_hours=hours,
        start_date=start,
        due_date=due,
        added_after_plan=True,
        order=project.tasks.count(),
    )
    if after is not None:
        TaskDependency.objects.create(agency=actor.agency, predecessor=after, successor=task)
    _refresh_phase_deadlines(project)
    _rescan_soon(actor.agency_id)
    return task


# --------------------------------------------------------------------------- the plan as scheduling values


@dataclass
class ProjectPlan:
    """A project's tasks and dependencies loaded once (two queries) as scheduling values."""

    project: Project
    tasks: dict[int, Task]
    plan: list[scheduling.PlanTask]
    slots: dict[str, scheduling.Slot]
    calendar: scheduling.BusinessCalendar

    @property
    def by_key(self) -> dict[str, Task]:
        return {t.key: t for t in self.tasks.values()}

    @property
    def names(self) -> dict[str, str]:
        return {t.key: t.title for t in self.tasks.values()}

    def graph(self) -> scheduling.TaskGraph:
        return scheduling.task_graph(self.plan)

    @property
    def forecast_launch(self) -> date:
        return max(s.due for s in self.slots.values())


def project_plan_load(project: Project, *, for_update: bool = False) -> ProjectPlan:
    """Load a project's plan; ``for_update`` locks its tasks for a reschedule."""
    rows = Task.objects.filter(project=project)
    if for_update:
        rows = rows.select_for_update()
    tasks = {t.pk: t for t in rows}
    preds: dict[int, list[scheduling.Dependency]] = defaultdict(list)
    for pred_id, succ_id, kind, lag in TaskDependency.objects.filter(successor__project=project).values_list(
        "predecessor_id", "successor_id", "kind", "lag_days"
    ):
        preds[succ_id].append(scheduling.Dependency(predecessor=tasks[pred_id].key, kind=kind, lag=lag))
    plan = [
        scheduling.PlanTask(key=t.key, duration=t.duration_days, predecessors=tuple(preds[t.pk]))
        for t in tasks.values()
    ]
    slots = {t.key: scheduling.Slot(t.start_date, t.due_date) for t in tasks.values()}
    return ProjectPlan(
        project=project, tasks=tasks, plan=plan, slots=slots, calendar=agency_calendar(project.agency)
    )


@dataclass(frozen=True)
class ShiftedTask:
    task: Task
    old: scheduling.Slot
    new: scheduling.Slot


@dataclass(frozen=True)
class RescheduleImpact:
    """The ripple of moving one due date: every task that moves, and what happens to the launch."""

    task: Task
    new_due: date
    shifted: list[ShiftedTask]
    launch_before: date
    launch_after: date
    summary: str
    calendar: scheduling.BusinessCalendar

    def business_days(self, item: ShiftedTask) -> int:
        return self.calendar.business_days_between(item.old.due, item.new.due)


def _impact(plan: ProjectPlan, task: Task, new_due: date) -> RescheduleImpact:
    if new_due is None:
        raise ValidationError({"due_date": "Enter the new due date."})
    calendar = plan.calendar
    if not calendar.is_business_day(new_due):
        raise ValidationError({"due_date": f"{new_due:%a %-d %b} is not a working day for the agency."})
    new_start = calendar.add_business_days(new_due, -max(task.duration_days - 1, 0))
    trial = dict(plan.slots)
    trial[task.key] = scheduling.Slot(new_start, new_due)
    # A task may not be due before its predecessors allow.
    graph = plan.graph()
    for dep in graph.tasks[task.key].predecessors:
        pred_slot = plan.slots[dep.predecessor]
        pred_task = graph.tasks[dep.predecessor]
        earliest = scheduling.earliest_start(pred_task, pred_slot, dep, calendar)
        if new_start < earliest:
            earliest_due = calendar.add_business_days(earliest, max(task.duration_days - 1, 0))
            raise ValidationError(
                {
                    "due_date": (
                        f"“{task.title}” cannot be due before {earliest_due:%a %-d %b}: it waits for "
                        f"“{plan.names[dep.predecessor]}”."
                    )
                }
            )
    if plan.project.shift_successors:
        changed = scheduling.cascade(graph, plan.slots, moved=task.key, new_due=new_due, calendar=calendar)
    else:
        changed = {task.key: trial[task.key]} if trial[task.key] != plan.slots[task.key] else {}
        merged = {**plan.slots, **changed}
        broken = [
            (p, s)
            for p, s in scheduling.violated_dependencies(graph, merged, calendar=calendar)
            if p == task.key
        ]
        if broken:
            names = ", ".join(f"“{plan.names[s]}”" for _, s in broken)
            raise ValidationError(
                {
                    "due_date": f"{names} would then start before “{task.title}” allows. Move them first, or turn on shifting."
                }
            )
    by_key = plan.by_key
    shifted = [
        ShiftedTask(task=by_key[key], old=plan.slots[key], new=slot)
        for key, slot in sorted(changed.items(), key=lambda kv: (kv[1].due, kv[0]))
    ]
    before = plan.forecast_launch
    after = max(s.due for s in {**plan.slots, **changed}.values())
    return RescheduleImpact(
        task=task,
        new_due=new_due,
        shifted=shifted,
        launch_before=before,
        launch_after=after,
        summary=scheduling.describe_launch_shift(before, after, calendar=calendar),
        calendar=calendar,
    )


def task_reschedule_preview(*, task: Task, new_due: date) -> RescheduleImpact:
    """What moving this due date would do, without writing anything."""
    plan = project_plan_load(task.project)
    return _impact(plan, plan.tasks[task.pk], new_due)


def _record_shifts(
    *,
    actor: Membership | None,
    project: Project,
    shifted: Iterable[ShiftedTask],
    reason: str,
    moved: Task,
    cause: str = DeadlineChangeCause.MANUAL,
    source_reference: str = "",
) -> list[DeadlineChange]:
    shifted = list(shifted)
    now = timezone.now()
    changed_tasks = []
    history = []
    for item in shifted:
        item.task.start_date, item.task.due_date = item.new.start, item.new.due
        changed_tasks.append(item.task)
        is_moved = item.task.pk == moved.pk
        history.append(
            DeadlineChange(
                agency=project.agency,
                task=item.task,
                old_start=item.old.start,
                new_start=item.new.start,
                old_due=item.old.due,
                new_due=item.new.due,
                cause=cause if is_moved else DeadlineChangeCause.CASCADE,
                caused_by_task=None if is_moved else moved,
                source_reference=source_reference,
                reason=reason,
                changed_by=actor,
                changed_at=now,
            )
        )
    Task.objects.bulk_update(changed_tasks, ["start_date", "due_date"])
    rows = DeadlineChange.objects.bulk_create(history)
    _refresh_phase_deadlines(project)
    # Retainer periods run on past the launch; the launch is the end of the one-off plan.
    launch = Task.objects.filter(project=project, recurrence_period__isnull=True).aggregate(
        last=Max("due_date")
    )["last"]
    if launch and launch != project.launch_date:
        project.launch_date = launch
        project.save(update_fields=["launch_date"])
    return rows


@transaction.atomic
def task_reschedule(
    *,
    actor: Membership,
    task: Task,
    new_due: date,
    reason: str,
    cause: str = DeadlineChangeCause.MANUAL,
    source_reference: str = "",
) -> RescheduleImpact:
    """Move a task's due date, shift its successors by business days, and record every move as history."""
    _require_team(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the date moves; it is kept in the deadline history."})
    # Lock the project first: concurrent reschedules of the same plan run one after the other.
    project = Project.objects.select_for_update().get(pk=task.project_id)
    plan = project_plan_load(project, for_update=False)
    impact = _impact(plan, plan.tasks[task.pk], new_due)
    _record_shifts(
        actor=actor,
        project=project,
        shifted=impact.shifted,
        reason=reason.strip(),
        moved=plan.tasks[task.pk],
        cause=cause,
        source_reference=source_reference,
    )
    _rescan_soon(project.agency_id)
    return impact


# --------------------------------------------------------------------------- dependencies


@transaction.atomic
def dependency_add(
    *, actor: Membership, predecessor: Task, successor: Task, kind: str = "FS", lag_days: int = 0
) -> TaskDependency:
    """Make one task wait for another in the same project; loops are refused, naming the loop.

    If the current dates break the new link, the successor (and what follows it) moves later, with history.
    """
    _require_planner(actor)
    errors: dict[str, str] = {}
    if predecessor.project_id != successor.project_id:
        errors["predecessor"] = "A task can only depend on a task of the same project."
    if predecessor.pk == successor.pk:
        errors["predecessor"] = "A task cannot depend on itself."
    if kind not in DependencyKind.values:
        errors["kind"] = "Choose finish-to-start (FS) or start-to-start (SS)."
    try:
        lag = int(lag_days)
    except (TypeError, ValueError):
        lag = -1
        errors["lag_days"] = "The lag is a whole number of business days."
    if lag < 0 and "lag_days" not in errors:
        errors["lag_days"] = "The lag cannot be negative."
    if errors:
        raise ValidationError(errors)
    project = Project.objects.select_for_update().get(pk=successor.project_id)
    plan = project_plan_load(project)
    if TaskDependency.objects.filter(predecessor=predecessor, successor=successor).exists():
        raise ValidationError(
            {"predecessor": f"“{successor.title}” already waits for “{predecessor.title}”."}
        )
    loop = scheduling.would_create_cycle(plan.plan, predecessor.key, successor.key)
    if loop:
        raise ValidationError({"predecessor": str(scheduling.CycleError(loop, plan.names))})
    dependency = TaskDependency.objects.create(
        agency=actor.agency, predecessor=predecessor, successor=successor, kind=kind, lag_days=lag
    )
    plan = project_plan_load(project)
    graph = plan.graph()
    pred_task = graph.tasks[predecessor.key]
    dep = scheduling.Dependency(predecessor=predecessor.key, kind=kind, lag=lag)  # type: ignore[arg-type]
    earliest = scheduling.earliest_start(pred_task, plan.slots[predecessor.key], dep, plan.calendar)
    if plan.slots[successor.key].start < earliest:
        succ = plan.tasks[successor.pk]
        new_due = plan.calendar.add_business_days(earliest, max(succ.duration_days - 1, 0))
        impact = _impact(plan, succ, new_due) if project.shift_successors else None
        if impact is None:
            raise ValidationError(
                {
                    "predecessor": f"“{successor.title}” starts before “{predecessor.title}” allows; move it first."
                }
            )
        _record_shifts(
            actor=actor,
            project=project,
            shifted=impact.shifted,
            reason=f"Now waits for “{predecessor.title}”.",
            moved=succ,
            cause=DeadlineChangeCause.PLAN,
        )
    return dependency


@transaction.atomic
def dependency_remove(*, actor: Membership, dependency: TaskDependency) -> None:
    """Remove a link between two tasks (dates stay where they are)."""
    _require_planner(actor)
    dependency.delete()


# --------------------------------------------------------------------------- required inputs


@transaction.atomic
def required_input_create(
    *,
    actor: Membership,
    project: Project,
    description: str,
    from_party: str,
    expected_by: date | None,
    from_name: str = "",
    tasks: Iterable[Task] = (),
) -> RequiredInput:
    """Track something the work needs: what, from whom, by when, and which tasks need it."""
    _require_planner(actor)
    errors = {}
    if not description.strip():
        errors["description"] = "Say what is needed."
    if from_party not in Party.values:
        errors["from_party"] = "Inputs come from the agency, the client or a vendor."
    if from_party == Party.VENDOR and not from_name.strip():
        errors["from_name"] = "Name the vendor."
    if expected_by is None:
        errors["expected_by"] = "Say when it is expected."
    tasks = list(tasks)
    if any(t.project_id != project.pk for t in tasks):
        errors["tasks"] = "Link tasks of this project only."
    if errors:
        raise ValidationError(errors)
    item = RequiredInput.objects.create(
        agency=actor.agency,
        project=project,
        description=description.strip(),
        from_party=from_party,
        from_name=from_name.strip(),
        expected_by=expected_by,
    )
    item.tasks.set(tasks)
    return item


@transaction.atomic
def required_input_receive(
    *, actor: Membership, item: RequiredInput, received_on: date | None = None
) -> RequiredInput:
    """Mark an input as received (today unless a date is given)."""
    _require_team(actor)
    item.received_at = received_on or agency_today(actor.agency)
    item.save(update_fields=["received_at"])
    _rescan_soon(item.agency_id)
    return item


def project_dates_span(project: Project) -> tuple[date | None, date | None]:
    """First start and last due date of a project's tasks."""
    span = Task.objects.filter(project=project).aggregate(first=Min("start_date"), last=Max("due_date"))
    return span["first"], span["last"]


# --------------------------------------------------------------------------- agency closures


@transaction.atomic
def closure_add(*, actor: Membership, day: date | None, name: str = "") -> Any:
    """Mark a day the whole agency is closed; plans created or moved later skip it."""
    from projects.models import AgencyClosure

    require(can_plan_projects, actor, "Only owners and coordinators can set closures.")
    if day is None:
        raise ValidationError({"date": "Choose the day the agency is closed."})
    if AgencyClosure.objects.filter(agency=actor.agency, date=day).exists():
        raise ValidationError({"date": f"{day:%a %-d %b %Y} is already a closure."})
    return AgencyClosure.objects.create(agency=actor.agency, date=day, name=name.strip()[:120])


@transaction.atomic
def closure_remove(*, actor: Membership, closure: Any) -> None:
    """The agency works that day after all."""
    require(can_plan_projects, actor, "Only owners and coordinators can set closures.")
    closure.delete()


# --------------------------------------------------------------------------- calendar feeds


def calendar_feed_token_hash(token: str) -> str:
    """How a feed token is stored and looked up: only its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, actor: Membership) -> str:
    """Give a member a new private calendar link and return its secret token (shown once, stored hashed).

    Any link the member had before stops working: one live link per person.
    """
    _require_team(actor)
    CalendarFeed.objects.filter(membership=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(
        agency=actor.agency, membership=actor, token_hash=calendar_feed_token_hash(token)
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, actor: Membership, feed: CalendarFeed) -> CalendarFeed:
    """Turn off a member's calendar link; calendar apps fetching it get a 404 from then on."""
    if feed.membership_id != actor.pk:
        raise ValidationError({"feed": "You can only revoke your own calendar link."})
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed
