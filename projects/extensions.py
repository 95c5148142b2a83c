"""Where apps built on projects plug in, so projects never imports them.

- What follows a move of the committed launch (approvals proposes a change request when the client
  approved the timing): ``on_launch_moved`` / ``launch_moved``.
- Extra sections of a project's page (approvals shows each request and its next action):
  ``register_page_section`` / ``page_sections_from_rows``. They are kept inside the page's cached body,
  under its version, so the app that adds one makes its tables move that version
  (projects/page_versions.py).
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


# What a section is made from: the rows of its one statement (SQL naming its parameters ``agency``,
# ``project`` and ``today``), built into the section (or None for no section).
SectionBuilder = Callable[["Agency", int, date, list[tuple[Any, ...]]], "PageSection | None"]


@dataclass(frozen=True)
class _SectionSource:
    rows_sql: str
    build: SectionBuilder
    template: str


_page_sections: dict[str, _SectionSource] = {}


def register_page_section(key: str, *, rows_sql: str, build: SectionBuilder, template: str) -> None:
    """Add a section to every project's page: ``rows_sql`` is the one statement it is read by (its
    parameters named ``agency``, ``project`` and ``today``), ``build(agency, project_id, today, rows)``
    makes it from that statement's rows (rendered by ``template``) or returns None.

    The statement is sent with the page's own, and PostgreSQL digests its rows with theirs: a first view
    after a write that changed nothing the page shows finds the body kept for the same rows without reading
    any (``projects.selectors.project_page_digest``). So the section is made from these rows alone, with
    the agency, the project and the day: nothing else may change what it shows. Sections are rendered into
    the page's cached body and kept with it until the page's version moves: every table the statement reads
    must be watched in the app's migrations (``projects.page_versions.watch_project_changes``;
    ``BY_PARENT`` for rows that reach their project through another table's)."""
    _page_sections[key] = _SectionSource(rows_sql, build, template)


def page_section_statements() -> tuple[str, ...]:
    """The statements the registered sections are read by, in the order they were registered."""
    return tuple(source.rows_sql for source in _page_sections.values())


def page_sections_from_rows(
    agency: Agency, project_id: int, today: date, rows: list[list[tuple[Any, ...]]]
) -> list[PageSection]:
    """The extra sections of this project's page, in the order they were registered, made from the rows of
    ``page_section_statements`` (in that order)."""
    return [
        section
        for source, section_rows in zip(_page_sections.values(), rows, strict=True)
        if (section := source.build(agency, project_id, today, section_rows))
    ]


def page_section_templates() -> tuple[str, ...]:
    """The templates the registered sections render: part of the kept body's key, so a deploy that changes
    one renders the page afresh."""
    return tuple(source.template for source in _page_sections.values())
