"""What every page's shell needs: the current agency, the caller's other agencies, the nav."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import connection
from django.http import HttpRequest

from agencyops.models import Role

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


ROLE_LABELS = dict(Role.choices)

# The caller's agencies for the switcher, by name (the caller's own memberships: no tenant to scope by).
OTHER_AGENCIES_SQL = """
SELECT m.agency_id, a.slug, a.name, m.role
FROM agencyops_membership m JOIN agencyops_agency a ON a.id = m.agency_id
WHERE m.user_id = %s AND m.is_active
ORDER BY a.name
"""


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
        # Lazy: one query of four columns, only when the switcher is rendered (on every page), written
        # once rather than compiled by the ORM on every page.
        with connection.cursor() as cursor:
            cursor.execute(OTHER_AGENCIES_SQL, [request.user.pk])
            rows = cursor.fetchall()
        return [AgencyChoice(pk, slug, name, ROLE_LABELS.get(role, role)) for pk, slug, name, role in rows]

    # Owners run the team: for them it is one click from every page, not only inside the account menu.
    nav = [*NAV, ("member_list", "Team")] if membership.role == Role.OWNER else NAV
    return {"nav": nav, "current_membership": membership, "my_memberships": other_agencies}
