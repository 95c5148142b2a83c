"""The portal home's link to the client's brand files, shown only once the agency shares one
(a contribution to projects' "Your projects" section; registered in BrandkitConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from agencyops.models import ClientContact
from brandkit.library.models import LibraryItem
from projects.client_projects import PortalLink


def brand_files_link(*, contact: ClientContact) -> list[tuple[Any, PortalLink]]:
    """``Brand files (n)`` when the contact's client has shared files (one query)."""
    shared = LibraryItem.objects.filter(
        agency_id=contact.agency_id, client_id=contact.client_id, client_visible=True, deleted_at__isnull=True
    ).count()
    if not shared:
        return []
    url = reverse("portal_brand_files", kwargs={"agency_slug": contact.agency.slug})
    return [(10, PortalLink(label=f"Brand files ({shared})", url=url))]
