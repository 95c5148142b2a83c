"""API shapes of the approvals layer, for the staff API and the client portal API.

Serializers only parse input and render output; every write is a service in approvals.services.
Input serializers are named ``...InputSerializer`` and never ``save()``; output serializers are read-only
and render what approvals/api.py and approvals/portal_api.py load. Portal serializers are separate
classes, not staff ones with fields removed at runtime, so nothing internal (internal comments, the
internal approver, who recorded a log entry) can reach a client by accident. Moments are ISO 8601 with
the agency's UTC offset; dates are ISO 8601.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencyops.api.fields import ScopedInputSerializer, ScopedPrimaryKeyRelatedField
from agencyops.input_bounds import MAX_PAGE, MAX_REWORK_DAYS
from agencyops.models import Client, ClientContact, Membership
from approvals.models import (
    ApprovalRequest,
    ApprovalStatus,
    AssetVersion,
    ChangeRequestVerdict,
    Comment,
    DecisionLogEntry,
    FeedbackSource,
    LogSource,
    Scope,
    Verdict,
    VersionKind,
)
from approvals.selectors import (
    PORTAL_STATUS_OF,
    PortalStatus,
    comments_for,
    versions_visible_to,
)  # noqa: F401  (the schema's enum name)
from approvals.services import format_moment
from projects.models import Project, Task

# Related ids are looked up in the agency's scope: another agency's id reads like an unknown one.
PROJECT_REFUSED = "Choose one of your projects."
CONTACT_REFUSED = "Choose a contact at this project's client."
TASK_REFUSED = "Choose a task of this project."
MEMBER_REFUSED = "Choose someone on your team."
CLIENT_REFUSED = "Choose one of your clients."
ENTRY_REFUSED = "Correct an entry of this client's log."
APPROVAL_REFUSED = "Choose an approval request of this agency."
VERSION_REFUSED = "Choose a version of this request."
PARENT_REFUSED = "Reply to a comment of this request."

CHANGE_REASONS = [
    ("revise_approved", "Revise approved work"),
    ("extra_round", "Revision round beyond budget"),
    ("other", "Other scope change"),
]


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


def _absolute(context: dict[str, Any], name: str, **kwargs: Any) -> str:
    request = context["request"]
    return request.build_absolute_uri(reverse(name, kwargs={"agency_slug": request.agency.slug, **kwargs}))


# --- Small shared pieces -------------------------------------------------------------------


class NamedRefSerializer(serializers.Serializer):
    """Another object named by id: a project, a client, a task."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class GatedTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class ApprovalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class ContactRefSerializer(serializers.Serializer):
    """A client contact as a name."""

    id = serializers.IntegerField(read_only=True, help_text="Client contact id.")
    name = serializers.CharField(source="full_name", read_only=True)


class TeamMemberRefSerializer(serializers.Serializer):
    """Someone on the agency's team, as a name."""

    id = serializers.IntegerField(read_only=True, help_text="Membership id.")
    name = serializers.CharField(source="user.full_name", read_only=True)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 moment that must say its UTC offset: "Thursday 3 pm" means nothing without a time zone."""

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2026-05-14T15:00:00+01:00.",
    }

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip()) if value.strip() else None
            except ValueError:  # well-formed but impossible: 30 February, minute 61
                self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM|-HH:MM|Z]")
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


class ScopeListField(serializers.ListField):
    """Scopes of an approval; an unknown one is refused with one message for the field, not one per index."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.ChoiceField(choices=Scope.choices), **kwargs)

    def run_child_validation(self, data: list[Any]) -> list[Any]:
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError:
            choices = ", ".join(Scope.values)
            raise serializers.ValidationError([f"Choose what is being approved: {choices}."]) from None


# --- Versions ------------------------------------------------------------------------------


class PageSerializer(serializers.Serializer):
    """A rendered PDF page: pins on it use fractions of its width and height."""

    number = serializers.IntegerField(read_only=True)
    width = serializers.IntegerField(read_only=True, help_text="Pixels.")
    height = serializers.IntegerField(read_only=True, help_text="Pixels.")
    url = serializers.SerializerMethodField(
        help_text="The page image (PNG), streamed after a permission check."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, page: Any) -> str:
        return _absolute(
            self.context, self.context["page_url_name"], version_id=page.version_id, page=page.number
        )


