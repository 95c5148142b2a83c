"""Time logging on the task page and My work, without touching those pages' views.

``{% task_time task %}`` shows a task's logged time with the log / timer form; ``{% my_time %}``
shows the member's running timer and a log form for each of their open tasks.
"""

from __future__ import annotations

from typing import Any

from django import template

from agencyops.permissions import can_lead_work
from projects import time_selectors
from projects.models import Task, TaskCategory

register = template.Library()
MY_TASKS_SHOWN = 12


@register.inclusion_tag("projects/_task_time.html", takes_context=True)
def task_time(context: Any, task: Task) -> dict:
    request = context["request"]
    entries = list(time_selectors.entries_for_task(task)[:50])
    running = next((e for e in entries if e.is_running and e.member_id == request.membership.pk), None)
    total = sum(e.minutes for e in entries if not e.is_running)
    return {
        "request": request,
        "task": task,
        "entries": entries,
        "running": running,
        "total_minutes": total,
        "can_categorise": can_lead_work(request.membership),
        "categories": TaskCategory.choices,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("projects/_my_time.html", takes_context=True)
def my_time(context: Any, work: Any) -> dict:
    """The running timer (one query) and a log form for the member's most pressing tasks (already loaded)."""
    request = context["request"]
    tasks = list(work.overdue) + [t for group in work.days for t in group.tasks]
    return {
        "request": request,
        "tasks": tasks[:MY_TASKS_SHOWN],
        "running": time_selectors.running_timer_for(request.membership),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
