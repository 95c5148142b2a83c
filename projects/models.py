"""Projects, briefs, phases, tasks, dependencies, required inputs, deadline history, templates."""

from __future__ import annotations

import datetime

import pgtrigger
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django_scopes import ScopedManager

from agencyops.models import Agency, Client, Discipline, Membership


class AgencyClosure(models.Model):
    """A day the whole agency is closed (on top of its working week and public holidays)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    name = models.CharField(max_length=120, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["agency", "date"], name="closure_one_per_day")]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y} {self.name}".strip()


class ProjectTemplate(models.Model):
    """An agency's own template. Built-in templates live in projects/builtin_templates.py.

    ``spec`` holds phases and tasks in the same shape as the built-ins (see templates.TemplateSpec).
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="project_templates")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    spec = models.JSONField()
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="template_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# A live project is one whose work is still to be done on its schedule: planned or under way. On hold is
# not live (its dates are paused), nor are done and cancelled projects. Every "live" in the product (the
# home view, workload, the risk scan, beat jobs) is this one definition.
LIVE_PROJECT_STATUSES = (ProjectStatus.PLANNING, ProjectStatus.ACTIVE)


class ProjectQuerySet(models.QuerySet):
    def live(self) -> ProjectQuerySet:
        """Projects planned or under way (see LIVE_PROJECT_STATUSES)."""
        return self.filter(status__in=LIVE_PROJECT_STATUSES)


class TaskQuerySet(models.QuerySet):
    def of_live_projects(self) -> TaskQuerySet:
        """Tasks of live projects (see LIVE_PROJECT_STATUSES)."""
        return self.filter(project__status__in=LIVE_PROJECT_STATUSES)


class CampaignGoal(models.TextChoices):
    """What a campaign is for: one list for the brief, brand CTAs, drafting and reporting KPIs."""

    AWARENESS = "awareness", "Awareness"
    LEAD_GENERATION = "lead_generation", "Lead generation"
    EMAIL_NURTURE = "email_nurture", "Email nurture"
    SEO_CONTENT = "seo_content", "SEO / content"
    SALES = "sales", "Sales"
    RETENTION = "retention", "Retention"


class RecurrenceFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class Project(models.Model):
    """A campaign or piece of client work, scheduled back from its launch (handoff) date."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="projects")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(max_length=160)
    template_name = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNING)
    launch_date = models.DateField()
    coordinator = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="coordinated_projects"
    )
    shift_successors = models.BooleanField(
        default=True, help_text="When a due date moves later, move the tasks that depend on it too."
    )
    revision_rounds_included = models.PositiveSmallIntegerField(default=2)
    # Recurring retainer work: deliverables generated from the template's recurring tasks.
    recurrence_frequency = models.CharField(max_length=10, choices=RecurrenceFrequency.choices, blank=True)
    recurrence_interval = models.PositiveSmallIntegerField(default=1)
    recurrence_weekday = models.PositiveSmallIntegerField(null=True, blank=True)
    recurrence_day_of_month = models.SmallIntegerField(null=True, blank=True)
    recurrence_periods_ahead = models.PositiveSmallIntegerField(default=3)
    recurrence_start = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A retainer's month: hours included and the fee, so hours used and the effective rate are known.
    retainer_included_hours = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    retainer_monthly_fee = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    retainer_fee_currency = models.CharField(max_length=3, blank=True)

    objects = ScopedManager(models.Manager.from_queryset(ProjectQuerySet), agency="agency")

    class Meta:
        ordering = ["launch_date", "name"]
        indexes = [
            models.Index(fields=["agency", "status", "launch_date"]),
            models.Index(fields=["agency", "client"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrence_frequency)


class Brief(models.Model):
    """What the work is for: the fields every campaign starts with (see the seed's brief checklist)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="brief")
    campaign_name = models.CharField(max_length=160, blank=True)
    objective = models.TextField(blank=True)
    deliverables = models.TextField(blank=True, help_text="One per line.")
    channels = models.CharField("Channel or placement", max_length=200, blank=True)
    campaign_goal = models.CharField(max_length=20, choices=CampaignGoal.choices, blank=True)
    internal_owner = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_briefs"
    )
    due_date = models.DateField(null=True, blank=True)
    review_milestones = models.TextField(blank=True, help_text="One per line.")
    known_constraints = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(agency="agency")

    # Brief fields a project cannot go active without (inputs and launch date are checked separately).
    REQUIRED_FIELDS = (
        ("campaign_name", "Campaign name"),
        ("objective", "Objective"),
        ("deliverables", "Deliverables"),
        ("channels", "Channel or placement"),
        ("internal_owner", "Internal owner"),
        ("due_date", "Due date"),
        ("review_milestones", "Review milestones"),
        ("known_constraints", "Known constraints"),
    )

    def __str__(self) -> str:
        return f"Brief for {self.project}"

    @property
    def deliverable_list(self) -> list[str]:
        return deliverable_lines(self.deliverables)