class VersionSerializer(serializers.Serializer):
    """One round of the deliverable: an image, a PDF (with its pages) or copy."""

    FILE_URL = "api_version_file"
    PAGE_URL = "api_version_page"

    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True, help_text="1 for the first version.")
    revision_round = serializers.IntegerField(
        read_only=True, help_text="0 for the first version; every later version is a revision round."
    )
    kind = serializers.ChoiceField(choices=VersionKind.choices, read_only=True)
    text = serializers.CharField(read_only=True, help_text="The copy, for a copy version; empty otherwise.")
    notes = serializers.CharField(read_only=True, help_text="What changed in this version.")
    original_name = serializers.CharField(read_only=True)
    size_bytes = serializers.IntegerField(read_only=True)
    width = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Pixels (first page of a PDF)."
    )
    height = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Pixels (first page of a PDF)."
    )
    file_url = serializers.SerializerMethodField(
        help_text="The uploaded file, streamed after a permission check."
    )
    pages = serializers.SerializerMethodField()
    preparing_pages = serializers.SerializerMethodField(
        help_text="A PDF whose pages a worker is still rendering: `pages` fills in shortly."
    )
    created_at = serializers.DateTimeField(read_only=True)
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="When the client got it.")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file_url(self, version: Any) -> str | None:
        if version.kind == VersionKind.TEXT or not version.file:
            return None
        return _absolute(self.context, self.FILE_URL, version_id=version.pk)

    @extend_schema_field(PageSerializer(many=True))
    def get_pages(self, version: Any) -> list[dict[str, Any]]:
        context = {**self.context, "page_url_name": self.PAGE_URL}
        return PageSerializer(version.pages.all(), many=True, context=context).data

    def get_preparing_pages(self, version: Any) -> bool:
        return version.kind == VersionKind.PDF and not version.pages.all()


class StaffVersionSerializer(VersionSerializer):
    uploaded_by = TeamMemberRefSerializer(read_only=True, allow_null=True)


class PortalVersionSerializer(VersionSerializer):
    FILE_URL = "portal_version_file"
    PAGE_URL = "portal_version_page"


# --- Comments ------------------------------------------------------------------------------


class CommentSerializer(serializers.Serializer):
    """Feedback on a version: pinned on a page, on a passage of copy, or general; threads by ``parent``."""

    id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(source="version_id", read_only=True, help_text="Version id.")
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    parent = serializers.IntegerField(
        source="parent_id", read_only=True, allow_null=True, help_text="The comment this one replies to."
    )
    body = serializers.CharField(read_only=True)
    author_name = serializers.SerializerMethodField()
    author_side = serializers.SerializerMethodField(help_text="`client` or `agency`.")
    page = serializers.IntegerField(read_only=True, help_text="Page of a PDF (1 for an image).")
    pin_x = serializers.FloatField(read_only=True, allow_null=True, help_text="0..1 across the page.")
    pin_y = serializers.FloatField(read_only=True, allow_null=True, help_text="0..1 down the page.")
    quote = serializers.CharField(read_only=True, help_text="The passage of copy commented on.")
    quote_start = serializers.IntegerField(read_only=True, allow_null=True, help_text="Offset into the copy.")
    quote_end = serializers.IntegerField(read_only=True, allow_null=True, help_text="Offset into the copy.")
    source = serializers.ChoiceField(choices=FeedbackSource.choices, read_only=True)
    captured = serializers.BooleanField(
        source="is_captured",
        read_only=True,
        help_text="Logged by the agency from an email, call, meeting or chat.",
    )
    source_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When captured feedback was given."
    )
    said_by = serializers.CharField(read_only=True, help_text="Who gave captured feedback.")
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_author_name(self, comment: Any) -> str:
        if comment.author_contact_id:
            return comment.author_contact.full_name
        if comment.author_membership_id:
            return comment.author_membership.user.full_name
        return comment.author.full_name if comment.author_id else ""

    def get_author_side(self, comment: Any) -> str:
        return "client" if comment.author_contact_id else "agency"


