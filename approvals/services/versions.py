"""Versions of a deliverable: uploading the next round and storing its file, pages or copy."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from agencyops.models import Membership
from approvals.files import check_upload, needs_preview
from approvals.models import ApprovalRequest, ApprovalStatus, AssetVersion, VersionKind, VersionPage
from approvals.services._shared import _require_planner

logger = logging.getLogger(__name__)


def _store_version(
    *,
    actor: Membership,
    request: ApprovalRequest,
    kind: str,
    upload: Any = None,
    text: str = "",
    notes: str = "",
) -> AssetVersion:
    if kind == VersionKind.TEXT:
        if not text.strip():
            raise ValidationError({"text": "Paste the copy to approve."})
        checked = None
    else:
        checked = check_upload(upload)
    number = (request.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = AssetVersion(
        agency=request.agency,
        request=request,
        number=number,
        kind=checked.kind if checked else VersionKind.TEXT,
        text=text.strip() if not checked else "",
        notes=notes.strip(),
        uploaded_by=actor,
    )
    if checked:
        upload.seek(0)
        version.original_name = getattr(upload, "name", "")[:255]
        version.size_bytes = upload.size
        version.width, version.height = checked.width, checked.height
        version.file.save(version.original_name or f"v{number}", upload, save=False)
    version.save()
    if version.kind == VersionKind.PDF or (
        version.kind == VersionKind.IMAGE and needs_preview(version.width, version.height)
    ):
        # A worker renders a PDF's pages (until then it is "preparing pages") or a large image's bounded
        # preview (until then reviewers get the original) once the upload is stored.
        version_id, agency_id = version.pk, version.agency_id
        transaction.on_commit(lambda: _queue_page_rendering(version_id, agency_id))
    return version


def _queue_page_rendering(version_id: int, agency_id: int) -> None:
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import RedisError

    from approvals.tasks import render_version_pages

    try:
        render_version_pages.apply_async(args=[version_id, agency_id], retry=False)
    except (RedisError, BrokerError, OSError):
        # The version is saved; its pages wait for the next sweep (approvals.tasks.render_pending_pages, every 15 minutes).
        logger.warning("Could not queue the page rendering of version %s", version_id, exc_info=True)


@transaction.atomic
def version_pages_store(*, version: AssetVersion, pages: list[tuple[bytes, int, int]]) -> int:
    """Store a PDF version's rendered pages, or a large image's preview as its page 1 (PNG, width,
    height); a second run for the same version does nothing, so a task that runs twice stores each once."""
    version = AssetVersion.objects.select_for_update().get(pk=version.pk)
    if version.pages.exists():
        return 0
    for index, (png, width, height) in enumerate(pages, start=1):
        page = VersionPage(agency=version.agency, version=version, number=index, width=width, height=height)
        page.image.save(f"v{version.number}-p{index}.png", ContentFile(png), save=False)
        page.save()
    if pages and version.kind == VersionKind.PDF:
        version.width, version.height = pages[0][1], pages[0][2]
        version.save(update_fields=["width", "height"])
    return len(pages)


@transaction.atomic
def version_add(
    *,
    actor: Membership,
    request: ApprovalRequest,
    kind: str,
    upload: Any = None,
    text: str = "",
    notes: str = "",
) -> AssetVersion:
    """Upload the next version: a new round, not yet sent. Approved work reopens only through a change request."""
    _require_planner(actor)
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.is_closed:
        raise ValidationError(
            "This deliverable is approved. Revisions go through a change request, so the new work is agreed first.",
            code="closed",
        )
    latest = request.versions.order_by("-number").first()
    if latest is not None and latest.sent_at is None:
        raise ValidationError("The latest version has not been sent yet; replace it by sending it first.")
    version = _store_version(actor=actor, request=request, kind=kind, upload=upload, text=text, notes=notes)
    request.status = ApprovalStatus.DRAFT
    request.internal_signed_off_at = None
    request.save(update_fields=["status", "internal_signed_off_at"])
    return version