def deliverable_lines(deliverables: str) -> list[str]:
    """A brief's deliverables, one per non-blank line (for readers that load the text without the brief)."""
    return [line.strip() for line in deliverables.splitlines() if line.strip()]


class Phase(models.Model):
    """A stage of a project with one accountable owner and a deadline tied to the final delivery."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=0)
    accountable_discipline = models.CharField(max_length=20, choices=Discipline.choices, blank=True)
    owner = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["project", "order"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "project", "name"], name="phase_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    IN_REVIEW = "in_review", "In review"
    WAITING = "waiting", "Waiting"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"


# Work that has begun and is not finished: in progress, or done and being checked before it counts.
STARTED_STATUSES = (TaskStatus.IN_PROGRESS, TaskStatus.IN_REVIEW)


class Party(models.TextChoices):
    AGENCY = "agency", "Agency"
    CLIENT = "client", "Client"
    VENDOR = "vendor", "Vendor"


class TaskCategory(models.TextChoices):
    """What kind of work a task is, so time can be asked about by kind ("report preparation time")."""

    PRODUCTION = "production", "Production"
    REVIEW = "review", "Review"
    ACCOUNT_MANAGEMENT = "account_management", "Account management"
    REPORTING = "reporting", "Reporting"
    STRATEGY = "strategy", "Strategy"
    MEDIA_BUYING = "media_buying", "Media buying"
    ADMIN = "admin", "Admin"


class Task(models.Model):
    """One piece of work with dates, an assignee and a status."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    # Indexed by task_project_counts_idx (Meta), which also carries what the project lists count.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks", db_index=False)
    phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    key = models.CharField(max_length=80, help_text="Stable name within the project (from its template).")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="What the work is, in Markdown.")
    discipline = models.CharField(max_length=20, choices=Discipline.choices, blank=True)
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tasks"
    )
    duration_days = models.PositiveSmallIntegerField(default=1, help_text="Business days; 0 for a milestone.")
    estimated_hours = models.DecimalField(
        max_digits=6, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    start_date = models.DateField()
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    waiting_on = models.CharField(max_length=10, choices=Party.choices, blank=True)
    waiting_on_name = models.CharField(max_length=120, blank=True)
    waiting_since = models.DateField(null=True, blank=True)
    blocked_reason = models.TextField(blank=True)
    blocked_since = models.DateField(null=True, blank=True)
    needs_decision = models.BooleanField(default=False)
    decision_question = models.TextField(blank=True)
    decision_by = models.CharField(
        max_length=120, blank=True, help_text="Who must decide, by name (kept from the person picked below)."
    )
    # Who decides is a person: someone on the team, or one of the client's contacts.
    decider_member = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decider_contact = models.ForeignKey(
        "agencyops.ClientContact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_review_milestone = models.BooleanField(default=False)
    added_after_plan = models.BooleanField(
        default=False, help_text="Added by hand after the plan was made: work beyond the template and brief."
    )
    recurrence_period = models.DateField(
        null=True, blank=True, help_text="The retainer period it was made for."
    )
    order = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    category = models.CharField(max_length=24, choices=TaskCategory.choices, blank=True)

    objects = ScopedManager(models.Manager.from_queryset(TaskQuerySet), agency="agency")

    class Meta:
        ordering = ["project", "start_date", "order"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "project", "key"], name="task_key_unique_in_project"),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("start_date")), name="task_due_not_before_start"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "due_date"]),
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["agency", "assignee", "due_date"]),
            models.Index(fields=["project", "start_date"]),
            # A project's forecast launch (its latest one-off due date) read from one index entry.
            models.Index(
                fields=["project", "due_date"],
                condition=Q(recurrence_period__isnull=True),
                name="task_forecast_idx",
            ),
            # The home view places every open task that is due by the end of the week, blocked, waiting or
            # waiting for a decision (projects.home_sections): one range of this index, whatever the week,
            # instead of a pass over every task of the agency. Its SQL repeats this expression.
            models.Index(
                F("agency"),
                Case(
                    When(
                        Q(status__in=[TaskStatus.BLOCKED, TaskStatus.WAITING]) | Q(needs_decision=True),
                        then=Value(datetime.date.min),
                    ),
                    default=F("due_date"),
                    output_field=models.DateField(),
                ),
                condition=~Q(status=TaskStatus.DONE),
                name="task_home_placement_idx",
            ),
            # A project's tasks, carrying what the project lists count of each page's projects (done,
            # overdue, blocked; projects.selectors.PROJECT_LIST_SQL): counted from the index alone. It is
            # the project foreign key's index too.
            models.Index(fields=["project"], include=["status", "due_date"], name="task_project_counts_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != TaskStatus.DONE


class DependencyKind(models.TextChoices):
    FINISH_TO_START = "FS", "Finish to start"
    START_TO_START = "SS", "Start to start"


class TaskDependency(models.Model):
    """successor cannot start until predecessor finishes (FS) or starts (SS), plus a lag in business days."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    predecessor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="predecessor_links")
    kind = models.CharField(
        max_length=2, choices=DependencyKind.choices, default=DependencyKind.FINISH_TO_START
    )
    lag_days = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(agency="agency")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "predecessor", "successor"], name="dependency_unique"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="dependency_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.kind}+{self.lag_days})"


class RequiredInput(models.Model):
    """Something the work needs from someone (agency, client or a vendor) by a date."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="required_inputs")
    description = models.CharField(max_length=200)
    short_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="How people say it mid-sentence, e.g. “copy” for “Landing page copy”.",
    )
    from_party = models.CharField(max_length=10, choices=Party.choices, default=Party.CLIENT)
    from_name = models.CharField(max_length=120, blank=True, help_text="A named vendor or person.")
    expected_by = models.DateField()
    received_at = models.DateField(null=True, blank=True)
    tasks = models.ManyToManyField(Task, related_name="required_inputs", blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["expected_by", "description"]
        indexes = [models.Index(fields=["agency", "expected_by"])]

    def __str__(self) -> str:
        return self.description

    @property
    def owed_by(self) -> str:
        return self.from_name or self.get_from_party_display()


class DeadlineChangeCause(models.TextChoices):
    MANUAL = "manual", "Moved by hand"
    CASCADE = "cascade", "Moved with a predecessor"
    CHANGE_REQUEST = "change_request", "Approved change request"
    PLAN = "plan", "Plan rescheduled"


def no_truncate(name: str) -> pgtrigger.Trigger:
    """History tables refuse TRUNCATE too: a statement-level trigger, as UPDATE and DELETE are refused per row."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Truncate,
        level=pgtrigger.Statement,
        func="RAISE EXCEPTION 'pgtrigger: Cannot truncate rows from % table', TG_TABLE_NAME;",
    )


@pgtrigger.register(
    pgtrigger.Protect(name="deadline_change_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
    no_truncate("deadline_change_no_truncate"),
)
class DeadlineChange(models.Model):
    """One move of a task's due date: append-only history, protected in the database."""

    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, related_name="+", db_constraint=True)
    task = models.ForeignKey(Task, on_delete=models.DO_NOTHING, related_name="deadline_changes")
    old_start = models.DateField()
    new_start = models.DateField()
    old_due = models.DateField()
    new_due = models.DateField()
    cause = models.CharField(
        max_length=20, choices=DeadlineChangeCause.choices, default=DeadlineChangeCause.MANUAL
    )
    caused_by_task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    source_reference = models.CharField(
        max_length=200, blank=True, help_text="e.g. the change request it cites."
    )
    reason = models.TextField()
    changed_by = models.ForeignKey(Membership, null=True, on_delete=models.DO_NOTHING, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    move = models.UUIDField(
        null=True,
        blank=True,
        help_text="The one reschedule this row belongs to: the moved task and its cascade.",
    )

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["agency", "task", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.task}: {self.old_due} → {self.new_due}"


@pgtrigger.register(
    pgtrigger.Protect(name="task_status_change_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
    no_truncate("task_status_change_no_truncate"),
)
class TaskStatusChange(models.Model):
    """One change of a task's status, for the activity timeline: append-only history."""

    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.DO_NOTHING, related_name="status_changes")
    old_status = models.CharField(max_length=12, choices=TaskStatus.choices)
    new_status = models.CharField(max_length=12, choices=TaskStatus.choices)
    note = models.TextField(blank=True, help_text="Why blocked, or whom it waits on.")
    changed_by = models.ForeignKey(Membership, null=True, on_delete=models.DO_NOTHING, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["agency", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.task}: {self.old_status} → {self.new_status}"


@pgtrigger.register(
    pgtrigger.Protect(name="launch_change_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
    no_truncate("launch_change_no_truncate"),
)
class LaunchChange(models.Model):
    """One move of a project's committed launch date: an explicit act with its reason, never a side effect."""

    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.DO_NOTHING, related_name="launch_changes")
    old_launch = models.DateField()
    new_launch = models.DateField()
    reason = models.TextField()
    source_reference = models.CharField(
        max_length=200, blank=True, help_text="e.g. the client approval of the timing it revisits."
    )
    changed_by = models.ForeignKey(Membership, null=True, on_delete=models.DO_NOTHING, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["agency", "project", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.project}: launch {self.old_launch} → {self.new_launch}"


class CalendarFeed(models.Model):
    """A member's private iCal feed of their deadlines; the URL carries a secret that can be revoked."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    def __str__(self) -> str:
        return f"Calendar of {self.membership}"


class EscalationState(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    SNOOZED = "snoozed", "Snoozed"
    RESOLVED = "resolved", "Resolved"


class EscalationSeverity(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# An escalation is still listed (and the scan may clear it) in these states.
ESCALATION_OPEN_STATES = (EscalationState.OPEN, EscalationState.ACKNOWLEDGED, EscalationState.SNOOZED)


class Escalation(models.Model):
    """One distinct risk found by the scan (rule + subject), kept across scans, resolved when its cause clears."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalations",
        help_text="Empty for agency-wide risks such as an overloaded week.",
    )
    rule = models.CharField(max_length=30)
    fingerprint = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=EscalationSeverity.choices)
    section = models.CharField(
        max_length=20, help_text="Where the owner home view shows it: blocked or needs_decision."
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="escalations"
    )
    message = models.TextField()
    facts = models.JSONField(default=dict)
    state = models.CharField(max_length=14, choices=EscalationState.choices, default=EscalationState.OPEN)
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    snoozed_until = models.DateField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True, help_text="When the scan found the cause gone.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "fingerprint"], name="escalation_one_per_risk")
        ]
        indexes = [
            models.Index(fields=["agency", "state", "severity"]),
            models.Index(fields=["agency", "project", "state"]),
        ]

    def __str__(self) -> str:
        return self.message[:80]

    @property
    def is_open(self) -> bool:
        return self.state in ESCALATION_OPEN_STATES


