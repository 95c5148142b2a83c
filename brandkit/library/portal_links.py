"""The portal home's link to the client's brand files, shown only once the agency shares one
(a contribution to projects' "Your projects" section; registered in BrandkitConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from agencyops.models import ClientContact
from agencyops.planned_sql import planned_cursor, unseen_by_planner
from projects.client_projects import PortalLink

# Written once: the portal home is every client's first page, and the ORM compiled this count on each view.
# The agency and client are unseen while PostgreSQL plans, so a small agency's portal keeps one plan beside
# an agency with a large library (see agencyops.planned_sql.unseen_by_planner).
SHARED_FILES_SQL = f"""
SELECT count(*) FROM brandkit_libraryitem i
WHERE i.agency_id = {unseen_by_planner("agency")} AND i.client_id = {unseen_by_planner("client")}
  AND i.client_visible AND i.deleted_at IS NULL
"""


def brand_files_link(*, contact: ClientContact) -> list[tuple[Any, PortalLink]]:
    """``Brand files (n)`` when the contact's client has shared files (one query)."""
    with planned_cursor() as cursor:
        cursor.execute(SHARED_FILES_SQL, {"agency": contact.agency_id, "client": contact.client_id})
        (shared,) = cursor.fetchone()
    if not shared:
        return []
    url = reverse("portal_brand_files", kwargs={"agency_slug": contact.agency.slug})
    return [(10, PortalLink(label=f"Brand files ({shared})", url=url))]
