"""Uploaded files of the platform (logos) served through the app, after the same tenant check as the
pages that show them: production needs no public /media/ location (see README, "Uploaded files")."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from agencyops import files
from agencyops.models import Client
from agencyops.tenancy import agency_view


@agency_view
@require_http_methods(["GET", "HEAD"])
def agency_logo(request: HttpRequest) -> HttpResponse:
    """The agency's logo, for its team."""
    if not request.agency.logo:
        raise Http404("This agency has no logo.")
    return files.stream(request.agency.logo, filename="logo")


@agency_view
@require_http_methods(["GET", "HEAD"])
def client_logo(request: HttpRequest, client_id: int) -> HttpResponse:
    """A client's logo, for the agency's team; another agency's client is a 404."""
    client = get_object_or_404(Client, pk=client_id)
    if not client.logo:
        raise Http404("This client has no logo.")
    return files.stream(client.logo, filename=f"{client.slug}-logo")
