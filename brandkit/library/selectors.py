"""Reads of the library: the search page, one item with its versions, and what a client may see.

Search is PostgreSQL full-text search over each item's `search_vector` (GIN index): `websearch_to_tsquery`
understands "exact phrases", OR and -exclusions as people type them. A page of results costs two queries
whatever the library's size: the ranked page of items, then snippets (`ts_headline`) for those rows only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, Count, F, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from agencyops.models import Agency, ClientContact, Membership
from brandkit.library.models import ItemKind, LibraryItem, LibraryVersion
from brandkit.library.services import INDEXED_CHARS, search_config_for

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


def _matching(agency: Agency, config: str, query: str) -> RawSQL:
    """The items whose search vector matches, found through the GIN index.

    With the words as a constant, PostgreSQL's estimate for a rare word makes a sequential scan look cheaper
    than the index, and that scan unpacks every item's (large, out-of-line) search vector: 270 ms instead
    of 1 ms for a word in 11 of 10,000 items. Matching against a query it cannot fold (a subquery kept apart
    by OFFSET 0) makes it use the index, and the ids it finds feed the ranked page."""
    return RawSQL(
        '"brandkit_libraryitem"."id" = ANY(ARRAY('
        "SELECT i.id FROM brandkit_libraryitem i, "
        "(SELECT websearch_to_tsquery(%s::regconfig, %s) AS query OFFSET 0) q "
        "WHERE i.agency_id = %s AND i.search_vector @@ q.query))",
        [config, query, agency.pk],
        output_field=BooleanField(),
    )


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
        items = items.filter(_matching(agency, config, query)).annotate(
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


# A snippet is read from this much text around the first place a search word appears, instead of the whole
# file: ts_headline parses every character it is given, and a 20-page file is ~40,000 of them per row.
SNIPPET_WINDOW_BEFORE = 600
SNIPPET_WINDOW_CHARS = 1600
_WORD = re.compile(r"\w+")


def snippet_anchor_words(query: str) -> list[str]:
    """Words to find a snippet's window by (each in the case forms text uses), or [] when the query has
    phrases, OR or exclusions: then only the whole text gives the right passage. A word is cut to a stem-ish
    prefix so "aligners" finds "aligner"; a wrong guess costs only a second, whole-text snippet."""
    lowered = query.lower()
    if '"' in query or any(w == "or" or w.startswith("-") for w in lowered.split()):
        return []
    words: list[str] = []
    for word in _WORD.findall(lowered):
        if len(word) < 3:
            continue
        stem = word[: max(4, len(word) - 2)]
        for form in (stem, stem.capitalize(), stem.upper()):
            if form not in words:
                words.append(form)
    return words[:30]


def _snippets(library_version_ids: list[int], config: str, query: str) -> dict[int, SafeString]:
    """Highlighted passages of these versions' text around the search words, escaped, one query.

    Each passage comes from a window around the first place a search word appears; when that window holds
    no match (a stemmed form, or an AND of words far apart), the whole text is read as before."""
    if not library_version_ids:
        return {}
    options = (
        f"StartSel={_START}, StopSel={_STOP}, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter= … "
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH q AS (SELECT websearch_to_tsquery(%(config)s::regconfig, %(query)s) AS query),
            found AS (
                SELECT v.id, v.text,
                       (SELECT min(nullif(strpos(v.text, word), 0)) FROM unnest(%(words)s::text[]) AS word) AS at
                FROM brandkit_libraryversion v WHERE v.id = ANY(%(ids)s) AND v.text <> ''
            ),
            near AS (
                SELECT f.id, f.text, CASE WHEN f.at IS NOT NULL AND f.at <= %(indexed)s THEN ts_headline(
                    %(config)s::regconfig, substr(f.text, greatest(f.at - %(before)s, 1), %(window)s), q.query,
                    %(options)s
                ) END AS passage
                FROM found f, q
            )
            SELECT n.id, CASE WHEN strpos(n.passage, %(start)s) > 0 THEN n.passage
                         ELSE ts_headline(%(config)s::regconfig, left(n.text, %(indexed)s), q.query, %(options)s) END
            FROM near n, q
            """,
            {
                "config": config, "query": query, "words": snippet_anchor_words(query),
                "ids": library_version_ids, "indexed": INDEXED_CHARS, "before": SNIPPET_WINDOW_BEFORE,
                "window": SNIPPET_WINDOW_CHARS, "options": options, "start": _START,
            },
        )  # fmt: skip
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
