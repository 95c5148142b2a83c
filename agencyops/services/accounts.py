"""Agencies, memberships and invitations.

Each function validates, writes in one transaction and sends mail only once the transaction commits.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope, scopes_disabled

from agencyops.brand_colour import brand_colour_problem, normalise_hex_colour
from agencyops.mail import mail_queue, mail_render
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
from agencyops.permissions import can_manage_clients, require
from agencyops.validation import validate_logo


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send_on_commit(*, subject: str, template: str, context: dict, to: str, agency: Agency | None = None) -> None:
    # Rendered here, sent by a worker after commit: a mail server outage never fails the saved change.
    mail_queue(mail_render(to=to, subject=subject, template=template, context=context, agency=agency))


def suggest_agency_slug(name: str) -> str:
    """A free, unreserved slug derived from an agency name."""
    from agencyops.validation import RESERVED_AGENCY_SLUGS

    base = slugify(name)[:40] or "agency"
    candidate, n = base, 2
    while candidate in RESERVED_AGENCY_SLUGS or Agency.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


# Sign-up and settings offer these; any other valid zoneinfo name is accepted through the service.
COMMON_TIME_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Zurich",
    "Europe/Rome",
    "Europe/Vienna",
    "Europe/Copenhagen",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Helsinki",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Athens",
    "Europe/Bucharest",
    "Europe/Istanbul",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Manila",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Pacific/Auckland",
    "America/St_Johns",
    "America/Halifax",
    "America/New_York",
    "America/Toronto",
    "America/Chicago",
    "America/Mexico_City",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Vancouver",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Buenos_Aires",
    "America/Sao_Paulo",
    "UTC",
)


@functools.cache
def holiday_countries() -> dict[str, str]:
    """ISO code -> English name of every country the ``holidays`` package has a calendar for."""
    from holidays.registry import COUNTRIES

    # The registry names countries by class name ("UnitedKingdom"); spaced out, that is a usable label.
    return dict(
        sorted(
            ((entry[1], re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0])) for entry in COUNTRIES.values()),
            key=lambda item: item[1],
        )
    )


def _calendar_errors(*, time_zone: str, country: str, subdivision: str = "") -> dict[str, str]:
    """Field errors for a time zone, holiday country and region that the scheduling code could not use."""
    import holidays

    errors: dict[str, str] = {}
    if time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = f"“{time_zone}” is not a time zone we know; pick one from the list."
    supported = holidays.list_supported_countries()
    if country not in supported:
        errors["country"] = (
            f"“{country}” is not a country with a public-holiday calendar; pick one from the list."
        )
    elif subdivision and subdivision not in supported[country]:
        regions = ", ".join(supported[country]) or "none"
        errors["subdivision"] = f"“{subdivision}” is not a region of {country}. Known regions: {regions}."
    return errors


def _slug_taken(slug: str, *, exclude_pk: int | None = None) -> bool:
    return Agency.objects.filter(slug__iexact=slug).exclude(pk=exclude_pk).exists()


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
    """Sign-up: create an agency and its first owner (a new user, or the signed-in one).

    Errors are keyed by argument name (``slug``, ``owner_email``...) and all reported at once.
    """
    slug = slug.strip().lower()
    agency = Agency(name=name.strip(), slug=slug, time_zone=time_zone, country=country.strip().upper())
    errors: dict[str, list[str]] = {}
    try:
        agency.full_clean(validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if slug and "slug" not in errors and _slug_taken(slug):
        errors["slug"] = [f"The web address “{slug}” is taken; choose another."]
    for field, message in _calendar_errors(time_zone=agency.time_zone, country=agency.country).items():
        errors.setdefault(field, []).append(message)

    user = owner
    if user is None:
        email = owner_email.strip().lower()
        user = User(email=email, full_name=owner_name.strip())
        try:
            user.full_clean(exclude=["password"], validate_unique=False)
        except ValidationError as exc:
            renamed = {"email": "owner_email", "full_name": "owner_name"}
            for field, messages in exc.message_dict.items():
                errors.setdefault(renamed.get(field, field), []).extend(messages)
        if "owner_email" not in errors and User.objects.filter(email__iexact=email).exists():
            errors["owner_email"] = ["An account with this email already exists; log in to add an agency."]
        if not owner_password:
            errors["owner_password"] = ["Choose a password."]
        else:
            try:
                validate_password(owner_password, user)
            except ValidationError as exc:
                errors["owner_password"] = exc.messages
    if errors:
        raise ValidationError(errors)

    if owner is None:
        user.set_password(owner_password)
        user.save()
    try:
        with transaction.atomic():
            agency.save()
    except IntegrityError:
        # Someone took the slug between our check and the insert.
        raise ValidationError({"slug": f"The web address “{slug}” is taken; choose another."}) from None
    with scope(agency=agency.pk):
        return Membership.objects.create(agency=agency, user=user, role=Role.OWNER)


AGENCY_SETTINGS_FIELDS = (
    "name",
    "time_zone",
    "country",
    "subdivision",
    "working_weekdays",
    "approval_terms",
    "logo",
    "brand_colour",
)


@transaction.atomic
def agency_update(*, actor: Membership, agency: Agency, **fields: Any) -> Agency:
    """Owners edit the agency's name, calendar (time zone, holidays, working week), approval terms, logo and
    brand colour (a hex colour white text is readable on; blank for the product's own).

    ``logo=None`` leaves the logo alone; ``logo=False`` removes it.
    """
    _require_owner(actor, "Only an owner can change the agency's settings.")
    if agency.pk != actor.agency_id:
        raise ValidationError("No such agency.", code="not_found")
    unknown = set(fields) - set(AGENCY_SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown agency settings: {sorted(unknown)}")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    errors: dict[str, list[str]] = {}
    logo = fields.pop("logo", None)
    for field, value in fields.items():
        setattr(agency, field, value.strip() if isinstance(value, str) else value)
    agency.country = agency.country.upper()
    agency.subdivision = agency.subdivision.upper()

    weekdays = agency.working_weekdays
    if not isinstance(weekdays, list | tuple | set) or not weekdays:
        errors["working_weekdays"] = ["Pick at least one working day."]
    else:
        try:
            days = sorted({int(day) for day in weekdays})
        except (TypeError, ValueError):
            days = [-1]
        if days[0] < 0 or days[-1] > 6:
            errors["working_weekdays"] = ["Working days are Monday (0) to Sunday (6)."]
        else:
            agency.working_weekdays = days
    if not agency.approval_terms.strip():
        errors["approval_terms"] = ["Write the terms clients agree to when they approve work."]
    if agency.brand_colour:
        problem = brand_colour_problem(agency.brand_colour)
        if problem is not None:
            errors["brand_colour"] = [problem]
        else:
            agency.brand_colour = normalise_hex_colour(agency.brand_colour) or ""

    if logo is False:
        agency.logo = ""
    elif logo is not None:
        # Checked before assignment so a refused file is never written to storage.
        try:
            validate_logo(logo)
        except ValidationError as exc:
            errors["logo"] = exc.messages
        else:
            agency.logo = logo

    try:
        # A refused colour is already explained above; its model validator would only say it again.
        explained = ["brand_colour"] if "brand_colour" in errors else []
        agency.full_clean(exclude=["slug", "logo", "working_weekdays", *explained])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    calendar = _calendar_errors(
        time_zone=agency.time_zone, country=agency.country, subdivision=agency.subdivision
    )
    for field, message in calendar.items():
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    agency.save()
    return agency


def _require_owner(actor: Membership, message: str) -> None:
    if actor.role != Role.OWNER:
        raise ValidationError(message, code="forbidden")


def _require_manager(actor: Membership) -> None:
    _require_owner(actor, "Only an owner of the agency can manage its team.")


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
        template="mail/invitation",
        context={"invitation": invitation, "url": settings.SITE_URL + issued.path},
        to=invitation.email,
        agency=invitation.agency,
    )
    return issued


ROLE_ERROR = "“{}” is not a role here; choose owner, coordinator or member."
LAST_OWNER_ERROR = "An agency needs at least one owner: make someone else owner first."


def _parse_capacity(value: Decimal | int | str, errors: dict[str, str]) -> Decimal:
    """Weekly hours between 0 and 168; records a field error and returns 0 otherwise."""
    try:
        capacity = Decimal(str(value).strip())
        if not capacity.is_finite():
            raise ArithmeticError
    except ArithmeticError:
        errors["weekly_capacity_hours"] = "Enter the weekly capacity in hours."
        return Decimal("0")
    if capacity < 0:
        errors["weekly_capacity_hours"] = "Capacity cannot be below zero."
    elif capacity > 168:
        errors["weekly_capacity_hours"] = "A week has 168 hours."
    return capacity


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
        errors["role"] = ROLE_ERROR.format(role)
    if discipline and discipline not in Discipline.values:
        errors["discipline"] = f"“{discipline}” is not a discipline here."
    capacity = _parse_capacity(weekly_capacity_hours, errors)
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
        agency=actor.agency,
        email__iexact=email,
        kind=InvitationKind.MEMBER,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    return _issue_invitation(invitation=invitation)


@transaction.atomic
def invitation_create_for_contact(*, actor: Membership, contact: ClientContact) -> IssuedInvitation:
    """Invite a client contact to the approval portal."""
    require(can_manage_clients, actor, "Only owners and coordinators can invite client contacts.")
    if contact.agency_id != actor.agency_id:
        raise ValidationError("No such contact.", code="not_found")
    if contact.user_id is not None:
        raise ValidationError(f"{contact.full_name} can already log in to the portal.")
    Invitation.objects.filter(
        client_contact=contact, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
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


def _refuse_unusable(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise ValidationError(
            "This invitation link is not valid. Ask the agency to send a new one.", code="invalid"
        )
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used. Log in instead.", code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(
            "This invitation was withdrawn. Ask the agency to send a new one.", code="revoked"
        )
    if invitation.expires_at <= timezone.now():
        raise ValidationError(
            "This invitation has expired. Ask the agency to send a new one.", code="expired"
        )
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link's token stands for, or a ValidationError saying why it cannot be used."""
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("agency", "client_contact__client", "invited_by__user")
            .filter(token_hash=_hash_token(token or ""))
            .first()
        )
    return _refuse_unusable(invitation)


