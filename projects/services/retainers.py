"""Retainer work: a recurring project's rhythm and the deliverables created for its coming periods."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from agencyops.models import Membership
from projects import scheduling
from projects.builtin_templates import BUILTIN_TEMPLATES, builtin_spec
from projects.calendars import agency_calendar, agency_today
from projects.models import Phase, Project, ProjectStatus, ProjectTemplate, Task
from projects.services._materialise import _Assigner, _materialise_tasks
from projects.services._shared import _refresh_phase_deadlines, _require_planner
from projects.template_spec import TemplateSpec, parse_spec


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
