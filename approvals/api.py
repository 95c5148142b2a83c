"""REST endpoints of the approvals layer for the agency: requests, versions, comments, the decision log,
change requests.

Mounted under /api/v1/agencies/{agency_slug}/ (see approvals/api_urls.py). Each view parses with an input
serializer, calls a service (approvals.services) or a read below / in approvals.selectors, and renders with
a read-only serializer. The tenant comes from TenantScopedAPIMixin (through AgencyAPIView); another
agency's request, entry or change request is a 404 with the same body as a missing one. Decisions on a
request come from the client (the portal API), never from a staff token.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.filters import ChoiceFilterField, IdFilterField
from agencyops.api.permissions import team_reads_and_writes_by
from agencyops.api.serializers import ErrorDetailSerializer
from agencyops.api.views import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, AgencyAPIView, parse
from agencyops.models import Agency
from agencyops.permissions import is_agency_member
from approvals import selectors, services
from approvals import serializers as api
from approvals.models import (
    ApprovalRequest,
    ApprovalStatus,
    AssetVersion,
    ChangeRequest,
    Comment,
    DecisionLogEntry,
    VersionKind,
    VersionPage,
)
from approvals.permissions import can_manage_approvals

# Preparing, sending and logging approvals is for owners and coordinators, as in the services.

DECISIONS_COME_FROM_THE_CLIENT = (
    "Decisions come from the client: the final approver decides in the portal. "
    "Log feedback that arrived elsewhere as a comment, or add a decision-log entry."
)

SEND_REFUSED = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Refused: field name (or `non_field_errors`) to a list of messages. A revision round beyond "
    "the project's budget also carries `revision_round` and `included` (integers): send "
    "`accept_change_request: true` to send it and create a change request for the extra round.",
)
UPLOAD_REQUEST = "Send JSON for copy (`text`), or multipart/form-data with `file` for an image or PDF."
REQUEST_ID = OpenApiParameter("request_id", int, OpenApiParameter.PATH, description="Approval request id.")


class ApprovalFilterSerializer(serializers.Serializer):
    status = ChoiceFilterField(
        choices=["open", *ApprovalStatus.values],
        what="an approval status",
        help_text="Only requests with this status; `open`: not yet decided or cancelled.",
    )
    client = IdFilterField(what="client", help_text="Only requests of the client with this id.")
    project = IdFilterField(what="project", help_text="Only requests of the project with this id.")


class DecisionLogFilterSerializer(serializers.Serializer):
    client = IdFilterField(what="client", help_text="Only the log of the client with this id.")


class ChangeRequestFilterSerializer(serializers.Serializer):
    status = ChoiceFilterField(
        choices=api.ChangeRequestStatus.values,
        message="Use status={allowed}.",
        help_text="Only change requests in this state.",
    )
    project = IdFilterField(what="project", help_text="Only change requests of the project with this id.")


# --- Reads ---------------------------------------------------------------------------------


def decision_log_for_api(agency: Agency, *, client_id: int | None = None) -> QuerySet[DecisionLogEntry]:
    """Log entries newest first, each with its place in its client's log and the ids of its corrections."""
    entries = selectors.decision_log_entries(agency).prefetch_related(
        Prefetch("corrections", queryset=DecisionLogEntry.objects.only("pk", "corrects_id").order_by("pk"))
    )
    if client_id is not None:
        # Entries are numbered per client, so narrowing to one client keeps every entry's number.
        entries = entries.filter(client_id=client_id)
    return entries


def decision_log_entry_for_api(agency: Agency, pk: int) -> DecisionLogEntry | None:
    """One log entry, numbered within its client's whole log (or None).

    The number is a window over the client's entries, so the entry is picked from that log rather than
    filtered by id in SQL, which would number it 1.
    """
    client_id = DecisionLogEntry.objects.filter(pk=pk).values_list("client_id", flat=True).first()
    if client_id is None:
        return None
    return next(entry for entry in decision_log_for_api(agency, client_id=client_id) if entry.pk == pk)


