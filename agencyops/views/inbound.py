"""A client's private inbound address: issue (or rotate) it, or revoke it, from the client's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from agencyops.inbound.selectors import inbound_address_live
from agencyops.inbound.services import inbound_address_issue, inbound_address_revoke
from agencyops.models import Client
from agencyops.permissions import can_manage_inbox
from agencyops.tenancy import agency_view


@agency_view(permission=can_manage_inbox)
@require_POST
def client_inbound_address(request: HttpRequest, client_id: int) -> HttpResponse:
    """Issue a client a new inbound address (revoking the old one), or revoke it."""
    client = get_object_or_404(Client, pk=client_id)
    current = inbound_address_live(client)
    if request.POST.get("action") == "revoke":
        if current is not None:
            inbound_address_revoke(actor=request.membership, address=current)
            messages.success(request, "The inbound address is revoked: mail to it is held from now on.")
    else:
        address = inbound_address_issue(actor=request.membership, client=client)
        rotated = " (the old one is revoked)." if current is not None else "."
        messages.success(request, f"New inbound address for {client.name}: {address.email}{rotated}")
    return redirect("client_detail", agency_slug=request.agency.slug, client_id=client.pk)
