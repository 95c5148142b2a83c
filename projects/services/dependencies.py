"""Links between tasks: adding one (loops refused, later tasks moved if needed) and removing one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from agencyops.models import Membership
from projects import scheduling
from projects.models import DeadlineChangeCause, DependencyKind, Project, Task, TaskDependency
from projects.services._shared import _require_planner
from projects.services.rescheduling import _impact, _record_shifts, project_plan_load


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
