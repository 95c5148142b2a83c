"""One activity timeline merged from the history rows the apps already keep.

Each app registers its sources in ``AppConfig.ready()`` (projects: deadline changes, task status changes,
escalations raised and resolved; approvals: versions uploaded, approvals sent, client decisions,
decision-log entries, change requests, captured feedback); later layers add theirs without touching the
platform. A page asks for a project's or a client's timeline: each source loads its newest rows with a
LIMIT (one query per source asked), the platform merges them newest first and cuts the page. Pages are
numbered and capped (``MAX_PAGE``): the timeline is for reading recent history, the full records stay on
their own pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

PER_PAGE = 25
MAX_PAGE = 20


@dataclass(frozen=True)
class ActivityEntry:
    """One thing that happened, as the timeline shows it."""

    kind: str
    at: datetime
    title: str
    actor: str
    url: str
    project_name: str = ""
    detail: str = ""
    pk: int = 0


@dataclass(frozen=True)
class ActivityFilter:
    """What a source is asked for: the rows of one project or one client, at most ``limit`` newest."""

    project_id: int | None
    client_id: int | None
    agency_slug: str
    limit: int

    def narrow(self, rows: QuerySet, *, project: str, client: str) -> QuerySet:
        """A source's rows narrowed to the asked project or client; ``project``/``client`` name the lookups."""
        if self.project_id is not None:
            rows = rows.filter(**{project: self.project_id})
        if self.client_id is not None:
            rows = rows.filter(**{client: self.client_id})
        return rows


@dataclass(frozen=True)
class ActivitySource:
    """A kind of history row an app contributes. ``load`` returns at most ``limit`` entries, newest first,
    in one query, under the caller's tenant scope."""

    kind: str
    label: str
    load: Callable[[ActivityFilter], list[ActivityEntry]]


@dataclass(frozen=True)
class ActivityPage:
    entries: list[ActivityEntry]
    page: int
    has_next: bool
    kinds: list[tuple[str, str]]  # every registered (kind, label), for the filter
    selected: list[str]
    url: str = ""  # the page it is shown on, for the filter and the page links
    show_project: bool = False  # on a client's timeline each entry names its project

    @property
    def has_previous(self) -> bool:
        return self.page > 1


_sources: dict[str, ActivitySource] = {}


def activity_source_register(source: ActivitySource) -> None:
    """Add (or replace, by kind) a source of the timeline."""
    _sources[source.kind] = source


def activity_source_unregister(kind: str) -> ActivitySource | None:
    return _sources.pop(kind, None)


def activity_kinds() -> list[tuple[str, str]]:
    """Every registered kind and its label, in label order."""
    return sorted(((s.kind, s.label) for s in _sources.values()), key=lambda pair: pair[1])


def activity_timeline(
    *,
    agency_slug: str,
    project_id: int | None = None,
    client_id: int | None = None,
    kinds: Iterable[str] = (),
    page: int = 1,
    per_page: int = PER_PAGE,
    url: str = "",
) -> ActivityPage:
    """A page of the project's (or client's) timeline, newest first, at one query per source asked.

    ``kinds`` narrows it to some sources (unknown kinds are the caller's to refuse; see
    ``activity_kinds``); an empty filter means every source.
    """
    page = min(max(page, 1), MAX_PAGE)
    selected = sorted(set(kinds) & set(_sources)) if kinds else []
    asked = [_sources[kind] for kind in selected] if selected else list(_sources.values())
    offset = (page - 1) * per_page
    query = ActivityFilter(
        project_id=project_id, client_id=client_id, agency_slug=agency_slug, limit=offset + per_page + 1
    )
    merged: list[ActivityEntry] = []
    for source in sorted(asked, key=lambda s: s.kind):
        merged.extend(source.load(query))
    merged.sort(key=lambda entry: (entry.at, entry.kind, entry.pk), reverse=True)
    return ActivityPage(
        entries=merged[offset : offset + per_page],
        page=page,
        has_next=len(merged) > offset + per_page and page < MAX_PAGE,
        kinds=activity_kinds(),
        selected=selected,
        url=url,
        show_project=project_id is None,
    )
