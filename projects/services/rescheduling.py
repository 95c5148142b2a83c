"""A project's plan and its due-date moves: the ripple shown first, every move kept as history."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from agencyops.input_bounds import date_out_of_range
from agencyops.models import Membership
from projects import scheduling
from projects.calendars import agency_calendar, agency_today
from projects.models import DeadlineChange, DeadlineChangeCause, Project, Task, TaskDependency
from projects.services._shared import _refresh_phase_deadlines, _require_team, _rescan_soon


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
        return forecast_of(self.tasks.values(), self.slots)


def forecast_of(tasks: Iterable[Task], slots: dict[str, scheduling.Slot]) -> date:
    """The forecast launch: the latest finish of the tasks feeding the launch.

    Retainer periods run on past the launch on purpose, so they feed their own month, not the launch."""
    tasks = list(tasks)
    feeding = [t.key for t in tasks if t.recurrence_period is None] or [t.key for t in tasks]
    return max(slots[key].due for key in feeding)


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
    """The ripple of moving one due date: every task that moves, and what happens to the forecast launch.

    ``launch_before``/``launch_after`` are the forecast (where the plan lands); ``committed_launch`` is
    the date agreed with the client, which a reschedule never moves."""

    task: Task
    new_due: date
    shifted: list[ShiftedTask]
    launch_before: date
    launch_after: date
    summary: str
    calendar: scheduling.BusinessCalendar
    committed_launch: date | None = None

    def business_days(self, item: ShiftedTask) -> int:
        return self.calendar.business_days_between(item.old.due, item.new.due)

    @property
    def slip_business_days(self) -> int:
        """Business days the forecast lands past the committed launch (0 when it holds)."""
        if self.committed_launch is None or self.launch_after <= self.committed_launch:
            return 0
        return self.calendar.business_days_between(self.committed_launch, self.launch_after)


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
    after = forecast_of(plan.tasks.values(), {**plan.slots, **changed})
    committed = plan.project.launch_date
    return RescheduleImpact(
        task=task,
        new_due=new_due,
        shifted=shifted,
        launch_before=before,
        launch_after=after,
        summary=scheduling.describe_forecast(before, after, committed=committed, calendar=calendar),
        calendar=calendar,
        committed_launch=committed,
    )


def _check_due_in_range(task: Task, new_due: date) -> None:
    if out_of_range := date_out_of_range(new_due, today=agency_today(task.agency)):
        raise ValidationError({"due_date": out_of_range})


def task_reschedule_preview(*, task: Task, new_due: date) -> RescheduleImpact:
    """What moving this due date would do, without writing anything."""
    _check_due_in_range(task, new_due)
    plan = project_plan_load(task.project)
    return _impact(plan, plan.tasks[task.pk], new_due)


def _record_shifts(
    *,
    actor: Membership | None,
    project: Project,
    shifted: Iterable[ShiftedTask],
    reason: str,
    moved: Task | None,
    cause: str = DeadlineChangeCause.MANUAL,
    source_reference: str = "",
    groups: Iterable[tuple[Task, Iterable[ShiftedTask]]] | None = None,
) -> list[DeadlineChange]:
    """Write the moves: ``moved`` with its ripple ``shifted``, or several such ``groups`` (a bulk shift),
    each group one entry of the history; the tasks are updated once, with their final dates."""
    move_groups = list(groups) if groups is not None else [(moved, shifted)]
    now = timezone.now()
    changed_tasks: dict[int, Task] = {}
    history = []
    for moved_task, items in move_groups:
        move = uuid.uuid4()  # the moved task and its cascade read as one entry of the history
        for item in items:
            item.task.start_date, item.task.due_date = item.new.start, item.new.due
            changed_tasks[item.task.pk] = item.task
            is_moved = item.task.pk == moved_task.pk
            history.append(
                DeadlineChange(
                    agency=project.agency,
                    task=item.task,
                    old_start=item.old.start,
                    new_start=item.new.start,
                    old_due=item.old.due,
                    new_due=item.new.due,
                    cause=cause if is_moved else DeadlineChangeCause.CASCADE,
                    caused_by_task=None if is_moved else moved_task,
                    source_reference=source_reference,
                    reason=reason,
                    changed_by=actor,
                    changed_at=now,
                    move=move,
                )
            )
    Task.objects.bulk_update(list(changed_tasks.values()), ["start_date", "due_date"])
    rows = DeadlineChange.objects.bulk_create(history)
    _refresh_phase_deadlines(project)
    # The committed launch is a promise to the client: moving tasks moves the forecast only.
    # Changing the commitment is its own act (``project_move_launch``).
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
    _check_due_in_range(task, new_due)
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


def project_dates_span(project: Project) -> tuple[date | None, date | None]:
    """First start and last due date of a project's tasks."""
    span = Task.objects.filter(project=project).aggregate(first=Min("start_date"), last=Max("due_date"))
    return span["first"], span["last"]
