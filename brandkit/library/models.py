"""The asset and knowledge library: a client's (or the agency's) files, links and past work, with versions.

An item is what people name and find ("Acme logo pack"); its versions are the files or links it has had.
The newest version is the item's latest; older ones stay, read-only. Search reads one `search_vector` per
item, built from the title (weight A), the tags (B) and the latest version's text (C).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from agencyops.models import Agency, Client, Membership


class ItemKind(models.TextChoices):
    LOGO = "logo", "Logo"
    GUIDELINES = "guidelines", "Brand guidelines"
    FONT = "font", "Font"
    PHOTO = "photo", "Photo"
    BRIEF = "brief", "Brief"
    RESEARCH = "research", "Research"
    REPORT = "report", "Report"
    PAST_WORK = "past_work", "Past work"
    TEMPLATE = "template", "Template"
    CONTRACT = "contract", "Contract / SOW"
    OTHER = "other", "Other"


class ExtractionState(models.TextChoices):
    PENDING = "pending", "Being indexed"
    DONE = "done", "Searchable"
    FAILED = "failed", "Not searchable"
    NONE = "none", "Nothing to index"


class PreviewState(models.TextChoices):
    PENDING = "pending", "Being drawn"
    DONE = "done", "Ready"
    FAILED = "failed", "No preview"
    NONE = "none", "No preview for this kind"


class LibraryItem(models.Model):
    """A named thing in the library: a client's (or, with no client, the agency's own) file or link."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.CASCADE, related_name="library_items"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=ItemKind.choices, default=ItemKind.OTHER)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="library_items"
    )
    task = models.ForeignKey(
        "projects.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approval_request = models.ForeignKey(
        "approvals.ApprovalRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_visible = models.BooleanField(default=False, help_text="Shown on the client's Brand files page.")
    latest_version = models.ForeignKey(
        "LibraryVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_config = models.CharField(max_length=20, default="english")
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            GinIndex(fields=["search_vector"], name="library_item_search"),
            models.Index(fields=["agency", "client", "-updated_at"], name="library_item_client"),
            models.Index(fields=["agency", "kind"], name="library_item_kind"),
            GinIndex(fields=["tags"], name="library_item_tags"),
        ]
        constraints = [
            # Past work is filed once per approval request, however often the approval is announced.
            models.UniqueConstraint(
                fields=["agency", "approval_request"],
                condition=Q(approval_request__isnull=False, kind="past_work"),
                name="library_past_work_once_per_request",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class LibraryVersion(models.Model):
    """One file (or link) an item has had. Never changed once made; a replacement is a new version."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="library/%Y/%m/", blank=True, max_length=255)
    url = models.URLField(max_length=1000, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    file_kind = models.CharField(max_length=8, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True)
    extraction_state = models.CharField(
        max_length=8, choices=ExtractionState.choices, default=ExtractionState.PENDING
    )
    extraction_note = models.CharField(max_length=300, blank=True)
    # A small PNG of an image or a PDF's first page, drawn by a worker; the file itself is never touched.
    preview = models.FileField(upload_to="library/previews/%Y/%m/", blank=True, max_length=255)
    preview_width = models.PositiveIntegerField(default=0)
    preview_height = models.PositiveIntegerField(default=0)
    preview_state = models.CharField(max_length=8, choices=PreviewState.choices, default=PreviewState.NONE)
    preview_note = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    client_visible = models.BooleanField(
        default=True, help_text="When the item is shared, this version may be too."
    )
    uploaded_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "item", "number"], name="library_version_number_unique")
        ]
        indexes = [models.Index(fields=["agency", "sha256"], name="library_version_hash")]

    def __str__(self) -> str:
        return f"{self.item} v{self.number}"

    @property
    def is_link(self) -> bool:
        return bool(self.url)

    @property
    def display_name(self) -> str:
        return self.original_name or self.url


class BrandFileRole(models.TextChoices):
    EXAMPLE = "example", "Example asset that sounds right"
    PROOF = "proof", "Proof for an approved claim"


class BrandLayerFile(models.Model):
    """A library file a client's brand layer points at: an example asset that sounds right, or the proof
    behind one of its approved claims (named by the claim's text). It always means the item's latest
    version, so replacing the file keeps the choice."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="brand_files")
    library_item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="brand_uses")
    role = models.CharField(max_length=8, choices=BrandFileRole.choices)
    claim = models.CharField(max_length=500, blank=True, help_text="The approved claim it proves.")
    chosen_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["client", "role", "claim", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "client", "library_item", "role", "claim"], name="brand_layer_file_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client}: {self.library_item} ({self.role})"
