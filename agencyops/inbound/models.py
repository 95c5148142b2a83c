"""The per-agency inbox: private inbound addresses, the mail and chat messages that arrived on them, and the
Message-IDs of our own mail (so a reply can be filed by its In-Reply-To).

Product apps are named here only by a label (``"approvals.request"``) and an id: the platform never
imports them. Registered through ``agencyops.models``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from agencyops.models import Agency, Client, Membership


class InboundAddress(models.Model):
    """A private address ``<token>@INBOUND_EMAIL_DOMAIN`` of a client or of one thing of its (a request).

    The token also authenticates the client's chat webhook. Rotating revokes the old token and issues a
    new one; mail to a revoked token is held in the inbox, never filed.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    # Empty for the client's own address; else what it belongs to, e.g. "approvals.request" and its id.
    target = models.CharField(max_length=60, blank=True)
    target_id = models.PositiveBigIntegerField(default=0)
    # Globally unique: the address alone says which agency a mail is for.
    token = models.CharField(max_length=40, unique=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "client", "target", "target_id"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_inbound_address_per_target",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def email(self) -> str:
        return f"{self.token}@{settings.INBOUND_EMAIL_DOMAIN}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class InboundChannel(models.TextChoices):
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    PASTED = "pasted", "Pasted"


class InboundState(models.TextChoices):
    HELD = "held", "Waiting in the inbox"
    FILED = "filed", "Filed"
    DISCARDED = "discarded", "Discarded"


class InboundMessage(models.Model):
    """One mail or chat message that reached the agency: held in the inbox until filed or discarded."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    address = models.ForeignKey(
        InboundAddress, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=10, choices=InboundChannel.choices, default=InboundChannel.EMAIL)
    source_detail = models.CharField(
        max_length=200, blank=True, help_text="Chat channel, or where a paste came from."
    )
    recipient = models.CharField(max_length=254, blank=True, help_text="The inbound address it arrived on.")
    sender_email = models.CharField(max_length=254, blank=True)
    sender_name = models.CharField(max_length=150, blank=True)
    forwarded_by = models.CharField(
        max_length=254,
        blank=True,
        help_text="Who forwarded it, when the sender above wrote the forwarded mail.",
    )
    subject = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="The Date header, or the chat timestamp.")
    received_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(
        blank=True, help_text="What the sender wrote, quoted history and signature trimmed."
    )
    full_text = models.TextField(blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    raw = models.FileField(upload_to="inbound/%Y/%m/", blank=True, help_text="The message as received.")
    state = models.CharField(max_length=10, choices=InboundState.choices, default=InboundState.HELD)
    state_reason = models.CharField(max_length=300, blank=True)
    # What it was filed as: a label ("approvals.comment"), its id, a page and words for a person.
    filed_kind = models.CharField(max_length=60, blank=True)
    filed_id = models.PositiveBigIntegerField(null=True, blank=True)
    filed_url = models.CharField(max_length=300, blank=True)
    filed_label = models.CharField(max_length=300, blank=True)
    handled_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "message_id"], condition=~Q(message_id=""), name="inbound_message_once"
            )
        ]
        indexes = [models.Index(fields=["agency", "state", "received_at"])]

    def __str__(self) -> str:
        return self.subject or self.text[:60]

    @property
    def sender(self) -> str:
        if self.sender_name and self.sender_email:
            return f"{self.sender_name} <{self.sender_email}>"
        return self.sender_name or self.sender_email

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers: In-Reply-To first, then References newest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        return ids + [ref for ref in reversed(self.references.split()) if ref not in ids]


class InboundAttachment(models.Model):
    """A file that came with an inbound message; too-large files keep their name, type and size only."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveBigIntegerField()
    file = models.FileField(upload_to="inbound/files/%Y/%m/", blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["message", "pk"]

    def __str__(self) -> str:
        return self.name


class OutboundMessage(models.Model):
    """The Message-ID of a mail we sent about something (an approval request): replies name it."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=300)
    target = models.CharField(max_length=60)
    target_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "message_id"], name="outbound_message_id_once")
        ]

    def __str__(self) -> str:
        return self.message_id
