"""The client approval portal: its own URL space and templates, never the staff shell."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from agencyops import files
from agencyops import sections as registry
from agencyops.brand_colour import brand_colour_problem
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
    decisions they have made, their projects)."""
    contact = request.contact
    agency = request.agency
    # Every client's first page: kept under the agency's data version, the day and who is looking. A
    # countdown ("due in 3 hours") changes with no write: the approvals section reports when, and the kept
    # body lasts no longer.
    sections_body = registry.sections_render_kept(
        request,
        registry.PORTAL_HOME,
        template_name="portal/_home_sections.html",
        agency=agency,
        viewer=contact,
        # The sections' empty states and links show the agency's name and address.
        variant=(agency.slug, agency.name, contact.pk),
        context=lambda shown: {"agency": agency, "portal_sections": shown},
    )
    return TemplateResponse(
        request,
        "portal/home.html",
        {"contact": contact, "client": contact.client, "agency": agency, "sections_body": sections_body},
    )


@portal_view
@require_http_methods(["GET", "HEAD"])
def portal_branding_css(request: HttpRequest) -> HttpResponse:
    """The agency's colour as CSS custom properties: a same-origin stylesheet, because the CSP allows no
    inline style. Its URL carries the colour, so a changed colour is a new URL and this one may be kept."""
    colour = request.agency.brand_colour
    # Only ever a checked #rrggbb goes into the stylesheet, whatever a row was given by other means.
    shown = colour if colour and brand_colour_problem(colour) is None and colour.startswith("#") else ""
    css = render_to_string("portal/branding.css", {"colour": shown})
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@portal_view
@require_http_methods(["GET", "HEAD"])
def portal_logo(request: HttpRequest) -> HttpResponse:
    """The agency's logo, for the portal's header; only a contact of one of the agency's clients gets it."""
    if not request.agency.logo:
        raise Http404("This agency has no logo.")
    return files.stream(request.agency.logo, filename="logo", max_age=300)