class StaffCommentSerializer(CommentSerializer):
    is_internal = serializers.BooleanField(
        read_only=True, help_text="Agency only: never shown to the client."
    )
    resolved_by = TeamMemberRefSerializer(read_only=True, allow_null=True)


class PortalCommentSerializer(CommentSerializer):
    """A comment as the client sees it. Only ever given comments that are not internal, on sent versions."""


class CommentInputSerializer(ScopedInputSerializer):
    """A comment's input; the view puts the request and its ``viewer`` in the context, so a version the
    viewer was not sent, or a comment they cannot see, is refused like a missing one."""

    body = serializers.CharField(trim_whitespace=False)
    version = ScopedPrimaryKeyRelatedField(
        model=AssetVersion,
        queryset=lambda context: versions_visible_to(context["viewer"], context["approval"]),
        message=VERSION_REFUSED,
        required=False,
        allow_null=True,
        help_text="Version id; the latest version when left out.",
    )
    parent = ScopedPrimaryKeyRelatedField(
        model=Comment,
        queryset=lambda context: comments_for(context["viewer"], context["approval"]),
        message=PARENT_REFUSED,
        required=False,
        allow_null=True,
        help_text="Id of the comment replied to.",
    )
    page = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=MAX_PAGE, help_text="Page of a PDF."
    )
    # The range 0..1 is checked by the service, so the message is the same as on the pages.
    pin_x = serializers.FloatField(required=False, allow_null=True, help_text="0..1 across the page.")
    pin_y = serializers.FloatField(required=False, allow_null=True, help_text="0..1 down the page.")
    quote_start = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="Start offset of the passage in the copy."
    )
    quote_end = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="End offset (exclusive) of the passage."
    )


class StaffCommentInputSerializer(CommentInputSerializer):
    is_internal = serializers.BooleanField(
        required=False, default=False, help_text="Never shown to the client."
    )


# --- Reviewer decisions --------------------------------------------------------------------


class ReviewerDecisionSerializer(serializers.Serializer):
    """A reviewer's verdict on one round; only the final approver's (``is_final``) decides."""

    id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(source="version_id", read_only=True, help_text="Version id.")
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    contact = ContactRefSerializer(read_only=True)
    verdict = serializers.ChoiceField(choices=Verdict.choices, read_only=True)
    changes = serializers.CharField(read_only=True, help_text="The changes, when approving with changes.")
    is_final = serializers.BooleanField(
        read_only=True, help_text="False for another contact's advisory verdict."
    )
    decided_at = serializers.DateTimeField(read_only=True)


class PortalDecisionInputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    changes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required to approve with changes."
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Added to the round's comments; requesting changes needs at least one comment.",
    )


class PortalAdviceInputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    changes = serializers.CharField(required=False, allow_blank=True, default="")


# --- Approval requests ---------------------------------------------------------------------


class SendCheckSerializer(serializers.Serializer):
    """What sending the latest version means, flagged before it is sent."""

    version_number = serializers.IntegerField(source="version.number", read_only=True)
    revision_round = serializers.IntegerField(read_only=True)
    included = serializers.IntegerField(read_only=True, help_text="Revision rounds the project includes.")
    beyond_budget = serializers.BooleanField(
        read_only=True, help_text="Sending needs `accept_change_request` and creates a change request."
    )
    label = serializers.CharField(read_only=True)


