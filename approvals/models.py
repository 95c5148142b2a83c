"""Approval requests, asset versions, pinned comments, reviewer decisions, the decision log and change requests.

Decisions, decision-log entries and change requests (with their decisions) are history: append-only,
protected against UPDATE and DELETE in PostgreSQL.
"""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from agencyops.models import Agency, Client, ClientContact, Membership, User
from projects.models import Project, Task, no_truncate

APPEND_ONLY = pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
# TRUNCATE skips row triggers, so history also refuses it with a statement-level trigger.
NO_TRUNCATE = no_truncate("no_truncate")


class Scope(models.TextChoices):
    COPY = "copy", "Copy"
    DESIGN = "design", "Design"
    STRATEGY = "strategy", "Strategy"
    BUDGET = "budget", "Budget"
    TIMING = "timing", "Timing"


class ApprovalStatus(models.TextChoices):
    DRAFT = "draft", "Draft (not sent)"
    AWAITING_INTERNAL = "awaiting_internal", "Awaiting internal sign-off"
    AWAITING_CLIENT = "awaiting_client", "Awaiting client decision"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CHANGES = "approved_with_changes", "Approved with changes"
    CANCELLED = "cancelled", "Cancelled"


CLOSED_STATUSES = (ApprovalStatus.APPROVED, ApprovalStatus.APPROVED_WITH_CHANGES, ApprovalStatus.CANCELLED)


class ApprovalRequest(models.Model):
    """One deliverable sent to a client for a decision: who approves, what exactly, by when, and what follows."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="approval_requests")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="approval_requests")
    task = models.ForeignKey(
        Task,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approval_requests",
        help_text="The review milestone this approval gates.",
    )
    title = models.CharField(max_length=200)
    deliverable = models.CharField(max_length=200, help_text="Revision rounds are counted per deliverable.")
    final_approver = models.ForeignKey(ClientContact, on_delete=models.PROTECT, related_name="+")
    scopes = models.JSONField(default=list, help_text="What exactly is being approved.")
    scope_notes = models.TextField(blank=True, help_text="What is in and what is out.")
    due_at = models.DateTimeField(help_text="When feedback is due.")
    after_approval = models.TextField(help_text="What happens after approval.")
    status = models.CharField(max_length=24, choices=ApprovalStatus.choices, default=ApprovalStatus.DRAFT)
    internal_approver = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Someone at the agency who signs off before the client sees it.",
    )
    internal_signed_off_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"]),
            models.Index(fields=["agency", "client", "status"]),
            models.Index(fields=["agency", "project"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(Scope.choices)
        return [labels.get(s, s) for s in self.scopes]


class VersionKind(models.TextChoices):
    IMAGE = "image", "Image"
    PDF = "pdf", "PDF"
    TEXT = "text", "Copy"


class AssetVersion(models.Model):
    """One round of a deliverable: an image, a PDF or copy. Earlier versions stay, read-only."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=VersionKind.choices)
    file = models.FileField(upload_to="approvals/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="What changed in this version.")
    uploaded_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "request", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request} v{self.number}"

    @property
    def revision_round(self) -> int:
        """Round 1 is the first version; every later version is a revision round."""
        return self.number - 1


