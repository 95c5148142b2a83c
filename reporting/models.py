"""Reporting campaigns and their platform names, campaign changes, imports, daily facts and KPI targets."""

from __future__ import annotations

from datetime import time as dt_time

import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from agencyops.models import Agency, Client, Membership
from approvals.models import ChangeRequest, DecisionLogEntry
from projects.models import CampaignGoal, Project
from reporting.importers.base import Platform as ImportPlatform

APPEND_ONLY = pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)


class Channel(models.TextChoices):
    PAID_SOCIAL = "paid_social", "Paid social"
    PAID_SEARCH = "paid_search", "Paid search"
    EMAIL = "email", "Email"
    ORGANIC = "organic", "Organic"
    WEB = "web", "Web"


class Platform(models.TextChoices):
    GOOGLE_ADS = ImportPlatform.GOOGLE_ADS, "Google Ads"
    META_ADS = ImportPlatform.META_ADS, "Meta Ads Manager"
    LINKEDIN = ImportPlatform.LINKEDIN, "LinkedIn Campaign Manager"
    GA4 = ImportPlatform.GA4, "Google Analytics 4"
    GENERIC = ImportPlatform.GENERIC, "Other (mapped CSV)"


class Campaign(models.Model):
    """An agency campaign for a client: its goal, channels, dates and budget; several platform names feed it."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="reporting_campaigns")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=160)
    goal = models.CharField(max_length=20, choices=CampaignGoal.choices)
    channels = ArrayField(models.CharField(max_length=20, choices=Channel.choices), default=list, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    budget = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    budget_currency = models.CharField(max_length=3, blank=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "client", "name"], name="reporting_campaign_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="reporting_campaign_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["agency", "client", "starts_on"])]

    def __str__(self) -> str:
        return self.name


class PlatformCampaign(models.Model):
    """A campaign name as a platform spells it, mapped once to an agency campaign (or to none) and remembered.

    It also remembers the last status and daily budget an import showed, so the next import can record
    a pause or a budget change as a CampaignChange.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    name = models.CharField(max_length=300)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="platform_campaigns"
    )
    last_status = models.CharField(max_length=40, blank=True)
    last_daily_budget = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    last_state_on = models.DateField(null=True, blank=True)
    mapped_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    mapped_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["platform", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "client", "platform", "name"], name="platform_campaign_name_unique"
            )
        ]
        indexes = [models.Index(fields=["agency", "platform", "name"])]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.name}"


class ChangeKind(models.TextChoices):
    BUDGET = "budget", "Budget"
    STATUS = "status", "Paused or restarted"
    AUDIENCE = "audience", "Audience or targeting"
    CREATIVE = "creative", "New creative"
    OFFER = "offer", "New offer"
    LANDING_PAGE = "landing_page", "Landing page"
    BID_STRATEGY = "bid_strategy", "Bid strategy"
    OTHER = "other", "Other"


class ChangeSource(models.TextChoices):
    PERSON = "person", "Entered by a person"
    IMPORT = "import", "Detected between imports"


@pgtrigger.register(APPEND_ONLY)
class CampaignChange(models.Model):
    """Something that changed in a campaign on a day: the raw material of "why it likely happened"."""

    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.DO_NOTHING, related_name="changes")
    changed_on = models.DateField()
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    summary = models.CharField(max_length=300)
    platform = models.CharField(max_length=20, choices=Platform.choices, blank=True)
    source = models.CharField(max_length=10, choices=ChangeSource.choices, default=ChangeSource.PERSON)
    source_import = models.ForeignKey(
        "reporting.Import", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    recorded_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-changed_on", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["agency", "campaign", "changed_on"])]

    def __str__(self) -> str:
        return f"{self.changed_on}: {self.summary}"


class CampaignDecisionLink(models.Model):
    """A decision-log entry or change request that concerns a campaign (approvals stays unaware of reporting)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="decision_links")
    decision = models.ForeignKey(
        DecisionLogEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    change_request = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    linked_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__isnull=False, change_request__isnull=True)
                | Q(decision__isnull=True, change_request__isnull=False),
                name="campaign_link_one_target",
            ),
            models.UniqueConstraint(
                fields=["agency", "campaign", "decision"], name="campaign_link_decision_once"
            ),
            models.UniqueConstraint(
                fields=["agency", "campaign", "change_request"], name="campaign_link_change_request_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.decision or self.change_request}"


class ColumnMapping(models.Model):
    """How to read a client's CRM, email or call-tracking CSV: header → metric, saved once per client."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    mapping = models.JSONField()
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "client", "name"], name="column_mapping_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ImportState(models.TextChoices):
    PREVIEW = "preview", "Preview"
    CONFIRMED = "confirmed", "Imported"
    DISCARDED = "discarded", "Discarded"