class ApprovalSerializer(serializers.Serializer):
    """An approval request as the agency's list shows it."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    deliverable = serializers.CharField(
        read_only=True, help_text="Revision rounds are counted per deliverable."
    )
    status = serializers.ChoiceField(choices=ApprovalStatus.choices, read_only=True)
    project = NamedRefSerializer(read_only=True)
    client = NamedRefSerializer(read_only=True)
    final_approver = ContactRefSerializer(read_only=True)
    internal_approver = TeamMemberRefSerializer(read_only=True, allow_null=True)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices), read_only=True)
    due_at = serializers.DateTimeField(read_only=True)
    due_label = serializers.SerializerMethodField(
        help_text="e.g. “Thu 14 May, 3 pm”, in the agency's time zone."
    )
    latest_version = serializers.IntegerField(
        source="latest_number", read_only=True, allow_null=True, help_text="Number of the latest version."
    )
    created_at = serializers.DateTimeField(read_only=True)
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_due_label(self, request: Any) -> str:
        return format_moment(request.due_at, self.context["request"].agency)


class ChangeRequestRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    description = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=ChangeRequestStatus.choices, read_only=True)


class ApprovalDetailSerializer(ApprovalSerializer):
    """A request with its versions, every comment (internal ones flagged), decisions and the send check."""

    scope_notes = serializers.CharField(read_only=True, help_text="What is in and what is out.")
    after_approval = serializers.CharField(read_only=True, help_text="What happens after approval.")
    task = GatedTaskSerializer(
        read_only=True, allow_null=True, help_text="The review milestone this approval gates."
    )
    internal_signed_off_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_by = TeamMemberRefSerializer(read_only=True, allow_null=True)
    can_send = serializers.BooleanField(
        read_only=True,
        help_text="The caller can send the latest version now (the page's Send button shows exactly then).",
    )
    send_check = SendCheckSerializer(read_only=True)
    versions = StaffVersionSerializer(source="version_list", many=True, read_only=True)
    comments = StaffCommentSerializer(source="comment_list", many=True, read_only=True)
    decisions = ReviewerDecisionSerializer(source="decision_list", many=True, read_only=True)
    change_requests = ChangeRequestRefSerializer(source="change_request_list", many=True, read_only=True)


class ApprovalCreateInputSerializer(ScopedInputSerializer):
    project = ScopedPrimaryKeyRelatedField(
        model=Project,
        queryset=lambda context: Project.objects.select_related("client"),
        message=PROJECT_REFUSED,
        help_text="Id of one of the agency's projects.",
    )
    title = serializers.CharField(max_length=200, help_text="What is being approved.")
    deliverable = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Revision rounds are counted per deliverable; the title when left out.",
    )
    final_approver = ScopedPrimaryKeyRelatedField(
        model=ClientContact,
        message=CONTACT_REFUSED,
        help_text="Id of the client contact whose verdict decides.",
    )
    scopes = ScopeListField(
        required=False,
        default=list,
        help_text="What exactly is being approved.",
    )
    scope_notes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="What is in and out."
    )
    due_at = AwareDateTimeField(help_text="When feedback is due: ISO 8601 with a UTC offset.")
    after_approval = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The agency's approval terms when left out."
    )
    task = ScopedPrimaryKeyRelatedField(
        model=Task,
        message=TASK_REFUSED,
        required=False,
        allow_null=True,
        help_text="Id of the project task it gates.",
    )
    internal_approver = ScopedPrimaryKeyRelatedField(
        model=Membership,
        queryset=lambda context: Membership.objects.select_related("user"),
        message=MEMBER_REFUSED,
        required=False,
        allow_null=True,
        help_text="Membership id of someone who signs off before the client sees it.",
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="The copy, for a copy version.",
    )
    file = serializers.FileField(
        required=False, allow_null=True, help_text="An image (PNG, JPEG, GIF, WebP) or a PDF; multipart only."
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        return _one_version(data)


def _one_version(data: dict[str, Any]) -> dict[str, Any]:
    """A version is copy or a file, never both and never neither."""
    has_text, has_file = bool(data.get("text", "").strip()), data.get("file") is not None
    if has_text and has_file:
        raise serializers.ValidationError({"file": ["Send either the copy as text or a file, not both."]})
    if not has_text and not has_file:
        raise serializers.ValidationError(
            {"text": ["Send the version: the copy as text, or an image or PDF as file (multipart)."]}
        )
    return data


class VersionCreateInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="The copy, for a copy version.",
    )
    file = serializers.FileField(
        required=False, allow_null=True, help_text="An image (PNG, JPEG, GIF, WebP) or a PDF; multipart only."
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", help_text="What changed.")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        return _one_version(data)


class ApprovalSendInputSerializer(serializers.Serializer):
    accept_change_request = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirm sending a revision round beyond the project's budget (creates a change request).",
    )
    extra_cost = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        default=0,
        help_text="Budget impact of the extra round, for its change request.",
    )


class SendRefusedSerializer(serializers.Serializer):
    """A send refused because the round is beyond the project's budget (schema only)."""

    non_field_errors = serializers.ListField(child=serializers.CharField())
    revision_round = serializers.IntegerField()
    included = serializers.IntegerField()


