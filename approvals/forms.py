"""Forms of the agency's approval pages: they parse input and hand it to approvals.services.

Dates and times are entered in the agency's time zone and combined into aware moments here; every
rule about what is allowed (approver of the project's client, due in the future, scopes chosen...)
is the service's, and its errors land on the matching fields.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencyops.models import Agency, Client, ClientContact, Membership
from approvals import services
from approvals.models import (
    ApprovalRequest,
    AssetVersion,
    ChangeRequest,
    ChangeRequestDecision,
    ChangeRequestVerdict,
    Comment,
    DecisionLogEntry,
    FeedbackSource,
    LogSource,
    Scope,
    VersionKind,
)
from approvals.selectors import (
    CHANGE_STATUS_FILTERS,
    STATUS_FILTERS,
    approvers_for_project,
    clients_for_filter,
    decision_log_entries,
    projects_for_filter,
    tasks_for_gating,
    team_for_signoff,
)
from projects.models import Project, ProjectStatus, Task

SCOPE_NOTES_EXAMPLE = "Headline, page copy, CTA and offer accuracy. Design polish comes after copy approval."


def add_service_errors(
    form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's errors on the matching fields (``aliases`` maps service keys to field names)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    aliases = aliases or {}
    for key, messages in error.error_dict.items():
        name = aliases.get(key, key)
        form.add_error(name if name in form.fields else None, messages)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def local_moment(agency: Agency, day: Any, at: time) -> datetime:
    """A date and a wall-clock time in the agency's time zone, as an aware moment."""
    return datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(agency.time_zone))


def _local_now(agency: Agency) -> datetime:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(agency.time_zone))


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.full_name or obj.user.email


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ClientContact) -> str:
        suffix = " (default approver)" if obj.is_default_approver else ""
        title = f", {obj.job_title}" if obj.job_title else ""
        return f"{obj.full_name}{title}{suffix}"


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Project) -> str:
        return f"{obj.client.name} · {obj.name}"


def _show_only(field: forms.ModelChoiceField, empty_label: str, items: list[tuple[Any, str]]) -> None:
    """Offer only ``items`` while still validating against the field's (wider) queryset.

    The service then explains a wrong pick ("choose a contact at Acme") instead of a bare "invalid choice".
    """
    field.widget.choices = [("", empty_label), *items]


# --------------------------------------------------------------------------- the list


class ApprovalFilterForm(forms.Form):
    """The list's filters; unknown values are ignored rather than failing the page."""

    status = forms.ChoiceField(required=False, choices=STATUS_FILTERS)
    client = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    project = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "All clients")] + [
            (c.pk, c.name) for c in clients_for_filter(agency)
        ]
        self.fields["project"].choices = [("", "All projects")] + [
            (p.pk, f"{p.client.name} · {p.name}") for p in projects_for_filter(agency)
        ]

    def filters(self) -> dict[str, Any]:
        """The keyword filters of approvals_for_list."""
        if not self.is_bound or not self.is_valid():
            return {"status": "", "client_id": None, "project_id": None}
        data = self.cleaned_data
        return {"status": data["status"], "client_id": data["client"], "project_id": data["project"]}


# --------------------------------------------------------------------------- a new request


