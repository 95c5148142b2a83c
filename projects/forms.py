"""Forms of the project pages: they parse input and hand it to projects.services."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.template.loader import get_template, render_to_string
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from agencyops.models import Agency, Client, ClientContact, ClientStatus, Discipline, Membership
from projects import services
from projects.models import (
    DependencyKind,
    Party,
    Phase,
    Project,
    ProjectStatus,
    ProjectTemplate,
    RecurrenceFrequency,
    Task,
    TaskStatus,
)
from projects.selectors import (
    TemplateSummary,
    active_members,
    list_filter_choices,
    project_tasks_for_picker,
)
from projects.template_spec import parse_spec


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors on the matching fields; anything else shows above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.error_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class OptionsInOnePass:
    """For a select of many options (a plan's tasks, an agency's clients): Django's select markup
    (templates/projects/widgets/select.html), its options written here in one pass rather than as one
    dictionary and one included template per option (for fifty options those cost more than the rest of
    the page they are on). Selected as Django selects: every matching option of a multiple select, the
    first of a single one."""

    template_name = "projects/widgets/select.html"
    allow_multiple_selected: bool
    choices: Any

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # Widget's context (name, value as strings, attrs) without Select's per-option dictionaries.
        context = forms.Widget.get_context(self, name, value, attrs)  # type: ignore[arg-type]
        if self.allow_multiple_selected:
            context["widget"]["attrs"]["multiple"] = True
        wanted = set(context["widget"]["value"])
        options = []
        for choice, label in self.choices:
            selected = str(choice) in wanted
            if selected and not self.allow_multiple_selected:
                wanted = set()
            options.append((choice, mark_safe(" selected") if selected else "", label))
        context["widget"]["options"] = format_html_join("", '\n  <option value="{}"{}>{}</option>', options)
        return context

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        # The site's template engine, where templates/projects/ lives (the form renderer's own engine
        # reads only Django's and the apps' template folders).
        return mark_safe(get_template(template_name).render(context))  # noqa: S308 - a template's output


class TaskPicker(OptionsInOnePass, forms.SelectMultiple):
    """A multiple choice of a plan's tasks."""


class ManySelect(OptionsInOnePass, forms.Select):
    """A single choice among many options (the project list's clients and coordinators)."""


def _member_label(membership: Membership) -> str:
    return membership.user.full_name or membership.user.email


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return _member_label(obj)


# --------------------------------------------------------------------------- project list


