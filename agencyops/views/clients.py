"""Client pages: the list, a client's page, its form, its status, and its contacts."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencyops import sections as registry
from agencyops.forms.clients import ClientFilterForm, ClientForm, ContactForm
from agencyops.inbound.selectors import inbound_address_live
from agencyops.models import Client, ClientContact, ClientStatus
from agencyops.permissions import can_manage_clients
from agencyops.selectors.clients import agency_has_clients, client_contacts_for_detail, clients_for_list
from agencyops.services import clients as client_services
from agencyops.tenancy import agency_view

STATUS_ACTIONS = {
    ClientStatus.ACTIVE: "Reactivate",
    ClientStatus.PAUSED: "Pause",
    ClientStatus.ARCHIVED: "Archive",
}
STATUS_MESSAGES = {
    ClientStatus.ACTIVE: "{name} is active again.",
    ClientStatus.PAUSED: "{name} is paused. Its contacts can still open the portal.",
    ClientStatus.ARCHIVED: "{name} is archived. Its contacts can no longer open the portal.",
}


def _client_or_404(client_id: int) -> Client:
    # Inside the tenant scope, another agency's client is simply not there: a 404 like a missing one.
    return get_object_or_404(Client, pk=client_id)


@agency_view
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def client_list(request: HttpRequest) -> HttpResponse:
    """The agency's clients, filtered by status and name; htmx requests get the table alone."""
    filter_form = ClientFilterForm(request.GET or None)
    status, search = filter_form.filters()
    if not filter_form.is_bound:
        filter_form = ClientFilterForm(initial={"status": "active"})
    template = "agencyops/client_list.html"
    if request.htmx:
        template += "#client-table"
    clients = list(clients_for_list(request.agency, status=status, search=search))
    return TemplateResponse(
        request,
        template,
        {
            "filter_form": filter_form,
            "clients": clients,
            "status": status,
            "search": search,
            "has_any_client": bool(clients) or agency_has_clients(request.agency),
            "can_manage": can_manage_clients(request.membership),
        },
    )


@agency_view(permission=can_manage_clients)
@require_http_methods(["GET", "HEAD", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    """Add a client."""
    form = ClientForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        client = form.save(actor=request.membership)
        if client is not None:
            messages.success(request, f"{client.name} added. Add the people you work with there next.")
            return redirect("client_detail", agency_slug=request.agency.slug, client_id=client.pk)
    return TemplateResponse(request, "agencyops/client_form.html", {"form": form, "client": None})


@agency_view
@require_http_methods(["GET", "HEAD"])
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    """One client: its facts, status, contacts and their portal access, and the sections the apps register
    (its projects, open approvals, activity)."""
    client = _client_or_404(client_id)
    context = registry.SectionContext(
        request=request, agency=request.agency, viewer=request.membership, subject=client
    )
    return TemplateResponse(
        request,
        "agencyops/client_detail.html",
        {
            "client": client,
            "contacts": client_contacts_for_detail(client),
            "can_manage": can_manage_clients(request.membership),
            "client_sections": registry.sections_render(registry.CLIENT, context),
            "inbound_address": inbound_address_live(client) if can_manage_clients(request.membership) else None,
            "site_url": settings.SITE_URL,
        },
    )


@agency_view(permission=can_manage_clients)
@require_http_methods(["GET", "HEAD", "POST"])
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    """Edit a client's details."""
    client = _client_or_404(client_id)
    form = ClientForm(request.POST or None, request.FILES or None, client=client)
    if request.method == "POST" and form.is_valid():
        updated = form.save(actor=request.membership)
        if updated is not None:
            messages.success(request, f"{updated.name} saved.")
            return redirect("client_detail", agency_slug=request.agency.slug, client_id=updated.pk)
    return TemplateResponse(request, "agencyops/client_form.html", {"form": form, "client": client})


@agency_view(permission=can_manage_clients)
@require_http_methods(["GET", "HEAD", "POST"])
def client_status(request: HttpRequest, client_id: int) -> HttpResponse:
    """Pause, archive or reactivate a client; GET (or a POST from a browser without JS) asks to confirm."""
    client = _client_or_404(client_id)
    # The detail page's archive form carries "needs_confirmation" inside <noscript>: only a browser
    # without JavaScript (so without the data-confirm dialog) sends it, and it gets the confirm page.
    if request.method != "POST" or "needs_confirmation" in request.POST:
        status = request.POST.get("status") or request.GET.get("status")
        if status not in ClientStatus.values:
            status = ClientStatus.ARCHIVED
        return TemplateResponse(
            request,
            "agencyops/client_status_confirm.html",
            {"client": client, "status": status, "action": STATUS_ACTIONS[status]},
        )
    status = request.POST.get("status", "")
    try:
        client = client_services.client_set_status(actor=request.membership, client=client, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, STATUS_MESSAGES[ClientStatus(client.status)].format(name=client.name))
    return redirect("client_detail", agency_slug=request.agency.slug, client_id=client.pk)


def _contact_or_404(client: Client, contact_id: int) -> ClientContact:
    return get_object_or_404(ClientContact, pk=contact_id, client=client, is_active=True)


@agency_view(permission=can_manage_clients)
@require_http_methods(["GET", "HEAD", "POST"])
def contact_create(request: HttpRequest, client_id: int) -> HttpResponse:
    """Add a person at a client."""
    client = _client_or_404(client_id)
    form = ContactForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        contact = form.save(actor=request.membership)
        if contact is not None:
            messages.success(request, f"{contact.full_name} added to {client.name}.")
            return redirect("client_detail", agency_slug=request.agency.slug, client_id=client.pk)
    return TemplateResponse(
        request, "agencyops/contact_form.html", {"form": form, "client": client, "contact": None}
    )


@agency_view(permission=can_manage_clients)
@require_http_methods(["GET", "HEAD", "POST"])
def contact_edit(request: HttpRequest, client_id: int, contact_id: int) -> HttpResponse:
    """Edit a person at a client, or name them the default final approver."""
    client = _client_or_404(client_id)
    contact = _contact_or_404(client, contact_id)
    form = ContactForm(request.POST or None, client=client, contact=contact)
    if request.method == "POST" and form.is_valid():
        updated = form.save(actor=request.membership)
        if updated is not None:
            messages.success(request, f"{updated.full_name} saved.")
            return redirect("client_detail", agency_slug=request.agency.slug, client_id=client.pk)
    return TemplateResponse(
        request, "agencyops/contact_form.html", {"form": form, "client": client, "contact": contact}
    )


@agency_view(permission=can_manage_clients)
@require_POST
def contact_invite(request: HttpRequest, client_id: int, contact_id: int) -> HttpResponse:
    """Email a contact a link to the approval portal."""
    client = _client_or_404(client_id)
    contact = _contact_or_404(client, contact_id)
    try:
        client_services.client_contact_invite(actor=request.membership, contact=contact)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation sent to {contact.full_name} ({contact.email}).")
    return redirect("client_detail", agency_slug=request.agency.slug, client_id=client.pk)
