"""What every page's shell needs: the current agency, the caller's other agencies, the nav."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString

from agencyops.fragment_cache import page_token, render_remembered
from agencyops.models import Role
from agencyops.tenancy import AgencyChoice, agencies_of

NAV = [
    ("home", "Home"),
    ("my_work", "My work"),
    ("client_list", "Clients"),
    ("project_list", "Projects"),
    ("approval_list", "Approvals"),
    ("escalation_list", "Escalations"),
    ("drafting_job_list", "Drafts"),
    ("content_list", "Content"),
    ("library", "Library"),
    ("reporting_campaign_list", "Reports"),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    # The token the page's kept fragments carry, masked once for the whole response (Django's own context
    # processor, which this one follows, would mask it a second time).
    csrf_token = SimpleLazyObject(lambda: page_token(request))
    contact = getattr(request, "contact", None)
    if contact is not None and request.user.is_authenticated:
        return {
            "nav": [],
            "csrf_token": csrf_token,
            "portal_header": lambda: _portal_header(request, contact),
        }
    membership = getattr(request, "membership", None)
    if membership is None or not request.user.is_authenticated:
        return {"nav": [], "csrf_token": csrf_token}

    @functools.cache
    def other_agencies() -> tuple[AgencyChoice, ...]:
        # Read with the membership on a page's first read (agencyops.tenancy.signed_in_membership).
        known = getattr(membership, "agencies", None)
        return known if known is not None else agencies_of(request.user.pk)

    # Owners run the team: for them it is one click from every page, not only inside the account menu.
    nav = (*NAV, ("member_list", "Team")) if membership.role == Role.OWNER else tuple(NAV)

    def topbar() -> SafeString:
        # The same on every page of a person in an agency but for the page they are on: remembered per
        # process under exactly what it shows (agencyops.fragment_cache.render_remembered).
        match = request.resolver_match
        return render_remembered(
            request,
            template_name="components/topbar.html",
            data={
                "nav": nav,
                "current_url_name": match.url_name if match else None,
                "current_membership": {
                    "agency_id": membership.agency_id,
                    "agency": {"slug": membership.agency.slug, "name": membership.agency.name},
                    "is_owner": membership.is_owner,
                    "unread_notifications": getattr(membership, "unread_notifications", 0),
                },
                "my_memberships": other_agencies(),
                "user": {"full_name": request.user.full_name, "email": request.user.email},
            },
        )

    return {
        "csrf_token": csrf_token,
        "nav": nav,
        "current_membership": membership,
        "my_memberships": other_agencies,
        # Lazy: only a page that shows the shell renders it (htmx partials do not).
        "topbar": topbar,
    }


def _portal_header(request: HttpRequest, contact: Any) -> SafeString:
    """The client portal's header, the same on every portal page of a contact: remembered per process under
    exactly what it shows (agencyops.fragment_cache.render_remembered), like the staff's top bar."""
    agency = contact.agency
    return render_remembered(
        request,
        template_name="portal/_header.html",
        data={
            "agency": {"slug": agency.slug, "name": agency.name, "has_logo": bool(agency.logo)},
            "client_name": contact.client.name,
            "user": {"full_name": request.user.full_name, "email": request.user.email},
        },
    )