def invitation_check_recipient(*, invitation: Invitation, user: User) -> None:
    """Refuse a signed-in person opening an invitation that was sent to another address."""
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}; you are logged in as {user.email}. "
            "Log out, then open the link again.",
            code="foreign",
        )


@transaction.atomic
def invitation_accept(
    *, token: str, full_name: str = "", password: str | None = None, user: User | None = None
) -> User:
    """Accept an invitation: join as a member or as a portal contact, creating the account if needed.

    A signed-in user may accept only an invitation sent to their own email address.
    """
    with scopes_disabled():
        # Locked and re-checked, so two clicks on the same link cannot both get through.
        invitation = _refuse_unusable(
            Invitation.objects.select_for_update(of=("self",))
            .filter(token_hash=_hash_token(token or ""))
            .select_related("agency", "client_contact")
            .first()
        )
    if user is not None and user.is_authenticated:
        invitation_check_recipient(invitation=invitation, user=user)
    else:
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None:
            if password is None or not user.check_password(password):
                raise ValidationError(
                    {"password": "An account with this email exists: enter its password to accept."},
                    code="login",
                )
        else:
            if not full_name.strip():
                raise ValidationError({"full_name": "Tell us your name."})
            user = User(email=invitation.email.lower(), full_name=full_name.strip())
            if not password:
                raise ValidationError({"password": "Choose a password."})
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from None
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


