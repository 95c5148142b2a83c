"""What project changes share: who may plan, who is on the team, phase deadlines, the risk rescan."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Max

from agencyops.models import Membership
from agencyops.permissions import can_plan_projects, require
from projects.models import Phase, Project, Task


def _rescan_soon(agency_id: int) -> None:
    """A change that can create or clear a risk: the agency's risk scan runs again shortly after commit."""
    from projects.tasks import scan_soon

    scan_soon(agency_id)


def _require_planner(actor: Membership) -> None:
    require(can_plan_projects, actor, "Only owners and coordinators can plan projects.")


def _require_team(actor: Membership) -> None:
    if not actor.is_active:
        raise ValidationError("You are no longer on this agency's team.", code="forbidden")


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