class VersionPage(models.Model):
    """A PDF page rendered as an image so reviewers can pin comments on it."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveSmallIntegerField()
    image = models.FileField(upload_to="approvals/pages/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "version", "number"], name="page_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version} page {self.number}"


class FeedbackSource(models.TextChoices):
    PORTAL = "portal", "Portal"
    APP = "app", "AgencyOps"
    EMAIL = "email", "Email"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    CHAT = "chat", "Chat"


class Comment(models.Model):
    """Feedback on a version: pinned at a point of a page, on a passage of copy, or general; threads by parent."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField()
    is_internal = models.BooleanField(default=False, help_text="Agency only: never shown in the portal.")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    author_contact = models.ForeignKey(
        ClientContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    page = models.PositiveSmallIntegerField(default=1)
    pin_x = models.FloatField(null=True, blank=True, help_text="0..1 across the page.")
    pin_y = models.FloatField(null=True, blank=True, help_text="0..1 down the page.")
    quote = models.TextField(blank=True, help_text="The passage of copy commented on.")
    quote_start = models.PositiveIntegerField(null=True, blank=True)
    quote_end = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=FeedbackSource.choices, default=FeedbackSource.APP)
    source_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was said, for captured feedback."
    )
    said_by = models.CharField(max_length=150, blank=True, help_text="Who said it, for captured feedback.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["agency", "request", "version"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(pin_x__isnull=True) & Q(pin_y__isnull=True))
                | (Q(pin_x__gte=0) & Q(pin_x__lte=1) & Q(pin_y__gte=0) & Q(pin_y__lte=1)),
                name="comment_pin_inside_page",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_pinned(self) -> bool:
        return self.pin_x is not None

    @property
    def is_captured(self) -> bool:
        return self.source not in (FeedbackSource.PORTAL, FeedbackSource.APP)


class Verdict(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CHANGES = "approve_with_changes", "Approve with changes"
    REQUEST_CHANGES = "request_changes", "Request changes"


# What a verdict means once given, for mail subjects: "Changes requested", not the button's "Request changes".
VERDICT_OUTCOMES = {
    Verdict.APPROVE: "Approved",
    Verdict.APPROVE_WITH_CHANGES: "Approved with changes",
    Verdict.REQUEST_CHANGES: "Changes requested",
}


@pgtrigger.register(APPEND_ONLY, NO_TRUNCATE)
class ReviewerDecision(models.Model):
    """A reviewer's verdict on one round. Only the final approver's is binding; one binding verdict per round."""

    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, related_name="+")
    request = models.ForeignKey(ApprovalRequest, on_delete=models.DO_NOTHING, related_name="decisions")
    version = models.ForeignKey(AssetVersion, on_delete=models.DO_NOTHING, related_name="decisions")
    contact = models.ForeignKey(ClientContact, on_delete=models.DO_NOTHING, related_name="+")
    verdict = models.CharField(max_length=24, choices=Verdict.choices)
    changes = models.TextField(blank=True, help_text="The changes, when approving with changes.")
    is_final = models.BooleanField(default=False)
    decided_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "version"], condition=Q(is_final=True), name="one_final_decision_per_round"
            ),
            models.UniqueConstraint(
                fields=["agency", "version", "contact"], name="one_verdict_per_reviewer_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} on {self.version}"


class LogSource(models.TextChoices):
    APPROVAL = "approval", "Approval request"
    COMMENT = "comment", "Comment"
    EMAIL = "email", "Email"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    CHAT = "chat", "Chat"
    CHANGE_REQUEST = "change_request", "Change request"
    OTHER = "other", "Other"


@pgtrigger.register(APPEND_ONLY, NO_TRUNCATE)
class DecisionLogEntry(models.Model):
    """What was decided, by whom, when, with what impact, and where it came from. Corrections are new entries."""

    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.DO_NOTHING, related_name="decision_log")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+")
    decided_on = models.DateField()
    decision = models.TextField()
    approver_name = models.CharField(max_length=150)
    approver_contact = models.ForeignKey(
        ClientContact, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    asset = models.CharField(max_length=200, help_text="Asset or campaign affected.")
    impact_timeline = models.TextField(blank=True)
    impact_budget = models.TextField(blank=True)
    impact_deliverables = models.TextField(blank=True)
    source_kind = models.CharField(max_length=16, choices=LogSource.choices)
    source_note = models.CharField(
        max_length=300, blank=True, help_text="e.g. the email's subject and sender."
    )
    approval_request = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="log_entries"
    )
    version = models.ForeignKey(
        AssetVersion, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+")
    reviewer_decision = models.OneToOneField(
        ReviewerDecision, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="log_entry"
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="corrections"
    )
    recorded_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-decided_on", "-recorded_at", "-pk"]
        verbose_name_plural = "decision log entries"
        indexes = [models.Index(fields=["agency", "client", "decided_on"])]

    def __str__(self) -> str:
        return f"{self.decided_on}: {self.decision[:60]}"


@pgtrigger.register(APPEND_ONLY, NO_TRUNCATE)
class ChangeRequest(models.Model):
    """A request to revise approved work or go beyond the agreed rounds: it cites the decision and its impact."""

    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.DO_NOTHING, related_name="change_requests")
    client = models.ForeignKey(Client, on_delete=models.DO_NOTHING, related_name="+")
    approval_request = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="change_requests"
    )
    cites = models.ForeignKey(
        DecisionLogEntry, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="change_requests"
    )
    citation = models.TextField(help_text="e.g. Homepage messaging was approved on 8 May by Anna Li.")
    description = models.TextField()
    reason = models.CharField(
        max_length=20,
        choices=[
            ("revise_approved", "Revise approved work"),
            ("extra_round", "Revision round beyond budget"),
            ("other", "Other scope change"),
        ],
    )
    affected_task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    rework_days = models.PositiveSmallIntegerField(default=0, help_text="Business days of extra work.")
    impact_business_days = models.IntegerField(
        default=0, help_text="How far the launch moves, in business days."
    )
    impact_summary = models.CharField(max_length=200, blank=True)
    impact_budget = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    requested_by_contact = models.ForeignKey(
        ClientContact, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    requested_by_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["agency", "project"])]

    def __str__(self) -> str:
        return f"Change request #{self.pk}: {self.description[:50]}"


class ChangeRequestVerdict(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


@pgtrigger.register(APPEND_ONLY, NO_TRUNCATE)
class ChangeRequestDecision(models.Model):
    """The one decision on a change request; approving it shifts the schedule."""

    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, related_name="+")
    change_request = models.OneToOneField(ChangeRequest, on_delete=models.DO_NOTHING, related_name="decision")
    verdict = models.CharField(max_length=10, choices=ChangeRequestVerdict.choices)
    note = models.TextField(blank=True)
    decided_by_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    decided_by_contact = models.ForeignKey(
        ClientContact, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    def __str__(self) -> str:
        return f"{self.get_verdict_display()}: change request #{self.change_request_id}"