class Import(models.Model):
    """An uploaded export: its file, who and when, what it covers, its problems; facts land on confirmation."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="reporting/imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    platform = models.CharField(max_length=20, choices=Platform.choices)
    layout = models.CharField(max_length=30)
    level = models.CharField(max_length=20)
    default_currency = models.CharField(max_length=3, blank=True)
    column_mapping = models.ForeignKey(
        ColumnMapping, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period_start = models.DateField(null=True)
    period_end = models.DateField(null=True)
    state = models.CharField(max_length=10, choices=ImportState.choices, default=ImportState.PREVIEW)
    summary = models.JSONField(default=dict, help_text="Campaigns and totals, as the preview shows them.")
    problems = models.JSONField(default=list, help_text="Row-level problem report.")
    notes = models.JSONField(default=list)
    blocking = models.JSONField(default=list, help_text="Why this import cannot be confirmed.")
    row_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["agency", "client", "uploaded_at"])]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.original_name}"


class FactLevel(models.TextChoices):
    """Which rows add up to what: campaign totals, ad-level detail, site traffic by channel, landing pages."""

    CAMPAIGN = "campaign", "Campaign"
    AD = "ad", "Ad, ad set or asset"
    CHANNEL = "channel", "Site traffic by channel"
    LANDING_PAGE = "landing_page", "Landing page"


class DailyFact(models.Model):
    """One metric of one day: the single table every report, KPI and chart aggregates."""

    id = models.BigAutoField(primary_key=True)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", db_index=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    platform_campaign = models.ForeignKey(
        PlatformCampaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    source_import = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="+", db_index=False)
    date = models.DateField()
    platform = models.CharField(max_length=20, choices=Platform.choices)
    level = models.CharField(max_length=20, choices=FactLevel.choices)
    metric = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3, blank=True)
    breakdown = models.CharField(max_length=20, blank=True)
    breakdown_value = models.CharField(max_length=300, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        indexes = [
            # A client's range: every dashboard and KPI query starts here (covering the metric and value).
            models.Index(
                fields=["agency", "client", "date"],
                name="fact_client_date",
                include=["campaign", "level", "metric", "currency", "value"],
            ),
            models.Index(fields=["agency", "campaign", "date"], name="fact_campaign_date"),
            # What an import replaces: one platform campaign's days.
            models.Index(fields=["platform_campaign", "level", "date"], name="fact_replace"),
            models.Index(fields=["source_import"], name="fact_import"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.metric} {self.value} {self.currency}".strip()


class KpiComparison(models.TextChoices):
    AT_LEAST = "at_least", "at least"
    AT_MOST = "at_most", "at most"


class TargetPeriod(models.TextChoices):
    WEEK = "week", "per week"
    MONTH = "month", "per month"
    QUARTER = "quarter", "per quarter"


class KpiTarget(models.Model):
    """A campaign's target for one KPI and period: "cost per lead at most 45 USD", "leads at least 120 a month"."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    kpi = models.CharField(max_length=40)
    comparison = models.CharField(max_length=10, choices=KpiComparison.choices)
    value = models.DecimalField(max_digits=14, decimal_places=4)
    currency = models.CharField(max_length=3, blank=True)
    period = models.CharField(max_length=10, choices=TargetPeriod.choices, default=TargetPeriod.MONTH)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["kpi"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "campaign", "kpi", "period"], name="kpi_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.get_comparison_display()} {self.value} {self.currency}".strip()


# --- part 2: insight drafts -----------------------------------------------------------------------


