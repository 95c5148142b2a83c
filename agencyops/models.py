"""Platform models: people, agencies (the tenant), memberships, invitations, clients and their contacts."""

from __future__ import annotations

import zoneinfo
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django_scopes import ScopedManager

from agencyops.dates import WEEKDAY_ABBRS
from agencyops.validation import validate_agency_slug, validate_brand_colour, validate_logo


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: agency staff, client contacts and platform support (is_staff)."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Platform support staff: may use the admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


WEEKDAYS = list(enumerate(WEEKDAY_ABBRS))


def default_working_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


DEFAULT_APPROVAL_TERMS = (
    "Once approved, changes to the approved scope are handled as a new revision and may affect "
    "the timeline or budget."
)


class Agency(models.Model):
    """The tenant: every tenant-owned row carries agency_id."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=50, unique=True, validators=[validate_agency_slug])
    time_zone = models.CharField(max_length=64, default="Europe/London")
    country = models.CharField(
        max_length=2, default="GB", help_text="Public holidays come from this country."
    )
    subdivision = models.CharField(
        max_length=10, blank=True, help_text="Region for public holidays, e.g. ENG."
    )
    working_weekdays = models.JSONField(default=default_working_weekdays)
    approval_terms = models.TextField(default=DEFAULT_APPROVAL_TERMS)
    logo = models.FileField(upload_to="logos/agencies/", blank=True, validators=[validate_logo])
    # The portal's header, buttons and links; blank is the product's own colour (agencyops/brand_colour.py).
    brand_colour = models.CharField(max_length=7, blank=True, validators=[validate_brand_colour])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def today(self) -> date:
        """Today's date where the agency works."""
        return timezone.localdate(timezone=zoneinfo.ZoneInfo(self.time_zone))


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    COORDINATOR = "coordinator", "Coordinator"
    MEMBER = "member", "Member"


class Discipline(models.TextChoices):
    STRATEGIST = "strategist", "Strategist"
    DESIGNER = "designer", "Designer"
    WRITER = "writer", "Writer"
    MEDIA_BUYER = "media_buyer", "Media buyer"
    ACCOUNT_LEAD = "account_lead", "Account lead"


class Membership(models.Model):
    """A person's seat in one agency: role, discipline and weekly capacity."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    discipline = models.CharField(max_length=20, choices=Discipline.choices, blank=True)
    weekly_capacity_hours = models.DecimalField(
        max_digits=5, decimal_places=1, default=Decimal("40"), validators=[MinValueValidator(Decimal("0"))]
    )
    is_active = models.BooleanField(default=True, help_text="Off once the person has left the agency.")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="membership_one_per_agency"),
            models.CheckConstraint(
                condition=Q(weekly_capacity_hours__gte=0), name="membership_capacity_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["agency", "role"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.agency})"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_coordinator_or_owner(self) -> bool:
        return self.role in (Role.OWNER, Role.COORDINATOR)


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ARCHIVED = "archived", "Archived"


class Client(models.Model):
    """An account the agency works for."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60)
    status = models.CharField(max_length=10, choices=ClientStatus.choices, default=ClientStatus.ACTIVE)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    logo = models.FileField(upload_to="logos/clients/", blank=True, validators=[validate_logo])
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="client_slug_unique_in_agency")
        ]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return self.name


class ClientContact(models.Model):
    """A person at a client; logs in to the approval portal once their invitation is accepted."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="client_contacts")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="client_contacts"
    )
    full_name = models.CharField(max_length=150)
    email = models.EmailField()
    job_title = models.CharField(max_length=120, blank=True)
    is_default_approver = models.BooleanField(
        default=False, help_text="Named as the final approver on new approval requests."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "client", "email"], name="contact_email_unique_per_client"
            ),
            models.UniqueConstraint(
                fields=["agency", "client"],
                condition=Q(is_default_approver=True),
                name="contact_one_default_approver_per_client",
            ),
        ]
        indexes = [models.Index(fields=["agency", "client"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.client})"


class InvitationKind(models.TextChoices):
    MEMBER = "member", "Team member"
    CLIENT_CONTACT = "client_contact", "Client contact"


class Invitation(models.Model):
    """An emailed, expiring, single-use link to join an agency as staff or as a client contact.

    Only a hash of the token is stored; the link carries the token itself.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=20, choices=InvitationKind.choices, default=InvitationKind.MEMBER)
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    discipline = models.CharField(max_length=20, choices=Discipline.choices, blank=True)
    weekly_capacity_hours = models.DecimalField(
        max_digits=5, decimal_places=1, default=Decimal("40"), validators=[MinValueValidator(Decimal("0"))]
    )
    client_contact = models.ForeignKey(
        ClientContact, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "email"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_capacity_hours__gte=0), name="invitation_capacity_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.agency}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class Notification(models.Model):
    """Something a person was told (in the app, by mail now or in the daily digest). One per dedupe key, ever.

    ``target_type``/``target_id`` name the object it is about (``approvals.approvalrequest``, 12) without
    the platform depending on the app that owns it; ``url`` is where it leads.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    recipient_email = models.EmailField()
    recipient = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=160)
    channel = models.CharField(max_length=10, default="mail")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        # The table predates the move from approvals; keeping its name keeps its rows.
        db_table = "approvals_notification"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "dedupe_key"], name="notification_once_per_key")
        ]
        indexes = [
            models.Index(fields=["agency", "recipient", "created_at"], name="approvals_n_agency__27c19e_idx"),
            models.Index(
                fields=["recipient", "agency"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["agency", "recipient"],
                condition=Q(channel="digest", digested_at__isnull=True),
                name="notification_digest_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    """A person's chosen channel for one kind of event in one agency; no row means their role's default."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=Q(channel__in=["in_app", "mail", "digest", "off"]),
                name="notification_preference_channel_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}: {self.channel}"


class AgencyChange(models.Model):
    """One statement that changed rows an agency-wide page shows (agencyops/data_version.py): written by
    PostgreSQL's triggers on those tables, never by the app, and counted to give the agency's data version.

    Plain ids, not foreign keys: a change must not lock the agency's row, and nothing reads these by agency
    through the ORM. ``transaction`` is the writing transaction's id, which PostgreSQL never hands out twice
    in a cluster (a database dropped and created again, or a rolled-back test, starts no id again)."""

    agency_id = models.BigIntegerField()
    transaction = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["agency_id", "transaction"], name="agency_change_idx")]

    def __str__(self) -> str:
        return f"change {self.pk} of agency {self.agency_id}"


class AgencyChangeTally(models.Model):
    """How many of an agency's changes were folded away, and the last transaction among them: with the rows
    still in AgencyChange, the agency's data version (agencyops/data_version.py)."""

    agency_id = models.BigIntegerField(primary_key=True)
    folded = models.BigIntegerField(default=0)
    last_transaction = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"agency {self.agency_id}: {self.folded} changes folded, the last in transaction {self.last_transaction}"


# The inbox for client mail and chat lives in its own module; imported here so Django registers its models.
from agencyops.inbound.models import (  # noqa: E402, F401
    InboundAddress,
    InboundAttachment,
    InboundMessage,
    OutboundMessage,
)
