"""Where apps built on projects plug in, so projects never imports them.

- What follows a move of the committed launch (approvals proposes a change request when the client
  approved the timing): ``on_launch_moved`` / ``launch_moved``.
- Extra sections of a project's page (approvals shows each request and its next action):
  ``register_page_section`` / ``page_sections``. They are kept inside the page's cached body, under its
  version, so the app that adds one makes its tables move that version (projects/page_versions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agencyops.models import Agency, Membership
    from projects.models import LaunchChange

LaunchMovedListener = Callable[..., Any]

_launch_moved: dict[str, LaunchMovedListener] = {}


def on_launch_moved(name: str, listener: LaunchMovedListener) -> None:
    """Call ``listener(change=..., actor=...)`` inside the transaction that moves a committed launch."""
    _launch_moved[name] = listener


def launch_moved(*, change: LaunchChange, actor: Membership) -> list[Any]:
    """Tell every listener; their answers (e.g. a proposed change request) come back in order."""
    return [answer for listener in _launch_moved.values() if (answer := listener(change=change, actor=actor))]


@dataclass(frozen=True)
class PageSection:
    """One section of a project's page: a heading, the template that renders it, and its context."""

    key: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


SectionProvider = Callable[["Agency", int, date], "PageSection | None"]

_page_sections: dict[str, tuple[SectionProvider, str]] = {}


def register_page_section(key: str, provider: SectionProvider, *, template: str) -> None:
    """Add a section to every project's page; ``provider(agency, project_id, today)`` returns it (rendered
    by ``template``) or None.

    Sections are rendered into the page's cached body and kept with it until the page's version moves: every
    table the provider reads must be watched in the app's migrations (``projects.page_versions.
    watch_project_changes``; ``BY_PARENT`` for rows that reach their project through another table's), and
    what it shows may depend on nothing else but the agency, the project and the day. Its context is plain
    data: the page digests it with its own rows to find a body kept for the same (a context that cannot be
    pickled makes every first view after a change render afresh)."""
    _page_sections[key] = (provider, template)


def page_sections(agency: Agency, project_id: int, today: date) -> list[PageSection]:
    """The extra sections of this project's page, in the order they were registered."""
    return [
        section
        for provider, _template in _page_sections.values()
        if (section := provider(agency, project_id, today))
    ]


def page_section_templates() -> tuple[str, ...]:
    """The templates the registered sections render: part of the kept body's key, so a deploy that changes
    one renders the page afresh."""
    return tuple(template for _provider, template in _page_sections.values())
