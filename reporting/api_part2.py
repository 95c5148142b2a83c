"""REST endpoints of reporting part 2, under /api/v1/agencies/{agency_slug}/reporting/ (and the portal's reports).

Dashboards (the numbers behind each: ``?client=&from=&to=&compare=``), insight drafts (create, edit,
approve), report definitions, report issues (with their PDF and retry) and alerts. Thin: parse, call a
service or selector, render. Another agency's object (or client) is a 404.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.fields import ScopedInputSerializer, ScopedPrimaryKeyRelatedField
from agencyops.api.filters import FlagFilterField, IdFilterField
from agencyops.api.views import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, parse
from agencyops.models import Client, ClientContact, Membership
from approvals.portal_api import PortalAPIView
from projects.calendars import agency_today
from reporting import dashboards, report_selectors
from reporting.api import TEAM_WRITES, ReportingAPIView
from reporting.models import (
    Alert,
    Campaign,
    InsightDraft,
    IssueState,
    ReportDefinition,
    ReportIssue,
    ReportSection,
)
from reporting.serializers import client_field
from reporting.services import alerts as alert_services
from reporting.services import insights as insight_services
from reporting.services import reports as report_services

# --- serializers ----------------------------------------------------------------------------------


class DashboardQuerySerializer(serializers.Serializer):
    """A dashboard's query; the range is checked against the dashboards' own bounds (``clamp_range``)."""

    client = IdFilterField(what="client", help_text="Default: the first client by name.")
    from_ = serializers.DateField(required=False, help_text="Default: the first of this month.")
    to = serializers.DateField(required=False, help_text="Default: today.")
    compare = serializers.ChoiceField(choices=["previous", "year", "none"], default="previous")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = self.fields.pop("from_")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        today = agency_today(self.context["request"].agency)
        # The field is declared as ``from_`` (a keyword in Python) and read as ``from``.
        data["from"] = data.pop("from_", None) or data.get("from") or today.replace(day=1)
        data["to"] = data.get("to") or today
        data["today"] = today
        try:
            dashboards.clamp_range(data["from"], data["to"])
        except ValueError as exc:
            raise serializers.ValidationError({"to": [str(exc)]}) from exc
        return data


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.SerializerMethodField()

    def get_rows(self, table: dashboards.Table) -> list[list[Any]]:
        def plain(value: Any) -> Any:
            if isinstance(value, Decimal):
                return format(value, "f")
            if hasattr(value, "isoformat"):
                return value.isoformat()
            return value

        return [[plain(v) for v in row] for row in table.rows]


class DashboardSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    client = serializers.IntegerField(source="client.pk")
    start = serializers.DateField()
    end = serializers.DateField()
    compare_start = serializers.DateField(allow_null=True)
    compare_end = serializers.DateField(allow_null=True)
    tables = TableSerializer(many=True)


class InsightSerializer(serializers.ModelSerializer):
    class Meta:
        model = InsightDraft
        fields = [
            "id", "client", "period_start", "period_end", "compare_start", "compare_end", "state", "text",
            "drafted_text", "facts", "created_at", "edited_at", "approved_at", "prose", "prose_note", "ai_text",
        ]  # fmt: skip
        read_only_fields = fields


class InsightCreateSerializer(ScopedInputSerializer):
    client = client_field()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    compare_start = serializers.DateField(required=False)
    compare_end = serializers.DateField(required=False)


class InsightEditSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=insight_services.MAX_TEXT, trim_whitespace=True)


class ReportDefinitionSerializer(serializers.ModelSerializer):
    contacts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    internal_recipients = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ReportDefinition
        fields = [
            "id", "client", "name", "sections", "contacts", "internal_recipients", "coordinator", "weekday",
            "send_at", "data_lag_days", "wait_for_data", "is_active",
        ]  # fmt: skip
        read_only_fields = fields


class ReportDefinitionCreateSerializer(ScopedInputSerializer):
    client = client_field()
    name = serializers.CharField(max_length=120, default="Weekly report")
    sections = serializers.ListField(
        child=serializers.ChoiceField(choices=ReportSection.choices), min_length=1, max_length=10
    )
    # Another agency's id (or a missing one) refuses the field; a contact of another client is refused by
    # the service, on the same field. Never dropped quietly.
    contacts = ScopedPrimaryKeyRelatedField(
        model=ClientContact,
        many=True,
        max_length=report_services.MAX_RECIPIENTS,
        default=list,
        message=report_services.CONTACT_REFUSED,
        help_text="Ids of the client's contacts who receive the report.",
    )
    internal_recipients = ScopedPrimaryKeyRelatedField(
        model=Membership,
        many=True,
        max_length=report_services.MAX_RECIPIENTS,
        default=list,
        message=report_services.MEMBER_REFUSED,
        help_text="Membership ids of people on the team who receive the report.",
    )
    weekday = serializers.IntegerField(min_value=0, max_value=6, default=0)
    send_at = serializers.TimeField(required=False)
    data_lag_days = serializers.IntegerField(min_value=0, max_value=7, default=1)
    wait_for_data = serializers.BooleanField(default=True)


class ReportIssueSerializer(serializers.ModelSerializer):
    has_pdf = serializers.SerializerMethodField()

    class Meta:
        model = ReportIssue
        fields = [
            "id", "definition", "client", "period_start", "period_end", "state", "missing", "failure_reason",
            "attempts", "page_count", "pdf_sha256", "has_pdf", "created_at", "sent_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_pdf(self, issue: ReportIssue) -> bool:
        return bool(issue.pdf)


class PdfSerializer(serializers.Serializer):
    """A report's PDF inside JSON (base64), so API clients get typed responses like every other endpoint."""

    filename = serializers.SerializerMethodField()
    content_type = serializers.SerializerMethodField()
    sha256 = serializers.CharField(source="pdf_sha256")
    content_base64 = serializers.SerializerMethodField()

    def get_filename(self, issue: ReportIssue) -> str:
        return f"{issue.client.slug}-{issue.period_start:%Y-%m-%d}.pdf"

    def get_content_type(self, issue: ReportIssue) -> str:
        return "application/pdf"

    def get_content_base64(self, issue: ReportIssue) -> str:
        with issue.pdf.open("rb") as handle:
            return base64.b64encode(handle.read()).decode()


class PortalReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportIssue
        fields = ["id", "period_start", "period_end", "page_count", "sent_at"]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = ["id", "rule", "campaign", "owner", "message", "opened_on", "last_seen_on", "closed_on"]
        read_only_fields = fields


class AlertRuleCreateSerializer(ScopedInputSerializer):
    campaign = ScopedPrimaryKeyRelatedField(
        model=Campaign,
        message="No such campaign in this agency.",
        help_text="Id of one of this agency's campaigns.",
    )
    kind = serializers.ChoiceField(choices=["threshold", "pacing", "anomaly"])
    kpi = serializers.CharField(max_length=40, default="spend")
    threshold = serializers.DecimalField(max_digits=14, decimal_places=4, required=False)
    above = serializers.BooleanField(default=True)
    days = serializers.IntegerField(min_value=1, max_value=14, default=1)


class AlertRuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id")
    kind = serializers.CharField()
    kpi = serializers.CharField()
    threshold = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    above = serializers.BooleanField()
    days = serializers.IntegerField()


# --- dashboards -----------------------------------------------------------------------------------


class DashboardView(ReportingAPIView):
    """The numbers behind one dashboard for a client and range, compared with the previous period or last year."""

    queryset = Client.objects.none()
    serializer_class = DashboardSerializer
    filter_serializer_class = DashboardQuerySerializer
    pagination_class = None

    @extend_schema(
        tags=["reporting"],
        responses={200: DashboardSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, name: str) -> Response:
        data = self.filters
        clients = Client.objects.filter(agency=request.agency).order_by("name")
        # Another agency's client is a 404, as a missing one.
        client = self.object_or_404(clients, data["client"]) if "client" in data else clients.first()
        if client is None:
            raise exceptions.NotFound("This agency has no client yet.")
        board = dashboards.build(
            name,
            request.agency,
            client,
            start=data["from"],
            end=data["to"],
            compare=data["compare"],
            as_of=data["today"],
        )
        return Response(DashboardSerializer(board).data)


# --- insights -------------------------------------------------------------------------------------


class InsightListView(ReportingAPIView):
    """Insight drafts, newest first; owners and coordinators draft one for a client's period."""

    queryset = InsightDraft.objects.none()
    serializer_class = InsightSerializer

    @extend_schema(
        tags=["reporting"],
        operation_id="reporting_insights_list",
        responses={200: InsightSerializer(many=True)},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        return self.list_response(
            InsightDraft.objects.filter(agency=request.agency).order_by("-created_at", "-pk"),
            InsightSerializer,
        )

    @extend_schema(
        tags=["reporting"],
        operation_id="reporting_insights_create",
        request=InsightCreateSerializer,
        responses={201: InsightSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(InsightCreateSerializer, request)
        draft = insight_services.insight_draft_create(
            actor=request.membership, client=data.pop("client"), **data
        )
        return self.render(draft, InsightSerializer, status.HTTP_201_CREATED)


class InsightDetailView(ReportingAPIView):
    """One draft with its facts; any team member edits the text while it is a draft."""

    queryset = InsightDraft.objects.none()
    serializer_class = InsightSerializer
    permission_map = TEAM_WRITES

    @extend_schema(
        tags=["reporting"],
        operation_id="reporting_insight_detail",
        responses={200: InsightSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        return self.render(
            self.object_or_404(InsightDraft.objects.filter(agency=request.agency), pk), InsightSerializer
        )

    @extend_schema(
        tags=["reporting"],
        operation_id="reporting_insight_edit",
        request=InsightEditSerializer,
        responses={200: InsightSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def patch(self, request: Request, agency_slug: str, pk: int) -> Response:
        draft = self.object_or_404(InsightDraft.objects.filter(agency=request.agency), pk)
        data = parse(InsightEditSerializer, request)
        draft = insight_services.insight_draft_edit(actor=request.membership, draft=draft, text=data["text"])
        return self.render(draft, InsightSerializer)


class InsightApproveView(ReportingAPIView):
    """A lead approves the text for the client's report."""

    queryset = InsightDraft.objects.none()
    serializer_class = InsightSerializer

    @extend_schema(
        tags=["reporting"],
        operation_id="reporting_insight_approve",
        request=None,
        responses={200: InsightSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        draft = self.object_or_404(InsightDraft.objects.filter(agency=request.agency), pk)
        return self.render(
            insight_services.insight_draft_approve(actor=request.membership, draft=draft), InsightSerializer
        )


# --- weekly reports -------------------------------------------------------------------------------


class ReportDefinitionListView(ReportingAPIView):
    """Scheduled weekly reports; owners and coordinators schedule one for a client."""

    queryset = ReportDefinition.objects.none()
    serializer_class = ReportDefinitionSerializer

    @extend_schema(
        tags=["reporting"], operation_id="reporting_report_definitions_list",
        responses={200: ReportDefinitionSerializer(many=True)},
    )  # fmt: skip
    def get(self, request: Request, agency_slug: str) -> Response:
        return self.list_response(
            report_selectors.definitions_for_list(request.agency), ReportDefinitionSerializer
        )

    @extend_schema(
        tags=["reporting"],
        operation_id="reporting_report_definitions_create",
        request=ReportDefinitionCreateSerializer,
        responses={201: ReportDefinitionSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(ReportDefinitionCreateSerializer, request)
        if data.get("send_at") is None:
            data.pop("send_at", None)
        definition = report_services.report_definition_create(actor=request.membership, **data)
        return self.render(definition, ReportDefinitionSerializer, status.HTTP_201_CREATED)


class ReportIssueListView(ReportingAPIView):
    """Every report issue, newest period first, with its state and any failure reason."""

    queryset = ReportIssue.objects.none()
    serializer_class = ReportIssueSerializer

    @extend_schema(
        tags=["reporting"],
        operation_id="reporting_reports_list",
        responses={200: ReportIssueSerializer(many=True)},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        return self.list_response(report_selectors.issues_for_list(request.agency), ReportIssueSerializer)


class ReportIssueDetailView(ReportingAPIView):
    queryset = ReportIssue.objects.none()
    serializer_class = ReportIssueSerializer

    @extend_schema(
        tags=["reporting"],
        operation_id="reporting_report_detail",
        responses={200: ReportIssueSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        return self.render(
            self.object_or_404(report_selectors.issues_for_list(request.agency), pk), ReportIssueSerializer
        )


class ReportIssuePdfView(ReportingAPIView):
    queryset = ReportIssue.objects.none()
    serializer_class = ReportIssueSerializer

    @extend_schema(
        tags=["reporting"], operation_id="reporting_report_pdf",
        responses={200: PdfSerializer, 404: NOT_FOUND},
    )  # fmt: skip
    def get(self, request: Request, agency_slug: str, pk: int) -> Any:
        issue = self.object_or_404(report_selectors.issues_for_list(request.agency), pk)
        if not issue.pdf:
            raise exceptions.NotFound("This report has no PDF yet.")
        return Response(PdfSerializer(issue).data)


class ReportIssueRetryView(ReportingAPIView):
    queryset = ReportIssue.objects.none()
    serializer_class = ReportIssueSerializer

    @extend_schema(
        tags=["reporting"], operation_id="reporting_report_retry", request=None,
        responses={200: ReportIssueSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )  # fmt: skip
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        issue = self.object_or_404(report_selectors.issues_for_list(request.agency), pk)
        return self.render(
            report_services.report_issue_retry(actor=request.membership, issue=issue), ReportIssueSerializer
        )


# --- alerts ---------------------------------------------------------------------------------------


class AlertFilterSerializer(serializers.Serializer):
    all = FlagFilterField(name="all", help_text="true (or 1): closed episodes too; default: open ones only.")


class AlertListView(ReportingAPIView):
    """Open alert episodes (``?all=1`` for closed ones too); POST adds a rule to a campaign."""

    queryset = Alert.objects.none()
    serializer_class = AlertSerializer
    filter_serializer_class = AlertFilterSerializer

    @extend_schema(
        tags=["reporting"],
        operation_id="reporting_alerts_list",
        responses={200: AlertSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        qs = Alert.objects.filter(agency=request.agency).order_by("-opened_on", "-pk")
        if not self.filters["all"]:
            qs = qs.filter(closed_on__isnull=True)
        return self.list_response(qs, AlertSerializer)

    @extend_schema(
        tags=["reporting"],
        operation_id="reporting_alert_rules_create",
        request=AlertRuleCreateSerializer,
        responses={201: AlertRuleSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(AlertRuleCreateSerializer, request)
        rule = alert_services.alert_rule_create(
            actor=request.membership, campaign=data.pop("campaign"), **data
        )
        return self.render(rule, AlertRuleSerializer, status.HTTP_201_CREATED)


# --- portal ---------------------------------------------------------------------------------------


class PortalReportListView(PortalAPIView):
    """The reports sent to the contact's client, newest first."""

    queryset = ReportIssue.objects.none()
    serializer_class = PortalReportSerializer

    @extend_schema(
        tags=["portal"],
        operation_id="portal_reports_list",
        responses={200: PortalReportSerializer(many=True)},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        qs = report_selectors.issues_for_list(request.agency, client=request.contact.client, sent_only=True)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PortalReportSerializer(page, many=True).data)


class PortalReportPdfView(PortalAPIView):
    queryset = ReportIssue.objects.none()
    serializer_class = PortalReportSerializer

    @extend_schema(
        tags=["portal"], operation_id="portal_report_pdf",
        responses={200: PdfSerializer, 404: NOT_FOUND},
    )  # fmt: skip
    def get(self, request: Request, agency_slug: str, pk: int) -> Any:
        issue = (
            ReportIssue.objects.filter(
                agency=request.agency, client=request.contact.client, state=IssueState.SENT, pk=pk
            )
            .select_related("client")
            .exclude(pdf="")
            .first()
        )
        if issue is None:
            raise exceptions.NotFound()
        return Response(PdfSerializer(issue).data)