def with_change_status(rows: list[ChangeRequest]) -> list[ChangeRequest]:
    """Each change request with ``status``: pending, approved or rejected (from its joined decision)."""
    for row in rows:
        row.status = selectors.change_request_status(row)  # type: ignore[attr-defined]
    return rows


def change_requests_for_api(*, status: str = "", project_id: int | None = None) -> QuerySet[ChangeRequest]:
    """The agency's change requests newest first, with their decision, citation and requester joined in."""
    rows = selectors.change_request_for_page().order_by("-created_at", "-pk")
    if status == "pending":
        rows = rows.filter(decision__isnull=True)
    elif status:
        rows = rows.filter(decision__verdict=status)
    if project_id is not None:
        rows = rows.filter(project_id=project_id)
    return rows


# --- Base ----------------------------------------------------------------------------------


class ApprovalsAPIView(AgencyAPIView):
    """Base of the approvals endpoints: moments in the agency's time zone, scoped lookups, 404 otherwise."""

    permission_map: Any = team_reads_and_writes_by(can_manage_approvals)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Moments render with the agency's UTC offset ("due 15:00+01:00"), as the pages show them.
        self._tenant_scope.enter_context(timezone.override(zoneinfo.ZoneInfo(request.agency.time_zone)))

    def approval_or_404(self, request_id: int) -> ApprovalRequest:
        # The scope limits the lookup to the caller's agency: another agency's request is "not found".
        return self.object_or_404(selectors.approval_for_page(), request_id)

    def detail(self, request_id: int, code: int = status.HTTP_200_OK) -> Response:
        viewer = selectors.Viewer.staff(self.request.membership)
        approval = selectors.approval_detail_for(viewer, self.approval_or_404(request_id))
        return self.render(approval, api.ApprovalDetailSerializer, code)


# --- Approval requests ---------------------------------------------------------------------


