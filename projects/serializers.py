"""API shapes of the project layer. Serializers only parse input and render output; writes are services.

Input serializers are named ``...InputSerializer`` and never ``save()``; output serializers are read-only
and render what the selectors (projects.selectors, projects.home_sections) load. Every date is ISO 8601.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencyops.api.fields import ScopedInputSerializer, ScopedPrimaryKeyRelatedField
from agencyops.models import Client, ClientContact, Discipline, Membership
from projects.models import DeadlineChangeCause, DependencyKind, Party, ProjectStatus, Task, TaskStatus

# Related ids are looked up in the agency's scope: another agency's id reads like an unknown one.
CLIENT_REFUSED = "Choose one of your clients."
PREDECESSOR_REFUSED = "Choose a task of this project."
ASSIGNEE_REFUSED = "Choose someone on your team."

# --- Small shared pieces -------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    """A membership as a name: who is assigned, who coordinates, who owns a phase."""

    id = serializers.IntegerField(read_only=True, help_text="Membership id.")
    name = serializers.CharField(source="user.full_name", read_only=True)
    is_active = serializers.BooleanField(
        read_only=True, help_text="False once the person has left the agency."
    )


class ProjectRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ClientRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


def _owner_unclear(assignee: Any) -> bool:
    # "Owner unclear": nobody is assigned, or the assignee has left the agency.
    return assignee is None or not assignee.is_active


# --- Templates -----------------------------------------------------------------------------


class TemplateLinkSerializer(serializers.Serializer):
    key = serializers.CharField(source="predecessor", read_only=True, help_text="Key of the task waited for.")
    kind = serializers.ChoiceField(choices=DependencyKind.choices, read_only=True)
    lag_days = serializers.IntegerField(source="lag", read_only=True, help_text="Business days.")


class TemplatePhaseSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    discipline = serializers.CharField(read_only=True, help_text="The accountable discipline, or empty.")


class TemplateTaskSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    phase = serializers.CharField(read_only=True)
    discipline = serializers.CharField(
        read_only=True, help_text="Discipline the task is assigned by, or empty."
    )
    duration = serializers.IntegerField(read_only=True, help_text="Business days; 0 for a milestone.")
    hours = serializers.FloatField(read_only=True, help_text="Estimated effort of the assignee.")
    review = serializers.BooleanField(read_only=True, help_text="A client review milestone.")
    recurring = serializers.BooleanField(read_only=True, help_text="Made again for every retainer period.")
    predecessors = TemplateLinkSerializer(source="after", many=True, read_only=True)


class TemplateSerializer(serializers.Serializer):
    """A template to start a project from: one of the built-ins or one of the agency's own."""

    id = serializers.CharField(
        source="ref",
        read_only=True,
        help_text="`builtin:<slug>` or the agency template's id; send it as `template`.",
    )
    builtin = serializers.BooleanField(read_only=True)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    error = serializers.CharField(
        read_only=True,
        help_text="Why a stored template can no longer be used (then it has no phases or tasks).",
    )
    phases = TemplatePhaseSerializer(source="spec.phases", many=True, read_only=True, default=())
    tasks = TemplateTaskSerializer(source="spec.tasks", many=True, read_only=True, default=())


# --- Tasks ---------------------------------------------------------------------------------


class PredecessorLinkSerializer(serializers.Serializer):
    """A task this one waits for, and how."""

    id = serializers.IntegerField(read_only=True, help_text="Dependency id.")
    task = serializers.IntegerField(
        source="predecessor.id", read_only=True, help_text="The predecessor's id."
    )
    key = serializers.CharField(source="predecessor.key", read_only=True)
    title = serializers.CharField(source="predecessor.title", read_only=True)
    kind = serializers.ChoiceField(choices=DependencyKind.choices, read_only=True)
    lag_days = serializers.IntegerField(read_only=True, help_text="Business days.")
    start_date = serializers.DateField(source="predecessor.start_date", read_only=True)
    due_date = serializers.DateField(source="predecessor.due_date", read_only=True)


class SuccessorLinkSerializer(serializers.Serializer):
    """A task that waits for this one, and how."""

    id = serializers.IntegerField(read_only=True, help_text="Dependency id.")
    task = serializers.IntegerField(source="successor.id", read_only=True, help_text="The successor's id.")
    key = serializers.CharField(source="successor.key", read_only=True)
    title = serializers.CharField(source="successor.title", read_only=True)
    kind = serializers.ChoiceField(choices=DependencyKind.choices, read_only=True)
    lag_days = serializers.IntegerField(read_only=True, help_text="Business days.")
    start_date = serializers.DateField(source="successor.start_date", read_only=True)
    due_date = serializers.DateField(source="successor.due_date", read_only=True)


class TaskRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class PhaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class TaskSerializer(serializers.Serializer):
    """A task as a project's task list shows it."""

    id = serializers.IntegerField(read_only=True)
    key = serializers.CharField(
        read_only=True, help_text="Stable name within the project, from its template."
    )
    title = serializers.CharField(read_only=True)
    phase = PhaseRefSerializer(read_only=True, allow_null=True)
    discipline = serializers.ChoiceField(choices=Discipline.choices, allow_blank=True, read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    owner_unclear = serializers.SerializerMethodField(help_text="Nobody assigned, or the assignee has left.")
    duration_days = serializers.IntegerField(read_only=True, help_text="Business days; 0 for a milestone.")
    estimated_hours = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True)
    start_date = serializers.DateField(read_only=True)
    due_date = serializers.DateField(read_only=True)
    status = serializers.ChoiceField(choices=TaskStatus.choices, read_only=True)
    waiting_on = serializers.ChoiceField(choices=Party.choices, allow_blank=True, read_only=True)
    waiting_on_name = serializers.CharField(read_only=True)
    waiting_since = serializers.DateField(read_only=True, allow_null=True)
    blocked_reason = serializers.CharField(read_only=True)
    blocked_since = serializers.DateField(read_only=True, allow_null=True)
    needs_decision = serializers.BooleanField(read_only=True)
    decision_question = serializers.CharField(read_only=True)
    decision_by = serializers.CharField(read_only=True, help_text="Who must decide, by name.")
    decider_member = serializers.IntegerField(
        source="decider_member_id",
        read_only=True,
        allow_null=True,
        help_text="Membership id, when on the team.",
    )
    decider_contact = serializers.IntegerField(
        source="decider_contact_id",
        read_only=True,
        allow_null=True,
        help_text="Client contact id, when a client.",
    )
    is_review_milestone = serializers.BooleanField(read_only=True)
    recurrence_period = serializers.DateField(
        read_only=True, allow_null=True, help_text="The retainer period a recurring task was made for."
    )
    moved_count = serializers.IntegerField(
        source="moves", read_only=True, help_text="How many times its due date has moved (from the history)."
    )
    critical = serializers.BooleanField(
        source="is_critical",
        read_only=True,
        help_text="No float to the deadline it feeds: every zero-float task, on every equally long chain "
        "(for a retainer, in the chain of the current month).",
    )
    predecessors = PredecessorLinkSerializer(source="predecessor_list", many=True, read_only=True)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_owner_unclear(self, task: Any) -> bool:
        return _owner_unclear(task.assignee)


class DeadlineChangeSerializer(serializers.Serializer):
    """One move of a task's due date, from the append-only history."""

    id = serializers.IntegerField(read_only=True)
    old_start = serializers.DateField(read_only=True)
    old_due = serializers.DateField(read_only=True)
    new_start = serializers.DateField(read_only=True)
    new_due = serializers.DateField(read_only=True)
    business_days = serializers.IntegerField(
        read_only=True, help_text="Business days the due date moved (signed)."
    )
    cause = serializers.ChoiceField(choices=DeadlineChangeCause.choices, read_only=True)
    caused_by_task = TaskRefSerializer(
        read_only=True, allow_null=True, help_text="The task whose move pushed it."
    )
    reason = serializers.CharField(read_only=True)
    changed_by = PersonSerializer(read_only=True, allow_null=True)
    changed_at = serializers.DateTimeField(read_only=True)