class ApprovalCreateForm(forms.Form):
    """A new approval request with its first version: who approves, what exactly, by when, what follows."""

    project = ProjectChoiceField(queryset=Project.objects.none(), empty_label="Choose a project")
    title = forms.CharField(
        label="Title", max_length=200, help_text="What the client sees, e.g. “Landing page copy”."
    )
    deliverable = forms.CharField(
        max_length=200,
        required=False,
        help_text="Revision rounds are counted per deliverable. Leave empty to use the title.",
    )
    final_approver = ContactChoiceField(
        queryset=ClientContact.objects.none(),
        label="Final approver",
        empty_label="Choose a project first",
        error_messages={"required": "Choose who gives the final approval."},
        help_text="One person decides; others at the client may comment, and their verdict is advice.",
    )
    scopes = forms.MultipleChoiceField(
        label="What exactly is being approved",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    scope_notes = forms.CharField(
        label="What is in and what is out",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": SCOPE_NOTES_EXAMPLE}),
    )
    due_date = forms.DateField(
        label="Feedback due (date)",
        widget=DateInput(),
        error_messages={"required": "Say when feedback is due."},
    )
    due_time = forms.TimeField(label="Feedback due (time)", widget=TimeInput(), initial=time(15, 0))
    after_approval = forms.CharField(
        label="What happens after approval",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to the approver with the request. Leave empty for the agency's standard terms.",
    )
    task = forms.ModelChoiceField(
        queryset=Task.objects.none(),
        label="Gated task",
        required=False,
        empty_label="None",
        help_text="The review milestone this approval completes.",
    )
    internal_approver = MemberChoiceField(
        queryset=Membership.objects.none(),
        label="Internal sign-off (optional)",
        required=False,
        empty_label="Nobody: send straight to the client",
        help_text="Someone at the agency who signs off before the client sees it.",
    )
    text = forms.CharField(
        label="Paste the copy",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="For copy to approve. Or upload a file instead.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf"}
        ),
        help_text="An image (PNG, JPEG, GIF, WebP) or a PDF.",
    )

    def __init__(self, *args: Any, agency: Agency, project: Project | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["project"].queryset = projects_for_filter(agency).exclude(
            status__in=(ProjectStatus.DONE, ProjectStatus.CANCELLED)
        )
        # Validation accepts any active contact and task of the agency; the service says when it is the
        # wrong client's or project's. The pickers show only the chosen project's.
        self.fields["final_approver"].queryset = ClientContact.objects.filter(agency=agency, is_active=True)
        self.fields["task"].queryset = Task.objects.filter(agency=agency)
        self.fields["internal_approver"].queryset = team_for_signoff(agency)
        self.fields["after_approval"].initial = agency.approval_terms
        self.fields["after_approval"].widget.attrs["placeholder"] = agency.approval_terms
        self.show_project(project)

    def show_project(self, project: Project | None) -> None:
        """Offer the approvers and tasks of this project (the default approver preselected)."""
        self.selected_project = project
        approvers = list(approvers_for_project(project))
        self.approver_count = len(approvers)
        labels = self.fields["final_approver"]
        _show_only(
            labels,
            "Choose the final approver" if project else "Choose a project first",
            [(c.pk, labels.label_from_instance(c)) for c in approvers],
        )
        tasks = tasks_for_gating(project)
        _show_only(
            self.fields["task"],
            "None",
            [
                (
                    t.pk,
                    f"{t.title}{' (review)' if t.is_review_milestone else ''} · due {t.due_date:%a %-d %b}",
                )
                for t in tasks
            ],
        )
        if project is not None and not self.is_bound:
            self.initial["project"] = project.pk
            default = next((c for c in approvers if c.is_default_approver), None)
            if default is not None:
                self.initial.setdefault("final_approver", default.pk)
            review = next((t for t in tasks if t.is_review_milestone), None)
            if review is not None:
                self.initial.setdefault("task", review.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("text", "").strip() and data.get("file"):
            self.add_error("file", "Paste copy or upload a file, not both.")
        return data

    def save(self, *, actor: Membership) -> ApprovalRequest | None:
        """Create the request through the service; None (with errors on the form) when refused."""
        data = self.cleaned_data
        upload = data.get("file")
        try:
            return services.approval_request_create(
                actor=actor,
                project=data["project"],
                title=data["title"],
                deliverable=data["deliverable"],
                final_approver=data["final_approver"],
                scopes=data["scopes"],
                scope_notes=data["scope_notes"],
                due_at=local_moment(self.agency, data["due_date"], data["due_time"]),
                after_approval=data["after_approval"],
                task=data["task"],
                internal_approver=data["internal_approver"],
                kind="file" if upload else VersionKind.TEXT,
                upload=upload,
                text=data["text"],
            )
        except ValidationError as error:
            add_service_errors(self, error, {"due_at": "due_date"})
            return None


# --------------------------------------------------------------------------- a request's page


class VersionForm(forms.Form):
    """The next version: a file or copy, and what changed."""

    text = forms.CharField(
        label="Paste the new copy", required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf"}
        ),
        help_text="An image (PNG, JPEG, GIF, WebP) or a PDF.",
    )
    notes = forms.CharField(
        label="What changed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The approver sees this next to the new version.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("text", "").strip() and data.get("file"):
            self.add_error("file", "Paste copy or upload a file, not both.")
        return data

    def save(self, *, actor: Membership, request: ApprovalRequest) -> AssetVersion | None:
        data = self.cleaned_data
        upload = data.get("file")
        try:
            return services.version_add(
                actor=actor,
                request=request,
                kind="file" if upload else VersionKind.TEXT,
                upload=upload,
                text=data["text"],
                notes=data["notes"],
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return None


class CommentForm(forms.Form):
    """A comment from the team: general, or a reply; internal ones never reach the client."""

    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    is_internal = forms.BooleanField(label="Internal — only the agency sees it", required=False)
    parent = forms.ModelChoiceField(queryset=Comment.objects.none(), required=False, widget=forms.HiddenInput)
    version = forms.ModelChoiceField(
        queryset=AssetVersion.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, request: ApprovalRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.approval = request
        self.fields["parent"].queryset = Comment.objects.filter(request=request)
        self.fields["version"].queryset = AssetVersion.objects.filter(request=request)

    def save(self, *, membership: Membership) -> Comment | None:
        data = self.cleaned_data
        parent = data["parent"]
        version = (
            parent.version
            if parent
            else data["version"] or self.approval.versions.order_by("-number").first()
        )
        try:
            return services.comment_add(
                author=membership.user,
                request=self.approval,
                version=version,
                body=data["body"],
                membership=membership,
                is_internal=data["is_internal"],
                parent=parent,
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return None


class FeedbackCaptureForm(forms.Form):
    """Feedback that arrived elsewhere: where from, who said it, when, and what."""

    source = forms.ChoiceField(
        label="Where it came from",
        choices=[(s.value, s.label) for s in services.CAPTURE_SOURCES],
        initial=FeedbackSource.EMAIL,
    )
    said_by = forms.CharField(label="Who said it", max_length=150, required=False)
    said_on = forms.DateField(
        label="Date", widget=DateInput(), error_messages={"required": "Say when it was given."}
    )
    said_time = forms.TimeField(label="Time", widget=TimeInput())
    body = forms.CharField(label="What they said", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, request: ApprovalRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.approval = request
        now = _local_now(request.agency)
        self.fields["said_on"].initial = now.date()
        self.fields["said_time"].initial = now.time().replace(second=0, microsecond=0)
        self.fields["said_by"].widget.attrs["placeholder"] = request.final_approver.full_name

    def save(self, *, actor: Membership) -> Comment | None:
        data = self.cleaned_data
        try:
            return services.feedback_capture(
                actor=actor,
                request=self.approval,
                body=data["body"],
                source=data["source"],
                said_by=data["said_by"],
                said_at=local_moment(self.approval.agency, data["said_on"], data["said_time"]),
            )
        except ValidationError as error:
            add_service_errors(self, error, {"said_at": "said_on"})
            return None


class SendForm(forms.Form):
    """Sending the current version; a round beyond budget must be accepted as a change request."""

    accept_change_request = forms.BooleanField(
        label="Send it and create a change request for the extra round", required=False
    )
    extra_cost = forms.DecimalField(
        label="Extra cost of this round (optional)",
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        help_text="Recorded on the change request as its budget impact.",
    )

    def save(self, *, actor: Membership, request: ApprovalRequest) -> ApprovalRequest | None:
        data = self.cleaned_data
        try:
            return services.approval_request_send(
                actor=actor,
                request=request,
                accept_change_request=data["accept_change_request"],
                extra_cost=data["extra_cost"] or 0,
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "beyond_budget":
                self.add_error("accept_change_request", error)
            else:
                add_service_errors(self, error)
            return None


class RevisionForm(forms.Form):
    """The client asked to revise approved work: it becomes a change request citing the approval."""

    description = forms.CharField(
        label="What the client wants changed",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def save(self, *, actor: Membership, request: ApprovalRequest) -> ChangeRequest | None:
        try:
            return services.approval_request_revision(
                request=request, description=self.cleaned_data["description"], requester=actor
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return None


# --------------------------------------------------------------------------- the decision log


def entry_label(entry: DecisionLogEntry) -> str:
    return f"#{entry.number} · {entry.decided_on:%-d %b %Y} · {entry.decision[:70]}"


class DecisionEntryForm(forms.Form):
    """A decision taken outside a request, or a correction of an earlier entry."""

    client = forms.ModelChoiceField(queryset=Client.objects.none(), empty_label="Choose a client")
    project = ProjectChoiceField(
        queryset=Project.objects.none(), required=False, empty_label="No particular project"
    )
    decided_on = forms.DateField(label="Date decided", widget=DateInput(), required=False)
    decision = forms.CharField(
        label="What was decided", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    approver_name = forms.CharField(label="Who approved it", max_length=150, required=False)
    asset = forms.CharField(label="Asset or campaign", max_length=200, required=False)
    impact_timeline = forms.CharField(
        label="Impact on the timeline", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    impact_budget = forms.CharField(
        label="Impact on the budget", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    impact_deliverables = forms.CharField(
        label="Impact on deliverables", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    source_kind = forms.ChoiceField(
        label="Where it was decided",
        choices=[
            (s.value, s.label)
            for s in (LogSource.EMAIL, LogSource.CALL, LogSource.MEETING, LogSource.CHAT, LogSource.OTHER)
        ],
        initial=LogSource.EMAIL,
    )
    source_note = forms.CharField(
        label="Source",
        max_length=300,
        required=False,
        help_text="e.g. the email's subject and sender, or the meeting's date and attendees.",
    )
    corrects = forms.ModelChoiceField(
        queryset=DecisionLogEntry.objects.none(),
        required=False,
        label="Corrects entry",
        empty_label="Nothing: a new decision",
        help_text="The log is never edited: a correction is a new entry pointing at the one it corrects.",
    )

    def __init__(self, *args: Any, agency: Agency, client: Client | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["client"].queryset = clients_for_filter(agency)
        self.fields["project"].queryset = projects_for_filter(agency)
        self.fields["corrects"].queryset = DecisionLogEntry.objects.filter(agency=agency)
        self.fields["decided_on"].initial = _local_now(agency).date()
        self.show_client(client)

    def show_client(self, client: Client | None) -> None:
        """Offer this client's projects and log entries."""
        self.selected_client = client
        if client is None:
            _show_only(self.fields["project"], "Choose a client first", [])
            _show_only(self.fields["corrects"], "Choose a client first", [])
            return
        projects = [p for p in projects_for_filter(self.agency).filter(client=client)]
        _show_only(self.fields["project"], "No particular project", [(p.pk, p.name) for p in projects])
        entries = decision_log_entries(self.agency, client=client)
        _show_only(
            self.fields["corrects"], "Nothing: a new decision", [(e.pk, entry_label(e)) for e in entries]
        )
        if not self.is_bound:
            self.initial["client"] = client.pk

    def save(self, *, actor: Membership) -> DecisionLogEntry | None:
        data = self.cleaned_data
        try:
            return services.decision_log_add(actor=actor, **data)
        except ValidationError as error:
            add_service_errors(self, error)
            return None


# --------------------------------------------------------------------------- change requests


class ChangeRequestFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=CHANGE_STATUS_FILTERS)

    def status_filter(self) -> str:
        return self.cleaned_data["status"] if self.is_bound and self.is_valid() else ""


class ChangeRequestDecideForm(forms.Form):
    """Approve or reject a change request, with an optional note."""

    verdict = forms.ChoiceField(choices=ChangeRequestVerdict.choices, required=False)
    note = forms.CharField(label="Note (optional)", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def save(self, *, actor: Membership, change_request: ChangeRequest) -> ChangeRequestDecision | None:
        try:
            return services.change_request_decide(
                change_request=change_request,
                verdict=self.cleaned_data["verdict"],
                note=self.cleaned_data["note"],
                actor=actor,
            )
        except ValidationError as error:
            add_service_errors(self, error)
            return None
