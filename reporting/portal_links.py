"""The portal home's link to the client's reports, shown only once one has been sent (a contribution to
projects' "Your projects" section; registered in ReportingConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from agencyops.models import ClientContact
from agencyops.planned_sql import planned_cursor
from projects.client_projects import PortalLink
from reporting.models import IssueState

# Written once: the portal home is every client's first page, and the ORM compiled this count on each view.
SENT_REPORTS_SQL = """
SELECT count(*) FROM reporting_reportissue r
WHERE r.agency_id = %(agency)s AND r.client_id = %(client)s AND r.state = %(sent)s
"""


def reports_link(*, contact: ClientContact) -> list[tuple[Any, PortalLink]]:
    """``Reports (n)`` when reports have been sent to the contact's client (one query)."""
    params = {"agency": contact.agency_id, "client": contact.client_id, "sent": IssueState.SENT.value}
    with planned_cursor() as cursor:
        cursor.execute(SENT_REPORTS_SQL, params)
        (sent,) = cursor.fetchone()
    if not sent:
        return []
    url = reverse("portal_report_list", kwargs={"agency_slug": contact.agency.slug})
    return [(20, PortalLink(label=f"Reports ({sent})", url=url))]
