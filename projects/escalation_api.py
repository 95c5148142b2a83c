"""REST endpoints of escalations: the list, acknowledging, assigning, snoozing and resolving one, and
scanning a project's agency now.

Mounted under /api/v1/agencies/{agency_slug}/ (see projects/api_urls.py). Reads use the escalation list's
selector (projects.views.escalations.escalations_for_list, shared with the page), writes the lifecycle
services of projects.escalations. Another agency's escalation or project is a 404 with the same body as a
missing one; handling escalations is for owners and coordinators (403 for the rest of the team).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.filters import ChoiceFilterField, IdFilterField
from agencyops.api.permissions import team_reads_and_writes_by
from agencyops.api.serializers import ErrorDetailSerializer
from agencyops.api.views import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, AgencyAPIView, parse
from projects import escalation_serializers as api
from projects import escalations as escalation_services
from projects.models import Escalation, EscalationSeverity, EscalationState, Project
from projects.permissions import can_manage_escalation
from projects.tasks import agency_scan_now
from projects.views.escalations import SCAN_BUSY, escalations_for_list, escalations_with_history

STATE_FILTERS = [api.OPEN_FILTER, *EscalationState.values]

SCAN_RUNNING = OpenApiResponse(ErrorDetailSerializer, description=SCAN_BUSY)


class ScanRunning(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = SCAN_BUSY
    default_code = "scan_running"


class EscalationsAPIView(AgencyAPIView):
    """Base of the escalation endpoints: reads for the whole team, changes for owners and coordinators."""

    queryset = Escalation.objects.none()
    serializer_class = api.EscalationSerializer
    permission_map: Any = team_reads_and_writes_by(can_manage_escalation)

    def escalation_or_404(self, pk: int) -> Escalation:
        # The scope limits the lookup to the caller's agency: another agency's escalation is "not found".
        return self.object_or_404(Escalation.objects.all(), pk)

    def rendered(self, escalation: Escalation) -> Response:
        """The escalation as the list shows it, history included, after a change."""
        return self.render(escalations_with_history().get(pk=escalation.pk), api.EscalationSerializer)


class EscalationFilterSerializer(serializers.Serializer):
    """The list's query parameters: a value the list cannot filter by is a 400, not ignored."""

    client = IdFilterField(what="client", help_text="Only escalations of this client's projects.")
    project = IdFilterField(what="project", help_text="Only escalations of the project with this id.")
    rule = ChoiceFilterField(choices=api.RULE_NAMES, what="a rule", help_text="Only risks of this kind.")
    severity = ChoiceFilterField(choices=EscalationSeverity.values, what="a severity")
    state = ChoiceFilterField(
        choices=STATE_FILTERS, what="a state", help_text="`open` (the default) means open or acknowledged."
    )


@extend_schema(tags=["escalations"])
class EscalationListView(EscalationsAPIView):
    """The agency's escalations, worst first, filterable like the escalations page."""

    filter_serializer_class = EscalationFilterSerializer

    @extend_schema(
        operation_id="escalations_list",
        summary="List escalations",
        description="Risks the scan found, high severity first, then the most recently seen. Without "
        "`state`, only open and acknowledged ones.",
        responses={200: api.EscalationSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        wanted = self.filters
        # The page's selector reads its filters as the query string gives them: ids as text, "" for any.
        rows = escalations_for_list(
            client_id=str(wanted.get("client", "")),
            rule=wanted.get("rule", ""),
            severity=wanted.get("severity", ""),
            state=wanted.get("state") or api.OPEN_FILTER,
            project_id=str(wanted.get("project", "")),
        )
        return self.list_response(rows, api.EscalationSerializer)  # type: ignore[arg-type]


@extend_schema(tags=["escalations"])
class EscalationAcknowledgeView(EscalationsAPIView):
    """Say someone has seen an escalation and is on it."""

    @extend_schema(
        operation_id="escalations_acknowledge",
        summary="Acknowledge an escalation",
        description="It stays listed until its cause clears or it is resolved. Owners and coordinators only.",
        request=api.EscalationAcknowledgeInputSerializer,
        responses={200: api.EscalationSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        escalation = self.escalation_or_404(pk)
        data = parse(api.EscalationAcknowledgeInputSerializer, request)
        escalation = escalation_services.escalation_acknowledge(
            actor=request.membership, escalation=escalation, note=data["note"]
        )
        return self.rendered(escalation)


@extend_schema(tags=["escalations"])
class EscalationAssignView(EscalationsAPIView):
    """Give an escalation to someone on the team, or to nobody."""

    @extend_schema(
        operation_id="escalations_assign",
        summary="Assign an escalation",
        description="Send `assignee` (a membership id) or null to unassign. Owners and coordinators only.",
        request=api.EscalationAssignInputSerializer,
        responses={200: api.EscalationSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        escalation = self.escalation_or_404(pk)
        data = parse(api.EscalationAssignInputSerializer, request)
        escalation = escalation_services.escalation_assign(
            actor=request.membership, escalation=escalation, assignee=data["assignee"]
        )
        return self.rendered(escalation)


@extend_schema(tags=["escalations"])
class EscalationSnoozeView(EscalationsAPIView):
    """Hide an escalation until a date."""

    @extend_schema(
        operation_id="escalations_snooze",
        summary="Snooze an escalation",
        description="Hidden from the lists until `until`; if the cause is still there then, it comes back. "
        "Owners and coordinators only.",
        request=api.EscalationSnoozeInputSerializer,
        responses={200: api.EscalationSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        escalation = self.escalation_or_404(pk)
        data = parse(api.EscalationSnoozeInputSerializer, request)
        escalation = escalation_services.escalation_snooze(
            actor=request.membership, escalation=escalation, until=data["until"], note=data["note"]
        )
        return self.rendered(escalation)


@extend_schema(tags=["escalations"])
class EscalationResolveView(EscalationsAPIView):
    """Close an escalation by hand, saying what was done."""

    @extend_schema(
        operation_id="escalations_resolve",
        summary="Resolve an escalation",
        description="`note` is required. If the scan finds the risk again, the escalation reopens. "
        "Owners and coordinators only.",
        request=api.EscalationResolveInputSerializer,
        responses={200: api.EscalationSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        escalation = self.escalation_or_404(pk)
        data = parse(api.EscalationResolveInputSerializer, request)
        escalation = escalation_services.escalation_resolve(
            actor=request.membership, escalation=escalation, note=data["note"]
        )
        return self.rendered(escalation)


@extend_schema(tags=["escalations"])
class ProjectScanView(EscalationsAPIView):
    """Run the risk scan of the project's agency now and answer with the project's open escalations."""

    queryset = Project.objects.none()
    serializer_class = api.ProjectScanSerializer

    @extend_schema(
        operation_id="project_scan",
        summary="Scan for risks now",
        description="Scans every live project of the agency at once (the scan also runs every 15 minutes "
        "and after changes), then lists this project's open escalations. Answers 409 while another scan "
        "of the agency is running. Owners and coordinators only.",
        request=None,
        responses={200: api.ProjectScanSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: SCAN_RUNNING},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        project = self.object_or_404(Project.objects.all(), pk)
        result = agency_scan_now(request.agency)
        if result is None:
            raise ScanRunning()
        body: dict[str, Any] = {
            **result,
            "escalations": escalations_for_list(
                client_id="", rule="", severity="", state=api.OPEN_FILTER, project_id=str(project.pk)
            ),
        }
        return self.render(body, api.ProjectScanSerializer)
