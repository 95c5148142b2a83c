"""What people write on tasks, shown as safe HTML (Markdown rendered, then cleaned)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from projects.conversation import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """A description or comment as HTML; raw HTML in it is shown as text, links are cleaned."""
    # render_markdown escapes raw HTML and nh3 keeps only a short list of tags: safe to mark as such.
    return mark_safe(render_markdown(text or ""))  # noqa: S308


@register.filter
def initials(full_name: str) -> str:
    """Up to two initials of a person's name, for a board card."""
    parts = [part for part in (full_name or "").split() if part]
    return "".join(part[0].upper() for part in (parts[:1] + parts[1:][-1:]))