# --- The portal's view of a request --------------------------------------------------------


class PortalApprovalSerializer(serializers.Serializer):
    """An approval request as the client's list shows it: what awaits them, and by when."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    deliverable = serializers.CharField(read_only=True)
    status = serializers.SerializerMethodField()
    project = NamedRefSerializer(read_only=True)
    final_approver = ContactRefSerializer(read_only=True)
    you_decide = serializers.SerializerMethodField(help_text="You are the final approver.")
    awaiting_you = serializers.SerializerMethodField(help_text="Your decision is awaited now.")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices), read_only=True)
    scope_notes = serializers.CharField(read_only=True, help_text="What is in and what is out.")
    due_at = serializers.DateTimeField(read_only=True)
    due_label = serializers.SerializerMethodField(
        help_text="e.g. “Thu 14 May, 3 pm”, in the agency's time zone."
    )
    seconds_left = serializers.SerializerMethodField(
        help_text="Until feedback is due (negative when overdue); null once decided."
    )
    latest_version = serializers.IntegerField(
        source="latest_number",
        read_only=True,
        allow_null=True,
        help_text="Number of the latest version you got.",
    )
    sent_at = serializers.DateTimeField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @extend_schema_field(serializers.ChoiceField(choices=PortalStatus.choices))
    def get_status(self, request: Any) -> str:
        return PORTAL_STATUS_OF[ApprovalStatus(request.status)].value

    def get_you_decide(self, request: Any) -> bool:
        return request.final_approver_id == self.context["request"].contact.pk

    def get_awaiting_you(self, request: Any) -> bool:
        return self.get_you_decide(request) and request.status == ApprovalStatus.AWAITING_CLIENT

    def get_due_label(self, request: Any) -> str:
        return format_moment(request.due_at, self.context["request"].agency)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_seconds_left(self, request: Any) -> int | None:
        if request.status != ApprovalStatus.AWAITING_CLIENT:
            return None
        return int((request.due_at - self.context["now"]).total_seconds())


class PortalApprovalDetailSerializer(PortalApprovalSerializer):
    """A request as the client sees it: sent versions, comments that are not internal, and the verdicts."""

    after_approval = serializers.CharField(read_only=True, help_text="What happens after approval.")
    versions = PortalVersionSerializer(source="version_list", many=True, read_only=True)
    comments = PortalCommentSerializer(source="comment_list", many=True, read_only=True)
    decisions = ReviewerDecisionSerializer(source="decision_list", many=True, read_only=True)


# --- The decision log ----------------------------------------------------------------------


class DecisionLogEntrySerializer(serializers.Serializer):
    """What was decided, by whom, when, with what impact, and where it came from."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(
        read_only=True, help_text="Its place in the client's log, #1 the first recorded."
    )
    client = NamedRefSerializer(read_only=True)
    project = NamedRefSerializer(read_only=True, allow_null=True)
    decided_on = serializers.DateField(read_only=True)
    decision = serializers.CharField(read_only=True)
    approver_name = serializers.CharField(read_only=True)
    asset = serializers.CharField(read_only=True, help_text="Asset or campaign affected.")
    impact_timeline = serializers.CharField(read_only=True)
    impact_budget = serializers.CharField(read_only=True)
    impact_deliverables = serializers.CharField(read_only=True)
    source_kind = serializers.ChoiceField(choices=LogSource.choices, read_only=True)
    source_note = serializers.CharField(read_only=True)
    approval_request = ApprovalRefSerializer(read_only=True, allow_null=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True, allow_null=True)
    corrects = serializers.IntegerField(
        source="corrects_id", read_only=True, allow_null=True, help_text="Id of the entry this one corrects."
    )
    corrected_by = serializers.SerializerMethodField(help_text="Ids of later entries correcting this one.")
    recorded_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_corrected_by(self, entry: Any) -> list[int]:
        return [correction.pk for correction in entry.corrections.all()]


class StaffDecisionLogEntrySerializer(DecisionLogEntrySerializer):
    recorded_by = TeamMemberRefSerializer(
        read_only=True, allow_null=True, help_text="Who at the agency added it; null for automatic entries."
    )


