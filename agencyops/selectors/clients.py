"""Reads behind the client pages and the portal shell: lists, a client's contacts, a person's portals."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django_scopes import scopes_disabled

from agencyops.models import Agency, Client, ClientContact, ClientStatus, Invitation

STATUS_FILTERS = ("active", "paused", "archived", "all")


def clients_for_list(agency: Agency, status: str = "active", search: str = "") -> QuerySet[Client]:
    """The agency's clients for the list page, with contact counts and the default approver's name.

    ``status`` is a ClientStatus value or "all"; ``search`` matches part of the name.
    """
    default_approver = ClientContact.objects.filter(
        agency=agency, client=OuterRef("pk"), is_default_approver=True, is_active=True
    ).values("full_name")[:1]
    clients = (
        Client.objects.filter(agency=agency)
        .annotate(
            contacts_count=Count("contacts", filter=Q(contacts__is_active=True)),
            default_approver_name=Subquery(default_approver),
        )
        .order_by("name", "pk")
    )
    if status != "all":
        clients = clients.filter(status=status if status in ClientStatus.values else ClientStatus.ACTIVE)
    if search.strip():
        clients = clients.filter(name__icontains=search.strip())
    return clients


def agency_has_clients(agency: Agency) -> bool:
    """Whether the agency has any client at all, whatever its status (picks the list's empty state)."""
    return Client.objects.filter(agency=agency).exists()


def client_contacts_for_detail(client: Client) -> list[ClientContact]:
    """A client's active contacts with ``invited_at``: when their pending portal invitation was sent."""
    pending = (
        Invitation.objects.filter(
            agency_id=client.agency_id,
            client_contact=OuterRef("pk"),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return list(
        ClientContact.objects.filter(agency_id=client.agency_id, client=client, is_active=True)
        .annotate(invited_at=Subquery(pending))
        .order_by("-is_default_approver", "full_name", "pk")
    )


def portal_contacts_for_user(user: Any) -> list[ClientContact]:
    """Every client, across agencies, whose portal this person may open (archived clients excluded).

    Runs outside any tenant scope on purpose: it is the step that finds which tenant to enter, and it
    filters by the user, so it only ever returns the caller's own contact rows.
    """
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            ClientContact.objects.filter(user=user, is_active=True)
            .exclude(client__status=ClientStatus.ARCHIVED)
            .select_related("agency", "client")
            .order_by("agency__name", "client__name", "pk")
        )
