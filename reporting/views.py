"""Staff pages of the reporting layer: campaigns and their changes, imports, KPIs, retainer hours, time logging."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencyops.models import Membership
from agencyops.permissions import can_lead_work, is_owner
from agencyops.tenancy import agency_view
from projects import time_selectors
from projects.calendars import agency_today
from projects.models import Project, Task, TimeEntry
from projects.services import time_entries
from reporting import selectors
from reporting.forms import (
    CampaignForm,
    ChangeLineForm,
    MappingForm,
    RetainerTermsForm,
    TargetForm,
    TimeLogForm,
    UploadForm,
)
from reporting.models import Campaign, Import, ImportState
from reporting.services import campaigns as campaign_services
from reporting.services import imports as import_services


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Every reporting campaign with its client, goal and dates; leads add new ones."""
    can_edit = can_lead_work(request.membership)
    form = CampaignForm(request.POST or None, agency=request.agency) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only owners and coordinators add campaigns.")
        if form.is_valid():
            try:
                campaign = campaign_services.campaign_create(actor=request.membership, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                return redirect("reporting_campaign_detail", request.agency.slug, campaign.pk)
    return TemplateResponse(
        request,
        "reporting/campaign_list.html",
        {"campaigns": selectors.campaigns_for_list(request.agency), "form": form},
    )


def _campaign_or_404(request: HttpRequest, campaign_id: int) -> Campaign:
    try:
        return selectors.campaign_for_page(request.agency, campaign_id)
    except Campaign.DoesNotExist as exc:
        raise Http404("No such campaign.") from exc


@agency_view
@require_http_methods(["GET", "HEAD"])
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A campaign: this month's KPIs against targets, its platform names and the timeline of its changes."""
    campaign = _campaign_or_404(request, campaign_id)
    kpis = selectors.kpi_table(request.agency, as_of=agency_today(request.agency), campaign_ids=[campaign.pk])
    landing_pages = []
    if kpis and campaign.goal == "lead_generation":
        landing_pages = selectors.landing_page_performance(
            request.agency, client_id=campaign.client_id, start=kpis[0].period_start, end=kpis[0].period_end
        )
    return TemplateResponse(
        request,
        "reporting/campaign_detail.html",
        {
            "campaign": campaign,
            "kpis": kpis[0] if kpis else None,
            "change_form": ChangeLineForm(),
            "landing_pages": landing_pages,
            "target_form": TargetForm(goal=campaign.goal) if can_lead_work(request.membership) else None,
        },
    )


@agency_view
@vary_on_headers("HX-Request")
@require_POST
def campaign_change_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Record a change in one line; htmx gets the refreshed timeline only."""
    campaign = _campaign_or_404(request, campaign_id)
    form = ChangeLineForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            campaign_services.campaign_change_record(
                actor=request.membership, campaign=campaign, line=form.cleaned_data["line"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if not request.htmx:
                return redirect("reporting_campaign_detail", request.agency.slug, campaign.pk)
            campaign = _campaign_or_404(request, campaign_id)
            form, saved = ChangeLineForm(), True
    template = "reporting/campaign_detail.html" + ("#changes" if request.htmx else "")
    kpis = (
        []
        if request.htmx
        else selectors.kpi_table(
            request.agency, as_of=agency_today(request.agency), campaign_ids=[campaign.pk]
        )
    )
    return TemplateResponse(
        request,
        template,
        {"campaign": campaign, "kpis": kpis[0] if kpis else None, "change_form": form},
        status=200 if saved else 400,
    )


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """Uploaded exports with their state; leads upload a new one to preview it."""
    can_edit = can_lead_work(request.membership)
    form = (
        UploadForm(request.POST or None, request.FILES or None, agency=request.agency) if can_edit else None
    )
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only owners and coordinators import reports.")
        if form.is_valid():
            try:
                record = import_services.import_preview(
                    actor=request.membership,
                    client=form.cleaned_data["client"],
                    upload=form.cleaned_data["file"],
                    default_currency=form.cleaned_data["default_currency"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                return redirect("reporting_import_detail", request.agency.slug, record.pk)
        status = 400
    return TemplateResponse(
        request,
        "reporting/import_list.html",
        {"imports": selectors.imports_for_list(request.agency)[:100], "form": form},
        status=status,
    )


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """The preview (period, campaigns, totals, problems); confirming maps new names and imports."""
    record = Import.objects.select_related("client", "uploaded_by__user").filter(pk=import_id).first()
    if record is None:
        raise Http404("No such import.")
    names = import_services.import_new_campaign_names(record) if record.state == ImportState.PREVIEW else []
    campaigns = list(Campaign.objects.filter(client=record.client).order_by("name"))
    form = MappingForm(request.POST or None, names=names, campaigns=campaigns)
    status = 200
    if request.method == "POST":
        if not can_lead_work(request.membership):
            raise PermissionDenied("Only owners and coordinators import reports.")
        if request.POST.get("action") == "discard":
            import_services.import_discard(actor=request.membership, record=record)
            return redirect("reporting_import_list", request.agency.slug)
        if form.is_valid():
            try:
                import_services.import_confirm(
                    actor=request.membership, record=record, mapping=form.mapping()
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                return redirect("reporting_import_detail", request.agency.slug, record.pk)
        status = 400
    return TemplateResponse(
        request,
        "reporting/import_detail.html",
        {"record": record, "form": form, "can_edit": can_lead_work(request.membership)},
        status=status,
    )


@agency_view
@require_http_methods(["GET", "HEAD"])
def kpi_overview(request: HttpRequest) -> HttpResponse:
    """Every running campaign's KPIs this month (or ``?period=week|quarter``) with target states."""
    period = request.GET.get("period", "month")
    if period not in ("week", "month", "quarter"):
        period = "month"
    table = selectors.kpi_table(request.agency, as_of=agency_today(request.agency), period=period)
    return TemplateResponse(request, "reporting/kpis.html", {"table": table, "period": period})


@agency_view
@require_http_methods(["GET", "HEAD"])
def retainer_hours(request: HttpRequest) -> HttpResponse:
    """Each retainer's last three months: hours used against included, and the effective hourly rate."""
    today = agency_today(request.agency)
    first = (today.replace(day=1) - dt.timedelta(days=62)).replace(day=1)
    projects = list(
        Project.objects.filter(agency=request.agency, retainer_included_hours__isnull=False)
        .select_related("client")
        .order_by("client__name", "name")
    )
    rows = [(p, time_selectors.retainer_months(p, first=first, last=today)) for p in projects]
    costs = (
        time_selectors.cost_by_project(request.agency, start=first, end=today)
        if is_owner(request.membership)
        else []
    )
    terms_form = RetainerTermsForm(agency=request.agency) if can_lead_work(request.membership) else None
    return TemplateResponse(
        request, "reporting/retainers.html", {"rows": rows, "costs": costs, "terms_form": terms_form}
    )


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@agency_view
@require_POST
def task_time_log(request: HttpRequest, task_id: int) -> HttpResponse:
    """Log minutes on a task, or start a timer on it (from the task page or My work)."""
    task = Task.objects.select_related("project").filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task.")
    form = TimeLogForm(request.POST)
    fallback = reverse("task_detail", args=[request.agency.slug, task.pk])
    if not form.is_valid():
        return HttpResponse("Give the minutes (1 to 1440) or start a timer.", status=400)
    try:
        if form.cleaned_data["timer"]:
            time_entries.time_timer_start(actor=request.membership, task=task, note=form.cleaned_data["note"])
        elif form.cleaned_data["minutes"]:
            time_entries.time_entry_log(
                actor=request.membership,
                task=task,
                minutes=form.cleaned_data["minutes"],
                note=form.cleaned_data["note"],
            )
        else:
            return HttpResponse("Give the minutes (1 to 1440) or start a timer.", status=400)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    return redirect(_back(request, fallback))


@agency_view
@require_POST
def time_entry_stop(request: HttpRequest, time_entry_id: int) -> HttpResponse:
    """Stop a running timer."""
    entry = TimeEntry.objects.filter(pk=time_entry_id).first()
    if entry is None:
        raise Http404("No such time entry.")
    try:
        time_entries.time_timer_stop(actor=request.membership, entry=entry)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    return redirect(_back(request, reverse("task_detail", args=[request.agency.slug, entry.task_id])))


@agency_view(permission=can_lead_work)
@require_POST
def task_category(request: HttpRequest, task_id: int) -> HttpResponse:
    """Say what kind of work a task is, so its time can be asked about by kind."""
    task = Task.objects.filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task.")
    try:
        time_entries.task_category_set(
            actor=request.membership, task=task, category=request.POST.get("category", "")
        )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    return redirect(_back(request, reverse("task_detail", args=[request.agency.slug, task.pk])))


@agency_view(permission=is_owner)
@require_http_methods(["GET", "HEAD", "POST"])
def cost_rates(request: HttpRequest) -> HttpResponse:
    """What an hour of each team member costs: owners only."""
    members = list(
        Membership.objects.filter(agency=request.agency, is_active=True)
        .select_related("user", "cost_rate")
        .order_by("user__full_name")
    )
    error = ""
    if request.method == "POST":
        member = next((m for m in members if str(m.pk) == request.POST.get("membership")), None)
        if member is None:
            raise Http404("No such member.")
        try:
            amount = Decimal(request.POST.get("hourly_cost", ""))
            time_entries.member_cost_rate_set(
                actor=request.membership,
                membership=member,
                hourly_cost=amount,
                currency=request.POST.get("currency", ""),
            )
        except (InvalidOperation, ValidationError) as exc:
            error = " ".join(getattr(exc, "messages", ["Give the hourly cost as a number."]))
        else:
            return redirect("reporting_cost_rates", request.agency.slug)
    return TemplateResponse(
        request,
        "reporting/cost_rates.html",
        {"members": members, "error": error},
        status=400 if error else 200,
    )


@agency_view(permission=can_lead_work)
@require_POST
def campaign_target_set(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Set a campaign's target for one KPI and period from its page."""
    campaign = _campaign_or_404(request, campaign_id)
    form = TargetForm(request.POST, goal=campaign.goal)
    if form.is_valid():
        try:
            campaign_services.kpi_target_set(actor=request.membership, campaign=campaign, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("reporting_campaign_detail", request.agency.slug, campaign.pk)
    return TemplateResponse(
        request,
        "reporting/campaign_detail.html",
        {"campaign": campaign, "kpis": None, "change_form": ChangeLineForm(), "target_form": form},
        status=400,
    )


@agency_view(permission=can_lead_work)
@require_POST
def retainer_terms_set(request: HttpRequest) -> HttpResponse:
    """A retainer's included hours and monthly fee."""
    form = RetainerTermsForm(request.POST, agency=request.agency)
    if not form.is_valid():
        return HttpResponse("Choose a project and give the hours and fee as numbers.", status=400)
    try:
        time_entries.project_retainer_terms_set(
            actor=request.membership,
            project=form.cleaned_data["project"],
            included_hours=form.cleaned_data["included_hours"],
            monthly_fee=form.cleaned_data["monthly_fee"],
            currency=form.cleaned_data["currency"],
        )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    return redirect("reporting_retainers", request.agency.slug)
