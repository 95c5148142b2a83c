"""Writes to the library: items, their versions, sharing with the client, deletion and past work filed by itself.

Every write takes the acting membership (or, for work the product does by itself, ids), validates, runs in
one transaction and queues text extraction on commit. A replaced file is a new version; nothing is lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from agencyops.models import Agency, Client, Membership
from agencyops.permissions import can_lead_work
from brandkit.library import extraction
from brandkit.library.models import ExtractionState, ItemKind, LibraryItem, LibraryVersion, PreviewState

MAX_TAGS = 20
MAX_TAG_LENGTH = 40
# Characters of a version's text that go into the search index (PostgreSQL caps a tsvector at 1 MB).
INDEXED_CHARS = 300_000

# PostgreSQL's text-search configuration for the language most of an agency's files are written in,
# taken from the agency's country; English where PostgreSQL has no configuration for the language.
SEARCH_CONFIG_BY_COUNTRY = {
    "DE": "german", "AT": "german", "CH": "german", "LI": "german",
    "FR": "french", "BE": "french", "LU": "french",
    "ES": "spanish", "MX": "spanish", "AR": "spanish", "CO": "spanish", "CL": "spanish",
    "IT": "italian", "NL": "dutch", "PT": "portuguese", "BR": "portuguese",
    "SE": "swedish", "NO": "norwegian", "DK": "danish", "FI": "finnish",
    "RU": "russian", "TR": "turkish", "HU": "hungarian", "RO": "romanian",
}  # fmt: skip

LINK_HOSTS = ("figma.com", "drive.google.com", "docs.google.com", "canva.com", "dropbox.com", "notion.so")


def search_config_for(agency: Agency) -> str:
    """The text-search configuration the agency's files are indexed and searched with."""
    return SEARCH_CONFIG_BY_COUNTRY.get((agency.country or "").upper(), "english")


def _require_team(actor: Membership) -> None:
    if not actor.is_active:
        raise PermissionDenied("Only the agency's team can change the library.")