@pgtrigger.register(
    pgtrigger.Protect(name="escalation_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
    no_truncate("escalation_event_no_truncate"),
)
class EscalationEvent(models.Model):
    """What happened to an escalation and who did it: found, updated, acknowledged, assigned, snoozed, resolved."""

    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, related_name="+")
    escalation = models.ForeignKey(Escalation, on_delete=models.DO_NOTHING, related_name="events")
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"


# --- Time logged against the work --------------------------------------------------------------


class TimeEntry(models.Model):
    """Time a member spent on a task: minutes typed in, or a timer started and stopped.

    Project and client are copied from the task so roll-ups read one table. Removing an entry marks
    it deleted; every change is a TimeEntryRevision row.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="time_entries")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="time_entries")
    work_date = models.DateField()
    minutes = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)
    timer_started_at = models.DateTimeField(null=True, blank=True, help_text="Set while a timer runs.")
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["-work_date", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "member"],
                condition=Q(timer_started_at__isnull=False, deleted_at__isnull=True),
                name="time_entry_one_running_timer",
            ),
            models.CheckConstraint(condition=Q(minutes__lte=24 * 60), name="time_entry_at_most_a_day"),
        ]
        indexes = [
            models.Index(fields=["agency", "project", "work_date"]),
            models.Index(fields=["agency", "client", "work_date"]),
            models.Index(fields=["agency", "member", "work_date"]),
            models.Index(fields=["task"]),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.task} · {self.minutes} min"

    @property
    def is_running(self) -> bool:
        return self.timer_started_at is not None


class TimeEntryAction(models.TextChoices):
    LOGGED = "logged", "Logged"
    TIMER_STARTED = "timer_started", "Timer started"
    TIMER_STOPPED = "timer_stopped", "Timer stopped"
    EDITED = "edited", "Edited"
    DELETED = "deleted", "Deleted"


@pgtrigger.register(
    pgtrigger.Protect(name="time_entry_revision_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
)
class TimeEntryRevision(models.Model):
    """One state of a time entry, written on every change: edits keep their history."""

    agency = models.ForeignKey(Agency, on_delete=models.DO_NOTHING, related_name="+")
    entry = models.ForeignKey(
        TimeEntry, on_delete=models.DO_NOTHING, related_name="revisions", db_constraint=False
    )
    action = models.CharField(max_length=16, choices=TimeEntryAction.choices)
    work_date = models.DateField()
    minutes = models.PositiveIntegerField()
    note = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(Membership, null=True, on_delete=models.DO_NOTHING, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["agency", "entry", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.minutes} min"


class MemberCostRate(models.Model):
    """What an hour of a member costs the agency: seen and set by owners only."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="cost_rate")
    hourly_cost = models.DecimalField(max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3)
    updated_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(agency="agency")

    def __str__(self) -> str:
        return f"{self.membership}: {self.hourly_cost} {self.currency}/h"


