"""What every page's shell needs: the current agency, the caller's other agencies, the nav."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.http import HttpRequest
from django_scopes import scopes_disabled

from agencyops.models import Membership, Role

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


class AgencyChoice(NamedTuple):
    """An agency in the switcher: where it leads and the caller's role there."""

    agency_id: int
    slug: str
    name: str
    role: str


def shell(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None or not request.user.is_authenticated:
        return {"nav": []}

    def other_agencies() -> list[AgencyChoice]:
        # Lazy: one query of four columns, only when the switcher is rendered (on every page).
        with scopes_disabled():
            rows = (
                Membership.objects.filter(user=request.user, is_active=True)
                .order_by("agency__name")
                .values_list("agency_id", "agency__slug", "agency__name", "role")
            )
            return [AgencyChoice(pk, slug, name, Role(role).label) for pk, slug, name, role in rows]

    # Owners run the team: for them it is one click from every page, not only inside the account menu.
    nav = [*NAV, ("member_list", "Team")] if membership.role == Role.OWNER else NAV
    return {"nav": nav, "current_membership": membership, "my_memberships": other_agencies}
