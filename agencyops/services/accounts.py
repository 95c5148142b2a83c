"""Agencies, memberships and invitations.

Each function validates, writes in one transaction and sends mail only once the transaction commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope, scopes_disabled

from agencyops.models import (
    Agency,
    ClientContact,
    Discipline,
    Invitation,
    InvitationKind,
    Membership,
    Role,
    User,
)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send_on_commit(*, subject: str, template: str, context: dict, to: str) -> None:
    body = render_to_string(template, context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    )


def suggest_agency_slug(name: str) -> str:
    """A free, unreserved slug derived from an agency name."""
    from agencyops.validation import RESERVED_AGENCY_SLUGS

    base = slugify(name)[:40] or "agency"
    candidate, n = base, 2
    while candidate in RESERVED_AGENCY_SLUGS or Agency.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@transaction.atomic
def agency_create(
    *,
    name: str,
    slug: str,
    owner_email: str,
    owner_name: str,
    owner_password: str | None = None,
    owner: User | None = None,
    time_zone: str = "Europe/London",
    country: str = "GB",
) -> Membership:
    """Sign-up: create an agency and its first owner (a new user, or the signed-in one)."""
    slug = slug.strip().lower()
    agency = Agency(name=name.strip(), slug=slug, time_zone=time_zone, country=country.upper())
    agency.full_clean()
    if owner is None:
        email = owner_email.strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"owner_email": "An account with this email already exists; log in to add an agency."})
        user = User(email=email, full_name=owner_name.strip())
        user.full_clean(exclude=["password"])
        if owner_password is None:
            raise ValidationError({"owner_password": "Choose a password."})
        validate_password(owner_password, user)
        user.set_password(owner_password)
        user.save()
    else:
        user = owner
    agency.save()
    with scope(agency=agency.pk):
        return Membership.objects.create(agency=agency, user=user, role=Role.OWNER)


def _require_manager(actor: Membership) -> None:
    if actor.role != Role.OWNER:
        raise ValidationError("Only an owner of the agency can manage its team.", code="forbidden")


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str

    @property
    def path(self) -> str:
        return reverse("invitation_accept", kwargs={"token": self.token})


def _issue_invitation(*, invitation: Invitation) -> IssuedInvitation:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash_token(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save()
    issued = IssuedInvitation(invitation=invitation, token=token)
    _send_on_commit(
        subject=f"You're invited to {invitation.agency.name} on AgencyOps",
        template="emails/invitation.txt",
        context={"invitation": invitation, "url": settings.SITE_URL + issued.path},
        to=invitation.email,
    )
    return issued


@transaction.atomic
def invitation_create(
    *,
    actor: Membership,
    email: str,
    role: str,
    discipline: str = "",
    weekly_capacity_hours: Decimal | int | str = Decimal("40"),
) -> IssuedInvitation:
    """Invite a person to the team; mails an expiring link. Refuses existing members and bad values."""
    _require_manager(actor)
    email = email.strip().lower()
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = f"“{role}” is not a role here; choose owner, coordinator or member."
    if discipline and discipline not in Discipline.values:
        errors["discipline"] = f"“{discipline}” is not a discipline here."
    try:
        capacity = Decimal(str(weekly_capacity_hours))
    except ArithmeticError:
        errors["weekly_capacity_hours"] = "Enter the weekly capacity in hours."
        capacity = Decimal("0")
    if capacity < 0:
        errors["weekly_capacity_hours"] = "Capacity cannot be below zero."
    if capacity > 168:
        errors["weekly_capacity_hours"] = "A week has 168 hours."
    if errors:
        raise ValidationError(errors)
    if Membership.objects.filter(agency=actor.agency, user__email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": f"{email} is already on the team."})
    invitation = Invitation(
        agency=actor.agency,
        kind=InvitationKind.MEMBER,
        email=email,
        role=role,
        discipline=discipline,
        weekly_capacity_hours=capacity,
        invited_by=actor,
        token_hash="pending",
        expires_at=timezone.now(),
    )
    invitation.full_clean(exclude=["token_hash", "expires_at"])
    # A fresh invitation replaces any pending one for the same address.
    Invitation.objects.filter(
        agency=actor.agency, email__iexact=email, kind=InvitationKind.MEMBER, accepted_at__isnull=True
    ).update(revoked_at=timezone.now())
    return _issue_invitation(invitation=invitation)


@transaction.atomic
def invitation_create_for_contact(*, actor: Membership, contact: ClientContact) -> IssuedInvitation:
    """Invite a client contact to the approval portal."""
    if actor.role not in (Role.OWNER, Role.COORDINATOR):
        raise ValidationError("Only owners and coordinators can invite client contacts.", code="forbidden")
    if contact.agency_id != actor.agency_id:
        raise ValidationError("No such contact.", code="not_found")
    if contact.user_id is not None:
        raise ValidationError(f"{contact.full_name} can already log in to the portal.")
    Invitation.objects.filter(client_contact=contact, accepted_at__isnull=True).update(revoked_at=timezone.now())
    invitation = Invitation(
        agency=actor.agency,
        kind=InvitationKind.CLIENT_CONTACT,
        email=contact.email,
        client_contact=contact,
        invited_by=actor,
        token_hash="pending",
        expires_at=timezone.now(),
    )
    return _issue_invitation(invitation=invitation)


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link's token stands for, or a ValidationError saying why it cannot be used."""
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("agency", "client_contact__client")
            .filter(token_hash=_hash_token(token or ""))
            .first()
        )
    if invitation is None:
        raise ValidationError("This invitation link is not valid. Ask the agency to send a new one.", code="invalid")
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used. Log in instead.", code="used")
    if invitation.revoked_at is not None:
        raise ValidationError("This invitation was withdrawn. Ask the agency to send a new one.", code="revoked")
    if invitation.expires_at <= timezone.now():
        raise ValidationError("This invitation has expired. Ask the agency to send a new one.", code="expired")
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, full_name: str = "", password: str | None = None, user: User | None = None
) -> User:
    """Accept an invitation: join as a member or as a portal contact, creating the account if needed.

    A signed-in user may accept only an invitation sent to their own email address.
    """
    invitation = invitation_for_token(token)
    with scopes_disabled():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used. Log in instead.", code="used")
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                f"This invitation was sent to {invitation.email}; you are logged in as {user.email}.",
                code="foreign",
            )
    else:
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None:
            if password is None or not user.check_password(password):
                raise ValidationError(
                    {"password": "An account with this email exists: enter its password to accept."}, code="login"
                )
        else:
            if not full_name.strip():
                raise ValidationError({"full_name": "Tell us your name."})
            user = User(email=invitation.email.lower(), full_name=full_name.strip())
            if not password:
                raise ValidationError({"password": "Choose a password."})
            validate_password(password, user)
            user.set_password(password)
            user.save()
    with scope(agency=invitation.agency_id):
        if invitation.kind == InvitationKind.MEMBER:
            membership, created = Membership.objects.get_or_create(
                agency=invitation.agency,
                user=user,
                defaults={
                    "role": invitation.role or Role.MEMBER,
                    "discipline": invitation.discipline,
                    "weekly_capacity_hours": invitation.weekly_capacity_hours,
                },
            )
            if not created:
                membership.role = invitation.role or membership.role
                membership.discipline = invitation.discipline
                membership.weekly_capacity_hours = invitation.weekly_capacity_hours
                membership.is_active = True
                membership.left_at = None
                membership.save()
        else:
            contact = invitation.client_contact
            assert contact is not None
            contact.user = user
            contact.save(update_fields=["user"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> None:
    """Withdraw a pending invitation so its link stops working."""
    if invitation.kind == InvitationKind.MEMBER:
        _require_manager(actor)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def _owners_left_after(membership: Membership) -> int:
    return (
        Membership.objects.filter(agency=membership.agency, role=Role.OWNER, is_active=True)
        .exclude(pk=membership.pk)
        .select_for_update()
        .count()
    )


@transaction.atomic
def membership_update(
    *,
    actor: Membership,
    membership: Membership,
    role: str | None = None,
    discipline: str | None = None,
    weekly_capacity_hours: Decimal | int | str | None = None,
) -> Membership:
    """Change a member's role, discipline or capacity. The last owner cannot be demoted."""
    _require_manager(actor)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role is not None:
        if role not in Role.values:
            raise ValidationError({"role": f"“{role}” is not a role here; choose owner, coordinator or member."})
        if membership.role == Role.OWNER and role != Role.OWNER and _owners_left_after(membership) == 0:
            raise ValidationError({"role": "An agency needs at least one owner: make someone else owner first."})
        membership.role = role
    if discipline is not None:
        if discipline and discipline not in Discipline.values:
            raise ValidationError({"discipline": f"“{discipline}” is not a discipline here."})
        membership.discipline = discipline
    if weekly_capacity_hours is not None:
        try:
            capacity = Decimal(str(weekly_capacity_hours))
        except ArithmeticError:
            raise ValidationError({"weekly_capacity_hours": "Enter the weekly capacity in hours."}) from None
        if capacity < 0:
            raise ValidationError({"weekly_capacity_hours": "Capacity cannot be below zero."})
        membership.weekly_capacity_hours = capacity
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> Membership:
    """Take a person off the team (kept for history, marked as left). The last owner cannot leave."""
    _require_manager(actor)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.OWNER and _owners_left_after(membership) == 0:
        raise ValidationError("An agency needs at least one owner: make someone else owner first.")
    membership.is_active = False
    membership.left_at = timezone.now()
    membership.save(update_fields=["is_active", "left_at"])
    return membership