@extend_schema(tags=["approvals"])
class ApprovalListView(ApprovalsAPIView):
    """The agency's approval requests; owners and coordinators prepare new ones."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = api.ApprovalSerializer
    filter_serializer_class = ApprovalFilterSerializer

    @extend_schema(
        operation_id="approvals_list",
        summary="List approval requests",
        responses={200: api.ApprovalSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        requests = selectors.approval_requests_for(
            selectors.Viewer.staff(request.membership),
            status=self.filters.get("status", ""),
            client_id=self.filters.get("client"),
            project_id=self.filters.get("project"),
        )
        return self.list_response(requests, api.ApprovalSerializer)

    @extend_schema(
        operation_id="approvals_create",
        summary="Prepare an approval request",
        description="Who approves (`final_approver`, a contact at the project's client), what exactly "
        "(`scopes` and `scope_notes`), by when (`due_at`, ISO 8601 with its UTC offset) and what follows "
        "(`after_approval`, the agency's terms when left out), with the first version. "
        + UPLOAD_REQUEST
        + " The request is not sent yet: POST …/send/. Owners and coordinators only.",
        request={
            "application/json": api.ApprovalCreateInputSerializer,
            "multipart/form-data": api.ApprovalCreateInputSerializer,
        },
        responses={201: api.ApprovalDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        # Project, approver, task and internal approver are resolved in the agency's scope.
        data = parse(api.ApprovalCreateInputSerializer, request)
        upload = data.get("file")
        approval = services.approval_request_create(
            actor=request.membership,
            project=data["project"],
            title=data["title"],
            deliverable=data["deliverable"],
            final_approver=data["final_approver"],
            scopes=data["scopes"],
            scope_notes=data["scope_notes"],
            due_at=data["due_at"],
            after_approval=data["after_approval"],
            task=data.get("task"),
            internal_approver=data.get("internal_approver"),
            kind=VersionKind.TEXT
            if upload is None
            else VersionKind.IMAGE,  # the file's bytes decide image or PDF
            upload=upload,
            text=data["text"],
        )
        return self.detail(approval.pk, status.HTTP_201_CREATED)


@extend_schema(tags=["approvals"], parameters=[REQUEST_ID])
class ApprovalDetailView(ApprovalsAPIView):
    """One approval request: versions, every comment (internal ones flagged), verdicts and send check."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = api.ApprovalDetailSerializer

    @extend_schema(
        operation_id="approvals_retrieve",
        summary="Get an approval request",
        description="`send_check` says which revision round the latest version is, against the project's "
        "budget; a round beyond it is flagged before it is sent.",
        responses={200: api.ApprovalDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, request_id: int) -> Response:
        return self.detail(request_id)


@extend_schema(tags=["approvals"], parameters=[REQUEST_ID])
class ApprovalSendView(ApprovalsAPIView):
    """Send the latest version to the final approver (or to the internal approver first)."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = api.ApprovalDetailSerializer

    @extend_schema(
        operation_id="approvals_send",
        summary="Send the latest version for approval",
        description="Mails the final approver what to approve and by when. With an internal approver who has "
        "not signed off, it waits for them instead (`awaiting_internal`). A revision round beyond the "
        "project's budget is refused until `accept_change_request` is true; then a change request for the "
        "extra round (with `extra_cost`) is created. Owners and coordinators only.",
        request=api.ApprovalSendInputSerializer,
        responses={200: api.ApprovalDetailSerializer, 400: SEND_REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, request_id: int) -> Response:
        approval = self.approval_or_404(request_id)
        data = parse(api.ApprovalSendInputSerializer, request)
        try:
            services.approval_request_send(
                actor=request.membership,
                request=approval,
                accept_change_request=data["accept_change_request"],
                extra_cost=data["extra_cost"],
            )
        except DjangoValidationError as error:
            if getattr(error, "code", None) != "beyond_budget":
                raise
            check = services.approval_send_check(approval)
            return Response(
                {
                    "non_field_errors": error.messages,
                    "revision_round": check.revision_round,
                    "included": check.included,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return self.detail(request_id)


@extend_schema(tags=["approvals"], parameters=[REQUEST_ID])
class ApprovalSignoffView(ApprovalsAPIView):
    """The named internal approver (or an owner) signs the round off; it then goes to the client."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = api.ApprovalDetailSerializer
    # The service decides who may sign off: the named internal approver, whatever their role, or an owner.
    permission_map = {"POST": is_agency_member}

    @extend_schema(
        operation_id="approvals_signoff",
        summary="Sign off internally and send",
        description="For a request `awaiting_internal`: records the sign-off and sends the latest version to "
        "the final approver. Only the named internal approver or an owner.",
        request=None,
        responses={200: api.ApprovalDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, request_id: int) -> Response:
        services.approval_internal_signoff(actor=request.membership, request=self.approval_or_404(request_id))
        return self.detail(request_id)


# --- Versions ------------------------------------------------------------------------------


@extend_schema(tags=["approvals"], parameters=[REQUEST_ID])
class VersionListView(ApprovalsAPIView):
    """A request's versions, oldest first; owners and coordinators upload the next one (a new round)."""

    pagination_class = None  # the whole list, as the schema says
    queryset = AssetVersion.objects.none()
    serializer_class = api.StaffVersionSerializer

    @extend_schema(
        operation_id="approval_versions_list",
        summary="List a request's versions",
        responses={200: api.StaffVersionSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, request_id: int) -> Response:
        versions = selectors.versions_for(
            selectors.Viewer.staff(request.membership), self.approval_or_404(request_id)
        )
        return Response(
            api.StaffVersionSerializer(versions, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        operation_id="approval_versions_create",
        summary="Upload the next version",
        description="Starts a new round, not sent yet; earlier versions stay, read-only. Approved work "
        "reopens only through an approved change request. "
        + UPLOAD_REQUEST
        + " Owners and coordinators only.",
        request={
            "application/json": api.VersionCreateInputSerializer,
            "multipart/form-data": api.VersionCreateInputSerializer,
        },
        responses={201: api.StaffVersionSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, request_id: int) -> Response:
        approval = self.approval_or_404(request_id)
        data = parse(api.VersionCreateInputSerializer, request)
        upload = data.get("file")
        version = services.version_add(
            actor=request.membership,
            request=approval,
            kind=VersionKind.TEXT if upload is None else VersionKind.IMAGE,
            upload=upload,
            text=data["text"],
            notes=data["notes"],
        )
        version = (
            AssetVersion.objects.select_related("uploaded_by__user")
            .prefetch_related(Prefetch("pages", queryset=VersionPage.objects.order_by("number")))
            .get(pk=version.pk)
        )
        return self.render(version, api.StaffVersionSerializer, status.HTTP_201_CREATED)


# --- Comments ------------------------------------------------------------------------------


@extend_schema(tags=["approvals"], parameters=[REQUEST_ID])
class CommentListView(ApprovalsAPIView):
    """Every comment on a request, internal ones flagged; everyone on the team comments."""

    pagination_class = None  # the whole list, as the schema says
    queryset = Comment.objects.none()
    serializer_class = api.StaffCommentSerializer
    permission_map = {"GET": is_agency_member, "POST": is_agency_member}

    @extend_schema(
        operation_id="approval_comments_list",
        summary="List a request's comments",
        responses={200: api.StaffCommentSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, request_id: int) -> Response:
        comments = selectors.comments_for(
            selectors.Viewer.staff(request.membership), self.approval_or_404(request_id)
        )
        return Response(
            api.StaffCommentSerializer(comments, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        operation_id="approval_comments_create",
        summary="Comment on a version",
        description="Pin it on an image or PDF page with `pin_x`/`pin_y` (fractions 0..1 of the page, and "
        "`page` for a PDF), or on a passage of copy with `quote_start`/`quote_end` (offsets into the "
        "version's text). `is_internal` comments are never shown to the client; replies to them are "
        "internal too. The latest version when `version` is left out.",
        request=api.StaffCommentInputSerializer,
        responses={201: api.StaffCommentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, request_id: int) -> Response:
        approval = self.approval_or_404(request_id)
        viewer = selectors.Viewer.staff(request.membership)
        data = parse(api.StaffCommentInputSerializer, request, context=comment_context(viewer, approval))
        version, parent = comment_targets(viewer, approval, data)
        comment = services.comment_add(
            author=request.user,
            membership=request.membership,
            request=approval,
            version=version,
            body=data["body"],
            is_internal=data["is_internal"],
            parent=parent,
            page=data["page"],
            pin_x=data.get("pin_x"),
            pin_y=data.get("pin_y"),
            quote_start=data.get("quote_start"),
            quote_end=data.get("quote_end"),
        )
        comment = comment_for_api(comment.pk)
        return self.render(comment, api.StaffCommentSerializer, status.HTTP_201_CREATED)


def comment_targets(
    viewer: selectors.Viewer, approval: ApprovalRequest, data: dict[str, Any]
) -> tuple[AssetVersion, Comment | None]:
    """The version a comment goes on and the comment it replies to, both already resolved by the input
    serializer among what the viewer can see; without a version, the latest one they can see."""
    version = (
        data.get("version") or selectors.versions_visible_to(viewer, approval).order_by("-number").first()
    )
    if version is None:
        raise exceptions.ValidationError({"version": [api.VERSION_REFUSED]})
    return version, data.get("parent")


def comment_context(viewer: selectors.Viewer, approval: ApprovalRequest) -> dict[str, Any]:
    """What a comment's input serializer looks its ids up in."""
    return {"viewer": viewer, "approval": approval}


def comment_for_api(pk: int) -> Comment:
    """One comment with its author, version and resolver joined in."""
    return Comment.objects.select_related(
        "version", "author", "author_contact", "author_membership__user", "resolved_by__user"
    ).get(pk=pk)


# --- Decisions on a request ----------------------------------------------------------------


@extend_schema(tags=["approvals"], parameters=[REQUEST_ID])
class ApprovalDecisionView(ApprovalsAPIView):
    """Refuses: only the client's final approver decides, through the portal API."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = api.ReviewerDecisionSerializer
    permission_map = {"POST": is_agency_member}

    @extend_schema(
        operation_id="approvals_decide_refused",
        summary="Decide a request (client only)",
        description="Always refused for a staff token (403): the final approver decides through "
        "POST /api/v1/portal/{agency_slug}/approvals/{request_id}/decision/. To record feedback that "
        "arrived by email, call or meeting, comment on the request; to record a decision taken outside a "
        "request, POST …/decisions/.",
        request=None,
        # Marks an operation that exists to refuse, so the schema's "documents a success" check skips it.
        extensions={"x-always-refused": True},
        responses={
            403: OpenApiResponse(ErrorDetailSerializer, description="Decisions come from the client."),
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, agency_slug: str, request_id: int) -> Response:
        self.approval_or_404(request_id)
        raise exceptions.PermissionDenied(DECISIONS_COME_FROM_THE_CLIENT)


# --- The decision log ----------------------------------------------------------------------

ENTRY_ID = OpenApiParameter("entry_id", int, OpenApiParameter.PATH, description="Decision-log entry id.")


@extend_schema(tags=["decision log"])
class DecisionLogView(ApprovalsAPIView):
    """The decision log, append-only: owners and coordinators add entries; nothing is edited or deleted."""

    queryset = DecisionLogEntry.objects.none()
    serializer_class = api.StaffDecisionLogEntrySerializer
    filter_serializer_class = DecisionLogFilterSerializer

    @extend_schema(
        operation_id="decisions_list",
        summary="List the decision log",
        description="Newest decision first. Every final decision on a request is logged automatically; "
        "corrections are later entries pointing at the entry they correct (`corrects`).",
        responses={200: api.StaffDecisionLogEntrySerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        return self.list_response(
            decision_log_for_api(request.agency, client_id=self.filters.get("client")),
            api.StaffDecisionLogEntrySerializer,
        )

    @extend_schema(
        operation_id="decisions_create",
        summary="Add a decision to the log",
        description="A decision taken outside a request (a call, an email, a meeting): date, decision, "
        "approver, asset or campaign, impact and source. To correct an entry, add a new one with "
        "`corrects`. Owners and coordinators only.",
        request=api.DecisionLogCreateInputSerializer,
        responses={
            201: api.StaffDecisionLogEntrySerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(api.DecisionLogCreateInputSerializer, request)
        entry = services.decision_log_add(
            actor=request.membership,
            client=data.pop("client"),
            project=data.pop("project", None),
            corrects=data.pop("corrects", None),
            **data,
        )
        return self.render(
            decision_log_entry_for_api(request.agency, entry.pk),
            api.StaffDecisionLogEntrySerializer,
            status.HTTP_201_CREATED,
        )


@extend_schema(tags=["decision log"], parameters=[ENTRY_ID])
class DecisionLogEntryView(ApprovalsAPIView):
    """One decision-log entry. It is history: PUT, PATCH and DELETE are not allowed (405)."""

    queryset = DecisionLogEntry.objects.none()
    serializer_class = api.StaffDecisionLogEntrySerializer
    # Reads only; everyone gets the same 405 for an edit, whatever their role.
    permission_map = {"GET": is_agency_member}

    @extend_schema(
        operation_id="decisions_retrieve",
        summary="Get a decision-log entry",
        responses={200: api.StaffDecisionLogEntrySerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, entry_id: int) -> Response:
        entry = decision_log_entry_for_api(request.agency, entry_id)
        if entry is None:
            raise exceptions.NotFound()
        return self.render(entry, api.StaffDecisionLogEntrySerializer)


# --- Change requests -----------------------------------------------------------------------

CHANGE_REQUEST_ID = OpenApiParameter(
    "change_request_id", int, OpenApiParameter.PATH, description="Change request id."
)


@extend_schema(tags=["change requests"])
class ChangeRequestListView(ApprovalsAPIView):
    """Requests to revise approved work or go beyond the agreed rounds; coordinators raise them."""

    queryset = ChangeRequest.objects.none()
    serializer_class = api.ChangeRequestSerializer
    filter_serializer_class = ChangeRequestFilterSerializer

    @extend_schema(
        operation_id="change_requests_list",
        summary="List change requests",
        responses={200: api.ChangeRequestSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        rows = change_requests_for_api(
            status=self.filters.get("status", ""), project_id=self.filters.get("project")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            api.ChangeRequestSerializer(
                with_change_status(page), many=True, context=self.get_serializer_context()
            ).data
        )

    @extend_schema(
        operation_id="change_requests_create",
        summary="Raise a change request",
        description="Revising approved work cites the decision (“Homepage messaging was approved on 8 May by "
        "…”) and states the timeline impact in business days and the budget impact. Nothing moves until it "
        "is approved. Give `approval_request` (its project is used) or `project`. "
        "Owners and coordinators only.",
        request=api.ChangeRequestCreateInputSerializer,
        responses={201: api.ChangeRequestSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(api.ChangeRequestCreateInputSerializer, request)
        approval, project = data.get("approval_request"), data.get("project")
        if project is None and approval is None:
            raise exceptions.ValidationError(
                {"project": ["Say which project (or approval request) the change is for."]}
            )
        if project is not None and approval is not None and approval.project_id != project.pk:
            raise exceptions.ValidationError(
                {"approval_request": ["Choose an approval request of this project."]}
            )
        change_request = services.change_request_create(
            requester=request.membership,
            project=project or approval.project,
            approval_request=approval,
            description=data["description"],
            reason=data["reason"],
            rework_days=data.get("rework_days"),
            impact_budget=data["impact_budget"],
        )
        return self.render(
            change_request_for_api(change_request.pk), api.ChangeRequestSerializer, status.HTTP_201_CREATED
        )


def change_request_for_api(pk: int) -> ChangeRequest | None:
    """One change request with what it shows and its ``status``, or None."""
    row = selectors.change_request_for_page().filter(pk=pk).first()
    return with_change_status([row])[0] if row is not None else None


@extend_schema(tags=["change requests"], parameters=[CHANGE_REQUEST_ID])
class ChangeRequestDecisionView(ApprovalsAPIView):
    """Approve or reject a change request; approving shifts the affected tasks through the scheduler."""

    queryset = ChangeRequest.objects.none()
    serializer_class = api.ChangeRequestSerializer

    @extend_schema(
        operation_id="change_requests_decide",
        summary="Approve or reject a change request",
        description="Approving moves the affected task (and what depends on it) by the rework days, with a "
        "deadline-history row citing the change request, and logs the decision. Decided once. Owners and "
        "coordinators only.",
        request=api.ChangeRequestDecisionInputSerializer,
        responses={200: api.ChangeRequestSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, change_request_id: int) -> Response:
        change_request = change_request_for_api(change_request_id)
        if change_request is None:
            raise exceptions.NotFound()
        data = parse(api.ChangeRequestDecisionInputSerializer, request)
        services.change_request_decide(
            change_request=change_request,
            verdict=data["verdict"],
            note=data["note"],
            actor=request.membership,
        )
        return self.render(change_request_for_api(change_request_id), api.ChangeRequestSerializer)
