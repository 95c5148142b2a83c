"""REST endpoints of the client portal: a contact's approval requests, comments, decisions and decision log.

Mounted under /api/v1/portal/{agency_slug}/ (see approvals/portal_api_urls.py). ``PortalAPIView`` resolves
the caller's client contact once, after authentication, and keeps the agency's scope active; every lookup
then also filters by the contact's client, so another client's request (or another agency's) is a 404
exactly like a missing one. What a client sees comes from the same selectors as the staff API, read for a
client ``Viewer`` (approvals.selectors), and is rendered by the Portal* serializers: sent versions only,
never an internal comment, the internal approver or who recorded a log entry.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.errors import api_exception_handler
from agencyops.api.fields import MAX_DB_ID
from agencyops.api.filters import ChoiceFilterField, FilterSerializerMixin, FilterSerializerSchema
from agencyops.api.serializers import ErrorDetailSerializer
from agencyops.api.views import FIELD_ERRORS, NOT_FOUND, parse
from agencyops.tenancy import ScopedAPIMixin, contact_for
from approvals import serializers as api
from approvals import services
from approvals.api import comment_context, comment_for_api, comment_targets, decision_log_for_api
from approvals.models import (
    ApprovalRequest,
    Comment,
    DecisionLogEntry,
)
from approvals.selectors import PortalStatus, Viewer, approval_detail_for, approval_requests_for, comments_for

REQUEST_ID = OpenApiParameter("request_id", int, OpenApiParameter.PATH, description="Approval request id.")
NOT_FINAL_APPROVER = OpenApiResponse(
    ErrorDetailSerializer, description="You are not the final approver: the message names who is."
)
ROUND_CLOSED = OpenApiResponse(
    ErrorDetailSerializer,
    description="This round is closed: it was decided already, or nothing awaits a decision.",
)


class PortalApprovalFilterSerializer(serializers.Serializer):
    status = ChoiceFilterField(
        choices=PortalStatus.values, message="Use status={allowed}.", help_text="Only requests in this state."
    )


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This round is closed; there is nothing to decide right now."
    default_code = "conflict"


class PortalAPIView(FilterSerializerMixin, ScopedAPIMixin, GenericAPIView):
    """Base of every endpoint under /api/v1/portal/{agency_slug}/: the caller must be an active contact of
    a client of that agency (else 404, like an agency that does not exist).

    Mirrors agencyops.tenancy.TenantScopedAPIMixin: after authentication, ``request.contact`` and
    ``request.agency`` are set and the agency's scope (and time zone) stay active for the rest of the request.
    """

    tenant_policy = "portal"
    schema = FilterSerializerSchema()

    def get_exception_handler(self) -> Any:
        return api_exception_handler

    def resolve_tenant(self, request: Any, agency_slug: str) -> Any:
        contact = contact_for(request.user, agency_slug)
        if contact is None:
            return None
        request.contact = contact
        self.enter(timezone.override(zoneinfo.ZoneInfo(contact.agency.time_zone)))
        return contact.agency

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    @property
    def viewer(self) -> Viewer:
        return Viewer.client(self.request.contact)

    def approval_or_404(self, request_id: int) -> ApprovalRequest:
        # The scope hides other agencies, the client filter other clients, sent_at drafts never sent.
        if not 0 < request_id <= MAX_DB_ID:
            raise exceptions.NotFound()
        approval = approval_requests_for(self.viewer).filter(pk=request_id).first()
        if approval is None:
            raise exceptions.NotFound()
        return approval


# --- Approval requests ---------------------------------------------------------------------


@extend_schema(tags=["portal"])
class PortalApprovalListView(PortalAPIView):
    """What the client was sent: what awaits their decision, and what they decided."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = api.PortalApprovalSerializer
    filter_serializer_class = PortalApprovalFilterSerializer

    @extend_schema(
        operation_id="portal_approvals_list",
        summary="Your approval requests",
        description="Requests sent to your organisation, those awaiting a decision first (soonest due). "
        "`awaiting_you` marks the ones waiting for your decision as final approver; `seconds_left` counts "
        "down to the due time.",
        responses={200: api.PortalApprovalSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        requests = approval_requests_for(self.viewer, status=self.filters.get("status", ""))
        page = self.paginate_queryset(requests)
        return self.get_paginated_response(
            api.PortalApprovalSerializer(page, many=True, context=self.get_serializer_context()).data
        )


@extend_schema(tags=["portal"], parameters=[REQUEST_ID])
class PortalApprovalDetailView(PortalAPIView):
    """One request: what to approve and by when, the versions you were sent, comments and verdicts."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = api.PortalApprovalDetailSerializer

    @extend_schema(
        operation_id="portal_approvals_retrieve",
        summary="Get one of your approval requests",
        responses={200: api.PortalApprovalDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, request_id: int) -> Response:
        approval = approval_detail_for(self.viewer, self.approval_or_404(request_id))
        return Response(
            api.PortalApprovalDetailSerializer(approval, context=self.get_serializer_context()).data
        )


@extend_schema(tags=["portal"], parameters=[REQUEST_ID])
class PortalCommentListView(PortalAPIView):
    """The request's comments you can see; comment on a version you were sent."""

    pagination_class = None  # the whole list, as the schema says
    queryset = Comment.objects.none()
    serializer_class = api.PortalCommentSerializer

    @extend_schema(
        operation_id="portal_comments_list",
        summary="List comments on a request",
        responses={200: api.PortalCommentSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, request_id: int) -> Response:
        comments = comments_for(self.viewer, self.approval_or_404(request_id))
        return Response(
            api.PortalCommentSerializer(comments, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        operation_id="portal_comments_create",
        summary="Comment on a version",
        description="Pin it on an image or PDF page with `pin_x`/`pin_y` (fractions 0..1 of the page, and "
        "`page` for a PDF), or on a passage of copy with `quote_start`/`quote_end` (offsets into the "
        "version's text). The latest version you were sent when `version` is left out.",
        request=api.CommentInputSerializer,
        responses={201: api.PortalCommentSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, request_id: int) -> Response:
        approval = self.approval_or_404(request_id)
        data = parse(api.CommentInputSerializer, request, context=comment_context(self.viewer, approval))
        version, parent = comment_targets(self.viewer, approval, data)
        comment = services.comment_add(
            author=request.user,
            contact=request.contact,
            request=approval,
            version=version,
            body=data["body"],
            parent=parent,
            page=data["page"],
            pin_x=data.get("pin_x"),
            pin_y=data.get("pin_y"),
            quote_start=data.get("quote_start"),
            quote_end=data.get("quote_end"),
        )
        return Response(
            api.PortalCommentSerializer(
                comment_for_api(comment.pk), context=self.get_serializer_context()
            ).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["portal"], parameters=[REQUEST_ID])
class PortalDecisionView(PortalAPIView):
    """The final approver decides the current round."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = api.ReviewerDecisionSerializer

    @extend_schema(
        operation_id="portal_approvals_decide",
        summary="Decide the current round",
        description="Final approver only: `approve`, `approve_with_changes` (list the `changes`) or "
        "`request_changes` (needs at least one comment on the round, or a `comment` sent with it). The "
        "decision is logged in your decision log and the agency is told. A round is decided once.",
        request=api.PortalDecisionInputSerializer,
        responses={
            201: api.ReviewerDecisionSerializer,
            400: FIELD_ERRORS,
            403: NOT_FINAL_APPROVER,
            404: NOT_FOUND,
            409: ROUND_CLOSED,
        },
    )
    def post(self, request: Request, agency_slug: str, request_id: int) -> Response:
        approval = self.approval_or_404(request_id)
        data = parse(api.PortalDecisionInputSerializer, request)
        try:
            decision = services.approval_decide(contact=request.contact, request=approval, **data)
        except DjangoValidationError as error:
            code = getattr(error, "code", None)
            if code == "not_final_approver":
                raise exceptions.PermissionDenied(error.messages[0]) from None
            if code == "closed":
                raise Conflict(error.messages[0]) from None
            raise
        decision = approval.decisions.select_related("contact", "version").get(pk=decision.pk)
        return Response(
            api.ReviewerDecisionSerializer(decision, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["portal"], parameters=[REQUEST_ID])
class PortalAdviceView(PortalAPIView):
    """Another contact records an advisory verdict on the current round; only the final approver decides."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = api.ReviewerDecisionSerializer

    @extend_schema(
        operation_id="portal_approvals_advise",
        summary="Give your advisory verdict",
        description="For contacts other than the final approver: your verdict is shown to the agency and the "
        "final approver, once per round; it does not decide.",
        request=api.PortalAdviceInputSerializer,
        responses={201: api.ReviewerDecisionSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND, 409: ROUND_CLOSED},
    )
    def post(self, request: Request, agency_slug: str, request_id: int) -> Response:
        approval = self.approval_or_404(request_id)
        data = parse(api.PortalAdviceInputSerializer, request)
        try:
            advice = services.approval_advise(contact=request.contact, request=approval, **data)
        except DjangoValidationError as error:
            if getattr(error, "code", None) == "closed":
                raise Conflict(error.messages[0]) from None
            raise
        advice = approval.decisions.select_related("contact", "version").get(pk=advice.pk)
        return Response(
            api.ReviewerDecisionSerializer(advice, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# --- The decision log ----------------------------------------------------------------------


@extend_schema(tags=["portal"])
class PortalDecisionLogView(PortalAPIView):
    """Your organisation's decision log: what was decided, by whom, when, with what impact."""

    queryset = DecisionLogEntry.objects.none()
    serializer_class = api.PortalDecisionLogEntrySerializer

    @extend_schema(
        operation_id="portal_decisions_list",
        summary="Your decision log",
        description="Newest decision first: your decisions on requests, and decisions the agency recorded "
        "from email, calls or meetings. Corrections are later entries pointing at the one they correct.",
        responses={200: api.PortalDecisionLogEntrySerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        entries = decision_log_for_api(request.agency, client_id=request.contact.client_id)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(
            api.PortalDecisionLogEntrySerializer(page, many=True, context=self.get_serializer_context()).data
        )
