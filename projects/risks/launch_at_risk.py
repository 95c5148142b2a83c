"""Rule 6, launch at risk: forecast from today, a project's work runs past its launch date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from projects.risk_messages import business_days, day_phrase, full_date, quoted
from projects.risks._plan import _due_from_start, _launch_reference, _Plan, _plan
from projects.risks.snapshot import IN_PROGRESS, Escalation, ProjectSnapshot, TaskSnap, _escalation
from projects.scheduling import BusinessCalendar, Slot, critical_path, earliest_start


def _forecast(plan: _Plan, *, today: date, calendar: BusinessCalendar) -> dict[str, Slot]:
    first_day = calendar.roll_forward(today)
    slots: dict[str, Slot] = {}
    for key in plan.graph.order:
        task = plan.tasks[key]
        if not task.is_open:
            slots[key] = Slot(task.start, task.due)
        elif task.status == IN_PROGRESS and task.start <= today:
            # Under way: the remaining work is unknown, so it ends as planned, or today at best.
            slots[key] = Slot(task.start, max(task.due, first_day))
        else:
            start = max(task.start, first_day)
            for dep in task.predecessors:
                pred = plan.graph.tasks[dep.predecessor]
                start = max(start, earliest_start(pred, slots[dep.predecessor], dep, calendar))
            start = calendar.roll_forward(start)
            slots[key] = Slot(start, _due_from_start(task.duration, start, calendar))
    return slots


def forecast_slots(snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar) -> dict[str, Slot]:
    """Where each task is heading from `today`: finished work stays put, late work starts today.

    Unstarted tasks cannot start before today and keep their durations; tasks under way end no
    earlier than today; every dependency is followed."""
    return _forecast(_plan(snapshot), today=today, calendar=calendar)


def _launch_cause(
    plan: _Plan, path: Sequence[str], *, today: date, reference: date
) -> tuple[TaskSnap, str, str]:
    """The task on the forecast critical path that pushes the launch, why, and in words."""
    open_on_path = [plan.tasks[key] for key in path if plan.tasks[key].is_open]
    for task in open_on_path:
        if task.due < today:
            return task, "overdue", f"{quoted(task.title)} is still open past its due date"
    for task in open_on_path:
        if task.start < today and task.status != IN_PROGRESS:
            when = day_phrase(task.start, today=today)
            return task, "not_started", f"{quoted(task.title)} was due to start {when} and has not"
    for task in open_on_path:
        if task.due > reference:
            return task, "planned_late", f"{quoted(task.title)} is planned to finish after the launch date"
    task = open_on_path[-1] if open_on_path else plan.tasks[path[-1]]
    return task, "chain", f"of the work leading up to {quoted(task.title)}"


def rule_launch_at_risk(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """Forecast from today, the project's work ends after its launch date."""
    if not any(t.is_open for t in snapshot.tasks):
        return []
    plan = _plan(snapshot)
    slots = _forecast(plan, today=today, calendar=calendar)
    finish = max(slot.due for slot in slots.values())
    reference = _launch_reference(snapshot, calendar)
    if finish <= reference:
        return []
    slip = calendar.business_days_between(reference, finish)
    path = critical_path(plan.graph, slots, calendar=calendar)
    cause, kind, because = _launch_cause(plan, path, today=today, reference=reference)
    name = snapshot.project_name.strip()
    launch = name if name.lower().split()[-1:] == ["launch"] else f"{name} launch"
    message = (
        f"The {launch} is forecast for {day_phrase(finish, today=today)}, {business_days(slip)} after "
        f"the planned {full_date(snapshot.launch_date, today=today)}, because {because}."
    )
    return [
        _escalation(
            "launch_at_risk",
            f"project:{snapshot.project_id}",
            severity="high",
            message=message,
            project_id=snapshot.project_id,
            task_id=cause.id,
            facts={
                "planned_launch": snapshot.launch_date.isoformat(),
                "forecast_finish": finish.isoformat(),
                "slip_business_days": slip,
                "cause_task": cause.title,
                "cause": kind,
                "critical_path_task_ids": [plan.tasks[key].id for key in path],
            },
        )
    ]
