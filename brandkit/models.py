"""Brand layers (one immutable version per save), content pieces with their versions, findings,
dismissals and transitions, the checkable constraints on decision-log entries, and the agency's
sharing settings for brand layers.

A brand layer version stores the whole layer as one JSON document (its shape lives in
``brandkit.layer``), so a version is one row and two versions compare section by section. Versions,
content versions, dismissals and transitions are history: UPDATE is refused in PostgreSQL.
"""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from agencyops.models import Agency, Client, Membership
from approvals.models import CLOSED_STATUSES, ApprovalRequest, ApprovalStatus, DecisionLogEntry
from brandkit.governance.types import CHANNELS
from projects.models import CampaignGoal, Project, Task

NO_UPDATE = pgtrigger.Protect(name="no_update", operation=pgtrigger.Update)


class BrandSettings(models.Model):
    """Who may read brand layers in one agency: members (all clients, or only their projects' clients)
    and client contacts (their own client's layer, when shared)."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="brand_settings")
    members_see_only_their_clients = models.BooleanField(
        default=False,
        help_text="Members see the brand layers of the clients of projects they are on, not every client's.",
    )
    share_with_client_contacts = models.BooleanField(
        default=False, help_text="Client contacts can read their own brand layer in the portal."
    )

    objects = ScopedManager(agency="agency")

    def __str__(self) -> str:
        return f"Brand settings of {self.agency}"


@pgtrigger.register(NO_UPDATE)
class BrandLayerVersion(models.Model):
    """One saved state of a client's brand layer: the whole document, who saved it, when and what changed."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="brand_versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(help_text="The brand layer document (see brandkit.layer).")
    changed = models.JSONField(default=list, help_text="The sections this save changed.")
    note = models.CharField(
        max_length=300, blank=True, help_text="Why it changed, e.g. “Imported Vale style”."
    )
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.DO_NOTHING, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["client", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "client", "number"], name="brand_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.client} brand v{self.number}"


class ConstraintMust(models.TextChoices):
    ABSENT = "absent", "must not appear"
    PRESENT = "present", "must appear"


class DecisionConstraint(models.Model):
    """A term a decision-log entry rules out (or requires) in the client's copy from now on.

    The log stays append-only and knows nothing of this table; the constraint points at its entry.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="decision_constraints")
    entry = models.ForeignKey(DecisionLogEntry, on_delete=models.DO_NOTHING, related_name="+")
    term = models.CharField(max_length=200)
    must = models.CharField(max_length=8, choices=ConstraintMust.choices, default=ConstraintMust.ABSENT)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["client", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "entry", "term", "must"], name="decision_constraint_unique"
            )
        ]
        indexes = [models.Index(fields=["agency", "client"])]

    def __str__(self) -> str:
        return f"“{self.term}” {self.get_must_display()}"


class ContentState(models.TextChoices):
    DRAFT = "draft", "Draft"
    INTERNAL_REVIEW = "internal_review", "Internal review"
    READY_FOR_CLIENT = "ready_for_client", "Ready for client"
    SENT_FOR_APPROVAL = "sent_for_approval", "Sent for approval"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


APPROVED_STATUSES = (ApprovalStatus.APPROVED, ApprovalStatus.APPROVED_WITH_CHANGES)


class ContentPiece(models.Model):
    """A unit of copy for one client and one channel, moving from draft to published."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="content_pieces")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    channel = models.CharField(max_length=32, choices=CHANNELS)
    goal = models.CharField(max_length=20, choices=CampaignGoal.choices, blank=True)
    state = models.CharField(max_length=20, choices=ContentState.choices, default=ContentState.DRAFT)
    approval_request = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "client", "state"]),
            models.Index(fields=["agency", "channel"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def effective_state(self) -> str:
        """The state as people see it: a piece sent for approval is approved once its request is."""
        if (
            self.state == ContentState.SENT_FOR_APPROVAL
            and self.approval_request is not None
            and self.approval_request.status in APPROVED_STATUSES
        ):
            return ContentState.APPROVED
        return self.state

    @property
    def effective_state_label(self) -> str:
        return ContentState(self.effective_state).label

    @property
    def approval_closed(self) -> bool:
        return self.approval_request is not None and self.approval_request.status in CLOSED_STATUSES


@pgtrigger.register(NO_UPDATE)
class ContentVersion(models.Model):
    """One saved text of a piece, the brand-layer version it was checked against and what the checks found."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    piece = models.ForeignKey(ContentPiece, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    headline = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    preheader = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    brand_version = models.ForeignKey(
        BrandLayerVersion, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    findings = models.JSONField(default=list, help_text="What the checks found, as stored dicts.")
    note = models.CharField(max_length=300, blank=True, help_text="What this edit did.")
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.DO_NOTHING, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["piece", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "piece", "number"], name="content_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.piece} v{self.number}"


@pgtrigger.register(NO_UPDATE)
class FindingDismissal(models.Model):
    """A writer's decision that a finding does not apply here, with the reason. Holds across versions
    for the same finding (same check, same words, same message)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    piece = models.ForeignKey(ContentPiece, on_delete=models.CASCADE, related_name="dismissals")
    key = models.CharField(max_length=64)
    check_id = models.CharField(max_length=40)
    excerpt = models.CharField(max_length=300, blank=True)
    message = models.TextField(blank=True)
    reason = models.TextField()
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.DO_NOTHING, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["piece", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "piece", "key"], name="dismissal_once_per_finding")
        ]

    def __str__(self) -> str:
        return f"Dismissed {self.check_id} on {self.piece}"


@pgtrigger.register(NO_UPDATE)
class ContentTransition(models.Model):
    """A move of a piece between states; an override records why open errors did not stop it."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    piece = models.ForeignKey(ContentPiece, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=ContentState.choices)
    to_state = models.CharField(max_length=20, choices=ContentState.choices)
    override_reason = models.TextField(blank=True)
    open_errors = models.JSONField(default=list, help_text="The open errors an override went past.")
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.DO_NOTHING, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["piece", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.piece}: {self.from_state} → {self.to_state}"


# The asset library's models live in their own module; imported here so Django registers them.
# Drafting jobs live in their own module (issue 13); imported here so Django registers them with brandkit.
from brandkit.drafting.models import (  # noqa: E402, F401
    DraftingJob,
    DraftingOutput,
    DraftingResult,
    DraftingSettings,
    ExpandedBrief,
)
from brandkit.library.models import (  # noqa: E402, F401
    BrandLayerFile,
    ExtractionState,
    ItemKind,
    LibraryItem,
    LibraryVersion,
)
