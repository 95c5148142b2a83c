"""A project's brief, how it plans, and its status: planning, active, on hold, done or cancelled."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agencyops.models import Membership
from projects.models import Brief, Project, ProjectStatus
from projects.services._shared import _require_planner


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
        if field == "due_date" and value is not None and value != project.launch_date:
            # One date, one story: the brief is due on the committed launch, which moves on its own page.
            raise ValidationError(
                {
                    "due_date": f"The brief is due on the committed launch, {project.launch_date:%a %-d %b %Y}. "
                    "To change it, move the committed launch from the project page."
                }
            )
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
