"""The client approval portal: its own URL space and templates, never the staff shell."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from agencyops import sections as registry
from agencyops.selectors.clients import portal_contacts_for_user
from agencyops.tenancy import portal_view


@login_required
@require_http_methods(["GET", "HEAD"])
def portal_index(request: HttpRequest) -> HttpResponse:
    """Send a contact to their portal, or let someone who approves for several agencies pick one."""
    contacts = portal_contacts_for_user(request.user)
    if not contacts:
        raise Http404("No portal for this account.")
    # The portal is per agency (a contact of two clients at one agency still has one portal there).
    agencies = {contact.agency_id for contact in contacts}
    if len(agencies) == 1:
        return redirect("portal_home", agency_slug=contacts[0].agency.slug)
    return TemplateResponse(request, "portal/index.html", {"contacts": contacts})


# It resolves no tenant from the URL: it only lists the caller's own contact rows, each a link to a
# portal page that @portal_view checks again.
portal_index.tenant_policy = "portal"  # type: ignore[attr-defined]


@portal_view
@require_http_methods(["GET", "HEAD"])
def portal_home(request: HttpRequest) -> HttpResponse:
    """A client contact's start page: the sections the apps register (what awaits their approval, the
    decisions they have made)."""
    contact = request.contact
    context = registry.SectionContext(request=request, agency=request.agency, viewer=contact)
    return TemplateResponse(
        request,
        "portal/home.html",
        {
            "contact": contact,
            "client": contact.client,
            "agency": request.agency,
            "portal_sections": registry.sections_render(registry.PORTAL_HOME, context),
        },
    )
