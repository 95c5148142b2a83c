"""Brandkit pages: a client's brand layer (view, edit, versions, compare, import and export), who sees brand
layers, decision constraints, content pieces (list, write, the pre-review checklist, accept, dismiss,
override, move, send for approval) and the portal's read-only brand layer.

Function views: resolve the tenant (``agency_view`` / ``portal_view``) → check the caller may see the
client (a 404 otherwise) → call a service or selector → render. htmx requests get the named partial.
"""

from __future__ import annotations

import difflib
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencyops.models import Client
from agencyops.tenancy import agency_view, portal_view
from brandkit import selectors, services
from brandkit.exports import brand_export_json, brand_export_vale_zip
from brandkit.findings import TEXT_FIELDS, can_accept, checklist, highlighted
from brandkit.forms import (
    BrandImportForm,
    BrandLayerForm,
    BrandSettingsForm,
    ConstraintForm,
    ContentEditForm,
    ContentFilterForm,
    ContentForm,
)
from brandkit.layer import SECTIONS
from brandkit.models import ContentState
from brandkit.permissions import (
    can_edit_brand,
    can_manage_brand_settings,
    can_override_checks,
    can_send_content,
)
from brandkit.services.content import EDITABLE, MOVES
from projects.models import Project


def _client_or_404(request: HttpRequest, client_id: int) -> Client:
    client = selectors.client_for_brand(request.membership, client_id)
    if client is None:
        raise Http404("No such client.")
    return client


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


# --------------------------------------------------------------------------- the brand layer


@agency_view
@require_http_methods(["GET", "HEAD"])
def brand_layer(request: HttpRequest, client_id: int) -> HttpResponse:
    """A client's brand layer as everyone on the team reads it, with its decision constraints."""
    client = _client_or_404(request, client_id)
    version = selectors.brand_layer_latest(client)
    entries = selectors.decision_entries_for(client)
    return TemplateResponse(
        request,
        "brandkit/brand_layer.html",
        {
            "client": client,
            "version": version,
            "layer": selectors.brand_layer_document(version),
            "constraints": selectors.constraints_of(client),
            "constraint_form": ConstraintForm(entries=entries) if entries else None,
            "can_edit": can_edit_brand(request.membership),
            "library_files": selectors.brand_files_of(client),
        },
    )


def _claim_texts(layer: dict[str, Any]) -> list[str]:
    return [claim["text"] for claim in layer.get("claims") or []]


