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
    agency, membership = request.agency, request.membership
    home_url = reverse("home", kwargs={"agency_slug": agency.slug})
    template = "agencyops/home.html"
    if request.htmx:
        template += "#sections"
    body_context = {
        "agency": agency,
        "show_all": show_all,
        # The sections refresh (and status forms return) to the view the person is looking at.
        "home_url": home_url + ("?show=all" if show_all else ""),
        "show_all_url": home_url + "?show=all",
        "show_less_url": home_url,
    }
    # The sections are the agency's whole week: kept under its data version, the day and who is looking.
    sections_body = registry.sections_render_kept(
        request,
        registry.HOME,
        template_name=SECTIONS_TEMPLATE,
        agency=agency,
        viewer=membership,
        variant=(agency.slug, membership.pk, membership.role, show_all),
        context=lambda shown: {**body_context, "home_sections": shown},
        extra={"show_all": show_all},
    )
    return TemplateResponse(request, template, {"agency": agency, "sections_body": sections_body})
