"""Rule 5, scope: work beyond the brief, extra revision rounds, or work on a change not yet approved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from projects.risk_messages import count_word, join_names, quoted
from projects.risks._plan import _in_project
from projects.risks.snapshot import PENDING, Escalation, ProjectSnapshot, _escalation
from projects.scheduling import BusinessCalendar


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def _deliverables_text(deliverables: Sequence[str]) -> str:
    shown = [quoted(d) for d in deliverables[:3]]
    if len(deliverables) > 3:
        shown.append(f"{count_word(len(deliverables) - 3)} more")
    return join_names(shown)


def rule_scope(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """Work beyond the brief, revision rounds beyond those included, or work on an unapproved change."""
    found: list[Escalation] = []
    project = _in_project(snapshot)
    deliverables = [d.strip() for d in snapshot.brief_deliverables if d.strip()]
    in_brief = {_normalised(d) for d in deliverables}
    for task in sorted(snapshot.tasks, key=lambda t: (t.start, t.id)):
        if not (task.is_open and task.added_beyond_brief) or _normalised(task.title) in in_brief:
            continue
        if deliverables:
            against = f"is not among the brief's deliverables: {_deliverables_text(deliverables)}"
        else:
            against = "the brief lists no deliverables to check it against"
        found.append(
            _escalation(
                "scope",
                f"task:{task.id}",
                severity="medium",
                message=(
                    f"{quoted(task.title)} {project} was added after the plan and {against}. "
                    "Confirm it is in scope or raise a change request."
                ),
                project_id=snapshot.project_id,
                task_id=task.id,
                facts={"task": task.title, "kind": "task_beyond_brief", "deliverables": deliverables},
            )
        )

    included = snapshot.revision_rounds_included
    for approval in sorted(snapshot.approvals, key=lambda a: (a.due_at, a.id)):
        if approval.decided or approval.revision_round <= included:
            continue
        extra = approval.revision_round - included
        found.append(
            _escalation(
                "scope",
                f"approval:{approval.id}",
                severity="medium",
                message=(
                    f"{quoted(approval.title)} {project} is in revision round {approval.revision_round} "
                    f"of {included} included; the extra {'round is' if extra == 1 else 'rounds are'} "
                    "outside the agreed scope."
                ),
                project_id=snapshot.project_id,
                approval_id=approval.id,
                facts={
                    "approval": approval.title,
                    "kind": "extra_revision_round",
                    "revision_round": approval.revision_round,
                    "rounds_included": included,
                },
            )
        )

    for change in sorted(snapshot.change_requests, key=lambda c: c.id):
        if change.status != PENDING or not change.work_started:
            continue
        awaiting = change.awaiting.strip()
        waiting = f"still waiting on {awaiting}" if awaiting else "still pending"
        found.append(
            _escalation(
                "scope",
                f"change_request:{change.id}",
                severity="high",
                message=(
                    f"Work has started on {quoted(change.title)} {project}, a change request {waiting}."
                ),
                project_id=snapshot.project_id,
                change_request_id=change.id,
                facts={
                    "change_request": change.title,
                    "kind": "work_before_approval",
                    "awaiting": awaiting or None,
                },
            )
        )
    return found
