"""The landing redirect, the owner's home view and the sections later layers fill in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_scopes import scopes_disabled

from agencyops import sections as registry
from agencyops.fragment_cache import render_for_data
from agencyops.models import ClientContact, Membership
from agencyops.tenancy import agency_view


def start(request: HttpRequest) -> HttpResponse:
    """Send people where they work: staff to their agency, client contacts to their portal."""
    if not request.user.is_authenticated:
        return redirect("login")
    with scopes_disabled():
        membership = (
            Membership.objects.filter(user=request.user, is_active=True)
            .select_related("agency")
            .order_by("joined_at")
            .first()
        )
        if membership is not None:
            return redirect("home", agency_slug=membership.agency.slug)
        if ClientContact.objects.filter(user=request.user, is_active=True).exists():
            return redirect("portal_index")
    return TemplateResponse(request, "agencyops/no_agency.html", {})


SECTIONS_TEMPLATE = "agencyops/_home_sections.html"


@agency_view
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    """The owner's one-minute view: what is due this week, what is blocked, what needs a decision.

    The sections are the ones the apps register (agencyops/sections.py). Each lists its most pressing
    items; ``?show=all`` lists everything. htmx requests (the sections refreshing after a status change)
    get the sections alone.
    """
    show_all = request.GET.get("show") == "all"
    home_url = reverse("home", kwargs={"agency_slug": request.agency.slug})
    template = "agencyops/home.html"
    if request.htmx:
        template += "#sections"
    context = registry.SectionContext(
        request=request, agency=request.agency, viewer=request.membership, extra={"show_all": show_all}
    )
    shown = registry.sections_render(registry.HOME, context)
    body_context = {
        "agency": request.agency,
        "home_sections": shown,
        "show_all": show_all,
        # The sections refresh (and status forms return) to the view the person is looking at.
        "home_url": home_url + ("?show=all" if show_all else ""),
        "show_all_url": home_url + "?show=all",
        "show_less_url": home_url,
    }
    # The sections' markup is most of the page's cost and follows from what they loaded: the body is
    # kept under a digest of that data (and of the viewer), rendered again only when something shown changed.
    sections_body = render_for_data(
        request,
        template_name=SECTIONS_TEMPLATE,
        data=[(s.key, s.template, s.data) for s in shown],
        variant=(request.agency.slug, request.membership.pk, request.membership.role, show_all),
        context=lambda: body_context,
        includes=[s.template for s in shown],
    )
    return TemplateResponse(request, template, {"agency": request.agency, "sections_body": sections_body})