def _ids(values: list[str]) -> list[int] | None:
    """Checkbox values as ids, or None when one is not a whole number (a hand-made request)."""
    if not all(v.isdigit() and len(v) <= 12 for v in values):
        return None
    return [int(v) for v in values]


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def brand_files(request: HttpRequest, client_id: int) -> HttpResponse:
    """Choose which of the client's library files are example assets and which prove each approved claim."""
    client = _client_or_404(request, client_id)
    if not can_edit_brand(request.membership):
        raise Http404("No such page.")
    claims = _claim_texts(selectors.brand_layer_document(selectors.brand_layer_latest(client)))
    errors: list[str] = []
    if request.method == "POST":
        examples = _ids(request.POST.getlist("examples"))
        proofs: dict[str, list[int]] = {}
        for index, claim in enumerate(claims):
            ids = _ids(request.POST.getlist(f"proof-{index}"))
            if ids is None:
                examples = None
            elif ids:
                proofs[claim] = ids
        if examples is None:
            errors.append("Choose files from the lists below.")
        else:
            try:
                services.brand_files_set(
                    actor=request.membership, client=client, examples=examples, proofs=proofs
                )
            except ValidationError as error:
                errors = _errors(error)
            else:
                messages.success(request, "Library files of the brand layer saved.")
                return redirect("brand_layer", request.agency.slug, client.pk)
    chosen = selectors.brand_files_of(client)
    context = {
        "client": client,
        "choices": selectors.brand_file_choices(client),
        "example_ids": chosen.example_ids,
        "claims": [(index, claim, chosen.proof_ids(claim)) for index, claim in enumerate(claims)],
        "errors": errors,
    }
    return TemplateResponse(request, "brandkit/brand_files.html", context, status=400 if errors else 200)


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def brand_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    """The whole layer on one form; saving makes a new version."""
    client = _client_or_404(request, client_id)
    if not can_edit_brand(request.membership):
        raise Http404("No such page.")
    latest = selectors.brand_layer_latest(client)
    layer = selectors.brand_layer_document(latest)
    form = BrandLayerForm(request.POST or None, layer=layer)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.brand_layer_save(
                actor=request.membership,
                client=client,
                content=form.document(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_layer_errors(error.message_dict)
            else:
                form.add_error(None, error.messages)
        else:
            if latest is not None and version.pk == latest.pk:
                messages.info(request, "Nothing changed, so no new version was saved.")
            else:
                messages.success(request, f"Saved as version {version.number}.")
            return redirect("brand_layer", request.agency.slug, client.pk)
    return TemplateResponse(
        request, "brandkit/brand_edit.html", {"client": client, "form": form, "version": latest}
    )


@agency_view
@require_http_methods(["GET", "HEAD"])
def brand_versions(request: HttpRequest, client_id: int) -> HttpResponse:
    """Every saved version, who saved it and what changed; pick two to compare."""
    client = _client_or_404(request, client_id)
    versions = list(selectors.brand_versions(client))
    labels = dict(SECTIONS)
    for version in versions:
        version.changed_labels = [labels.get(s, s) for s in version.changed]
    return TemplateResponse(request, "brandkit/brand_versions.html", {"client": client, "versions": versions})


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


@agency_view
@require_http_methods(["GET", "HEAD"])
def brand_compare(request: HttpRequest, client_id: int) -> HttpResponse:
    """Two versions side by side, section by section (default: the latest against the one before)."""
    client = _client_or_404(request, client_id)
    compare = selectors.brand_compare(client, _int(request.GET.get("a")), _int(request.GET.get("b")))
    if compare is None:
        raise Http404("No such version.")
    return TemplateResponse(request, "brandkit/brand_compare.html", {"client": client, **compare})


@agency_view
@require_http_methods(["GET", "HEAD"])
def brand_export(request: HttpRequest, client_id: int) -> HttpResponse:
    """Download the layer as JSON."""
    client = _client_or_404(request, client_id)
    return brand_export_json(client, selectors.brand_layer_latest(client))


@agency_view
@require_http_methods(["GET", "HEAD"])
def brand_vale_export(request: HttpRequest, client_id: int) -> HttpResponse:
    """Download the layer's rules as a Vale style zip."""
    client = _client_or_404(request, client_id)
    return brand_export_vale_zip(client, selectors.brand_layer_latest(client))


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def brand_import(request: HttpRequest, client_id: int) -> HttpResponse:
    """Import a JSON export or a Vale style zip: all of it or nothing, refusals name the file and line."""
    client = _client_or_404(request, client_id)
    if not can_edit_brand(request.membership):
        raise Http404("No such page.")
    form = BrandImportForm(request.POST or None, request.FILES or None)
    unsupported: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read(services.brand.MAX_IMPORT_BYTES + 1)
        try:
            if form.cleaned_data["kind"] == "vale":
                version, unsupported = services.brand_layer_import_vale(
                    actor=request.membership, client=client, raw=raw, filename=upload.name
                )
            else:
                version = services.brand_layer_import_json(
                    actor=request.membership, client=client, raw=raw, filename=upload.name
                )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error("file", message)
        else:
            messages.success(request, f"Imported {upload.name} as version {version.number}.")
            if not unsupported:
                return redirect("brand_layer", request.agency.slug, client.pk)
    return TemplateResponse(
        request, "brandkit/brand_import.html", {"client": client, "form": form, "unsupported": unsupported}
    )


@agency_view
@require_POST
def constraint_add(request: HttpRequest, client_id: int) -> HttpResponse:
    """Attach a checkable constraint to one of the client's decision-log entries."""
    client = _client_or_404(request, client_id)
    entries = selectors.decision_entries_for(client)
    form = ConstraintForm(request.POST, entries=entries)
    if form.is_valid():
        try:
            services.decision_constraint_add(
                actor=request.membership,
                entry=form.entries[form.cleaned_data["entry"]],
                term=form.cleaned_data["term"],
                must=form.cleaned_data["must"],
            )
            messages.success(request, "The decision is now checked in every draft for this client.")
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
    else:
        messages.error(request, "Choose a decision and name the words.")
    return redirect("brand_layer", request.agency.slug, client.pk)


@agency_view(permission=can_manage_brand_settings)
@require_http_methods(["GET", "HEAD", "POST"])
def brand_settings(request: HttpRequest) -> HttpResponse:
    """Who reads brand layers: members (every client or only theirs) and client contacts (their own)."""
    current = selectors.brand_settings_for(request.agency)
    form = BrandSettingsForm(
        request.POST or None,
        initial={
            "members_see_only_their_clients": current.members_see_only_their_clients,
            "share_with_client_contacts": current.share_with_client_contacts,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.brand_settings_update(actor=request.membership, **form.cleaned_data)
        messages.success(request, "Saved who sees brand layers.")
        return redirect("brand_settings", request.agency.slug)
    return TemplateResponse(request, "brandkit/brand_settings.html", {"form": form})


# --------------------------------------------------------------------------- content pieces


@agency_view
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def content_list(request: HttpRequest) -> HttpResponse:
    """Content pieces by client, state and channel."""
    clients = list(selectors.clients_with_brand_access(request.membership).only("pk", "name"))
    filter_form = ContentFilterForm(request.GET or None, clients=clients)
    filters = filter_form.filters()
    pieces = list(selectors.content_pieces(request.membership, **filters))
    name = "brandkit/content_list.html" + ("#piece-table" if request.htmx else "")
    return TemplateResponse(
        request, name, {"filter_form": filter_form, "pieces": pieces, "filtered": any(filters.values())}
    )


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def content_create(request: HttpRequest) -> HttpResponse:
    """Write or paste copy for a client and channel; it is checked as soon as it is saved."""
    clients = list(selectors.clients_with_brand_access(request.membership).only("pk", "name"))
    projects = list(Project.objects.filter(client__in=[c.pk for c in clients]).select_related("client"))
    initial = {"client": _int(request.GET.get("client"))}
    form = ContentForm(request.POST or None, clients=clients, projects=projects, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            piece = services.content_piece_create(
                actor=request.membership,
                client=form.clients[data["client"]],
                project=form.projects.get(data["project"]) if data["project"] else None,
                title=data["title"],
                channel=data["channel"],
                goal=data["goal"],
                **{f: data[f] for f in TEXT_FIELDS},
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            return redirect("content_detail", request.agency.slug, piece.pk)
    return TemplateResponse(request, "brandkit/content_create.html", {"form": form})


def _piece_or_404(request: HttpRequest, piece_id: int) -> Any:
    piece = selectors.content_piece_for(request.membership, piece_id)
    if piece is None:
        raise Http404("No such content piece.")
    return piece


def _piece_context(request: HttpRequest, piece: Any, **extra: Any) -> dict[str, Any]:
    latest = selectors.latest_version(piece)
    dismissed = selectors.dismissed_keys(piece)
    items = checklist(latest.findings, dismissed=dismissed, staff=True)
    open_records = [r for item in items for r in item.findings]
    fields = [
        (field, highlighted(getattr(latest, field), open_records, field=field))
        for field in TEXT_FIELDS
        if getattr(latest, field)
    ]
    state = piece.effective_state
    newest = selectors.brand_layer_latest(piece.client)
    return {
        "stale_brand": newest is not None and latest.brand_version_id != newest.pk,
        "newest_brand": newest,
        "piece": piece,
        "latest": latest,
        "checklist": items,
        "fields": fields,
        "open_errors": [r for r in open_records if r["severity"] == "error"],
        "dismissals": list(piece.dismissals.all()),
        "transitions": list(piece.transitions.all()),
        "versions": list(piece.versions.all()),
        "moves": [(s, ContentState(s).label) for s in MOVES.get(state, ())],
        "editable": state in EDITABLE
        or bool(piece.approval_request and piece.approval_request.status == "changes_requested"),
        "can_override": can_override_checks(request.membership),
        "can_send": can_send_content(request.membership)
        and (
            state == ContentState.READY_FOR_CLIENT
            or bool(piece.approval_request and piece.approval_request.status == "changes_requested")
        ),
        "can_accept": can_accept,
        "edit_form": extra.pop("edit_form", None)
        or ContentEditForm(initial={f: getattr(latest, f) for f in TEXT_FIELDS}),
        **extra,
    }


@agency_view
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def content_detail(request: HttpRequest, piece_id: int) -> HttpResponse:
    """The piece with the eight pre-review questions answered from its findings, spans highlighted."""
    piece = _piece_or_404(request, piece_id)
    return TemplateResponse(request, "brandkit/content_detail.html", _piece_context(request, piece))


def _back(request: HttpRequest, piece_id: int) -> HttpResponse:
    return redirect("content_detail", request.agency.slug, piece_id)


@agency_view
@require_POST
def content_edit(request: HttpRequest, piece_id: int) -> HttpResponse:
    """Save an edit as the next version; it is checked again."""
    piece = _piece_or_404(request, piece_id)
    form = ContentEditForm(request.POST)
    if form.is_valid():
        try:
            services.content_piece_edit(actor=request.membership, piece=piece, **form.cleaned_data)
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, "Saved and checked again.")
            return _back(request, piece.pk)
    context = _piece_context(request, piece, edit_form=form)
    return TemplateResponse(request, "brandkit/content_detail.html", context, status=400)


@agency_view
@require_POST
def content_recheck(request: HttpRequest, piece_id: int) -> HttpResponse:
    """Check the piece again against the client's newest brand layer."""
    piece = _piece_or_404(request, piece_id)
    try:
        version = services.content_piece_recheck(actor=request.membership, piece=piece)
        messages.success(request, f"{version.note}.")
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    return _back(request, piece.pk)


@agency_view
@require_POST
def content_finding(request: HttpRequest, piece_id: int) -> HttpResponse:
    """Accept a finding's suggestion (a new version) or dismiss it with a reason."""
    piece = _piece_or_404(request, piece_id)
    key, action = request.POST.get("key", "")[:64], request.POST.get("action", "")
    try:
        if action == "accept":
            services.content_finding_accept(actor=request.membership, piece=piece, key=key)
            messages.success(request, "Suggestion applied; saved as a new version.")
        elif action == "dismiss":
            services.content_finding_dismiss(
                actor=request.membership, piece=piece, key=key, reason=request.POST.get("reason", "")[:2000]
            )
            messages.success(request, "Finding dismissed; the reason is kept.")
        else:
            messages.error(request, "Choose accept or dismiss.")
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    return _back(request, piece.pk)


@agency_view
@require_POST
def content_move(request: HttpRequest, piece_id: int) -> HttpResponse:
    """Move the piece (an override needs a reason), or send it for approval."""
    piece = _piece_or_404(request, piece_id)
    to_state = request.POST.get("to_state", "")
    try:
        if to_state == ContentState.SENT_FOR_APPROVAL:
            piece = services.content_piece_send_for_approval(actor=request.membership, piece=piece)
            messages.success(
                request, f"Sent to {piece.approval_request.final_approver.full_name} for approval."
            )
        else:
            services.content_piece_transition(
                actor=request.membership,
                piece=piece,
                to_state=to_state,
                override_reason=request.POST.get("override_reason", "")[:2000],
            )
            messages.success(request, f"Moved to {ContentState(to_state).label.lower()}.")
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    return _back(request, piece.pk)


@agency_view
@require_http_methods(["GET", "HEAD"])
def content_diff(request: HttpRequest, piece_id: int) -> HttpResponse:
    """What changed between two versions of the copy, line by line (default: the last edit)."""
    piece = _piece_or_404(request, piece_id)
    versions = {v.number: v for v in piece.versions.all()}
    newest = max(versions)
    b = _int(request.GET.get("b")) or newest
    a = _int(request.GET.get("a")) or max(b - 1, 1)
    if a not in versions or b not in versions:
        raise Http404("No such version.")
    rows = []
    for field in TEXT_FIELDS:
        before, after = getattr(versions[a], field), getattr(versions[b], field)
        if before or after:
            diff = difflib.ndiff(before.splitlines(), after.splitlines())
            rows.append((field, [(line[:1], line[2:]) for line in diff if not line.startswith("?")]))
    return TemplateResponse(
        request,
        "brandkit/content_diff.html",
        {"piece": piece, "a": versions[a], "b": versions[b], "rows": rows, "numbers": sorted(versions)},
    )


# --------------------------------------------------------------------------- portal


@portal_view
@require_http_methods(["GET", "HEAD"])
def portal_brand(request: HttpRequest) -> HttpResponse:
    """The contact's own brand layer, read-only, when the agency shares it."""
    contact = request.contact
    shared = selectors.portal_brand_visible(contact)
    version = selectors.brand_layer_latest(contact.client) if shared else None
    return TemplateResponse(
        request,
        "brandkit/portal_brand.html",
        {
            "contact": contact,
            "client": contact.client,
            "agency": request.agency,
            "shared": shared,
            "version": version,
            "layer": selectors.brand_layer_document(version),
            "portal_home_url": reverse("portal_home", args=[request.agency.slug]),
        },
    )