def _lock_team(membership: Membership) -> Membership:
    """Lock the agency row, so concurrent demotions cannot both pass the last-owner check."""
    Agency.objects.select_for_update().filter(pk=membership.agency_id).exists()
    return Membership.objects.select_for_update().get(pk=membership.pk)


def _other_active_owners(membership: Membership) -> int:
    return (
        Membership.objects.filter(agency_id=membership.agency_id, role=Role.OWNER, is_active=True)
        .exclude(pk=membership.pk)
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
    membership = _lock_team(membership)
    errors: dict[str, str] = {}
    if role is not None:
        if role not in Role.values:
            errors["role"] = ROLE_ERROR.format(role)
        elif membership.role == Role.OWNER and role != Role.OWNER and _other_active_owners(membership) == 0:
            errors["role"] = LAST_OWNER_ERROR
        else:
            membership.role = role
    if discipline is not None:
        if discipline and discipline not in Discipline.values:
            errors["discipline"] = f"“{discipline}” is not a discipline here."
        else:
            membership.discipline = discipline
    if weekly_capacity_hours is not None:
        membership.weekly_capacity_hours = _parse_capacity(weekly_capacity_hours, errors)
    if errors:
        raise ValidationError(errors)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> Membership:
    """Take a person off the team (kept for history, marked as left). The last owner cannot leave."""
    _require_manager(actor)
    membership = _lock_team(membership)
    if membership.role == Role.OWNER and _other_active_owners(membership) == 0:
        raise ValidationError(LAST_OWNER_ERROR, code="last_owner")
    membership.is_active = False
    membership.left_at = timezone.now()
    membership.save(update_fields=["is_active", "left_at"])
    # Their API tokens die with their place on the team (sessions already lose the agency).
    from agencyops.services.api_tokens import api_tokens_revoke_all

    api_tokens_revoke_all(user=membership.user)
    return membership
