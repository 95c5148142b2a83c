"""Versions of a deliverable: uploading the next round and storing its file, pages or copy."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from agencyops.models import Membership
from approvals.files import check_upload
from approvals.models import ApprovalRequest, ApprovalStatus, AssetVersion, VersionKind, VersionPage
from approvals.services._shared import _require_planner


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
    if checked and checked.pages:
        for index, (png, width, height) in enumerate(checked.pages, start=1):
            page = VersionPage(
                agency=request.agency, version=version, number=index, width=width, height=height
            )
            page.image.save(f"v{number}-p{index}.png", ContentFile(png), save=False)
            page.save()
    return version


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
