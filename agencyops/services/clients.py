"""Clients and their contacts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from agencyops.models import Client, ClientContact, ClientStatus, Invitation, Membership
from agencyops.permissions import can_manage_clients, require
from agencyops.services.accounts import IssuedInvitation, invitation_create_for_contact

CLIENT_FIELDS = ("name", "slug", "website", "notes", "logo")
CONTACT_FIELDS = ("full_name", "email", "job_title", "is_default_approver")


def _require_coordinator(actor: Membership) -> None:
    require(can_manage_clients, actor, "Only owners and coordinators can manage clients.")


def _slug_from_name(name: str) -> str:
    slug = slugify(name)[:60]
    if name.strip() and not slug:
        # A name made only of symbols or non-Latin letters gives nothing to build a web address from.
        raise ValidationError({"slug": "Choose a short name of letters, digits and hyphens for this client."})
    return slug


def _check_slug_free(client: Client) -> None:
    clash = Client.objects.filter(agency=client.agency, slug=client.slug).exclude(pk=client.pk).exists()
    if clash:
        raise ValidationError({"slug": f"Another client of this agency already uses “{client.slug}”."})


@transaction.atomic
def client_create(*, actor: Membership, name: str, slug: str = "", **fields: Any) -> Client:
    """Add a client; the slug defaults to one made from the name and must be unique in the agency."""
    _require_coordinator(actor)
    unknown = set(fields) - set(CLIENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown client fields: {sorted(unknown)}")
    slug = slug.strip().lower() or _slug_from_name(name)
    client = Client(agency=actor.agency, name=name.strip(), slug=slug, **fields)
    client.full_clean(exclude=["agency"])
    _check_slug_free(client)
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        raise ValidationError(
            {"slug": f"Another client of this agency already uses “{client.slug}”."}
        ) from None
    return client


@transaction.atomic
def client_update(*, actor: Membership, client: Client, **fields: Any) -> Client:
    """Edit a client's details."""
    _require_coordinator(actor)
    client = Client.objects.select_for_update().get(pk=client.pk)
    for field, value in fields.items():
        if field not in CLIENT_FIELDS:
            raise TypeError(f"Unknown client field: {field}")
        setattr(client, field, value.strip() if isinstance(value, str) else value)
    client.slug = client.slug.lower() or _slug_from_name(client.name)
    client.full_clean(exclude=["agency"])
    _check_slug_free(client)
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        raise ValidationError(
            {"slug": f"Another client of this agency already uses “{client.slug}”."}
        ) from None
    return client


@transaction.atomic
def client_set_status(*, actor: Membership, client: Client, status: str) -> Client:
    """Pause, archive or reactivate a client. Archiving closes the client's portal."""
    _require_coordinator(actor)
    if status not in ClientStatus.values:
        raise ValidationError({"status": f"“{status}” is not a client status."})
    client = Client.objects.select_for_update().get(pk=client.pk)
    client.status = status
    client.archived_at = timezone.now() if status == ClientStatus.ARCHIVED else None
    client.save(update_fields=["status", "archived_at"])
    return client


def _clear_other_default_approvers(contact: ClientContact) -> None:
    if contact.is_default_approver:
        ClientContact.objects.filter(client=contact.client, is_default_approver=True).exclude(
            pk=contact.pk
        ).update(is_default_approver=False)


@transaction.atomic
def client_contact_create(
    *, actor: Membership, client: Client, full_name: str, email: str, **fields: Any
) -> ClientContact:
    """Add a person at a client. Marking them default approver unmarks the previous one."""
    _require_coordinator(actor)
    if client.status == ClientStatus.ARCHIVED:
        raise ValidationError("This client is archived; reactivate it before adding contacts.")
    contact = ClientContact(
        agency=actor.agency, client=client, full_name=full_name.strip(), email=email.strip().lower(), **fields
    )
    contact.full_clean(exclude=["agency", "client", "user"])
    if ClientContact.objects.filter(client=client, email__iexact=contact.email).exists():
        raise ValidationError({"email": f"{contact.email} is already a contact of {client.name}."})
    # A client's first contact is its final approver until someone else is named.
    if not ClientContact.objects.filter(client=client, is_default_approver=True).exists():
        contact.is_default_approver = True
    _clear_other_default_approvers(contact)
    contact.save()
    return contact


def _pending_invitations(contact: ClientContact) -> Any:
    return Invitation.objects.filter(client_contact=contact, accepted_at__isnull=True, revoked_at__isnull=True)


@transaction.atomic
def client_contact_update(*, actor: Membership, contact: ClientContact, **fields: Any) -> ClientContact:
    """Edit a contact; naming them default approver unmarks the previous one. A new email moves portal
    access with it: the old login and pending invitations stop working and the new address is invited."""
    _require_coordinator(actor)
    contact = ClientContact.objects.select_for_update().get(pk=contact.pk)
    was_default = contact.is_default_approver
    old_email = contact.email
    for field, value in fields.items():
        if field not in CONTACT_FIELDS + ("is_active",):
            raise TypeError(f"Unknown contact field: {field}")
        setattr(contact, field, value.strip() if isinstance(value, str) else value)
    contact.email = contact.email.lower()
    if was_default and not contact.is_default_approver:
        # Approval requests need someone to name as final approver; hand the role over instead.
        message = "Every client needs a default final approver: name another contact instead."
        raise ValidationError({"is_default_approver": message})
    contact.full_clean(exclude=["agency", "client", "user"])
    if (
        ClientContact.objects.filter(client=contact.client, email__iexact=contact.email)
        .exclude(pk=contact.pk)
        .exists()
    ):
        raise ValidationError({"email": f"{contact.email} is already a contact of this client."})
    _clear_other_default_approvers(contact)
    moved = contact.email != old_email.lower()
    had_access = moved and (contact.user_id is not None or _pending_invitations(contact).exists())
    if moved:
        # The portal follows the address, not the person who read the old mailbox.
        contact.user = None
        _pending_invitations(contact).update(revoked_at=timezone.now())
    contact.save()
    if had_access and contact.is_active and contact.client.status != ClientStatus.ARCHIVED:
        invitation_create_for_contact(actor=actor, contact=contact)
    return contact


def client_contact_invite(*, actor: Membership, contact: ClientContact) -> IssuedInvitation:
    """Email a contact a link to the approval portal; refused while their client is archived."""
    _require_coordinator(actor)
    # Re-read: the caller's instance may predate an archive or a deactivation.
    contact = ClientContact.objects.select_related("client", "agency").get(pk=contact.pk, agency=actor.agency)
    if contact.client.status == ClientStatus.ARCHIVED:
        raise ValidationError("This client is archived, so its portal is closed; reactivate it first.")
    if not contact.is_active:
        raise ValidationError(f"{contact.full_name} is no longer an active contact.")
    return invitation_create_for_contact(actor=actor, contact=contact)
