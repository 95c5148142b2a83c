"""Drafting jobs, their one result, the agency's provider settings and expanded briefs.

Imported by ``brandkit.models`` so the app label stays ``brandkit``. A job is created in the request and
run by a Celery worker; its result is written once (``DraftingResult`` is one row per job) in the same
transaction that marks the job succeeded, so a worker killed mid-job leaves it retryable, never duplicated.
"""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from agencyops.models import Agency, Client, Membership
from projects.models import Project

OFFLINE_LABEL = "offline drafter"


class JobKind(models.TextChoices):
    BRIEF_EXPANSION = "brief_expansion", "Brief expansion"
    FIRST_DRAFT = "first_draft", "First draft"
    REPURPOSE = "repurpose", "Repurposing"
    VARIANTS = "variants", "Variants"
    PRE_EDIT = "pre_edit", "Internal pre-edit"
    REPORT_PROSE = "report_prose", "Report prose"


# The kinds a person starts from the drafting pages and API; a report's prose is started by the report.
PEOPLE_KINDS = [(value, label) for value, label in JobKind.choices if value != JobKind.REPORT_PROSE]


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATES = (JobState.QUEUED, JobState.RUNNING)
DONE_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class DraftingSettings(models.Model):
    """One agency's model provider (any OpenAI-compatible endpoint), its prices and monthly token budget.

    Empty base URL and model: the instance default from the environment, or the offline drafter.
    """

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="drafting_settings")
    base_url = models.URLField(max_length=300, blank=True, help_text="e.g. https://api.openai.com/v1")
    model = models.CharField(max_length=120, blank=True, help_text="e.g. gpt-4o-mini, llama3.1")
    api_key_encrypted = models.TextField(blank=True, help_text="Fernet-encrypted; never shown back.")
    monthly_token_budget = models.PositiveIntegerField(
        null=True, blank=True, help_text="Tokens per calendar month; empty: the instance default."
    )
    price_input_per_million = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    price_output_per_million = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    def __str__(self) -> str:
        return f"Drafting settings of {self.agency}"

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key_encrypted)


class DraftingJob(models.Model):
    """One drafting request: what was asked, for which client and brand-layer version, how the run went,
    the exact messages sent and the response received, tokens and cost."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="drafting_jobs")
    brand_version = models.ForeignKey(
        "brandkit.BrandLayerVersion", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    inputs = models.JSONField(help_text="What the person asked for, with the source texts as they were.")
    source_piece = models.ForeignKey(
        "brandkit.ContentPiece", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=12, choices=JobState.choices, default=JobState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    events = models.JSONField(default=list, help_text="Each attempt: when, what went wrong, the wait.")
    error = models.TextField(blank=True, help_text="Why the job failed, in words.")
    provider = models.CharField(max_length=160, help_text="“offline drafter” or the model's name.")
    base_url = models.CharField(max_length=300, blank=True)
    messages = models.JSONField(default=list, help_text="The exact messages sent.")
    response = models.TextField(blank=True, help_text="The response received, as text.")
    estimated_tokens = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "created_at"]),
            models.Index(fields=["agency", "client", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_offline(self) -> bool:
        return self.provider == OFFLINE_LABEL

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@pgtrigger.register(pgtrigger.Protect(name="no_update", operation=pgtrigger.Update))
class DraftingResult(models.Model):
    """The one result of a job (unique per job): the outputs as parsed, the findings of each, and the
    pieces, versions or expanded brief they landed in."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField(DraftingJob, on_delete=models.CASCADE, related_name="result")
    outputs = models.JSONField(default=list, help_text="Each output: texts, findings, where it landed.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    def __str__(self) -> str:
        return f"Result of {self.job_id}"


class DraftingOutput(models.Model):
    """A content piece a job wrote, and the piece it was made from (repurposing, variants)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(DraftingJob, on_delete=models.CASCADE, related_name="outputs")
    piece = models.ForeignKey("brandkit.ContentPiece", on_delete=models.CASCADE, related_name="drafted_by")
    source = models.ForeignKey(
        "brandkit.ContentPiece", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived"
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "job", "position"], name="drafting_output_once")
        ]

    def __str__(self) -> str:
        return f"Output {self.position} of job {self.job_id}"


class SectionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    EDITED = "edited", "Edited"
    DROPPED = "dropped", "Dropped"


@pgtrigger.register(pgtrigger.Protect(name="no_update", operation=pgtrigger.Update))
class ExpandedBrief(models.Model):
    """One version of a project's expanded brief, beside the brief (never written over it). Each section
    is proposed by a job and accepted, edited or dropped by a person; every decision is a new version."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="expanded_briefs")
    number = models.PositiveIntegerField()
    job = models.ForeignKey(DraftingJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sections = models.JSONField(help_text="[{key, title, text, status}] in order.")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.DO_NOTHING, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "project", "number"], name="expanded_brief_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Expanded brief v{self.number} of {self.project}"
