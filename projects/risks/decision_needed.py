"""Rule 7, decision needed: work waits on someone's call, an approval is overdue or a change is pending."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping
from datetime import date

from projects.risk_messages import count_word, day_phrase, quoted
from projects.risks._plan import _in_project, _window_end
from projects.risks.snapshot import PENDING, Escalation, ProjectSnapshot, TaskSnap, _escalation
from projects.scheduling import BusinessCalendar


def _waiting_after(task: TaskSnap, successors: Mapping[str, list[TaskSnap]]) -> tuple[TaskSnap | None, int]:
    """The next open task after `task` and how many open tasks come after it in all."""
    seen = {task.key}
    queue = deque([task.key])
    count = 0
    while queue:
        for succ in successors.get(queue.popleft(), ()):
            if succ.key not in seen:
                seen.add(succ.key)
                queue.append(succ.key)
                count += succ.is_open
    direct = sorted((s for s in successors.get(task.key, ()) if s.is_open), key=lambda s: (s.start, s.id))
    return (direct[0] if direct else None), count


def rule_decision_needed(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """A task waits on someone's decision, an approval is overdue, or a change request awaits a call."""
    window_end = _window_end(today, calendar, lookahead_days)
    project = _in_project(snapshot)
    by_key = {t.key: t for t in snapshot.tasks}
    successors: dict[str, list[TaskSnap]] = defaultdict(list)
    for t in snapshot.tasks:
        for dep in t.predecessors:
            successors[dep.predecessor].append(t)

    found: list[Escalation] = []
    for task in sorted(snapshot.tasks, key=lambda t: (t.due, t.id)):
        if not (task.is_open and task.needs_decision):
            continue
        question = task.decision_question.strip()
        who = task.decision_by.strip()
        subject = f"{who} needs to" if who else "No one is named to"
        what = f"decide {quoted(question)} for" if question else "make the decision on"
        due = day_phrase(task.due, today=today)
        is_due = "was due" if task.due < today else "is due"
        message = f"{subject} {what} {quoted(task.title)} {project}, which {is_due} {due}."
        nxt, waiting = _waiting_after(task, successors)
        if nxt is not None and waiting == 1:
            message += f" {quoted(nxt.title)} waits on it."
        elif nxt is not None:
            more = waiting - 1
            tasks = "task" if more == 1 else "tasks"
            message += f" {quoted(nxt.title)} and {count_word(more)} more {tasks} wait on it."
        found.append(
            _escalation(
                "decision_needed",
                f"task:{task.id}",
                severity="high" if task.start <= window_end else "medium",
                message=message,
                project_id=snapshot.project_id,
                task_id=task.id,
                facts={
                    "kind": "task_decision",
                    "task": task.title,
                    "question": question,
                    "decision_by": who or None,
                    "due": task.due.isoformat(),
                    "next_task": nxt.title if nxt else None,
                    "tasks_waiting": waiting,
                },
            )
        )

    for approval in sorted(snapshot.approvals, key=lambda a: (a.due_at, a.id)):
        if approval.decided or approval.due_at >= today:
            continue
        approver = approval.final_approver_name.strip()
        due = day_phrase(approval.due_at, today=today)
        if approver:
            message = f"{approver} has not decided on {quoted(approval.title)} {project}, due {due}"
        else:
            message = f"No final approver is named for {quoted(approval.title)} {project}, due {due}"
        gated = by_key.get(approval.gated_task_key or "")
        gated = gated if gated is not None and gated.is_open else None
        message += f"; {quoted(gated.title)} waits on it." if gated else "."
        found.append(
            _escalation(
                "decision_needed",
                f"approval:{approval.id}",
                severity="high" if gated is not None and gated.start <= window_end else "medium",
                message=message,
                project_id=snapshot.project_id,
                task_id=gated.id if gated else None,
                approval_id=approval.id,
                facts={
                    "kind": "approval_overdue",
                    "approval": approval.title,
                    "approver": approver or None,
                    "due": approval.due_at.isoformat(),
                    "gated_task": gated.title if gated else None,
                },
            )
        )

    for change in sorted(snapshot.change_requests, key=lambda c: c.id):
        # Work already under way on a pending change is a scope escalation, said once there.
        if change.status != PENDING or change.work_started:
            continue
        awaiting = change.awaiting.strip()
        from_whom = f" from {awaiting}" if awaiting else ""
        found.append(
            _escalation(
                "decision_needed",
                f"change_request:{change.id}",
                severity="medium",
                message=(
                    f"The change request {quoted(change.title)} {project} "
                    f"is waiting for a decision{from_whom}."
                ),
                project_id=snapshot.project_id,
                change_request_id=change.id,
                facts={
                    "kind": "change_request_pending",
                    "change_request": change.title,
                    "awaiting": awaiting or None,
                },
            )
        )
    return found
