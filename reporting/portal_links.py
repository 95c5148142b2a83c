"""The portal home's link to the client's reports, shown only once one has been sent (a contribution to
projects' "Your projects" section; registered in ReportingConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from agencyops.models import ClientContact
from projects.client_projects import PortalLink
from reporting.models import IssueState, ReportIssue


def reports_link(*, contact: ClientContact) -> list[tuple[Any, PortalLink]]:
    """``Reports (n)`` when reports have been sent to the contact's client (one query)."""
    sent = ReportIssue.objects.filter(client_id=contact.client_id, state=IssueState.SENT).count()
    if not sent:
        return []
    url = reverse("portal_report_list", kwargs={"agency_slug": contact.agency.slug})
    return [(20, PortalLink(label=f"Reports ({sent})", url=url))]