class TaskDetailSerializer(serializers.Serializer):
    """A task with its project, client, links both ways and deadline history."""

    id = serializers.IntegerField(source="task.id", read_only=True)
    key = serializers.CharField(source="task.key", read_only=True)
    title = serializers.CharField(source="task.title", read_only=True)
    project = ProjectRefSerializer(source="task.project", read_only=True)
    client = ClientRefSerializer(source="task.project.client", read_only=True)
    phase = PhaseRefSerializer(source="task.phase", read_only=True, allow_null=True)
    discipline = serializers.ChoiceField(
        source="task.discipline", choices=Discipline.choices, allow_blank=True, read_only=True
    )
    assignee = PersonSerializer(source="task.assignee", read_only=True, allow_null=True)
    owner_unclear = serializers.SerializerMethodField(help_text="Nobody assigned, or the assignee has left.")
    duration_days = serializers.IntegerField(source="task.duration_days", read_only=True)
    estimated_hours = serializers.DecimalField(
        source="task.estimated_hours", max_digits=6, decimal_places=1, read_only=True
    )
    start_date = serializers.DateField(source="task.start_date", read_only=True)
    due_date = serializers.DateField(source="task.due_date", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    status = serializers.ChoiceField(source="task.status", choices=TaskStatus.choices, read_only=True)
    waiting_on = serializers.ChoiceField(
        source="task.waiting_on", choices=Party.choices, allow_blank=True, read_only=True
    )
    waiting_on_name = serializers.CharField(source="task.waiting_on_name", read_only=True)
    waiting_since = serializers.DateField(source="task.waiting_since", read_only=True, allow_null=True)
    blocked_reason = serializers.CharField(source="task.blocked_reason", read_only=True)
    blocked_since = serializers.DateField(source="task.blocked_since", read_only=True, allow_null=True)
    needs_decision = serializers.BooleanField(source="task.needs_decision", read_only=True)
    decision_question = serializers.CharField(source="task.decision_question", read_only=True)
    decision_by = serializers.CharField(source="task.decision_by", read_only=True)
    is_review_milestone = serializers.BooleanField(source="task.is_review_milestone", read_only=True)
    moved_count = serializers.IntegerField(source="moves", read_only=True)
    predecessors = PredecessorLinkSerializer(many=True, read_only=True)
    successors = SuccessorLinkSerializer(many=True, read_only=True)
    deadline_changes = DeadlineChangeSerializer(source="history", many=True, read_only=True)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_owner_unclear(self, page: Any) -> bool:
        return _owner_unclear(page.task.assignee)


class ShiftedTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="task.id", read_only=True)
    title = serializers.CharField(source="task.title", read_only=True)
    old_start = serializers.DateField(source="old.start", read_only=True)
    old_due = serializers.DateField(source="old.due", read_only=True)
    new_start = serializers.DateField(source="new.start", read_only=True)
    new_due = serializers.DateField(source="new.due", read_only=True)
    business_days = serializers.IntegerField(
        read_only=True, help_text="Business days the due date moves (signed)."
    )


class LaunchShiftSerializer(serializers.Serializer):
    before = serializers.DateField(read_only=True, help_text="Forecast launch before the move.")
    after = serializers.DateField(read_only=True, help_text="Forecast launch after the move.")
    business_days = serializers.IntegerField(read_only=True, help_text="Signed; positive means later.")
    summary = serializers.CharField(
        read_only=True,
        help_text="E.g. “Forecast launch Wed 20 Jan, three business days after the committed Fri 15 Jan”.",
    )
    committed = serializers.DateField(
        read_only=True, help_text="The committed launch agreed with the client; a reschedule never moves it."
    )
    slip_business_days = serializers.IntegerField(
        read_only=True,
        help_text="Business days the forecast lands past the committed launch (0 when it holds).",
    )


class TaskChangeSerializer(serializers.Serializer):
    """The answer to a task edit: the task as it now is and the ripple of a due-date move."""

    applied = serializers.BooleanField(read_only=True, help_text="False for a preview: nothing was written.")
    task = TaskDetailSerializer(read_only=True)
    shifted = ShiftedTaskSerializer(
        many=True, read_only=True, help_text="Every task whose dates move, the edited one included."
    )
    launch = LaunchShiftSerializer(
        read_only=True, allow_null=True, help_text="Null when no due date was sent."
    )