class InsightState(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


class ProseSource(models.TextChoices):
    WRITER = "writer", "Written from the facts"
    DRAFTING = "drafting", "AI drafting"
    AI = "ai", "Written by AI, numbers checked"
    REJECTED = "rejected", "AI text rejected"
    FAILED = "failed", "AI drafting failed"


class InsightDraft(models.Model):
    """A client's "what changed, why, what next" for a period: computed facts, the text a person edits, approval."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    compare_start = models.DateField()
    compare_end = models.DateField()
    facts = models.JSONField(help_text="The computed movements, causes and recommendations the text is from.")
    drafted_text = models.TextField(help_text="What the writer produced from the facts.")
    text = models.TextField(help_text="The text as a person edited it.")
    state = models.CharField(max_length=10, choices=InsightState.choices, default=InsightState.DRAFT)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # With an AI provider configured, a drafting job writes the prose from the facts; its text is used only
    # when every number in it is in the facts (else the writer's text stays and the reason is shown).
    drafting_job = models.ForeignKey(
        "brandkit.DraftingJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prose = models.CharField(max_length=10, choices=ProseSource.choices, default=ProseSource.WRITER)
    prose_note = models.TextField(blank=True, help_text="Why the AI text was or was not used, in words.")
    ai_text = models.TextField(blank=True, help_text="What the AI provider wrote, as it came.")

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-period_start", "-created_at", "-pk"]
        indexes = [models.Index(fields=["agency", "client", "period_start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="insight_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client}: {self.period_start}–{self.period_end}"


# --- part 2: weekly reports -----------------------------------------------------------------------


class ReportSection(models.TextChoices):
    INSIGHT = "insight", "What changed, why, what next"
    CAMPAIGNS = "campaigns", "Campaign performance"
    WEBSITE = "website", "Website and conversion"
    CONTENT = "content", "Content output"
    RETAINER = "retainer", "Retainer (deliverables and change requests)"


def report_send_time_default() -> dt_time:
    """10:00 in the agency's time zone. A function, not a fixed value: Django's check for fixed times
    warns about a literal that lies within seconds of the moment it runs (at 10:00, every day)."""
    return dt_time(10, 0)


class ReportDefinition(models.Model):
    """A client's weekly report: its sections, who gets it, when (agency time), and how long to wait for data."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120, default="Weekly report")
    sections = ArrayField(models.CharField(max_length=20, choices=ReportSection.choices), default=list)
    contacts = models.ManyToManyField("agencyops.ClientContact", blank=True, related_name="+")
    internal_recipients = models.ManyToManyField(Membership, blank=True, related_name="+")
    coordinator = models.ForeignKey(
        Membership,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Told when data is missing.",
    )
    weekday = models.PositiveSmallIntegerField(default=0, help_text="0 = Monday.")
    send_at = models.TimeField(default=report_send_time_default)
    data_lag_days = models.PositiveSmallIntegerField(
        default=0,
        help_text="Days after the week's end its imports may still arrive before the report is sent.",
    )
    wait_for_data = models.BooleanField(
        default=True, help_text="Hold the report until last week's imports have arrived."
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["client__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "client", "name"], name="report_definition_name_unique"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="report_definition_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.client}: {self.name}"


class IssueState(models.TextChoices):
    PENDING = "pending", "Waiting to be assembled"
    HELD = "held", "Held: data missing"
    RENDERING = "rendering", "Being assembled"
    READY = "ready", "Rendered, not yet mailed"
    SENDING = "sending", "Being mailed"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


@pgtrigger.register(
    pgtrigger.Protect(
        name="report_issue_immutable_once_sent",
        operation=pgtrigger.Update | pgtrigger.Delete,
        condition=pgtrigger.Q(old__state="sent"),
    )
)
class ReportIssue(models.Model):
    """One period's report of a definition: assembled once, rendered to PDF, mailed once, then immutable."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    definition = models.ForeignKey(ReportDefinition, on_delete=models.PROTECT, related_name="issues")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    state = models.CharField(max_length=10, choices=IssueState.choices, default=IssueState.PENDING)
    missing = models.JSONField(default=list, help_text="What data the report waits for.")
    failure_reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    insight = models.ForeignKey(
        InsightDraft, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField(upload_to="reporting/issues/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveSmallIntegerField(default=0)
    recipients = models.JSONField(default=list)
    coordinator_told_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "definition", "period_start"], name="report_issue_once_per_period"
            ),
        ]
        indexes = [models.Index(fields=["agency", "client", "state"])]

    def __str__(self) -> str:
        return f"{self.definition}: {self.period_start}–{self.period_end}"


# --- part 2: alerts -------------------------------------------------------------------------------


class AlertKind(models.TextChoices):
    THRESHOLD = "threshold", "A KPI past a threshold for some days"
    PACING = "pacing", "Spend pacing over budget"
    ANOMALY = "anomaly", "A day outside the recent range"


class AlertRule(models.Model):
    """When to alert a campaign's owner: "cost per lead above 60 for two days", "pacing over 110%", an anomaly."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="alert_rules")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    kpi = models.CharField(max_length=40, help_text="A KPI key (threshold, anomaly); spend for pacing.")
    above = models.BooleanField(default=True, help_text="Alert above the threshold (else below).")
    threshold = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    days = models.PositiveSmallIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["campaign_id", "kind", "kpi"]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.get_kind_display()} ({self.kpi})"


class Alert(models.Model):
    """One episode of a rule being broken: opened once (and its owner told once), closed when it clears."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=300)
    opened_on = models.DateField()
    last_seen_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "rule"], condition=Q(closed_on__isnull=True), name="alert_one_open_episode"
            )
        ]

    def __str__(self) -> str:
        return self.message