class PortalDecisionLogEntrySerializer(DecisionLogEntrySerializer):
    """A log entry as the client sees it (who at the agency recorded it stays internal)."""


class DecisionLogCreateInputSerializer(ScopedInputSerializer):
    client = ScopedPrimaryKeyRelatedField(
        model=Client, message=CLIENT_REFUSED, help_text="Id of the client whose log this goes into."
    )
    decided_on = serializers.DateField()
    decision = serializers.CharField()
    approver_name = serializers.CharField(max_length=150, help_text="Who approved it.")
    asset = serializers.CharField(max_length=200, help_text="Asset or campaign affected.")
    source_kind = serializers.ChoiceField(choices=LogSource.choices, required=False, default=LogSource.OTHER)
    source_note = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="A link or the email's subject.",
    )
    project = ScopedPrimaryKeyRelatedField(
        model=Project, message=PROJECT_REFUSED, required=False, allow_null=True
    )
    impact_timeline = serializers.CharField(required=False, allow_blank=True, default="")
    impact_budget = serializers.CharField(required=False, allow_blank=True, default="")
    impact_deliverables = serializers.CharField(required=False, allow_blank=True, default="")
    corrects = ScopedPrimaryKeyRelatedField(
        model=DecisionLogEntry,
        message=ENTRY_REFUSED,
        required=False,
        allow_null=True,
        help_text="Id of the entry this corrects (entries are never edited).",
    )


# --- Change requests -----------------------------------------------------------------------


class ChangeRequestDecisionSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=ChangeRequestVerdict.choices, read_only=True)
    note = serializers.CharField(read_only=True)
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(read_only=True)

    def get_decided_by(self, decision: Any) -> str:
        if decision.decided_by_membership_id:
            return decision.decided_by_membership.user.full_name
        return decision.decided_by_contact.full_name if decision.decided_by_contact_id else ""


class ChangeRequestSerializer(serializers.Serializer):
    """A request to revise approved work or go beyond the agreed rounds, with the decision it cites."""

    id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=ChangeRequestStatus.choices, read_only=True)
    project = NamedRefSerializer(read_only=True)
    client = NamedRefSerializer(read_only=True)
    approval_request = ApprovalRefSerializer(read_only=True, allow_null=True)
    citation = serializers.CharField(
        read_only=True, help_text="e.g. “Homepage messaging was approved on 8 May by …”"
    )
    description = serializers.CharField(read_only=True)
    reason = serializers.ChoiceField(choices=CHANGE_REASONS, read_only=True)
    affected_task = GatedTaskSerializer(read_only=True, allow_null=True)
    rework_days = serializers.IntegerField(read_only=True, help_text="Business days of extra work.")
    impact_business_days = serializers.IntegerField(read_only=True, help_text="How far the launch moves.")
    impact_summary = serializers.CharField(read_only=True)
    impact_budget = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    requested_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    decision = ChangeRequestDecisionSerializer(read_only=True, allow_null=True)

    def get_requested_by(self, change_request: Any) -> str:
        if change_request.requested_by_membership_id:
            return change_request.requested_by_membership.user.full_name
        if change_request.requested_by_contact_id:
            return change_request.requested_by_contact.full_name
        return ""


class ChangeRequestCreateInputSerializer(ScopedInputSerializer):
    project = ScopedPrimaryKeyRelatedField(
        model=Project,
        message=PROJECT_REFUSED,
        required=False,
        allow_null=True,
        help_text="Id of the project; the approval request's when left out.",
    )
    approval_request = ScopedPrimaryKeyRelatedField(
        model=ApprovalRequest,
        queryset=lambda context: ApprovalRequest.objects.select_related("project", "task"),
        message=APPROVAL_REFUSED,
        required=False,
        allow_null=True,
        help_text="Id of the approved request this revises (it is cited).",
    )
    description = serializers.CharField()
    reason = serializers.ChoiceField(choices=CHANGE_REASONS, required=False, default="revise_approved")
    rework_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_REWORK_DAYS,
        help_text="Business days of extra work; the affected task's duration when left out.",
    )
    impact_budget = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, default=0
    )


class ChangeRequestDecisionInputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=ChangeRequestVerdict.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