class ProjectFilterForm(forms.Form):
    """The project list's filters; unknown values are ignored rather than failing the page."""

    client = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, widget=ManySelect)
    owner = forms.TypedChoiceField(
        label="Coordinator", coerce=int, required=False, empty_value=None, widget=ManySelect
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *ProjectStatus.choices], widget=ManySelect
    )
    at_risk = forms.BooleanField(label="At risk only", required=False)

    def __init__(
        self,
        *args: Any,
        choices: tuple[Sequence[tuple[int, str]], Sequence[tuple[int, str]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        clients, planners = choices
        self.fields["client"].choices = [("", "All clients"), *clients]
        self.fields["owner"].choices = [("", "Anyone"), *planners]

    def filters(self) -> dict[str, Any]:
        """The keyword filters of project_rows_page."""
        if not self.is_bound or not self.is_valid():
            return {"client_id": None, "coordinator_id": None, "status": "", "at_risk": False}
        data = self.cleaned_data
        return {
            "client_id": data["client"],
            "coordinator_id": data["owner"],
            "status": data["status"],
            "at_risk": data["at_risk"],
        }


PROJECT_FILTER_FIELDS_TEMPLATE = "projects/_project_filter_fields.html"


@dataclass(frozen=True)
class ProjectFilters:
    """What the project list's filters ask for (``project_rows_page``'s keyword filters) and their fields'
    markup, as they are chosen."""

    filters: Mapping[str, Any]
    fields: SafeString


def project_filters(agency: Agency, query: QueryDict) -> ProjectFilters:
    """The filters a query string asks for, among the agency's clients and coordinators. The same choices
    and the same query give the same filters and markup: each process remembers the last few (building
    and rendering the form cost more than the rest of the list page whose rows are cached), except in
    DEBUG, where template edits show on the next reload."""
    clients, planners = list_filter_choices(agency)
    asked = (
        bool(query),
        tuple((name, tuple(query.getlist(name))) for name in ProjectFilterForm.base_fields),
    )
    build = _project_filters.__wrapped__ if settings.DEBUG else _project_filters
    return build(tuple(clients), tuple(planners), asked)


@functools.lru_cache(maxsize=256)
def _project_filters(
    clients: tuple[tuple[int, str], ...],
    planners: tuple[tuple[int, str], ...],
    asked: tuple[bool, tuple[tuple[str, tuple[str, ...]], ...]],
) -> ProjectFilters:
    bound, values = asked
    data = MultiValueDict({name: list(given) for name, given in values if given})
    form = ProjectFilterForm(data if bound else None, choices=(clients, planners))
    return ProjectFilters(
        # Read-only: every request with these choices and this query shares it.
        filters=MappingProxyType(form.filters()),
        fields=mark_safe(render_to_string(PROJECT_FILTER_FIELDS_TEMPLATE, {"filter_form": form})),  # noqa: S308
    )


# --------------------------------------------------------------------------- creating a project


class ProjectCreateForm(forms.Form):
    """One form for a new project: client, name, template and launch date."""

    client = forms.ModelChoiceField(queryset=Client.objects.none(), empty_label="Choose a client")
    name = forms.CharField(label="Project name", max_length=160)
    template = forms.ChoiceField(widget=forms.RadioSelect)
    launch_date = forms.DateField(
        label="Launch (handoff) date",
        widget=DateInput(),
        help_text="Every task is scheduled back from this date.",
    )
    accept_start_in_past = forms.BooleanField(
        label="Create anyway — the team will compress the early tasks", required=False
    )

    def __init__(self, *args: Any, agency: Agency, templates: list[TemplateSummary], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.templates = templates
        self.fields["client"].queryset = Client.objects.filter(
            agency=agency, status=ClientStatus.ACTIVE
        ).order_by("name")
        self.fields["template"].choices = [(t.ref, t.name) for t in templates if t.spec is not None]

    def preview(self) -> services.PlanPreview | None:
        """The back-scheduled plan for the chosen template and date, or None with errors on the form."""
        try:
            return services.project_preview(
                agency=self.agency,
                template_ref=self.cleaned_data["template"],
                launch_date=self.cleaned_data["launch_date"],
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return None

    def save(self, *, actor: Membership) -> Project | None:
        """Create the project through the service; None (with errors on the form) when refused."""
        data = self.cleaned_data
        try:
            return services.project_create_from_template(
                actor=actor,
                client=data["client"],
                name=data["name"],
                template_ref=data["template"],
                launch_date=data["launch_date"],
                accept_start_in_past=data["accept_start_in_past"],
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return None


# --------------------------------------------------------------------------- a project's page


class ProjectStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ProjectStatus.choices)


class BriefForm(forms.Form):
    """Every brief field; saving goes through services.brief_update."""

    campaign_name = forms.CharField(max_length=160, required=False)
    objective = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    deliverables = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="One per line."
    )
    channels = forms.CharField(label="Channel or placement", max_length=200, required=False)
    internal_owner = MemberChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="Nobody yet"
    )
    due_date = forms.DateField(
        widget=DateInput(), required=False, help_text="The committed launch; it moves on its own page."
    )
    review_milestones = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line."
    )
    known_constraints = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        brief = project.brief
        kwargs.setdefault(
            "initial",
            {
                name: getattr(brief, "internal_owner_id" if name == "internal_owner" else name)
                for name in services.BRIEF_FIELDS
            }
            # The brief is due on the committed launch (older briefs may still hold another date).
            | {"due_date": project.launch_date},
        )
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["internal_owner"].queryset = active_members(project.agency)

    def save(self, *, actor: Membership) -> bool:
        try:
            services.brief_update(actor=actor, project=self.project, **self.cleaned_data)
        except ValidationError as error:
            add_service_errors(self, error)
            return False
        return True


class RequiredInputForm(forms.Form):
    """Something the work needs from someone by a date, and the tasks that need it."""

    description = forms.CharField(label="What is needed", max_length=200)
    from_party = forms.ChoiceField(label="From", choices=Party.choices, initial=Party.CLIENT)
    from_name = forms.CharField(
        label="From whom (name)", max_length=120, required=False, help_text="Required for a vendor."
    )
    expected_by = forms.DateField(widget=DateInput())
    tasks = forms.ModelMultipleChoiceField(
        label="Tasks that need it",
        queryset=Task.objects.none(),
        required=False,
        widget=TaskPicker(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, project: Project, tasks: list[Task] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        field = self.fields["tasks"]
        if tasks is not None and not self.is_bound:
            # The project page already holds the tasks: the picker is written from them, and an unbound
            # form is never validated, so it needs no queryset (building one cost more than the picker).
            field.choices = [(t.pk, t.title) for t in tasks]
        else:
            field.queryset = project_tasks_for_picker(project)

    def save(self, *, actor: Membership) -> bool:
        data = self.cleaned_data
        try:
            services.required_input_create(
                actor=actor,
                project=self.project,
                description=data["description"],
                from_party=data["from_party"],
                from_name=data["from_name"],
                expected_by=data["expected_by"],
                tasks=data["tasks"],
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return False
        return True


class ProjectSettingsForm(forms.Form):
    shift_successors = forms.BooleanField(
        label="Move dependent tasks when a due date moves later",
        required=False,
        help_text="Off: a move that would break a dependency is refused instead.",
    )
    revision_rounds_included = forms.IntegerField(label="Revision rounds included", min_value=0, max_value=20)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "shift_successors": project.shift_successors,
                "revision_rounds_included": project.revision_rounds_included,
            },
        )
        super().__init__(*args, **kwargs)
        self.project = project

    def save(self, *, actor: Membership) -> bool:
        try:
            services.project_update_settings(actor=actor, project=self.project, **self.cleaned_data)
        except ValidationError as error:
            add_service_errors(self, error)
            return False
        return True


WEEKDAY_CHOICES = [
    ("", "—"),
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class RecurrenceForm(forms.Form):
    """A retainer's rhythm: weekly on a weekday or monthly on a day, so many periods ahead."""

    frequency = forms.ChoiceField(choices=RecurrenceFrequency.choices)
    interval = forms.IntegerField(
        label="Every", min_value=1, max_value=52, initial=1, help_text="Weeks or months."
    )
    weekday = forms.TypedChoiceField(
        label="Weekday (weekly)", choices=WEEKDAY_CHOICES, coerce=int, required=False, empty_value=None
    )
    day_of_month = forms.IntegerField(
        label="Day of month (monthly)", required=False, help_text="1 to 31, or -1 for the last day."
    )
    periods_ahead = forms.IntegerField(label="Periods planned ahead", min_value=1, max_value=60)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "frequency": project.recurrence_frequency or RecurrenceFrequency.MONTHLY,
                "interval": project.recurrence_interval,
                "weekday": project.recurrence_weekday,
                "day_of_month": project.recurrence_day_of_month,
                "periods_ahead": project.recurrence_periods_ahead,
            },
        )
        super().__init__(*args, **kwargs)
        self.project = project

    def save(self, *, actor: Membership) -> bool:
        data = self.cleaned_data
        weekly = data["frequency"] == RecurrenceFrequency.WEEKLY
        try:
            services.project_set_recurrence(
                actor=actor,
                project=self.project,
                frequency=data["frequency"],
                interval=data["interval"],
                # Each rhythm takes only its own anchor; the other one is cleared.
                weekday=data["weekday"] if weekly else None,
                day_of_month=None if weekly else data["day_of_month"],
                periods_ahead=data["periods_ahead"],
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return False
        return True


class TemplateSaveForm(forms.Form):
    """Save a project's plan as one of the agency's templates."""

    name = forms.CharField(label="Template name", max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def save(self, *, actor: Membership, project: Project) -> ProjectTemplate | None:
        try:
            return services.template_save_from_project(actor=actor, project=project, **self.cleaned_data)
        except ValidationError as error:
            add_service_errors(self, error)
            return None


# --------------------------------------------------------------------------- a task's page


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=TaskStatus.choices)
    waiting_on = forms.ChoiceField(label="Waiting on", choices=[("", "—"), *Party.choices], required=False)
    waiting_on_name = forms.CharField(
        label="Who exactly", max_length=120, required=False, help_text="A named person or vendor."
    )
    blocked_reason = forms.CharField(
        label="Why is it blocked?", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "status": task.status,
                "waiting_on": task.waiting_on,
                "waiting_on_name": task.waiting_on_name,
                "blocked_reason": task.blocked_reason,
            },
        )
        super().__init__(*args, **kwargs)
        self.task = task

    def save(self, *, actor: Membership) -> Task | None:
        try:
            return services.task_update_status(actor=actor, task=self.task, **self.cleaned_data)
        except ValidationError as error:
            add_service_errors(self, error)
            return None


class TaskAssignForm(forms.Form):
    assignee = MemberChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="Nobody (owner unclear)"
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"assignee": task.assignee_id})
        super().__init__(*args, **kwargs)
        self.task = task
        self.fields["assignee"].queryset = active_members(task.agency_id)

    def save(self, *, actor: Membership) -> Task | None:
        try:
            return services.task_assign(actor=actor, task=self.task, assignee=self.cleaned_data["assignee"])
        except ValidationError as error:
            add_service_errors(self, error)
            return None