def _require_lead(actor: Membership, message: str) -> None:
    if not can_lead_work(actor):
        raise PermissionDenied(message)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split()).lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationError(
                {"tags": f"Keep each tag under {MAX_TAG_LENGTH} characters (“{tag[:20]}…”)."}
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": f"Use at most {MAX_TAGS} tags."})
    return cleaned


def _check_fields(*, title: str, kind: str, client: Client | None, agency: Agency) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Give the item a title people will search for."
    elif len(title) > 200:
        errors["title"] = "Keep the title under 200 characters."
    if kind not in ItemKind.values:
        errors["kind"] = f"Choose one of: {', '.join(ItemKind.labels)}."
    if client is not None and client.agency_id != agency.pk:
        errors["client"] = "No such client."
    if errors:
        raise ValidationError(errors)


def _read_upload(upload: Any) -> bytes:
    limit = settings.LIBRARY_FILE_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {"file": f"The file is {size / 1_048_576:,.1f} MB; the limit is {limit / 1_048_576:,.0f} MB."}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise ValidationError({"file": f"The file is larger than the limit of {limit / 1_048_576:,.0f} MB."})
    if not data:
        raise ValidationError({"file": "The file is empty."})
    return data


def _check_url(url: str) -> str:
    url = url.strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ValidationError({"url": "Enter a full link starting with https://."}) from None
    return url


def library_duplicate_of(*, agency: Agency, sha256: str) -> LibraryVersion | None:
    """A live version with exactly these bytes already in the agency's library, if any."""
    return (
        LibraryVersion.objects.filter(agency=agency, sha256=sha256, item__deleted_at__isnull=True)
        .select_related("item", "item__client")
        .order_by("-created_at")
        .first()
    )


def _new_version(
    *, actor: Membership, item: LibraryItem, upload: Any, url: str, notes: str, allow_duplicate: bool
) -> LibraryVersion:
    if bool(upload) == bool(url.strip()):
        raise ValidationError({"file": "Upload a file or give a link (one of the two)."})
    number = (item.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = LibraryVersion(
        agency=item.agency, item=item, number=number, uploaded_by=actor, notes=notes.strip()
    )
    if url.strip():
        version.url = _check_url(url)
        version.file_kind = "link"
        version.extraction_state = ExtractionState.NONE
    else:
        data = _read_upload(upload)
        digest = hashlib.sha256(data).hexdigest()
        if not allow_duplicate:
            duplicate = library_duplicate_of(agency=item.agency, sha256=digest)
            if duplicate is not None:
                where = f" for {duplicate.item.client.name}" if duplicate.item.client_id else ""
                raise ValidationError(
                    {
                        "file": f"This file is already in the library as “{duplicate.item.title}” "
                        f"(version {duplicate.number}){where}. Upload it anyway to keep a second copy."
                    },
                    code="duplicate",
                )
        kind = extraction.sniff(data[:65536], getattr(upload, "name", ""))
        if kind == extraction.ZIP:
            kind = extraction.office_kind(data)
        name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:200]
        version.original_name = name
        version.file_kind = kind
        version.content_type = extraction.content_type(kind, data[:16])
        version.size_bytes = len(data)
        version.sha256 = digest
        version.extraction_state = (
            ExtractionState.PENDING
            if kind in (extraction.PDF, extraction.DOCX, extraction.PPTX, extraction.XLSX, extraction.TEXT,
                        extraction.HTML, extraction.SVG, extraction.ZIP)
            else ExtractionState.NONE
        )  # fmt: skip
        version.preview_state = _preview_state_for(kind)
        version.file.save(name, ContentFile(data), save=False)
    version.full_clean(exclude=["file", "preview"])
    version.save()
    item.latest_version = version
    item.updated_at = timezone.now()
    item.save(update_fields=["latest_version", "updated_at"])
    _refresh_search_vector(item.pk)
    _queue_workers(version)
    return version


def _preview_state_for(kind: str) -> str:
    # SVG is an image too, but it can carry script: it is never drawn, only downloaded.
    return PreviewState.PENDING if kind in (extraction.IMAGE, extraction.PDF) else PreviewState.NONE


def _queue_workers(version: LibraryVersion) -> None:
    """Once the version is committed: read its text for search, draw its preview."""
    from brandkit.library.tasks import index_library_version, render_library_preview

    if version.extraction_state == ExtractionState.PENDING:
        index_library_version.delay_on_commit(version.pk)
    if version.preview_state == PreviewState.PENDING:
        render_library_preview.delay_on_commit(version.pk)


@transaction.atomic
def library_item_create(
    *,
    actor: Membership,
    title: str,
    kind: str = ItemKind.OTHER,
    client: Client | None = None,
    tags: Iterable[str] = (),
    description: str = "",
    upload: Any = None,
    url: str = "",
    project: Any = None,
    allow_duplicate: bool = False,
) -> LibraryItem:
    """File something in the library with its first version (a file or a link)."""
    _require_team(actor)
    _check_fields(title=title, kind=kind, client=client, agency=actor.agency)
    if project is not None and (
        project.agency_id != actor.agency_id or (client and project.client_id != client.pk)
    ):
        raise ValidationError({"project": "Choose a project of this client."})
    item = LibraryItem.objects.create(
        agency=actor.agency,
        client=client,
        title=title.strip(),
        kind=kind,
        tags=_clean_tags(tags),
        description=description.strip(),
        owner=actor,
        project=project,
        search_config=search_config_for(actor.agency),
    )
    _new_version(actor=actor, item=item, upload=upload, url=url, notes="", allow_duplicate=allow_duplicate)
    return item


@transaction.atomic
def library_version_add(
    *, actor: Membership, item: LibraryItem, upload: Any = None, url: str = "", notes: str = "",
    allow_duplicate: bool = False,
) -> LibraryVersion:  # fmt: skip
    """Replace an item's file (or link) with a new latest version; the older ones stay, read-only."""
    _require_team(actor)
    item = LibraryItem.objects.select_for_update().get(pk=item.pk)
    if item.is_deleted:
        raise ValidationError("This item is deleted; restore it before adding a version.")
    return _new_version(
        actor=actor, item=item, upload=upload, url=url, notes=notes, allow_duplicate=allow_duplicate
    )


@transaction.atomic
def library_item_update(
    *, actor: Membership, item: LibraryItem, title: str, kind: str, tags: Iterable[str], description: str = ""
) -> LibraryItem:
    """Rename, re-tag or re-describe an item (its files are not touched)."""
    _require_team(actor)
    _check_fields(title=title, kind=kind, client=item.client, agency=actor.agency)
    item.title = title.strip()
    item.kind = kind
    item.tags = _clean_tags(tags)
    item.description = description.strip()
    item.updated_at = timezone.now()
    item.save(update_fields=["title", "kind", "tags", "description", "updated_at"])
    _refresh_search_vector(item.pk)
    return item


@transaction.atomic
def library_item_share(*, actor: Membership, item: LibraryItem, visible: bool) -> LibraryItem:
    """Show (or stop showing) an item on its client's Brand files page in the portal."""
    _require_lead(actor, "Only owners and coordinators decide what a client sees.")
    if visible and item.client_id is None:
        raise ValidationError(
            "Agency-wide items belong to no client, so there is no portal to share them on."
        )
    item.client_visible = visible
    item.save(update_fields=["client_visible"])
    return item


@transaction.atomic
def library_version_share(*, actor: Membership, version: LibraryVersion, visible: bool) -> LibraryVersion:
    """Let a shared item's client see (or not see) this particular version."""
    _require_lead(actor, "Only owners and coordinators decide what a client sees.")
    version.client_visible = visible
    version.save(update_fields=["client_visible"])
    return version


@transaction.atomic
def library_item_delete(*, actor: Membership, item: LibraryItem) -> LibraryItem:
    """Move an item to the bin: hidden everywhere, restorable for LIBRARY_RESTORE_DAYS, then purged."""
    _require_lead(actor, "Only owners and coordinators delete library items.")
    item.deleted_at = timezone.now()
    item.deleted_by = actor
    item.client_visible = False
    item.save(update_fields=["deleted_at", "deleted_by", "client_visible"])
    return item


@transaction.atomic
def library_item_restore(*, actor: Membership, item: LibraryItem) -> LibraryItem:
    """Bring a deleted item back, with all its versions, while it is still in the bin."""
    _require_lead(actor, "Only owners and coordinators restore library items.")
    if item.deleted_at is None:
        return item
    item.deleted_at = None
    item.deleted_by = None
    item.save(update_fields=["deleted_at", "deleted_by"])
    return item


def library_purge_deleted(*, now: datetime | None = None) -> int:
    """Remove items deleted longer ago than the restore window, with their files; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.LIBRARY_RESTORE_DAYS)
    purged = 0
    storage = LibraryVersion._meta.get_field("file").storage
    expired = LibraryItem.objects.filter(deleted_at__lt=cutoff).values_list("pk", flat=True)
    for item_id in list(expired):
        with transaction.atomic():
            item = LibraryItem.objects.select_for_update().filter(pk=item_id, deleted_at__lt=cutoff).first()
            if item is None:
                continue
            files = [f.name for v in item.versions.all() for f in (v.file, v.preview) if f]
            item.latest_version = None
            item.save(update_fields=["latest_version"])
            item.delete()
            transaction.on_commit(lambda files=files: [storage.delete(name) for name in files])
            purged += 1
    return purged


def library_version_index(*, library_version_id: int) -> LibraryVersion | None:
    """Read a version's text for search (called by the worker); a failure leaves the file usable."""
    version = LibraryVersion.objects.select_related("item").filter(pk=library_version_id).first()
    if version is None or version.extraction_state != ExtractionState.PENDING:
        return version
    try:
        with version.file.open("rb") as handle:
            data = handle.read(settings.LIBRARY_FILE_MAX_BYTES + 1)
        found = extraction.extract_text(data, version.file_kind)
    except extraction.NotSearchable as reason:
        state, text, pages, note = ExtractionState.FAILED, "", 0, str(reason)[:300]
    except OSError:
        state, text, pages, note = ExtractionState.FAILED, "", 0, "the stored file could not be read"
    else:
        state, text, pages, note = ExtractionState.DONE, found.text, found.pages, ""
    with transaction.atomic():
        updated = LibraryVersion.objects.filter(
            pk=version.pk, extraction_state=ExtractionState.PENDING
        ).update(extraction_state=state, text=text, pages=pages, extraction_note=note)
        if updated:
            _refresh_search_vector(version.item_id)
    return _version_now(version.pk)


def library_version_preview(*, library_version_id: int) -> LibraryVersion | None:
    """Draw a version's preview (called by the worker): a thumbnail of an image or a PDF's first page.
    A refused file (a decompression bomb, a damaged PDF) gets "no preview: reason" and stays usable."""
    from agencyops.previews import NoPreview, render_thumbnail

    version = LibraryVersion.objects.filter(pk=library_version_id).first()
    if version is None or version.preview_state != PreviewState.PENDING:
        return version
    try:
        with version.file.open("rb") as handle:
            data = handle.read(settings.LIBRARY_FILE_MAX_BYTES + 1)
        thumbnail = render_thumbnail(data)
    except NoPreview as reason:
        fields = {"preview_state": PreviewState.FAILED, "preview_note": str(reason)[:300]}
        picture = None
    except OSError:
        fields = {"preview_state": PreviewState.FAILED, "preview_note": "the stored file could not be read"}
        picture = None
    else:
        storage = LibraryVersion._meta.get_field("preview").storage
        upload_to = LibraryVersion._meta.get_field("preview")
        picture = storage.save(
            upload_to.generate_filename(version, f"preview-{version.pk}.png"), ContentFile(thumbnail.png)
        )
        fields = {
            "preview_state": PreviewState.DONE,
            "preview": picture,
            "preview_width": thumbnail.width,
            "preview_height": thumbnail.height,
            "preview_note": "",
        }
    updated = LibraryVersion.objects.filter(pk=version.pk, preview_state=PreviewState.PENDING).update(**fields)
    if not updated and picture:  # another run got there first, or the version is gone: keep no stray picture
        LibraryVersion._meta.get_field("preview").storage.delete(picture)
    return _version_now(version.pk)


def _version_now(library_version_id: int) -> LibraryVersion | None:
    """The version as a worker's run leaves it, or None when it was purged while the run read its file."""
    return LibraryVersion.objects.filter(pk=library_version_id).first()


def library_version_preview_refuse(*, library_version_id: int, reason: str) -> None:
    """Give up drawing a version's preview, saying why; the file stays usable."""
    LibraryVersion.objects.filter(pk=library_version_id, preview_state=PreviewState.PENDING).update(
        preview_state=PreviewState.FAILED, preview_note=reason[:300]
    )


def _refresh_search_vector(item_id: int) -> None:
    """Title (A), tags and description (B) and the latest version's text (C), in the item's language."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE brandkit_libraryitem AS i SET search_vector =
                setweight(to_tsvector(i.search_config::regconfig, i.title), 'A')
                || setweight(to_tsvector(i.search_config::regconfig,
                       array_to_string(i.tags, ' ') || ' ' || i.description), 'B')
                || setweight(to_tsvector(i.search_config::regconfig, left(coalesce(
                       (SELECT v.text FROM brandkit_libraryversion v WHERE v.id = i.latest_version_id), ''
                   ), %s)), 'C')
            WHERE i.id = %s
            """,
            [INDEXED_CHARS, item_id],
        )


