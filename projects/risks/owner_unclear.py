"""Rule 4, owner unclear: work about to start has nobody on it, or someone who has left the agency."""

from __future__ import annotations

from datetime import date

from projects.risk_messages import quoted
from projects.risks._plan import _in_project, _starts, _window_end
from projects.risks.snapshot import Escalation, ProjectSnapshot, _escalation
from projects.scheduling import BusinessCalendar


def rule_owner_unclear(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """Open work starting within the window has nobody on it, or someone who has left.

    Milestones (duration 0) are dates rather than work, so nobody needs to own them."""
    window_end = _window_end(today, calendar, lookahead_days)
    found: list[Escalation] = []
    for task in sorted(snapshot.tasks, key=lambda t: (t.start, t.id)):
        if not task.is_open or task.duration == 0 or task.start > window_end:
            continue
        if task.assignee_id is not None and task.assignee_active:
            continue
        starts = _starts(task, today=today, relative=True)
        if task.assignee_id is None:
            message = f"Nobody owns {quoted(task.title)} {_in_project(snapshot)}, which {starts}."
        else:
            message = (
                f"{quoted(task.title)} {_in_project(snapshot)} is assigned to {task.assignee_name}, "
                f"who has left the agency; it {starts}."
            )
        soon = task.start <= calendar.add_business_days(today, 1)
        found.append(
            _escalation(
                "owner_unclear",
                f"task:{task.id}",
                severity="high" if soon else "medium",
                message=message,
                project_id=snapshot.project_id,
                task_id=task.id,
                member_id=task.assignee_id,
                facts={
                    "task": task.title,
                    "task_start": task.start.isoformat(),
                    "assignee": task.assignee_name or None,
                    "assignee_left": task.assignee_id is not None,
                },
            )
        )
    return found
