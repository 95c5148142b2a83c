"""Celery tasks of the library: reading a new version's text for search, drawing its preview, and emptying
the bin.

Tasks take ids, open the row's agency scope, return quietly when the row is gone, and do nothing twice
(indexing only touches a version still waiting to be indexed).
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django_scopes import scope, scopes_disabled

from brandkit.library import services
from brandkit.library.models import LibraryItem, LibraryVersion


@shared_task(
    name="brandkit.library.tasks.index_library_version",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=5,
    # A hostile file gets this long; extraction also keeps its own, shorter, budget.
    soft_time_limit=60,
    time_limit=90,
)
def index_library_version(library_version_id: int) -> str:
    """Extract a version's text and refresh its item's search vector."""
    with scopes_disabled():
        agency_id = (
            LibraryVersion.objects.filter(pk=library_version_id).values_list("agency_id", flat=True).first()
        )
    if agency_id is None:
        return "gone"
    with scope(agency=agency_id):
        version = services.library_version_index(library_version_id=library_version_id)
    return version.extraction_state if version is not None else "gone"


@shared_task(
    name="brandkit.library.tasks.render_library_preview",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=5,
    # Images are measured before decoding and PDF pages have a pixel budget; this bounds the rest.
    soft_time_limit=60,
    time_limit=90,
)
def render_library_preview(library_version_id: int) -> str:
    """Draw a version's preview (an image's thumbnail, a PDF's first page); a drawn one is left alone."""
    from celery.exceptions import SoftTimeLimitExceeded

    with scopes_disabled():
        agency_id = (
            LibraryVersion.objects.filter(pk=library_version_id).values_list("agency_id", flat=True).first()
        )
    if agency_id is None:
        return "gone"
    with scope(agency=agency_id):
        try:
            version = services.library_version_preview(library_version_id=library_version_id)
        except SoftTimeLimitExceeded:
            services.library_version_preview_refuse(
                library_version_id=library_version_id, reason="drawing it took too long"
            )
            return "failed"
    return version.preview_state if version is not None else "gone"


@shared_task(
    name="brandkit.library.tasks.file_approved_request", autoretry_for=(OperationalError,), retry_backoff=5
)
def file_approved_request(request_id: int, agency_id: int) -> int | None:
    """File an approved request's final version in its client's library (once per request)."""
    with scope(agency=agency_id):
        item = services.library_file_approved_request(request_id=request_id)
    return item.pk if item is not None else None


@shared_task(name="brandkit.library.tasks.purge_deleted_items")
def purge_deleted_items() -> int:
    """Beat job: one task per agency with items past the restore window."""
    with scopes_disabled():
        agencies = list(
            LibraryItem.objects.filter(deleted_at__isnull=False)
            .values_list("agency_id", flat=True)
            .distinct()
        )
    for agency_id in agencies:
        purge_agency_bin.delay(agency_id)
    return len(agencies)


@shared_task(name="brandkit.library.tasks.purge_agency_bin")
def purge_agency_bin(agency_id: int) -> int:
    with scope(agency=agency_id):
        return services.library_purge_deleted()


def file_approved_request_on_commit(*, request_id: int, agency_id: int) -> None:
    """Subscriber of approvals' "approved" announcement: file the work once the decision is committed."""
    file_approved_request.delay_on_commit(request_id, agency_id)
