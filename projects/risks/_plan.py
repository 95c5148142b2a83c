"""A project's plan as the risk rules read it, with the dates and phrases several rules share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from projects.risk_messages import day_phrase
from projects.risks.snapshot import ProjectSnapshot, TaskSnap
from projects.scheduling import BusinessCalendar, PlanTask, Slot, TaskGraph, task_graph


@dataclass(frozen=True)
class _Plan:
    """The project's tasks as a validated graph with their current slots."""

    graph: TaskGraph
    tasks: Mapping[str, TaskSnap]
    slots: dict[str, Slot]
    finish: date


# Two rules need the same project's plan in one scan; building the graph once halves that
# cost. Keyed by identity (snapshots hold dicts, so they do not hash) and replaced whole, so
# a stale or concurrent entry can never be mistaken for another snapshot's plan.
_last_plan: tuple[ProjectSnapshot, _Plan] | None = None


def _plan(snapshot: ProjectSnapshot) -> _Plan:
    global _last_plan
    cached = _last_plan
    if cached is not None and cached[0] is snapshot:
        return cached[1]
    tasks = {t.key: t for t in snapshot.tasks}
    graph = task_graph(PlanTask(t.key, t.duration, t.predecessors) for t in snapshot.tasks)
    slots = {t.key: Slot(t.start, t.due) for t in snapshot.tasks}
    plan = _Plan(graph, tasks, slots, max(slot.due for slot in slots.values()))
    _last_plan = (snapshot, plan)
    return plan


def _due_from_start(duration: int, start: date, calendar: BusinessCalendar) -> date:
    return start if duration == 0 else calendar.add_business_days(start, duration - 1)


def _window_end(today: date, calendar: BusinessCalendar, lookahead_days: int) -> date:
    return calendar.add_business_days(today, lookahead_days)


def _launch_reference(snapshot: ProjectSnapshot, calendar: BusinessCalendar) -> date:
    return calendar.roll_backward(snapshot.launch_date)


def _in_project(snapshot: ProjectSnapshot) -> str:
    return f"({snapshot.project_name})"


def _starts(task: TaskSnap, *, today: date, relative: bool) -> str:
    """ "starts Thursday", "started Monday", "was due to start Monday"."""
    when = day_phrase(task.start, today=today, relative=relative)
    if task.start >= today:
        return f"starts {when}"
    return f"started {when}" if task.is_started else f"was due to start {when}"
