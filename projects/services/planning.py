"""A new project from a template: the plan back-scheduled from its launch date, briefed and assigned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agencyops.input_bounds import date_out_of_range
from agencyops.models import Client, ClientStatus, Membership
from projects import scheduling
from projects.calendars import agency_calendar, agency_today
from projects.models import Brief, Phase, Project
from projects.services._materialise import _Assigner, _materialise_tasks
from projects.services._shared import _refresh_phase_deadlines, _require_planner
from projects.services.retainers import _generate_recurring
from projects.services.templates import TemplateChoice, template_resolve
from projects.template_spec import TemplateSpec


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
    if out_of_range := date_out_of_range(launch_date, today=today):
        raise ValidationError({"launch_date": out_of_range})
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