# --------------------------------------------------------------------------- the conversation on a task


class TaskComment(models.Model):
    """Something a team member said on a task; @mentions notify the people named."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    mentioned = models.ManyToManyField(Membership, related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["task", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]


class AttachmentKind(models.TextChoices):
    IMAGE = "image", "Image"
    PDF = "pdf", "PDF"


class TaskAttachment(models.Model):
    """A file shared on a task (an image or a PDF, checked by its bytes), usually with a comment."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        TaskComment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="tasks/%Y/%m/")
    original_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ChecklistItem(models.Model):
    """One step of a task, ticked off as it is done; the board card shows how many are."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="checklist")
    text = models.CharField(max_length=200)
    done = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    objects = ScopedManager(agency="agency")

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class ProjectChange(models.Model):
    """One statement that changed rows the project page shows (projects/page_versions.py): written by
    PostgreSQL's triggers on those tables, never by the app, and counted to give the page's version.

    A plain id, not a foreign key: a change must not lock the project's row (and a project's deletion
    leaves its rows behind, never read again, until beat folds them)."""

    project_id = models.BigIntegerField()
    transaction = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["project_id", "transaction"], name="project_change_idx")]

    def __str__(self) -> str:
        return f"change {self.pk} of project {self.project_id}"


class ProjectChangeTally(models.Model):
    """How many of a project's changes were folded away, and the last transaction among them: with the rows
    still in ProjectChange, the project page's version (projects/page_versions.py)."""

    project_id = models.BigIntegerField(primary_key=True)
    folded = models.BigIntegerField(default=0)
    last_transaction = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"project {self.project_id}: {self.folded} changes folded, the last in transaction {self.last_transaction}"
