"""Library pages for the team, and the client's Brand files page in the portal.

Staff: search and filters (htmx search-as-you-type, real links without script), an item with its versions,
upload, replace, edit, share with the client, delete and restore. Portal: the items the agency shares with
the contact's client, latest shared version only. Files are always streamed through these views after the
tenant check; SVG and HTML are never shown inline.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from agencyops import files
from agencyops.models import Client, Membership
from agencyops.permissions import can_lead_work
from agencyops.tenancy import agency_view, portal_view
from brandkit.library import extraction, selectors, services
from brandkit.library.forms import (
    LibraryFilterForm,
    LibraryItemEditForm,
    LibraryItemForm,
    LibraryVersionForm,
    split_tags,
)
from brandkit.library.models import LibraryItem, LibraryVersion


def _errors_into(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _filters(form: LibraryFilterForm) -> selectors.LibraryFilters:
    data = form.cleaned_data if form.is_valid() else {}
    client = data.get("client") or ""
    return selectors.LibraryFilters(
        q=data.get("q") or "",
        client_id=int(client) if client.isdigit() else None,
        agency_wide=client == "agency",
        kind=data.get("kind") or "",
        tag=data.get("tag") or "",
        owner_id=int(data["owner"]) if (data.get("owner") or "").isdigit() else None,
        project_id=data.get("project"),
        since=data.get("since"),
        until=data.get("until"),
        page=data.get("page") or 1,
    )


@agency_view
@vary_on_headers("HX-Request")
def library_index(request: HttpRequest) -> HttpResponse:
    """Search the library; htmx asks for the results alone as a person types."""
    clients = list(Client.objects.filter(agency=request.agency).order_by("name").only("pk", "name"))
    owners = list(
        Membership.objects.filter(agency=request.agency, is_active=True)
        .select_related("user")
        .order_by("user__full_name")
    )
    form = LibraryFilterForm(request.GET or None, clients=clients, owners=owners)
    filters = _filters(form)
    page = selectors.library_search(viewer=request.membership, filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "results": page,
        "query_string": query.urlencode(),
        "filtered": any(
            request.GET.get(k) for k in ("q", "client", "kind", "tag", "owner", "project", "since", "until")
        ),
    }
    template = "brandkit/library/index.html"
    if request.htmx:
        template += "#library-results"
    return TemplateResponse(request, template, context)


@agency_view
def library_item_new(request: HttpRequest) -> HttpResponse:
    clients = Client.objects.filter(agency=request.agency).order_by("name")
    initial = {}
    if request.GET.get("client", "").isdigit():
        initial["client"] = int(request.GET["client"])
    form = LibraryItemForm(request.POST or None, request.FILES or None, clients=clients, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.library_item_create(
                actor=request.membership,
                title=data["title"],
                kind=data["kind"],
                client=data["client"],
                tags=split_tags(data["tags"]),
                description=data["description"],
                upload=data["file"],
                url=data["url"] or "",
                allow_duplicate=data["allow_duplicate"],
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, f"“{item.title}” is in the library.")
            return redirect("library_item", request.agency.slug, item.pk)
    return TemplateResponse(
        request, "brandkit/library/item_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _item_or_404(request: HttpRequest, item_id: int, *, include_deleted: bool = False) -> LibraryItem:
    item = selectors.library_item_detail(
        viewer=request.membership, item_id=item_id, include_deleted=include_deleted
    )
    if item is None:
        raise Http404("No such library item.")
    return item


def _item_page(
    request: HttpRequest, item: LibraryItem, *, version_form=None, edit_form=None, status: int = 200
):
    context = {
        "item": item,
        "version_form": version_form or LibraryVersionForm(),
        "edit_form": edit_form
        or LibraryItemEditForm(
            initial={
                "title": item.title,
                "kind": item.kind,
                "tags": ", ".join(item.tags),
                "description": item.description,
            }
        ),
        "can_lead": can_lead_work(request.membership),
        "active_kinds": extraction.ACTIVE_KINDS,
    }
    return TemplateResponse(request, "brandkit/library/item_detail.html", context, status=status)


@agency_view
def library_item(request: HttpRequest, item_id: int) -> HttpResponse:
    return _item_page(request, _item_or_404(request, item_id, include_deleted=True))


@agency_view
@require_POST
def library_version_new(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    form = LibraryVersionForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            version = services.library_version_add(
                actor=request.membership,
                item=item,
                upload=data["file"],
                url=data["url"] or "",
                notes=data["notes"],
                allow_duplicate=data["allow_duplicate"],
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, f"Version {version.number} is now the latest.")
            return redirect("library_item", request.agency.slug, item.pk)
    return _item_page(request, _item_or_404(request, item_id), version_form=form, status=400)


@agency_view
@require_POST
def library_item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    form = LibraryItemEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.library_item_update(
                actor=request.membership, item=item, title=data["title"], kind=data["kind"],
                tags=split_tags(data["tags"]), description=data["description"],
            )  # fmt: skip
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("library_item", request.agency.slug, item.pk)
    return _item_page(request, item, edit_form=form, status=400)


def _lead_action(request: HttpRequest, item_id: int, action, success: str) -> HttpResponse:
    item = _item_or_404(request, item_id, include_deleted=True)
    try:
        action(item)
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return HttpResponseRedirect(reverse("library_item", args=[request.agency.slug, item.pk]))


@agency_view
@require_POST
def library_item_share(request: HttpRequest, item_id: int) -> HttpResponse:
    visible = request.POST.get("visible") == "1"
    return _lead_action(
        request, item_id,
        lambda item: services.library_item_share(actor=request.membership, item=item, visible=visible),
        "Shared on the client's Brand files page." if visible else "No longer shown to the client.",
    )  # fmt: skip


@agency_view
@require_POST
def library_version_share(request: HttpRequest, item_id: int, library_version_id: int) -> HttpResponse:
    version = selectors.library_version_for(
        viewer=request.membership, item_id=item_id, library_version_id=library_version_id
    )
    if version is None:
        raise Http404("No such version.")
    visible = request.POST.get("visible") == "1"
    services.library_version_share(actor=request.membership, version=version, visible=visible)
    messages.success(
        request, f"Version {version.number} is {'visible' if visible else 'hidden'} in the portal."
    )
    return HttpResponseRedirect(reverse("library_item", args=[request.agency.slug, item_id]))


@agency_view
@require_POST
def library_item_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    return _lead_action(
        request, item_id,
        lambda item: services.library_item_delete(actor=request.membership, item=item),
        "Moved to the bin: it can be restored for 30 days.",
    )  # fmt: skip


@agency_view
@require_POST
def library_item_restore(request: HttpRequest, item_id: int) -> HttpResponse:
    return _lead_action(
        request, item_id,
        lambda item: services.library_item_restore(actor=request.membership, item=item),
        "Restored, with all its versions.",
    )  # fmt: skip


@agency_view
def library_bin(request: HttpRequest) -> HttpResponse:
    """Deleted items still within the restore window."""
    page = selectors.library_search(
        viewer=request.membership, filters=selectors.LibraryFilters(deleted=True, page=1)
    )
    return TemplateResponse(request, "brandkit/library/bin.html", {"results": page})


def stream_version(
    version: LibraryVersion, *, download_name: str = "", as_attachment: bool = False
) -> HttpResponse:
    """A stored file as a response no browser will run: active kinds are attachments, nothing is sniffed.
    ``as_attachment`` makes every kind a download (the client's "Download" button)."""
    if version.is_link:
        return HttpResponseRedirect(version.url)
    if not version.file:
        raise Http404("No file.")
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing from storage.") from None
    inline = not as_attachment and version.file_kind not in extraction.ACTIVE_KINDS and version.file_kind in (
        extraction.IMAGE, extraction.PDF, extraction.TEXT,
    )  # fmt: skip
    response = FileResponse(
        handle,
        content_type=version.content_type or "application/octet-stream",
        as_attachment=not inline,
        filename=download_name or version.original_name or "file",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


@agency_view
def library_version_download(request: HttpRequest, item_id: int, library_version_id: int) -> HttpResponse:
    version = selectors.library_version_for(
        viewer=request.membership, item_id=item_id, library_version_id=library_version_id
    )
    if version is None:
        raise Http404("No such version.")
    return stream_version(version)


def stream_preview(version: LibraryVersion) -> HttpResponse:
    """A version's drawn preview (a PNG the worker made), or 404 while there is none."""
    if version.preview_state != "done" or not version.preview:
        raise Http404("No preview.")
    return files.stream(version.preview, filename=f"preview-{version.pk}.png", max_age=3600)


@agency_view
def library_version_preview(request: HttpRequest, item_id: int, library_version_id: int) -> HttpResponse:
    """The preview of a version, after the tenant check (never a public path)."""
    version = selectors.library_version_for(
        viewer=request.membership, item_id=item_id, library_version_id=library_version_id
    )
    if version is None:
        raise Http404("No such version.")
    return stream_preview(version)


# --- Portal ----------------------------------------------------------------------------------------


@portal_view
def portal_brand_files(request: HttpRequest) -> HttpResponse:
    """The files the agency shares with this client: latest shared version of each, ready to download."""
    items = selectors.shared_brand_files(contact=request.contact)
    context = {
        "items": items,
        "client": request.contact.client,
        "agency": request.agency,
        "contact": request.contact,
    }
    return TemplateResponse(request, "portal/brand_files.html", context)


@portal_view
def portal_brand_file_download(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.shared_brand_file(contact=request.contact, item_id=item_id)
    if item is None:
        raise Http404("No such file.")
    return stream_version(item.shared_version, as_attachment=True)


@portal_view
def portal_brand_file_preview(request: HttpRequest, item_id: int) -> HttpResponse:
    """The preview of the shared version of a shared item, to a contact of its client only."""
    item = selectors.shared_brand_file(contact=request.contact, item_id=item_id)
    if item is None:
        raise Http404("No such file.")
    return stream_preview(item.shared_version)
