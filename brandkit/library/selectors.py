"""Reads of the library: the search page, one item with its versions, and what a client may see.

Search is PostgreSQL full-text search over each item's `search_vector` (GIN index): `websearch_to_tsquery`
understands "exact phrases", OR and -exclusions as people type them. A page of results costs two queries
whatever the library's size: the ranked page of items, then snippets (`ts_headline`) for those rows only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, QuerySet, Window
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from agencyops.models import Agency, ClientContact, Membership
from brandkit.library.models import ItemKind, LibraryItem, LibraryVersion
from brandkit.library.services import search_config_for

PAGE_SIZE = 25
MAX_PAGE = 400
MAX_QUERY_CHARS = 200
# Markers ts_headline puts around matches; replaced by <mark> after the snippet is escaped.
_START, _STOP = "\x02", "\x03"


@dataclass(frozen=True)
class LibraryFilters:
    """What a person narrowed the library to; every field optional."""

    q: str = ""
    client_id: int | None = None
    agency_wide: bool = False
    kind: str = ""
    tag: str = ""
    owner_id: int | None = None
    project_id: int | None = None
    since: date | None = None
    until: date | None = None
    deleted: bool = False
    page: int = 1


@dataclass
class SearchHit:
    item: LibraryItem
    rank: float = 0.0
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))


@dataclass
class LibraryPage:
    hits: list[SearchHit]
    total: int
    page: int
    pages: int
    filters: LibraryFilters


def _base(agency: Agency) -> QuerySet[LibraryItem]:
    # The index and the extracted text are large and never shown whole: leave them in the database.
    return (
        LibraryItem.objects.filter(agency=agency)
        .select_related("client", "owner__user", "latest_version", "project")
        .defer("search_vector", "latest_version__text")
    )


def _filtered(agency: Agency, filters: LibraryFilters) -> QuerySet[LibraryItem]:
    items = _base(agency).filter(deleted_at__isnull=not filters.deleted)
    if filters.agency_wide:
        items = items.filter(client__isnull=True)
    elif filters.client_id:
        items = items.filter(client_id=filters.client_id)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.tag:
        items = items.filter(tags__contains=[filters.tag.lower()])
    if filters.owner_id:
        items = items.filter(owner_id=filters.owner_id)
    if filters.project_id:
        items = items.filter(project_id=filters.project_id)
    if filters.since:
        items = items.filter(updated_at__date__gte=filters.since)
    if filters.until:
        items = items.filter(updated_at__date__lte=filters.until)
    return items


def library_search(*, viewer: Membership, filters: LibraryFilters) -> LibraryPage:
    """The library page: items matching the filters, ranked by the search words when there are any."""
    agency = viewer.agency
    items = _filtered(agency, filters)
    page = max(1, min(filters.page, MAX_PAGE))
    query = filters.q.strip()[:MAX_QUERY_CHARS]
    config = search_config_for(agency)
    start = (page - 1) * PAGE_SIZE
    # The match count rides along with the page (a window over every match), so one query answers both.
    counted = Window(expression=Count("pk"))
    if not query:
        rows = list(items.annotate(total=counted).order_by("-updated_at", "-pk")[start : start + PAGE_SIZE])
        hits = [SearchHit(item=row) for row in rows]
    else:
        words = SearchQuery(query, search_type="websearch", config=config)
        items = items.filter(search_vector=words).annotate(
            rank=SearchRank(F("search_vector"), words, cover_density=True), total=counted
        )
        rows = list(items.order_by("-rank", "-updated_at", "-pk")[start : start + PAGE_SIZE])
        snippets = _snippets([row.latest_version_id for row in rows if row.latest_version_id], config, query)
        hits = [
            SearchHit(item=row, rank=row.rank, snippet=snippets.get(row.latest_version_id, mark_safe("")))
            for row in rows
        ]
    # Past the last page there are no rows to carry the count: ask for it alone.
    total = rows[0].total if rows else (items.count() if page > 1 else 0)
    pages = max(1, -(-total // PAGE_SIZE))
    return LibraryPage(hits=hits, total=total, page=page, pages=pages, filters=filters)


def _snippets(library_version_ids: list[int], config: str, query: str) -> dict[int, SafeString]:
    """Highlighted passages of these versions' text around the search words, escaped, one query."""
    if not library_version_ids:
        return {}
    options = (
        f"StartSel={_START}, StopSel={_STOP}, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter= … "
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT v.id, ts_headline(%s::regconfig, left(v.text, 300000), websearch_to_tsquery(%s::regconfig, %s), %s)
            FROM brandkit_libraryversion v WHERE v.id = ANY(%s) AND v.text <> ''
            """,
            [config, config, query, options, library_version_ids],
        )
        found = cursor.fetchall()
    return {
        library_version_id: mark_safe(escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308
        for library_version_id, text in found
        if _START in text
    }


def library_item_detail(
    *, viewer: Membership, item_id: int, include_deleted: bool = False
) -> LibraryItem | None:
    """One item with every version (newest first) and who made each; None when not in the agency."""
    items = _base(viewer.agency)
    if not include_deleted:
        items = items.filter(deleted_at__isnull=True)
    item = items.filter(pk=item_id).first()
    if item is None:
        return None
    item.version_list = list(item.versions.select_related("uploaded_by__user").order_by("-number"))
    return item


def library_version_for(
    *, viewer: Membership, item_id: int, library_version_id: int
) -> LibraryVersion | None:
    """A version of a live item of the viewer's agency, or None."""
    return (
        LibraryVersion.objects.filter(
            agency=viewer.agency, item_id=item_id, pk=library_version_id, item__deleted_at__isnull=True
        )
        .select_related("item")
        .first()
    )


def shared_brand_files(*, contact: ClientContact) -> list[LibraryItem]:
    """What the agency shares with this contact's client: live, shared items with their newest shared version."""
    items = list(
        LibraryItem.objects.filter(
            agency_id=contact.agency_id,
            client_id=contact.client_id,
            client_visible=True,
            deleted_at__isnull=True,
        ).order_by("kind", "title")
    )
    if not items:
        return []
    newest: dict[int, LibraryVersion] = {}
    versions = LibraryVersion.objects.filter(
        agency_id=contact.agency_id, item_id__in=[i.pk for i in items], client_visible=True
    ).order_by("item_id", "-number")
    for version in versions:
        newest.setdefault(version.item_id, version)
    shared = []
    for item in items:
        if item.pk in newest:
            item.shared_version = newest[item.pk]
            shared.append(item)
    return shared


def shared_brand_file(*, contact: ClientContact, item_id: int) -> LibraryItem | None:
    """One shared item of the contact's client with its newest shared version, or None (a 404)."""
    for item in shared_brand_files(contact=contact):
        if item.pk == item_id:
            return item
    return None


def kind_choices() -> list[tuple[str, Any]]:
    return list(ItemKind.choices)
