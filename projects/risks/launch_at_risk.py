"""Rule 6, launch at risk: forecast from today, a project's work runs past its launch date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from projects.risk_messages import business_days, day_phrase, full_date, quoted
from projects.risks._plan import _due_from_start, _launch_reference, _Plan, _plan
from projects.risks.snapshot import Escalation, ProjectSnapshot, TaskSnap, _escalation
from projects.scheduling import (
    BusinessCalendar,
    PlanTask,
    Slot,
    critical_path,
    deadline_chains,
    earliest_start,
    task_graph,
)


def _forecast(plan: _Plan, *, today: date, calendar: BusinessCalendar) -> dict[str, Slot]:
    first_day = calendar.roll_forward(today)
    slots: dict[str, Slot] = {}
    for key in plan.graph.order:
        task = plan.tasks[key]
        if not task.is_open:
            slots[key] = Slot(task.start, task.due)
        elif task.is_started and task.start <= today:
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
        if task.start < today and not task.is_started:
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
    """Forecast from today, the project's work ends after its committed launch date.

    A retainer has no single launch: its one-off work (onboarding) is measured against the committed
    launch, and each period's work against that period's own deadline."""
    if not any(t.is_open for t in snapshot.tasks):
        return []
    if not any(t.period for t in snapshot.tasks):
        plan = _plan(snapshot)
        return _check_chain(
            snapshot, plan, today=today, calendar=calendar, reference=_launch_reference(snapshot, calendar)
        )
    found: list[Escalation] = []
    snaps = {t.key: t for t in snapshot.tasks}
    periods = {t.key: t.period for t in snapshot.tasks}
    plan_tasks = [PlanTask(t.key, t.duration, t.predecessors) for t in snapshot.tasks]
    for period, members in deadline_chains(plan_tasks, periods):
        if not any(snaps[t.key].is_open for t in members):
            continue
        slots = {t.key: Slot(snaps[t.key].start, snaps[t.key].due) for t in members}
        chain = _Plan(
            task_graph(members),
            {t.key: snaps[t.key] for t in members},
            slots,
            max(slot.due for slot in slots.values()),
        )
        reference = (
            _launch_reference(snapshot, calendar) if period is None else calendar.roll_backward(chain.finish)
        )
        found += _check_chain(
            snapshot, chain, today=today, calendar=calendar, reference=reference, period=period
        )
    return found


def _check_chain(
    snapshot: ProjectSnapshot,
    plan: _Plan,
    *,
    today: date,
    calendar: BusinessCalendar,
    reference: date,
    period: date | None = None,
) -> list[Escalation]:
    """One chain of work forecast from today against its deadline (the launch, or a period's own)."""
    if not any(t.is_open for t in plan.tasks.values()):
        return []
    slots = _forecast(plan, today=today, calendar=calendar)
    finish = max(slot.due for slot in slots.values())
    if finish <= reference:
        return []
    slip = calendar.business_days_between(reference, finish)
    path = critical_path(plan.graph, slots, calendar=calendar)
    cause, kind, because = _launch_cause(plan, path, today=today, reference=reference)
    name = snapshot.project_name.strip()
    if period is None:
        launch = name if name.lower().split()[-1:] == ["launch"] else f"{name} launch"
        message = (
            f"The {launch} is forecast for {day_phrase(finish, today=today)}, {business_days(slip)} after "
            f"the committed {full_date(snapshot.launch_date, today=today)}, because {because}."
        )
        subject = f"project:{snapshot.project_id}"
    else:
        message = (
            f"{name}: the {period:%b %Y} work is forecast for {day_phrase(finish, today=today)}, "
            f"{business_days(slip)} after its deadline {full_date(reference, today=today)}, because {because}."
        )
        subject = f"project:{snapshot.project_id}:period:{period.isoformat()}"
    facts = {
        "planned_launch": snapshot.launch_date.isoformat(),
        "deadline": reference.isoformat(),
        "forecast_finish": finish.isoformat(),
        "slip_business_days": slip,
        "cause_task": cause.title,
        "cause": kind,
        "critical_path_task_ids": [plan.tasks[key].id for key in path],
    }
    if period is not None:
        facts["period"] = period.isoformat()
    return [
        _escalation(
            "launch_at_risk",
            subject,
            severity="high",
            message=message,
            project_id=snapshot.project_id,
            task_id=cause.id,
            facts=facts,
        )
    ]
