"""REST endpoints of the reporting layer, under /api/v1/agencies/{agency_slug}/reporting/.

Campaigns (with one-line changes and targets), imports (upload → preview → confirm; problems),
metrics (daily facts summed by day, week or month), KPIs with target states, and time entries.
Each view parses, calls a service or selector and renders; another agency's object is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.views import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, AgencyAPIView, parse
from agencyops.models import Client
from agencyops.permissions import can_lead_work, is_agency_member
from approvals.models import ChangeRequest, DecisionLogEntry
from projects import time_selectors
from projects.calendars import agency_today
from projects.models import Project, Task, TimeEntry
from projects.services import time_entries
from reporting import selectors
from reporting import serializers as api
from reporting.models import Campaign, ColumnMapping, Import
from reporting.services import campaigns as campaign_services
from reporting.services import imports as import_services


def _one(queryset: QuerySet, pk: Any) -> Any:
    """A row of this agency by id, or the same 404 as a missing one."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise exceptions.NotFound()
    return found


def _query(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ReportingAPIView(AgencyAPIView):
    write_permission = can_lead_work


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
        client = _one(Client.objects.all(), data.pop("client"))
        project_id = data.pop("project", None)
        project = _one(Project.objects.all(), project_id) if project_id else None
        campaign = campaign_services.campaign_create(
            actor=request.membership, client=client, project=project, **data
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
        try:
            campaign = selectors.campaign_for_page(request.agency, pk)
        except Campaign.DoesNotExist as exc:
            raise exceptions.NotFound() from exc
        return self.render(campaign, api.CampaignDetailSerializer)


@extend_schema(tags=["reporting"])
class CampaignChangeCreateView(AgencyAPIView):
    """Record a change in one line ("3 Nov: budget 50 → 80 a day"); any team member may."""

    queryset = Campaign.objects.none()
    serializer_class = api.CampaignChangeSerializer
    write_permission = is_agency_member

    @extend_schema(
        operation_id="reporting_campaign_changes_create",
        request=api.ChangeLineInputSerializer,
        responses={201: api.CampaignChangeSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        campaign = _one(Campaign.objects.all(), pk)
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
        campaign = _one(Campaign.objects.all(), pk)
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
        campaign = _one(Campaign.objects.all(), pk)
        data = parse(api.DecisionLinkInputSerializer, request)
        decision = _one(DecisionLogEntry.objects.all(), data["decision"]) if "decision" in data else None
        change_request = (
            _one(ChangeRequest.objects.all(), data["change_request"]) if "change_request" in data else None
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
        client = _one(Client.objects.all(), data["client"])
        record = import_services.import_preview(
            actor=request.membership,
            client=client,
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
            _one(selectors.imports_for_list(request.agency).defer(None), pk), api.ImportDetailSerializer
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
        record = _one(Import.objects.all(), pk)
        data = parse(api.ImportConfirmInputSerializer, request)
        record = import_services.import_confirm(
            actor=request.membership, record=record, mapping=data["mapping"]
        )
        return self.render(
            _one(selectors.imports_for_list(request.agency).defer(None), record.pk),
            api.ImportDetailSerializer,
        )


@extend_schema(tags=["reporting"])
class ImportProblemsView(ReportingAPIView):
    """The row-level problem report of one import ("row 14: 'Kosten' is not a number: 'n/a'")."""

    queryset = Import.objects.none()

    @extend_schema(operation_id="reporting_imports_problems", responses={200: dict, 404: NOT_FOUND})
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        record = _one(Import.objects.only("pk", "problems", "blocking"), pk)
        return Response({"problems": record.problems, "blocking": record.blocking})


@extend_schema(tags=["reporting"])
class MetricListView(ReportingAPIView):
    """Daily facts summed per day, week or month and per metric and currency (never across currencies)."""

    queryset = Import.objects.none()
    serializer_class = api.MetricPointSerializer
    pagination_class = None

    @extend_schema(
        operation_id="reporting_metrics_list",
        parameters=[api.MetricFilterSerializer],
        responses={200: api.MetricPointSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        data = _query(api.MetricFilterSerializer, request)
        data.setdefault("end", agency_today(request.agency))
        data.setdefault("start", data["end"] - dt.timedelta(days=29))
        if data["end"] < data["start"]:
            raise exceptions.ValidationError({"end": ["The end comes after the start."]})
        if (data["end"] - data["start"]).days + 1 > settings.REPORTING_METRICS_MAX_DAYS:
            raise exceptions.ValidationError(
                {"end": [f"Ask for at most {settings.REPORTING_METRICS_MAX_DAYS} days at a time."]}
            )
        if "client" in data:
            _one(Client.objects.all(), data["client"])
        if "campaign" in data:
            _one(Campaign.objects.all(), data["campaign"])
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
    pagination_class = None

    @extend_schema(
        operation_id="reporting_kpis_list",
        parameters=[api.KpiFilterSerializer],
        responses={200: api.CampaignKpisSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        data = _query(api.KpiFilterSerializer, request)
        ids = [_one(Campaign.objects.all(), data["campaign"]).pk] if "campaign" in data else None
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
        client = _one(Client.objects.all(), data["client"])
        saved = campaign_services.column_mapping_save(
            actor=request.membership, client=client, name=data["name"], mapping=data["mapping"]
        )
        return self.render(saved, api.ColumnMappingSerializer, status.HTTP_201_CREATED)


def _entry(request: Request, pk: int) -> TimeEntry:
    return _one(time_selectors.entries_for_list(request.agency), pk)


@extend_schema(tags=["reporting"])
class TimeEntryListView(AgencyAPIView):
    """Logged time, newest first (``?task=``, ``?member=``, ``?start=&end=``); POST logs minutes or starts a timer."""

    queryset = TimeEntry.objects.none()
    serializer_class = api.TimeEntrySerializer
    write_permission = is_agency_member

    @extend_schema(
        operation_id="reporting_time_entries_list", responses={200: api.TimeEntrySerializer(many=True)}
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        qs = time_selectors.entries_for_list(request.agency)
        try:
            if request.query_params.get("task"):
                qs = qs.filter(task_id=int(request.query_params["task"]))
            if request.query_params.get("member"):
                qs = qs.filter(member_id=int(request.query_params["member"]))
            if request.query_params.get("start"):
                qs = qs.filter(work_date__gte=dt.date.fromisoformat(request.query_params["start"]))
            if request.query_params.get("end"):
                qs = qs.filter(work_date__lte=dt.date.fromisoformat(request.query_params["end"]))
        except ValueError as exc:
            raise exceptions.ValidationError({"detail": ["Filter by ids and ISO dates."]}) from exc
        return self.list_response(qs, api.TimeEntrySerializer)

    @extend_schema(
        operation_id="reporting_time_entries_create",
        request=api.TimeEntryInputSerializer,
        responses={201: api.TimeEntrySerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(api.TimeEntryInputSerializer, request)
        task: Task = _one(Task.objects.select_related("project"), data["task"])
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
        return self.render(_entry(request, entry.pk), api.TimeEntrySerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["reporting"])
class TimeEntryDetailView(AgencyAPIView):
    """One entry: correct it (history kept) or remove it from the totals."""

    queryset = TimeEntry.objects.none()
    serializer_class = api.TimeEntrySerializer
    write_permission = is_agency_member

    @extend_schema(
        operation_id="reporting_time_entries_retrieve",
        responses={200: api.TimeEntrySerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        return self.render(_entry(request, pk), api.TimeEntrySerializer)

    @extend_schema(
        operation_id="reporting_time_entries_update",
        request=api.TimeEntryEditInputSerializer,
        responses={200: api.TimeEntrySerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def patch(self, request: Request, agency_slug: str, pk: int) -> Response:
        entry = _entry(request, pk)
        data = parse(api.TimeEntryEditInputSerializer, request)
        time_entries.time_entry_edit(actor=request.membership, entry=entry, **data)
        return self.render(_entry(request, pk), api.TimeEntrySerializer)

    @extend_schema(
        operation_id="reporting_time_entries_delete", responses={204: None, 400: FIELD_ERRORS, 404: NOT_FOUND}
    )
    def delete(self, request: Request, agency_slug: str, pk: int) -> Response:
        time_entries.time_entry_delete(actor=request.membership, entry=_entry(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["reporting"])
class TimeEntryStopView(AgencyAPIView):
    """Stop a running timer."""

    queryset = TimeEntry.objects.none()
    serializer_class = api.TimeEntrySerializer
    write_permission = is_agency_member

    @extend_schema(
        operation_id="reporting_time_entries_stop",
        request=None,
        responses={200: api.TimeEntrySerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        time_entries.time_timer_stop(actor=request.membership, entry=_entry(request, pk))
        return self.render(_entry(request, pk), api.TimeEntrySerializer)
