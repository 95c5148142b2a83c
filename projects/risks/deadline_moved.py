"""Rule 2, deadline moved: someone keeps pushing an open task's due date back by hand."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from projects.risk_messages import day_phrase, join_names, quoted, times
from projects.risks._plan import _in_project
from projects.risks.snapshot import MANUAL, DeadlineChangeSnap, Escalation, ProjectSnapshot, _escalation
from projects.scheduling import BusinessCalendar


def rule_deadline_moved(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """An open task's due date was moved by hand more than once (cascades do not count)."""
    moves: dict[int, list[DeadlineChangeSnap]] = defaultdict(list)
    for change in snapshot.deadline_changes:
        if change.cause == MANUAL:
            moves[change.task_id].append(change)

    found: list[Escalation] = []
    for task in sorted(snapshot.tasks, key=lambda t: (t.due, t.id)):
        changes = sorted(moves.get(task.id, ()), key=lambda c: (c.changed_at, c.id))
        if not task.is_open or len(changes) < 2:
            continue
        movers = list(dict.fromkeys(c.changed_by_name.strip() for c in changes if c.changed_by_name.strip()))
        first_due = changes[0].old_due
        current = day_phrase(task.due, today=today, relative=False)
        first = day_phrase(first_due, today=today, relative=False)
        if first_due == task.due:
            by = f" by {join_names(movers)}" if movers else ""
            span = f"{times(len(changes))}{by} and is due {current} again"
        else:
            by = f", by {join_names(movers)}" if movers else ""
            span = f"{times(len(changes))}, from {first} to {current}{by}"
        found.append(
            _escalation(
                "deadline_moved",
                f"task:{task.id}",
                severity="high" if len(changes) >= 3 else "medium",
                message=f"{quoted(task.title)} {_in_project(snapshot)} has been moved {span}.",
                project_id=snapshot.project_id,
                task_id=task.id,
                facts={
                    "task": task.title,
                    "times_moved": len(changes),
                    "first_due": first_due.isoformat(),
                    "current_due": task.due.isoformat(),
                    "moved_by": movers,
                    "change_ids": [c.id for c in changes],
                },
            )
        )
    return found