class TaskUpdateInputSerializer(ScopedInputSerializer):
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    waiting_on = serializers.ChoiceField(
        choices=Party.choices, required=False, allow_blank=True, help_text="With status `waiting`: on whom."
    )
    waiting_on_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text="The vendor or person waited on."
    )
    blocked_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="With status `blocked`: why."
    )
    assignee = ScopedPrimaryKeyRelatedField(
        model=Membership,
        queryset=lambda context: Membership.objects.select_related("user"),
        message=ASSIGNEE_REFUSED,
        required=False,
        allow_null=True,
        help_text="Membership id of someone on the team, or null for nobody.",
    )
    needs_decision = serializers.BooleanField(
        required=False,
        help_text="Flag (with `decision_question` and who decides: `decider_member` or `decider_contact`) "
        "or clear a pending decision.",
    )
    decision_question = serializers.CharField(required=False, allow_blank=True)
    decider_member = ScopedPrimaryKeyRelatedField(
        model=Membership,
        queryset=lambda context: Membership.objects.select_related("user").filter(is_active=True),
        message="Pick someone on the team.",
        required=False,
        help_text="Membership id of the person on the team who decides.",
    )
    decider_contact = ScopedPrimaryKeyRelatedField(
        model=ClientContact,
        # Only a contact of the task's project's client (the view passes the task in the context).
        queryset=lambda context: ClientContact.objects.filter(client_id=context["task"].project.client_id),
        message="Pick one of the client's contacts.",
        required=False,
        help_text="Id of the client's contact who decides.",
    )
    due_date = serializers.DateField(
        required=False, help_text="A working day; the tasks that depend on it move with it."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Why the due date moves; required with `due_date`."
    )


class TaskDatesSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    start_date = serializers.DateField(read_only=True)
    due_date = serializers.DateField(read_only=True)


class TaskDependenciesSerializer(serializers.Serializer):
    """A task's links: what it waits for and what waits for it."""

    task = TaskDatesSerializer(read_only=True)
    predecessors = PredecessorLinkSerializer(many=True, read_only=True)
    successors = SuccessorLinkSerializer(many=True, read_only=True)


class DependencyCreateInputSerializer(ScopedInputSerializer):
    predecessor = ScopedPrimaryKeyRelatedField(
        model=Task,
        message=PREDECESSOR_REFUSED,
        help_text="Id of a task of the same project that this task waits for.",
    )
    kind = serializers.ChoiceField(
        choices=DependencyKind.choices,
        default=DependencyKind.FINISH_TO_START,
        help_text="FS: starts after the predecessor finishes; SS: starts after it starts.",
    )
    lag_days = serializers.IntegerField(
        default=0,
        min_value=0,
        max_value=365,
        help_text="Business days between the two.",
        error_messages={"min_value": "The lag cannot be negative."},
    )


# --- Projects ------------------------------------------------------------------------------