class TaskDecisionForm(forms.Form):
    """Flag that a task needs a decision (the question and who decides), or clear the flag."""

    action = forms.ChoiceField(
        choices=[("flag", "Flag"), ("clear", "Clear")], widget=forms.HiddenInput, initial="flag"
    )
    decision_question = forms.CharField(
        label="What needs deciding?", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    decision_by = forms.ChoiceField(
        label="Who decides?",
        required=False,
        help_text="Someone on the team, or one of the client's contacts.",
        error_messages={"invalid_choice": "Pick someone on the team or one of the client's contacts."},
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        current = (
            f"member:{task.decider_member_id}"
            if task.decider_member_id
            else f"contact:{task.decider_contact_id}"
            if task.decider_contact_id
            else ""
        )
        kwargs.setdefault("initial", {"decision_question": task.decision_question, "decision_by": current})
        super().__init__(*args, **kwargs)
        self.task = task
        self.people = decision_people(task)
        team = [(f"member:{m.pk}", m.user.full_name or m.user.email) for m in self.people["member"].values()]
        contacts = [
            (f"contact:{c.pk}", f"{c.full_name}{f', {c.job_title}' if c.job_title else ''}")
            for c in self.people["contact"].values()
        ]
        self.fields["decision_by"].choices = [
            ("", "Choose who decides"),
            ("The team", team),
            ("The client", contacts),
        ]

    def save(self, *, actor: Membership) -> Task | None:
        data = self.cleaned_data
        try:
            if data["action"] == "clear":
                return services.task_clear_decision(actor=actor, task=self.task)
            kind, _, pk = (data["decision_by"] or "").partition(":")
            decider = self.people.get(kind, {}).get(int(pk)) if pk.isdigit() else None
            return services.task_flag_decision(
                actor=actor, task=self.task, question=data["decision_question"], decider=decider
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return None


def decision_people(task: Task) -> dict[str, dict[int, Any]]:
    """Who can decide on a task: the active team and the active contacts of the project's client."""
    return {
        "member": {
            m.pk: m
            for m in Membership.objects.filter(agency_id=task.agency_id, is_active=True)
            .select_related("user")
            .order_by("user__full_name", "pk")
        },
        "contact": {
            c.pk: c
            for c in ClientContact.objects.filter(client_id=task.project.client_id, is_active=True).order_by(
                "full_name", "pk"
            )
        },
    }


class DependencyForm(forms.Form):
    """Make this task wait for another task of its project."""

    predecessor = forms.IntegerField(label="Waits for", widget=forms.Select)
    kind = forms.ChoiceField(
        label="Kind", choices=DependencyKind.choices, initial=DependencyKind.FINISH_TO_START
    )
    # No min_value: a negative lag reaches the service, whose message says what is wrong.
    lag_days = forms.IntegerField(
        label="Lag (business days)", initial=0, widget=forms.NumberInput(attrs={"min": 0})
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.task = task
        self.fields["predecessor"].widget.choices = [("", "Choose a task")] + [
            (t.pk, t.title) for t in project_tasks_for_picker(task.project) if t.pk != task.pk
        ]

    def clean_predecessor(self) -> Task:
        # The scoped manager only finds this agency's tasks; the service then insists on the same project.
        predecessor = Task.objects.filter(pk=self.cleaned_data["predecessor"]).first()
        if predecessor is None:
            raise ValidationError("Choose one of the listed tasks.")
        return predecessor

    def save(self, *, actor: Membership) -> bool:
        data = self.cleaned_data
        try:
            services.dependency_add(
                actor=actor,
                predecessor=data["predecessor"],
                successor=self.task,
                kind=data["kind"],
                lag_days=data["lag_days"],
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return False
        return True


class RescheduleForm(forms.Form):
    """A new due date and why; the page shows the ripple before anything moves."""

    due_date = forms.DateField(label="New due date", widget=DateInput())
    reason = forms.CharField(
        label="Why does it move?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the deadline history.",
        # Same words as the service, asked before the preview so nobody confirms a move without a reason.
        error_messages={"required": "Say why the date moves; it is kept in the deadline history."},
    )

    def impact(self, task: Task) -> services.RescheduleImpact | None:
        try:
            return services.task_reschedule_preview(task=task, new_due=self.cleaned_data["due_date"])
        except ValidationError as error:
            add_service_errors(self, error)
            return None

    def save(self, *, actor: Membership, task: Task) -> services.RescheduleImpact | None:
        try:
            return services.task_reschedule(
                actor=actor,
                task=task,
                new_due=self.cleaned_data["due_date"],
                reason=self.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return None


class LaunchMoveForm(forms.Form):
    """Move the committed launch on purpose: the new date and why (kept in the history)."""

    launch_date = forms.DateField(label="New committed launch", widget=DateInput())
    reason = forms.CharField(
        label="Why does the commitment move?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the deadline history; where the client approved the timing, a change request cites it.",
        error_messages={"required": "Say why the committed launch moves; it is kept in the history."},
    )

    def save(self, *, actor: Membership, project: Project) -> services.LaunchMove | None:
        try:
            return services.project_move_launch(
                actor=actor,
                project=project,
                new_launch=self.cleaned_data["launch_date"],
                reason=self.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return None


# --------------------------------------------------------------------------- editing a template

_PREDECESSOR = re.compile(r"^(?P<key>[^/+\s]+?)(?P<ss>/SS)?(?:\+(?P<lag>\d+))?$", re.IGNORECASE)


def predecessors_to_text(after: list[dict[str, Any]]) -> str:
    """Dependencies as people type them: "key, key+2, key/SS"."""
    parts = []
    for dep in after:
        text = str(dep.get("key", ""))
        if str(dep.get("kind", "FS")).upper() == "SS":
            text += "/SS"
        if int(dep.get("lag", 0) or 0):
            text += f"+{int(dep['lag'])}"
        parts.append(text)
    return ", ".join(parts)


def predecessors_from_text(text: str) -> list[dict[str, Any]]:
    """Parse "key, key+2, key/SS" into spec dependencies; raises ValidationError on a malformed one."""
    deps = []
    for token in filter(None, (part.strip() for part in text.split(","))):
        match = _PREDECESSOR.match(token)
        if match is None:
            raise ValidationError(f"“{token}” is not a predecessor: write key, key+2 (lag) or key/SS.")
        deps.append(
            {"key": match["key"], "kind": "SS" if match["ss"] else "FS", "lag": int(match["lag"] or 0)}
        )
    return deps


class TemplateDetailsForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class TemplateTaskForm(forms.Form):
    """One row of a template's task table."""

    key = forms.CharField(max_length=80, required=False)
    title = forms.CharField(max_length=200, required=False)
    phase = forms.ChoiceField(required=False)
    discipline = forms.ChoiceField(choices=[("", "—"), *Discipline.choices], required=False)
    duration = forms.IntegerField(
        min_value=0, max_value=250, required=False, initial=1, help_text="Business days; 0 is a milestone."
    )
    hours = forms.DecimalField(min_value=0, max_digits=6, decimal_places=1, required=False, initial=0)
    review = forms.BooleanField(label="Client review", required=False)
    after = forms.CharField(label="Waits for", max_length=400, required=False)
    delete = forms.BooleanField(label="Remove", required=False)

    def __init__(self, *args: Any, phases: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [(p, p) for p in phases]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", f"tt-{type(field.widget).__name__.lower()}")

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not (data.get("key") or data.get("title"))

    def clean_after(self) -> list[dict[str, Any]]:
        return predecessors_from_text(self.cleaned_data.get("after", ""))


TemplateTaskFormSet = forms.formset_factory(TemplateTaskForm, extra=3)


class TemplateEditor:
    """The template edit page: details plus a table of task rows, saved through services.template_update."""

    def __init__(self, template: ProjectTemplate, data: Any | None = None) -> None:
        self.template = template
        try:
            spec = parse_spec(template.spec).to_json()
        except Exception:  # noqa: BLE001 - a broken stored spec is still editable from its raw rows
            spec = dict(template.spec)
        self.spec = spec
        self.phases = [p["name"] for p in spec.get("phases", [])]
        rows = [
            {
                "key": t["key"],
                "title": t["title"],
                "phase": t["phase"],
                "discipline": t.get("discipline", ""),
                "duration": t.get("duration", 1),
                "hours": t.get("hours", 0),
                "review": t.get("review", False),
                "after": predecessors_to_text(t.get("after", [])),
            }
            for t in spec.get("tasks", [])
        ]
        self.details = TemplateDetailsForm(
            data, initial={"name": template.name, "description": template.description}, prefix="template"
        )
        self.rows = TemplateTaskFormSet(
            data, initial=rows, prefix="tasks", form_kwargs={"phases": self.phases}
        )
        self.spec_errors: list[str] = []

    def save(self, *, actor: Membership) -> bool:
        """Validate the rows, rebuild the spec (keeping inputs and recurring flags) and store it."""
        if not (self.details.is_valid() & self.rows.is_valid()):
            return False
        kept = {t["key"]: t for t in self.spec.get("tasks", [])}
        tasks = []
        for row in self.rows:
            data = row.cleaned_data
            if not data or data.get("delete") or row.is_blank:
                continue
            old = kept.get(data["key"], {})
            tasks.append(
                {
                    "key": data["key"].strip(),
                    "title": data["title"].strip(),
                    "phase": data["phase"],
                    "discipline": data["discipline"],
                    "duration": 1 if data["duration"] is None else data["duration"],
                    "hours": float(data["hours"] or 0),
                    "review": data["review"],
                    "recurring": old.get("recurring", False),
                    "after": data["after"],
                    "inputs": old.get("inputs", []),
                }
            )
        spec = {"phases": self.spec.get("phases", []), "tasks": tasks}
        if self.spec.get("recurrence"):
            spec["recurrence"] = self.spec["recurrence"]
        try:
            services.template_update(
                actor=actor,
                template=self.template,
                name=self.details.cleaned_data["name"],
                description=self.details.cleaned_data["description"],
                spec=spec,
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"spec": error.messages}
            for name, messages in errors.items():
                if name in self.details.fields:
                    self.details.add_error(name, messages)
                else:
                    self.spec_errors.extend(messages)
            return False
        return True


class TaskCreateForm(forms.Form):
    """A one-off task added to a project's plan after it was made."""

    title = forms.CharField(max_length=200)
    phase = forms.ModelChoiceField(queryset=Phase.objects.none(), required=False, empty_label="No phase")
    discipline = forms.ChoiceField(required=False, choices=[("", "Any"), *Discipline.choices])
    duration_days = forms.IntegerField(
        label="Duration (business days)",
        min_value=0,
        max_value=250,
        initial=1,
        help_text="0 for a milestone.",
    )
    estimated_hours = forms.DecimalField(
        label="Estimated hours", min_value=0, max_digits=6, decimal_places=1, initial=0
    )
    after = forms.ModelChoiceField(
        label="Starts after",
        queryset=Task.objects.none(),
        required=False,
        empty_label="Nothing: it can start now",
    )
    assignee = MemberChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="Nobody (owner unclear)"
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["phase"].queryset = project.phases.order_by("order")
        self.fields["after"].queryset = project.tasks.order_by("start_date", "order")
        self.fields["assignee"].queryset = active_members(project.agency)

    def save(self, *, actor: Membership) -> Task | None:
        try:
            return services.task_create(actor=actor, project=self.project, **self.cleaned_data)
        except ValidationError as error:
            add_service_errors(self, error)
            return None


# --------------------------------------------------------------------------- the conversation on a task


class TaskDescriptionForm(forms.Form):
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=services.conversation.MAX_DESCRIPTION_CHARS,
        help_text="Markdown: **bold**, _italic_, lists with -, links as [text](https://…).",
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"description": task.description})
        super().__init__(*args, **kwargs)
        self.task = task

    def save(self, *, actor: Membership) -> Task | None:
        try:
            return services.task_describe(actor=actor, task=self.task, **self.cleaned_data)
        except ValidationError as error:
            add_service_errors(self, error)
            return None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by its content in the service, not here."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class TaskCommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=services.conversation.MAX_COMMENT_CHARS,
        help_text="Markdown works; mention a teammate with @ and their handle to notify them.",
    )
    files = MultipleFileField(
        label="Attach images or PDFs",
        widget=MultipleFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf"}
        ),
        required=False,
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.task = task

    def save(self, *, actor: Membership) -> Any:
        try:
            return services.task_comment_add(
                actor=actor, task=self.task, body=self.cleaned_data["body"], files=self.cleaned_data["files"]
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return None


class ChecklistItemForm(forms.Form):
    text = forms.CharField(label="New step", max_length=200)

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.task = task

    def save(self, *, actor: Membership) -> Any:
        try:
            return services.checklist_item_add(actor=actor, task=self.task, text=self.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(self, error)
            return None


# --------------------------------------------------------------------------- bulk edit (list view)


class TaskBulkForm(forms.Form):
    """What to do with the tasks ticked in the list: reassign them, change their status, or shift their dates
    by business days (shown first, then confirmed, as a single move is)."""

    ACTIONS = [("assign", "Reassign"), ("status", "Change status"), ("shift", "Shift dates")]

    action = forms.ChoiceField(choices=ACTIONS)
    assignee = MemberChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="Nobody (owner unclear)"
    )
    status = forms.ChoiceField(choices=[("", "—"), *TaskStatus.choices], required=False)
    waiting_on = forms.ChoiceField(label="Waiting on", choices=[("", "—"), *Party.choices], required=False)
    waiting_on_name = forms.CharField(label="Who exactly", max_length=120, required=False)
    blocked_reason = forms.CharField(
        label="Why is it blocked?", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    days = forms.IntegerField(
        label="Business days",
        required=False,
        min_value=-services.MAX_SHIFT_BUSINESS_DAYS,
        max_value=services.MAX_SHIFT_BUSINESS_DAYS,
        help_text="Later by this many business days; a minus sign moves earlier.",
    )
    reason = forms.CharField(
        label="Why do they move?",
        max_length=500,
        required=False,
        help_text="Kept in the deadline history.",
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agency: Agency | int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = active_members(agency)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        if action == "status" and not data.get("status"):
            self.add_error("status", "Choose the new status.")
        if action == "assign" and "assignee" not in self.data:
            # An empty choice means "nobody"; no choice at all means the picker was left as it was.
            self.add_error("assignee", "Choose whom to give the tasks to (or nobody).")
        if action == "shift":
            if data.get("days") in (None, 0) and "days" not in self.errors:
                self.add_error("days", "Shift by at least one business day (a minus sign moves earlier).")
            if not (data.get("reason") or "").strip():
                self.add_error("reason", "Say why the dates move; it is kept in the deadline history.")
        return data

    def shift_preview(self, *, project: Project, tasks: list[Task]) -> services.BulkShiftImpact | None:
        try:
            return services.tasks_shift_preview(project=project, tasks=tasks, days=self.cleaned_data["days"])
        except ValidationError as error:
            add_service_errors(self, error)
            return None

    def save(self, *, actor: Membership, project: Project, tasks: list[Task]) -> Any:
        """Apply the chosen change to every task in one transaction; None (with errors on the form) if refused."""
        data = self.cleaned_data
        try:
            if data["action"] == "assign":
                return services.tasks_assign(actor=actor, tasks=tasks, assignee=data["assignee"])
            if data["action"] == "status":
                return services.tasks_set_status(
                    actor=actor,
                    tasks=tasks,
                    status=data["status"],
                    waiting_on=data["waiting_on"],
                    waiting_on_name=data["waiting_on_name"],
                    blocked_reason=data["blocked_reason"],
                )
            return services.tasks_shift(
                actor=actor, project=project, tasks=tasks, days=data["days"], reason=data["reason"]
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return None
