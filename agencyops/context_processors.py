"""What every page's shell needs: the current agency, the caller's other agencies, the nav."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_scopes import scopes_disabled

from agencyops.models import Membership

NAV = [
    ("home", "Home"),
    ("my_work", "My work"),
    ("client_list", "Clients"),
    ("project_list", "Projects"),
    ("approval_list", "Approvals"),
    ("escalation_list", "Escalations"),
    ("draft_list", "Drafts"),
    ("library", "Library"),
    ("report_list", "Reports"),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None or not request.user.is_authenticated:
        return {"nav": []}

    def other_agencies() -> list[Membership]:
        # Lazy: one query, only when the switcher is rendered.
        with scopes_disabled():
            return list(
                Membership.objects.filter(user=request.user, is_active=True)
                .select_related("agency")
                .order_by("agency__name")
            )

    return {"nav": NAV, "current_membership": membership, "my_memberships": other_agencies}