class ProjectSerializer(serializers.Serializer):
    """A project as the project list shows it: progress, and why it may be at risk."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    client = ClientRefSerializer(read_only=True)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, read_only=True)
    launch_date = serializers.DateField(read_only=True)
    template_name = serializers.CharField(read_only=True)
    coordinator = PersonSerializer(read_only=True, allow_null=True)
    tasks_total = serializers.IntegerField(read_only=True)
    tasks_done = serializers.IntegerField(read_only=True)
    overdue_count = serializers.IntegerField(read_only=True, help_text="Open tasks past their due date.")
    blocked_count = serializers.IntegerField(read_only=True)
    forecast_launch = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Where the plan lands today: the latest due date of the tasks feeding the launch.",
    )
    open_risks = serializers.IntegerField(read_only=True, help_text="Open and acknowledged escalations.")
    at_risk = serializers.BooleanField(
        read_only=True,
        help_text="The project's health is not on track: an open escalation, or the forecast launch "
        "after the committed launch date.",
    )
    created_at = serializers.DateTimeField(read_only=True)


class BriefSerializer(serializers.Serializer):
    campaign_name = serializers.CharField(read_only=True)
    objective = serializers.CharField(read_only=True)
    deliverables = serializers.ListField(
        source="deliverable_list", child=serializers.CharField(), read_only=True
    )
    channels = serializers.CharField(read_only=True, help_text="Channel or placement.")
    internal_owner = PersonSerializer(read_only=True, allow_null=True)
    due_date = serializers.DateField(read_only=True, allow_null=True)
    review_milestones = serializers.CharField(read_only=True, help_text="One per line.")
    known_constraints = serializers.CharField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class PhaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    order = serializers.IntegerField(read_only=True)
    accountable_discipline = serializers.ChoiceField(
        choices=Discipline.choices, allow_blank=True, read_only=True
    )
    owner = PersonSerializer(read_only=True, allow_null=True)
    due_date = serializers.DateField(read_only=True, allow_null=True, help_text="When its last task is due.")


class ProjectDetailSerializer(serializers.Serializer):
    """A project with its brief, what the brief still lacks, and its phases."""

    id = serializers.IntegerField(source="project.id", read_only=True)
    name = serializers.CharField(source="project.name", read_only=True)
    client = ClientRefSerializer(source="project.client", read_only=True)
    status = serializers.ChoiceField(source="project.status", choices=ProjectStatus.choices, read_only=True)
    launch_date = serializers.DateField(
        source="project.launch_date", read_only=True, help_text="The committed launch agreed with the client."
    )
    forecast_launch = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Where the plan lands today: the latest due date of the tasks feeding the launch.",
    )
    slip_business_days = serializers.IntegerField(
        read_only=True,
        help_text="Business days the forecast lands after the committed launch (0 when it holds).",
    )
    open_risks = serializers.IntegerField(
        source="health.open_risks", read_only=True, help_text="Open and acknowledged escalations."
    )
    at_risk = serializers.BooleanField(
        source="health.at_risk",
        read_only=True,
        help_text="Same health as the project list: an open escalation, or the forecast past the launch.",
    )
    first_start = serializers.DateField(read_only=True, allow_null=True)
    template_name = serializers.CharField(source="project.template_name", read_only=True)
    coordinator = PersonSerializer(source="project.coordinator", read_only=True, allow_null=True)
    shift_successors = serializers.BooleanField(
        source="project.shift_successors",
        read_only=True,
        help_text="Moving a due date later moves what depends on it.",
    )
    is_recurring = serializers.BooleanField(source="project.is_recurring", read_only=True)
    tasks_total = serializers.SerializerMethodField()
    tasks_done = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(source="project.created_at", read_only=True)
    brief = BriefSerializer(source="project.brief", read_only=True)
    brief_missing = serializers.ListField(
        source="missing",
        child=serializers.CharField(),
        read_only=True,
        help_text="Brief fields still empty; the project cannot go active until this is empty.",
    )
    phases = PhaseSerializer(many=True, read_only=True)

    @extend_schema_field(OpenApiTypes.INT)
    def get_tasks_total(self, page: Any) -> int:
        return page.tasks_total


class ProjectCreatedSerializer(ProjectDetailSerializer):
    """A new project with its whole scheduled plan."""

    tasks = TaskSerializer(many=True, read_only=True)


class ProjectCreateInputSerializer(ScopedInputSerializer):
    client = ScopedPrimaryKeyRelatedField(
        model=Client, message=CLIENT_REFUSED, help_text="Id of one of this agency's clients."
    )
    # Blank names reach the service, which answers in the product's words.
    name = serializers.CharField(max_length=160, allow_blank=True)
    template = serializers.CharField(max_length=40, help_text="A template `id` from the templates list.")
    launch_date = serializers.DateField(
        help_text="The launch (handoff) date the plan is scheduled back from."
    )
    accept_start_in_past = serializers.BooleanField(
        default=False, help_text="Create the plan even if it would have to start before today."
    )


# --- Home ----------------------------------------------------------------------------------


class HomeProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="project_id", read_only=True)
    name = serializers.CharField(source="project_name", read_only=True)


class HomeTaskSerializer(serializers.Serializer):
    """A task due this week (or already overdue); ``context["today"]`` tells which."""

    id = serializers.IntegerField(source="pk", read_only=True)
    title = serializers.CharField(read_only=True)
    project = HomeProjectSerializer(source="*", read_only=True)
    client_name = serializers.CharField(read_only=True)
    due_date = serializers.DateField(read_only=True)
    status = serializers.ChoiceField(choices=TaskStatus.choices, read_only=True)
    overdue = serializers.SerializerMethodField()
    owner_name = serializers.CharField(
        read_only=True, allow_null=True, help_text="Null when the owner is unclear."
    )
    owner_unclear = serializers.SerializerMethodField(help_text="Nobody assigned, or the assignee has left.")

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, task: Any) -> bool:
        return task.due_date < self.context["today"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_owner_unclear(self, task: Any) -> bool:
        return task.owner_name is None


class HomeBlockedSerializer(serializers.Serializer):
    """A blocked or waiting task: why, since when, and the launch it endangers."""

    id = serializers.IntegerField(source="task.pk", read_only=True)
    title = serializers.CharField(source="task.title", read_only=True)
    project = HomeProjectSerializer(source="task", read_only=True)
    client_name = serializers.CharField(source="task.client_name", read_only=True)
    due_date = serializers.DateField(source="task.due_date", read_only=True)
    status = serializers.ChoiceField(source="task.status", choices=TaskStatus.choices, read_only=True)
    reason = serializers.CharField(read_only=True, help_text="Why it is blocked, or whom it waits on.")
    waiting_on = serializers.ChoiceField(
        source="task.waiting_on", choices=Party.choices, allow_blank=True, read_only=True
    )
    waiting_on_name = serializers.CharField(source="task.waiting_on_name", read_only=True)
    since = serializers.DateField(read_only=True, allow_null=True)
    endangered_launch = serializers.DateField(
        source="task.launch_date", read_only=True, help_text="The launch date of its project."
    )


class HomeDecisionSerializer(serializers.Serializer):
    """Something waiting for a person's decision: a flagged task, an approval, a sign-off, a change request
    or a risk the scan found."""

    kind = serializers.CharField(
        read_only=True, help_text="task, approval, signoff, changes_requested, change_request or escalation."
    )
    task_id = serializers.SerializerMethodField(help_text="The task's id, for kind task.")
    title = serializers.CharField(source="about", read_only=True)
    project_name = serializers.CharField(read_only=True)
    due_date = serializers.DateField(read_only=True, allow_null=True)
    question = serializers.CharField(read_only=True)
    decide_by = serializers.CharField(source="decided_by", read_only=True, help_text="Who must decide.")
    impact = serializers.CharField(
        read_only=True, default="", help_text="Projected launch impact, when known."
    )
    url = serializers.CharField(read_only=True)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_task_id(self, item: Any) -> int | None:
        return item.task.pk if getattr(item, "task", None) is not None else None


class HomeSerializer(serializers.Serializer):
    """The owner's home view: what is due this week, what is blocked, what needs a decision."""

    today = serializers.DateField(read_only=True)
    week_start = serializers.DateField(read_only=True)
    week_end = serializers.DateField(read_only=True)
    due_this_week = serializers.SerializerMethodField(
        help_text="Overdue tasks first, then this week's, by day."
    )
    blocked = HomeBlockedSerializer(many=True, read_only=True, help_text="Blocked and waiting tasks only.")
    risks_blocking = HomeDecisionSerializer(
        source="risks", many=True, read_only=True, help_text="Risks the scan found that hold work up."
    )
    needs_decision = serializers.SerializerMethodField()
    # Each list above is capped like the page; these are the totals they were cut from.
    due_total = serializers.IntegerField(source="due_count", read_only=True)
    overdue_total = serializers.IntegerField(source="overdue_count", read_only=True)
    blocked_total = serializers.IntegerField(read_only=True)
    risks_total = serializers.IntegerField(source="risks_count", read_only=True)
    needs_decision_total = serializers.IntegerField(source="needs_decision_count", read_only=True)

    @extend_schema_field(HomeDecisionSerializer(many=True))
    def get_needs_decision(self, sections: Any) -> list[dict[str, Any]]:
        items = [*sections.decisions_elsewhere, *sections.needs_decision]
        return HomeDecisionSerializer(items, many=True, context=self.context).data

    @extend_schema_field(HomeTaskSerializer(many=True))
    def get_due_this_week(self, sections: Any) -> list[dict[str, Any]]:
        # The selector groups by client and day for the page; the API gives one flat, ordered list.
        tasks = [task for group in sections.overdue for task in group.tasks]
        tasks += [task for day in sections.due_this_week for group in day.clients for task in group.tasks]
        return HomeTaskSerializer(tasks, many=True, context={**self.context, "today": sections.today}).data


# --- The committed launch ------------------------------------------------------------------


class LaunchMoveInputSerializer(serializers.Serializer):
    launch_date = serializers.DateField(help_text="The new committed launch: a working day of the agency.")
    reason = serializers.CharField(
        max_length=2000, help_text="Why the commitment moves; kept in the history."
    )


class LaunchMoveSerializer(serializers.Serializer):
    """A recorded move of the committed launch and what it proposed (e.g. a change request to the client)."""

    project = serializers.IntegerField(source="change.project_id", read_only=True)
    old_launch = serializers.DateField(source="change.old_launch", read_only=True)
    launch_date = serializers.DateField(source="change.new_launch", read_only=True)
    reason = serializers.CharField(source="change.reason", read_only=True)
    changed_at = serializers.DateTimeField(source="change.changed_at", read_only=True)
    proposals = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What the move proposed elsewhere, in words: e.g. a change request citing the client's "
        "approval of the timing.",
    )
