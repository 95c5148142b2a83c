"""REST endpoints of the reporting layer, under /api/v1/agencies/{agency_slug}/reporting/.

Campaigns (with one-line changes and targets), imports (upload → preview → confirm; problems),
metrics (daily facts summed by day, week or month), KPIs with target states, and time entries.
Each view parses, calls a service or selector and renders; another agency's object is a 404.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.fields import MAX_DB_ID
from agencyops.api.filters import IdFilterField
from agencyops.api.permissions import team_reads_and_writes_by
from agencyops.api.views import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, AgencyAPIView, parse
from agencyops.models import Client
from agencyops.permissions import can_lead_work, is_agency_member
from approvals.models import ChangeRequest, DecisionLogEntry
from projects import time_selectors
from projects.calendars import agency_today
from projects.models import TimeEntry
from projects.services import time_entries
from reporting import selectors
from reporting import serializers as api
from reporting.models import Campaign, ColumnMapping, Import
from reporting.services import campaigns as campaign_services
from reporting.services import imports as import_services

# Reporting's setup (campaigns, imports, targets, schedules, rules) is for leads; the team reads it.
LEADS_WRITE = team_reads_and_writes_by(can_lead_work)
# What any team member may change: a campaign's change line, their time, an insight draft's text.
TEAM_WRITES = team_reads_and_writes_by(is_agency_member)


class ReportingAPIView(AgencyAPIView):
    """Base of the reporting endpoints: the whole team reads, leads change the setup."""

    permission_map = LEADS_WRITE


@extend_schema(tags=["reporting"])
class CampaignListView(ReportingAPIView):
    """Reporting campaigns; owners and coordinators add them."""

    queryset = Campaign.objects.none()
    serializer_class = api.CampaignSerializer

    @extend_schema(
        operation_id="reporting_campaigns_list", responses={200: api.CampaignSerializer(many=True)}
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        return self.list_response(selectors.campaigns_for_list(request.agency), api.CampaignSerializer)

    @extend_schema(
        operation_id="reporting_campaigns_create",
        request=api.CampaignCreateInputSerializer,
        responses={201: api.CampaignSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(api.CampaignCreateInputSerializer, request)
        campaign = campaign_services.campaign_create(
            actor=request.membership, client=data.pop("client"), project=data.pop("project", None), **data
        )
        return self.render(campaign, api.CampaignSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["reporting"])
class CampaignDetailView(ReportingAPIView):
    """One campaign with its platform names and its changes, newest first."""

    queryset = Campaign.objects.none()
    serializer_class = api.CampaignDetailSerializer

    @extend_schema(
        operation_id="reporting_campaigns_retrieve",
        responses={200: api.CampaignDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        if not 0 < pk <= MAX_DB_ID:
            raise exceptions.NotFound()
        try:
            campaign = selectors.campaign_for_page(request.agency, pk)
        except Campaign.DoesNotExist as exc:
            raise exceptions.NotFound() from exc
        return self.render(campaign, api.CampaignDetailSerializer)


@extend_schema(tags=["reporting"])
class CampaignChangeCreateView(ReportingAPIView):
    """Record a change in one line ("3 Nov: budget 50 → 80 a day"); any team member may."""

    queryset = Campaign.objects.none()
    serializer_class = api.CampaignChangeSerializer
    permission_map = TEAM_WRITES

    @extend_schema(
        operation_id="reporting_campaign_changes_create",
        request=api.ChangeLineInputSerializer,
        responses={201: api.CampaignChangeSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        campaign = self.object_or_404(Campaign.objects.all(), pk)
        data = parse(api.ChangeLineInputSerializer, request)
        change = campaign_services.campaign_change_record(
            actor=request.membership, campaign=campaign, line=data["line"]
        )
        return self.render(change, api.CampaignChangeSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["reporting"])
class CampaignTargetView(ReportingAPIView):
    """Set a campaign's target for one KPI and period."""

    queryset = Campaign.objects.none()
    serializer_class = api.TargetInputSerializer

    @extend_schema(
        operation_id="reporting_campaign_targets_set",
        request=api.TargetInputSerializer,
        responses={200: api.TargetInputSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        campaign = self.object_or_404(Campaign.objects.all(), pk)
        data = parse(api.TargetInputSerializer, request)
        target = campaign_services.kpi_target_set(actor=request.membership, campaign=campaign, **data)
        return self.render(target, api.TargetInputSerializer)


@extend_schema(tags=["reporting"])
class CampaignLinkView(ReportingAPIView):
    """Link a decision-log entry or a change request to the campaign it affected."""

    queryset = Campaign.objects.none()
    serializer_class = api.DecisionLinkSerializer

    @extend_schema(
        operation_id="reporting_campaign_links_create",
        request=api.DecisionLinkInputSerializer,
        responses={201: api.DecisionLinkSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        campaign = self.object_or_404(Campaign.objects.all(), pk)
        data = parse(api.DecisionLinkInputSerializer, request)
        # Another agency's entry is the same 404 as a missing one.
        decision = (
            self.object_or_404(DecisionLogEntry.objects.all(), data["decision"])
            if "decision" in data
            else None
        )
        change_request = (
            self.object_or_404(ChangeRequest.objects.all(), data["change_request"])
            if "change_request" in data
            else None
        )
        link = campaign_services.campaign_link_decision(
            actor=request.membership, campaign=campaign, decision=decision, change_request=change_request
        )
        return self.render(link, api.DecisionLinkSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["reporting"])
class ImportListView(ReportingAPIView):
    """Imports, newest first; POST a file (multipart) to get its preview."""

    queryset = Import.objects.none()
    serializer_class = api.ImportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(operation_id="reporting_imports_list", responses={200: api.ImportSerializer(many=True)})
    def get(self, request: Request, agency_slug: str) -> Response:
        return self.list_response(selectors.imports_for_list(request.agency), api.ImportSerializer)

    @extend_schema(
        operation_id="reporting_imports_upload",
        request={"multipart/form-data": api.ImportUploadInputSerializer},
        responses={201: api.ImportDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(api.ImportUploadInputSerializer, request)
        record = import_services.import_preview(
            actor=request.membership,
            client=data["client"],
            upload=data["file"],
            default_currency=data["default_currency"],
        )
        return self.render(record, api.ImportDetailSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["reporting"])
class ImportDetailView(ReportingAPIView):
    """One import's preview: period, campaigns (new names to map), totals, notes and what blocks it."""

    queryset = Import.objects.none()
    serializer_class = api.ImportDetailSerializer

    @extend_schema(
        operation_id="reporting_imports_retrieve", responses={200: api.ImportDetailSerializer, 404: NOT_FOUND}
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        return self.render(
            self.object_or_404(selectors.imports_for_list(request.agency).defer(None), pk),
            api.ImportDetailSerializer,
        )


@extend_schema(tags=["reporting"])
class ImportConfirmView(ReportingAPIView):
    """Import the previewed rows; ``mapping`` names a campaign id (or null) for each new platform name."""

    queryset = Import.objects.none()
    serializer_class = api.ImportConfirmInputSerializer

    @extend_schema(
        operation_id="reporting_imports_confirm",
        request=api.ImportConfirmInputSerializer,
        responses={200: api.ImportDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        record = self.object_or_404(Import.objects.all(), pk)
        data = parse(api.ImportConfirmInputSerializer, request)
        record = import_services.import_confirm(
            actor=request.membership, record=record, mapping=data["mapping"]
        )
        return self.render(
            self.object_or_404(selectors.imports_for_list(request.agency).defer(None), record.pk),
            api.ImportDetailSerializer,
        )


@extend_schema(tags=["reporting"])
class ImportProblemsView(ReportingAPIView):
    """The row-level problem report of one import ("row 14: 'Kosten' is not a number: 'n/a'")."""

    queryset = Import.objects.none()

    @extend_schema(operation_id="reporting_imports_problems", responses={200: dict, 404: NOT_FOUND})
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        record = self.object_or_404(Import.objects.only("pk", "problems", "blocking"), pk)
        return Response({"problems": record.problems, "blocking": record.blocking})


@extend_schema(tags=["reporting"])
class MetricListView(ReportingAPIView):
    """Daily facts summed per day, week or month and per metric and currency (never across currencies)."""

    queryset = Import.objects.none()
    serializer_class = api.MetricPointSerializer
    filter_serializer_class = api.MetricFilterSerializer
    pagination_class = None

    @extend_schema(
        operation_id="reporting_metrics_list",
        responses={200: api.MetricPointSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        data = self.filters
        # Another agency's client or campaign is a 404, as a missing one.
        if "client" in data:
            self.object_or_404(Client.objects.all(), data["client"])
        if "campaign" in data:
            self.object_or_404(Campaign.objects.all(), data["campaign"])
        metrics = [m.strip() for m in data.get("metric", "").split(",") if m.strip()][:50]
        points = selectors.metric_series(
            request.agency,
            start=data["start"],
            end=data["end"],
            interval=data["interval"],
            client_id=data.get("client"),
            campaign_id=data.get("campaign"),
            platform=data.get("platform"),
            metrics=metrics or None,
            level=data.get("level"),
        )
        return Response(api.MetricPointSerializer(points, many=True).data)


@extend_schema(tags=["reporting"])
class KpiListView(ReportingAPIView):
    """KPI values and target states per campaign for the week, month or quarter containing ``as_of``."""

    queryset = Campaign.objects.none()
    serializer_class = api.CampaignKpisSerializer
    filter_serializer_class = api.KpiFilterSerializer
    pagination_class = None

    @extend_schema(
        operation_id="reporting_kpis_list",
        responses={200: api.CampaignKpisSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        data = self.filters
        ids = (
            [self.object_or_404(Campaign.objects.all(), data["campaign"]).pk] if "campaign" in data else None
        )
        table = selectors.kpi_table(
            request.agency,
            as_of=data.get("as_of") or agency_today(request.agency),
            period=data["period"],
            campaign_ids=ids,
        )
        return Response(api.CampaignKpisSerializer(table, many=True).data)


@extend_schema(tags=["reporting"])
class ColumnMappingListView(ReportingAPIView):
    """Saved column mappings: how to read each client's CRM, email or call-tracking CSV."""

    queryset = ColumnMapping.objects.none()
    serializer_class = api.ColumnMappingSerializer

    @extend_schema(
        operation_id="reporting_column_mappings_list", responses={200: api.ColumnMappingSerializer(many=True)}
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        qs = ColumnMapping.objects.filter(agency=request.agency).order_by("client_id", "name")
        return self.list_response(qs, api.ColumnMappingSerializer)

    @extend_schema(
        operation_id="reporting_column_mappings_save",
        request=api.ColumnMappingInputSerializer,
        responses={201: api.ColumnMappingSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(api.ColumnMappingInputSerializer, request)
        saved = campaign_services.column_mapping_save(
            actor=request.membership, client=data["client"], name=data["name"], mapping=data["mapping"]
        )
        return self.render(saved, api.ColumnMappingSerializer, status.HTTP_201_CREATED)


class TimeEntryFilterSerializer(serializers.Serializer):
    task = IdFilterField(what="task")
    member = IdFilterField(what="team member")
    start = serializers.DateField(required=False, help_text="Only entries on or after this day.")
    end = serializers.DateField(required=False, help_text="Only entries on or before this day.")


class TimeEntryAPIView(AgencyAPIView):
    """Time entries: every team member logs and corrects time (the services say whose)."""

    queryset = TimeEntry.objects.none()
    serializer_class = api.TimeEntrySerializer
    permission_map = TEAM_WRITES

    def entry_or_404(self, pk: int) -> TimeEntry:
        return self.object_or_404(time_selectors.entries_for_list(self.request.agency), pk)


@extend_schema(tags=["reporting"])
class TimeEntryListView(TimeEntryAPIView):
    """Logged time, newest first (``?task=``, ``?member=``, ``?start=&end=``); POST logs minutes or starts a timer."""

    filter_serializer_class = TimeEntryFilterSerializer

    @extend_schema(
        operation_id="reporting_time_entries_list",
        responses={200: api.TimeEntrySerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        qs = time_selectors.entries_for_list(request.agency)
        if "task" in self.filters:
            qs = qs.filter(task_id=self.filters["task"])
        if "member" in self.filters:
            qs = qs.filter(member_id=self.filters["member"])
        if "start" in self.filters:
            qs = qs.filter(work_date__gte=self.filters["start"])
        if "end" in self.filters:
            qs = qs.filter(work_date__lte=self.filters["end"])
        return self.list_response(qs, api.TimeEntrySerializer)

    @extend_schema(
        operation_id="reporting_time_entries_create",
        request=api.TimeEntryInputSerializer,
        responses={201: api.TimeEntrySerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(api.TimeEntryInputSerializer, request)
        task = data["task"]
        if data["timer"]:
            entry = time_entries.time_timer_start(actor=request.membership, task=task, note=data["note"])
        else:
            entry = time_entries.time_entry_log(
                actor=request.membership,
                task=task,
                minutes=data["minutes"],
                work_date=data.get("work_date"),
                note=data["note"],
            )
        return self.render(self.entry_or_404(entry.pk), api.TimeEntrySerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["reporting"])
class TimeEntryDetailView(TimeEntryAPIView):
    """One entry: correct it (history kept) or remove it from the totals."""

    @extend_schema(
        operation_id="reporting_time_entries_retrieve",
        responses={200: api.TimeEntrySerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        return self.render(self.entry_or_404(pk), api.TimeEntrySerializer)

    @extend_schema(
        operation_id="reporting_time_entries_update",
        request=api.TimeEntryEditInputSerializer,
        responses={200: api.TimeEntrySerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def patch(self, request: Request, agency_slug: str, pk: int) -> Response:
        entry = self.entry_or_404(pk)
        data = parse(api.TimeEntryEditInputSerializer, request)
        time_entries.time_entry_edit(actor=request.membership, entry=entry, **data)
        return self.render(self.entry_or_404(pk), api.TimeEntrySerializer)

    @extend_schema(
        operation_id="reporting_time_entries_delete", responses={204: None, 400: FIELD_ERRORS, 404: NOT_FOUND}
    )
    def delete(self, request: Request, agency_slug: str, pk: int) -> Response:
        time_entries.time_entry_delete(actor=request.membership, entry=self.entry_or_404(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["reporting"])
class TimeEntryStopView(TimeEntryAPIView):
    """Stop a running timer."""

    @extend_schema(
        operation_id="reporting_time_entries_stop",
        request=None,
        responses={200: api.TimeEntrySerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        time_entries.time_timer_stop(actor=request.membership, entry=self.entry_or_404(pk))
        return self.render(self.entry_or_404(pk), api.TimeEntrySerializer)
