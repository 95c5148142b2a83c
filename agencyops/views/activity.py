"""Reading the activity timeline's filter from a request, for every page that shows it."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest

from agencyops.activity import MAX_PAGE, ActivityPage, activity_kinds, activity_timeline
from agencyops.sections import SectionContext

MAX_KINDS = 20
CLIENT_PAGE_SIZE = 10


def activity_filter_from(request: HttpRequest, *, strict: bool = True) -> tuple[list[str], int]:
    """The kinds asked for and the page number. A page of its own refuses what it cannot read (400); a
    section of a larger page (``strict=False``) falls back to the first page of everything."""
    kinds = request.GET.getlist("kind")[: MAX_KINDS + 1]
    known = {kind for kind, _ in activity_kinds()}
    raw_page = request.GET.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) <= 4 else 0
    if len(kinds) > MAX_KINDS or not set(kinds) <= known or not 1 <= page <= MAX_PAGE:
        if strict:
            raise BadRequest(f"Filter by known kinds of activity and a page from 1 to {MAX_PAGE}.")
        return [], 1
    return kinds, page


def client_activity(context: SectionContext) -> ActivityPage:
    """The client page's activity section: the latest entries across the client's projects (one query per
    source); a filter it cannot read shows the first page of everything rather than failing the page."""
    kinds, page = activity_filter_from(context.request, strict=False)
    return activity_timeline(
        agency_slug=context.agency.slug,
        client_id=context.subject.pk,
        kinds=kinds,
        page=page,
        per_page=CLIENT_PAGE_SIZE,
        url=context.request.path,
    )
