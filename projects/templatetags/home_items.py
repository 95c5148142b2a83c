"""The home view's task items and their status forms, written in one pass.

The home view lists up to fifty tasks, each with a status form; through template partials each item
cost about a hundred variable lookups, most of the page's rendering time. The markup is here instead,
next to nothing else; every value that comes from people (titles, names, reasons) goes through
``escape``.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from projects.home_sections import HomeTask

register = template.Library()


def _owner(task: HomeTask) -> str:
    if task.owner_name:
        return escape(task.owner_name)
    return '<span class="owner-unclear">Owner unclear</span>'


@register.simple_tag
def home_owner(task: HomeTask) -> SafeString:
    """Who is on the task, or "Owner unclear" when nobody (still here) is."""
    return mark_safe(_owner(task))  # noqa: S308 - the name is escaped


def _status_form(task: HomeTask, prefix: str, csrf_token: str, home_url: str) -> str:
    """A status form that changes the task in place (htmx) or comes back to the home view."""
    title = escape(task.title)
    if task.status == "waiting":
        kept = (
            f'<input type="hidden" name="waiting_on" value="{escape(task.waiting_on)}">\n'
            f'  <input type="hidden" name="waiting_on_name" value="{escape(task.waiting_on_name)}">\n'
        )
    elif task.status == "blocked":
        kept = f'<input type="hidden" name="blocked_reason" value="{escape(task.blocked_reason)}">\n'
    else:
        kept = ""
    # Only the moves that need nothing more; waiting on whom and why blocked are asked on the task page.
    current = (
        f'<option value="{task.status}" selected>{escape(task.status_label)}</option>'
        if task.status in ("waiting", "blocked")
        else ""
    )
    not_started = " selected" if task.status == "not_started" else ""
    in_progress = " selected" if task.status == "in_progress" else ""
    field = f"{escape(prefix)}-status-{task.pk}"
    return (
        f'<form method="post" action="{escape(task.status_url)}" class="inline-form home-status"\n'
        f'      hx-post="{escape(task.status_url)}" hx-swap="none">\n'
        f'  <input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">\n'
        f'  <input type="hidden" name="next" value="{escape(home_url)}">\n'
        f"  {kept}"
        f'  <label class="sr-only" for="{field}">Status of {title}</label>\n'
        f'  <select id="{field}" name="status">\n'
        f"    {current}"
        f'<option value="not_started"{not_started}>Not started</option>\n'
        f'    <option value="in_progress"{in_progress}>In progress</option>\n'
        f'    <option value="done">Done</option>\n'
        f"  </select>\n"
        f'  <button type="submit" class="button-secondary button-small">Update'
        f'<span class="sr-only"> status of {title}</span></button>\n'
        f"</form>"
    )


def _form_context(context: Any) -> tuple[str, str]:
    return str(context.get("csrf_token", "")), str(context.get("home_url", ""))


@register.simple_tag(takes_context=True)
def home_status_form(context: Any, task: HomeTask, prefix: str) -> SafeString:
    """One task's status form (the Blocked section's items)."""
    return mark_safe(_status_form(task, prefix, *_form_context(context)))  # noqa: S308 - values escaped above


@register.simple_tag(takes_context=True)
def home_task_items(context: Any, tasks: Iterable[HomeTask], prefix: str, show_due: bool) -> SafeString:
    """The ``<li>`` of each task: title, status, project, owner (and its due day), and its status form."""
    csrf_token, home_url = _form_context(context)
    items = []
    for task in tasks:
        due = f' · <span class="home-late">due {escape(task.due_label)}</span>' if show_due else ""
        items.append(
            '<li class="home-item">\n'
            '  <div class="home-item-main">\n'
            f'    <a href="{escape(task.url)}">{escape(task.title)}</a>\n'
            f'    <span class="badge badge-task-{task.status}">{escape(task.status_label)}</span>\n'
            "  </div>\n"
            '  <p class="home-item-meta muted">\n'
            f"    {escape(task.project_name)} · {_owner(task)}{due}\n"
            "  </p>\n"
            f"  {_status_form(task, prefix, csrf_token, home_url)}\n"
            "</li>"
        )
    return mark_safe("\n".join(items))  # noqa: S308 - values escaped above
