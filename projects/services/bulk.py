"""Edits to several tasks of one project at once, through the same services and history as one edit.

Every bulk edit is one transaction: a refusal on any task (a blocked status without a reason, a date
before a predecessor allows) leaves every task as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from agencyops.input_bounds import date_out_of_range
from agencyops.models import Membership
from projects import scheduling
from projects.calendars import agency_today
from projects.models import Project, Task
from projects.services._shared import _require_planner, _require_team, _rescan_soon
from projects.services.rescheduling import (
    ProjectPlan,
    ShiftedTask,
    _impact,
    _record_shifts,
    forecast_of,
    project_plan_load,
)
from projects.services.tasks import task_assign, task_update_status

# A plan is at most a few hundred tasks; a shift further than a working year is a typo.
MAX_SHIFT_BUSINESS_DAYS = 250


@dataclass(frozen=True)
class BulkShiftImpact:
    """Shifting several tasks by the same business days: every task that moves (the chosen ones and the
    successors that follow them), and the forecast against the committed launch, as one move shows it."""

    chosen: list[Task]
    business_days_moved: int
    moves: list[tuple[Task, date, list[ShiftedTask]]]
    shifted: list[ShiftedTask]
    launch_before: date
    launch_after: date
    summary: str
    calendar: scheduling.BusinessCalendar
    committed_launch: date | None

    def business_days(self, item: ShiftedTask) -> int:
        return self.calendar.business_days_between(item.old.due, item.new.due)

    @property
    def slip_business_days(self) -> int:
        """Business days the forecast lands past the committed launch (0 when it holds)."""
        if self.committed_launch is None or self.launch_after <= self.committed_launch:
            return 0
        return self.calendar.business_days_between(self.committed_launch, self.launch_after)


def _check_days(days: int) -> None:
    if days == 0:
        raise ValidationError({"days": "Shift by at least one business day (a minus sign moves earlier)."})
    if abs(days) > MAX_SHIFT_BUSINESS_DAYS:
        raise ValidationError({"days": f"Shift by at most {MAX_SHIFT_BUSINESS_DAYS} business days."})


def _bulk_impact(plan: ProjectPlan, chosen: Sequence[Task], days: int) -> BulkShiftImpact:
    """Move each chosen task's due date ``days`` business days from where it is now, one after the other
    (earliest first when moving later, latest first when moving earlier), each move rippling as one does.

    A chosen task the ripple of an earlier move already carried far enough stays where the ripple put it."""
    calendar = plan.calendar
    original = dict(plan.slots)
    slots = dict(plan.slots)
    if not chosen or any(t.pk not in plan.tasks for t in chosen):
        raise ValidationError("Choose tasks of this project.", code="not_found")
    chosen_tasks = [plan.tasks[t.pk] for t in chosen]
    order = sorted(chosen_tasks, key=lambda t: (original[t.key].due, t.order, t.pk), reverse=days < 0)
    moves: list[tuple[Task, date, list[ShiftedTask]]] = []
    today = agency_today(plan.project.agency)
    for task in order:
        target = calendar.add_business_days(original[task.key].due, days)
        if out_of_range := date_out_of_range(target, today=today):
            raise ValidationError({"days": f"“{task.title}”: {out_of_range}"})
        current = slots[task.key].due
        if (days > 0 and current >= target) or (days < 0 and current <= target):
            continue
        working = ProjectPlan(
            project=plan.project, tasks=plan.tasks, plan=plan.plan, slots=slots, calendar=calendar
        )
        step = _impact(working, task, target)
        slots = {**slots, **{item.task.key: item.new for item in step.shifted}}
        moves.append((task, target, step.shifted))
    by_key = plan.by_key
    shifted = [
        ShiftedTask(task=by_key[key], old=original[key], new=slot)
        for key, slot in sorted(slots.items(), key=lambda kv: (kv[1].due, kv[0]))
        if slot != original[key]
    ]
    before = forecast_of(plan.tasks.values(), original)
    after = forecast_of(plan.tasks.values(), slots)
    committed = plan.project.launch_date
    return BulkShiftImpact(
        chosen=chosen_tasks,
        business_days_moved=days,
        moves=moves,
        shifted=shifted,
        launch_before=before,
        launch_after=after,
        summary=scheduling.describe_forecast(before, after, committed=committed, calendar=calendar),
        calendar=calendar,
        committed_launch=committed,
    )


def tasks_shift_preview(*, project: Project, tasks: Sequence[Task], days: int) -> BulkShiftImpact:
    """What shifting these tasks by ``days`` business days would do, without writing anything."""
    _check_days(days)
    return _bulk_impact(project_plan_load(project), tasks, days)


@transaction.atomic
def tasks_shift(
    *, actor: Membership, project: Project, tasks: Sequence[Task], days: int, reason: str
) -> BulkShiftImpact:
    """Shift several tasks' due dates by business days; each move and its ripple is kept in the deadline
    history exactly as a single reschedule keeps it."""
    _require_team(actor)
    _check_days(days)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the dates move; it is kept in the deadline history."})
    # Lock the project first, as a single reschedule does: moves of one plan run one after the other.
    project = Project.objects.select_for_update().get(pk=project.pk)
    plan = project_plan_load(project)
    impact = _bulk_impact(plan, tasks, days)
    _record_shifts(
        actor=actor,
        project=project,
        shifted=[],
        reason=reason.strip(),
        moved=None,
        groups=[(task, step) for task, _target, step in impact.moves],
    )
    _rescan_soon(project.agency_id)
    return impact


@transaction.atomic
def tasks_set_status(
    *,
    actor: Membership,
    tasks: Sequence[Task],
    status: str,
    waiting_on: str = "",
    waiting_on_name: str = "",
    blocked_reason: str = "",
) -> list[Task]:
    """Give several tasks the same status, each through ``task_update_status`` (its rules and history)."""
    return [
        task_update_status(
            actor=actor,
            task=task,
            status=status,
            waiting_on=waiting_on,
            waiting_on_name=waiting_on_name,
            blocked_reason=blocked_reason,
        )
        for task in tasks
    ]


@transaction.atomic
def tasks_assign(*, actor: Membership, tasks: Sequence[Task], assignee: Membership | None) -> list[Task]:
    """Give several tasks to one person (or nobody), each through ``task_assign``."""
    _require_planner(actor)
    return [task_assign(actor=actor, task=task, assignee=assignee) for task in tasks]
