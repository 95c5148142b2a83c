"""What the project layer adds to the activity timeline (agencyops/activity.py): deadline changes, task
status changes, and escalations raised and resolved. One query per source, newest rows first, with a LIMIT.
"""

from __future__ import annotations

from django.urls import reverse

from agencyops.activity import ActivityEntry, ActivityFilter, ActivitySource, activity_source_register
from projects.models import DeadlineChange, EscalationEvent, TaskStatus, TaskStatusChange
from projects.timeline import short_date

STATUS_LABELS = dict(TaskStatus.choices)
# The moments of a risk's life the timeline tells; updates and snoozes stay on the escalation itself.
ESCALATION_ACTIONS = {
    "found": "Risk raised",
    "reopened": "Risk raised again",
    "resolved": "Risk resolved",
    "cleared": "Risk cleared by the scan",
}


def _task_url(slug: str, task_id: int) -> str:
    return reverse("task_detail", kwargs={"agency_slug": slug, "task_id": task_id})


def deadline_changes(query: ActivityFilter) -> list[ActivityEntry]:
    rows = query.narrow(
        DeadlineChange.objects.all(), project="task__project_id", client="task__project__client_id"
    ).order_by("-changed_at", "-pk")[: query.limit]
    return [
        ActivityEntry(
            kind="deadline_change",
            at=row["changed_at"],
            title=f"“{row['task__title']}” due {short_date(row['old_due'])} → {short_date(row['new_due'])}",
            actor=row["changed_by__user__full_name"] or "",
            url=_task_url(query.agency_slug, row["task_id"]),
            project_name=row["task__project__name"],
            detail=row["reason"],
            pk=row["pk"],
        )
        for row in rows.values(
            "pk",
            "changed_at",
            "task_id",
            "task__title",
            "task__project__name",
            "old_due",
            "new_due",
            "reason",
            "changed_by__user__full_name",
        )
    ]


def task_status_changes(query: ActivityFilter) -> list[ActivityEntry]:
    rows = query.narrow(
        TaskStatusChange.objects.all(), project="task__project_id", client="task__project__client_id"
    ).order_by("-changed_at", "-pk")[: query.limit]
    return [
        ActivityEntry(
            kind="task_status",
            at=row["changed_at"],
            title=f"“{row['task__title']}” {STATUS_LABELS.get(row['old_status'], row['old_status']).lower()}"
            f" → {STATUS_LABELS.get(row['new_status'], row['new_status']).lower()}",
            actor=row["changed_by__user__full_name"] or "",
            url=_task_url(query.agency_slug, row["task_id"]),
            project_name=row["task__project__name"],
            detail=row["note"],
            pk=row["pk"],
        )
        for row in rows.values(
            "pk",
            "changed_at",
            "task_id",
            "task__title",
            "task__project__name",
            "old_status",
            "new_status",
            "note",
            "changed_by__user__full_name",
        )
    ]


def escalation_events(query: ActivityFilter) -> list[ActivityEntry]:
    rows = query.narrow(
        EscalationEvent.objects.filter(action__in=list(ESCALATION_ACTIONS)),
        project="escalation__project_id",
        client="escalation__project__client_id",
    ).order_by("-at", "-pk")[: query.limit]
    list_url = reverse("escalation_list", kwargs={"agency_slug": query.agency_slug})
    return [
        ActivityEntry(
            kind="escalation",
            at=row["at"],
            title=f"{ESCALATION_ACTIONS[row['action']]}: {row['escalation__message']}",
            actor=row["actor__user__full_name"] or ("The risk scan" if row["action"] != "resolved" else ""),
            url=f"{list_url}#escalation-{row['escalation_id']}",
            project_name=row["escalation__project__name"] or "",
            detail=row["note"] if row["action"] == "resolved" else "",
            pk=row["pk"],
        )
        for row in rows.values(
            "pk",
            "at",
            "action",
            "note",
            "escalation_id",
            "escalation__message",
            "escalation__project__name",
            "actor__user__full_name",
        )
    ]


def register() -> None:
    """Register the project layer's history with the activity timeline."""
    activity_source_register(ActivitySource("deadline_change", "Deadline changes", deadline_changes))
    activity_source_register(ActivitySource("task_status", "Task status", task_status_changes))
    activity_source_register(ActivitySource("escalation", "Risks", escalation_events))