@transaction.atomic
def library_file_approved_request(*, request_id: int) -> LibraryItem | None:
    """File an approved request's final version as the client's past work, linked back; once per request."""
    from approvals.models import ApprovalRequest, ApprovalStatus

    request = (
        ApprovalRequest.objects.select_related("agency", "client", "project", "created_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.status not in (
        ApprovalStatus.APPROVED,
        ApprovalStatus.APPROVED_WITH_CHANGES,
    ):
        return None
    existing = LibraryItem.objects.filter(approval_request=request, kind=ItemKind.PAST_WORK).first()
    if existing is not None:
        return existing
    version = request.versions.filter(sent_at__isnull=False).order_by("-number").first()
    if version is None:
        return None
    item = LibraryItem.objects.create(
        agency=request.agency,
        client=request.client,
        title=request.title,
        kind=ItemKind.PAST_WORK,
        tags=["approved"],
        description=f"Approved on {timezone.localdate(request.decided_at or timezone.now()):%-d %b %Y}, "
        f"version {version.number} of the approval request “{request.title}”.",
        owner=request.created_by,
        project=request.project,
        approval_request=request,
        search_config=search_config_for(request.agency),
    )
    copy = LibraryVersion(
        agency=request.agency, item=item, number=1, uploaded_by=request.created_by, notes="Filed on approval."
    )
    if version.file:
        with version.file.open("rb") as handle:
            _store_bytes(copy, data=handle.read(), name=version.original_name or f"{request.title[:150]}.bin")
    else:
        text = version.text or ""
        _store_bytes(copy, data=text.encode(), name=f"{request.title[:150]}.txt")
        copy.text = text[: extraction.Limits().max_chars]
        copy.extraction_state = ExtractionState.DONE
    return _finish_filed(item, copy)


def _store_bytes(version: LibraryVersion, *, data: bytes, name: str) -> None:
    """Fill a new version from bytes the product itself files (approved work, sent reports)."""
    kind = extraction.sniff(data[:65536], name)
    version.original_name = name
    version.file_kind = kind
    version.content_type = extraction.content_type(kind, data[:16])
    version.size_bytes = len(data)
    version.sha256 = hashlib.sha256(data).hexdigest()
    version.file.save(name, ContentFile(data), save=False)
    version.extraction_state = ExtractionState.PENDING if kind == extraction.PDF else ExtractionState.NONE
    version.preview_state = _preview_state_for(kind)


def _finish_filed(item: LibraryItem, version: LibraryVersion) -> LibraryItem:
    version.save()
    item.latest_version = version
    item.save(update_fields=["latest_version"])
    _refresh_search_vector(item.pk)
    _queue_workers(version)
    return item


@transaction.atomic
def library_file_report(
    *,
    agency: Agency,
    client: Client,
    title: str,
    filename: str,
    content: bytes,
    owner: Membership | None = None,
) -> LibraryItem:
    """File a sent report's PDF in its client's library (once: the same bytes are never filed twice)."""
    digest = hashlib.sha256(content).hexdigest()
    existing = LibraryVersion.objects.filter(agency=agency, sha256=digest).select_related("item").first()
    if existing is not None:
        return existing.item
    item = LibraryItem.objects.create(
        agency=agency,
        client=client,
        title=title[:200],
        kind=ItemKind.REPORT,
        tags=["weekly report"],
        owner=owner,
        search_config=search_config_for(agency),
    )
    version = LibraryVersion(
        agency=agency, item=item, number=1, uploaded_by=owner, notes="Filed when the report was sent."
    )
    _store_bytes(version, data=content, name=filename)
    return _finish_filed(item, version)
