"""Dashboard and insight pages: staff dashboards with range and comparison pickers, CSV of every table,
insight drafts edited and approved, and the portal's client versions of the dashboards."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from agencyops.models import Client
from agencyops.permissions import can_lead_work
from agencyops.tenancy import agency_view, portal_view
from projects.calendars import agency_today
from reporting import dashboards
from reporting.models import InsightDraft, InsightState
from reporting.services import insights as insight_services

COMPARE_CHOICES = (
    ("previous", "Previous period"),
    ("year", "Same period last year"),
    ("none", "No comparison"),
)
# A spreadsheet reads a cell starting with one of these as a formula: such cells are written as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class BadRange(ValueError):
    pass


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise BadRange(f"“{name}” is not a date (use YYYY-MM-DD).") from exc


def dashboard_params(params, today: dt.date) -> tuple[dt.date, dt.date, str]:
    """The range (default: this month so far) and comparison a request asks for; bad ones raise BadRange."""
    start = _date(params["from"], "from") if params.get("from") else today.replace(day=1)
    end = _date(params["to"], "to") if params.get("to") else today
    compare = params.get("compare") or "previous"
    if compare not in dict(COMPARE_CHOICES):
        raise BadRange("Compare with “previous”, “year” or “none”.")
    try:
        dashboards.clamp_range(start, end)
    except ValueError as exc:
        raise BadRange(str(exc)) from exc
    return start, end, compare


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    if text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def table_csv(board: dashboards.Dashboard, key: str) -> HttpResponse:
    """One table of a dashboard as CSV; formula-looking text is written as text."""
    try:
        table = board.table(key)
    except KeyError as exc:
        raise Http404("No such table.") from exc
    slug = _slug(board.client)
    return _csv_response(
        f"{board.name}-{table.key}-{slug}-{board.start}-{board.end}.csv", table.columns, table.rows
    )


def _slug(client: Client) -> str:
    return client.name.lower().replace(" ", "-")[:40]


def _csv_response(filename: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A download of rows under their column names; formula-looking text is written as text."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return response


def _client_for(request: HttpRequest, clients: list[Client]) -> Client | None:
    wanted = request.GET.get("client", "")
    if not wanted:
        return clients[0] if clients else None
    if not wanted.isdigit():
        raise Http404("No such client.")
    for client in clients:
        if client.pk == int(wanted):
            return client
    raise Http404("No such client.")


def _link_cells(request: HttpRequest, board: dashboards.Dashboard, *, portal: bool) -> None:
    """Pair every cell with the address of the rows behind it: the staff rows pages, or for a client contact
    the portal's (which lists only the sources the portal shows; other numbers stay plain)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from reporting.rows_behind import PORTAL_SOURCES

    def base(source: str) -> str:
        if portal:
            if source not in PORTAL_SOURCES:
                return ""
            return reverse(f"portal_rows_{source}", args=[request.agency.slug])
        return reverse(f"reporting_rows_{source}", args=[request.agency.slug, board.client.pk])

    bases: dict[str, str] = {}
    for table in board.tables:
        cells = []
        for i, row in enumerate(table.rows):
            links = table.links[i] if i < len(table.links) else []
            pairs = []
            for j, value in enumerate(row):
                link = links[j] if j < len(links) else None
                href = ""
                if link is not None and isinstance(value, Decimal | int) and not isinstance(value, bool):
                    params = dict(link)
                    source = params.pop("source")
                    if source not in bases:
                        bases[source] = base(source)
                    href = f"{bases[source]}?{urlencode(params)}" if bases[source] else ""
                pairs.append((value, href))
            cells.append(pairs)
        table.cells = cells


def _dashboard_page(
    request: HttpRequest, name: str, *, clients: list[Client], template: str, portal: bool
) -> HttpResponse:
    client = _client_for(request, clients)
    today = agency_today(request.agency)
    try:
        start, end, compare = dashboard_params(request.GET, today)
    except BadRange as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    board = None
    if client is not None:
        board = dashboards.build(
            name, request.agency, client, start=start, end=end, compare=compare, as_of=today, portal=portal
        )
        if request.GET.get("format") == "csv":
            return table_csv(board, request.GET.get("table", ""))
        _link_cells(request, board, portal=portal)
    names = dashboards.PORTAL_NAMES if portal else dashboards.NAMES
    return TemplateResponse(
        request,
        template,
        {
            "board": board,
            "name": name,
            "title": dashboards.TITLES[name],
            "tabs": [(n, dashboards.TITLES[n]) for n in names],
            "clients": clients,
            "client": client,
            "start": start,
            "end": end,
            "compare": compare,
            "compare_choices": COMPARE_CHOICES,
            "query": request.GET.urlencode(),
            "portal": portal,
        },
    )


@agency_view
@require_http_methods(["GET", "HEAD"])
def dashboard(request: HttpRequest, name: str) -> HttpResponse:
    """A staff dashboard for one client and range, a numbers table beside each chart, CSV of each table."""
    clients = list(Client.objects.filter(agency=request.agency).order_by("name"))
    return _dashboard_page(request, name, clients=clients, template="reporting/dashboard.html", portal=False)


@portal_view
@require_http_methods(["GET", "HEAD"])
def portal_dashboard(request: HttpRequest, name: str) -> HttpResponse:
    """The client's own dashboard: campaigns, website, and a retainer view without hours or rates."""
    return _dashboard_page(
        request,
        name,
        clients=[request.contact.client],
        template="reporting/portal_dashboard.html",
        portal=True,
    )


# --- insight drafts --------------------------------------------------------------------------------


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def insight_list(request: HttpRequest) -> HttpResponse:
    """Drafted "what changed, why, what next" per client and period; leads draft a new one."""
    clients = list(Client.objects.filter(agency=request.agency).order_by("name"))
    error = ""
    if request.method == "POST":
        if not can_lead_work(request.membership):
            raise Http404("No such page.")
        client = next((c for c in clients if str(c.pk) == request.POST.get("client")), None)
        if client is None:
            error = "Choose a client."
        else:
            try:
                start = _date(request.POST.get("from", ""), "from")
                end = _date(request.POST.get("to", ""), "to")
                draft = insight_services.insight_draft_create(
                    actor=request.membership, client=client, period_start=start, period_end=end
                )
            except BadRange as exc:
                error = str(exc)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect("reporting_insight_detail", request.agency.slug, draft.pk)
    drafts = (
        InsightDraft.objects.filter(agency=request.agency)
        .select_related("client", "created_by__user", "approved_by__user")
        .defer("facts", "drafted_text", "text", "ai_text", "prose_note")[:100]
    )
    today = agency_today(request.agency)
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    return TemplateResponse(
        request,
        "reporting/insight_list.html",
        {
            "drafts": drafts,
            "clients": clients,
            "error": error,
            "default_from": last_month_end.replace(day=1),
            "default_to": last_month_end,
            "can_draft": can_lead_work(request.membership),
        },
        status=400 if error else 200,
    )


def _draft_or_404(request: HttpRequest, insight_id: int) -> InsightDraft:
    draft = InsightDraft.objects.filter(agency=request.agency, pk=insight_id).select_related("client").first()
    if draft is None:
        raise Http404("No such insight.")
    return draft


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def insight_detail(request: HttpRequest, insight_id: int) -> HttpResponse:
    """Edit the drafted text (the facts stay beside it), then a lead approves it."""
    draft = _draft_or_404(request, insight_id)
    error = ""
    if request.method == "POST":
        try:
            draft = insight_services.insight_draft_edit(
                actor=request.membership, draft=draft, text=request.POST.get("text", "")
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("reporting_insight_detail", request.agency.slug, draft.pk)
    return TemplateResponse(
        request,
        "reporting/insight_detail.html",
        {
            "draft": draft,
            "error": error,
            "editable": draft.state == InsightState.DRAFT,
            "can_approve": can_lead_work(request.membership) and draft.state == InsightState.DRAFT,
        },
        status=400 if error else 200,
    )


@agency_view(permission=can_lead_work)
@require_POST
def insight_approve(request: HttpRequest, insight_id: int) -> HttpResponse:
    """A lead approves the text: it is what the client's report will say."""
    draft = _draft_or_404(request, insight_id)
    insight_services.insight_draft_approve(actor=request.membership, draft=draft)
    return redirect("reporting_insight_detail", request.agency.slug, draft.pk)


# --- internal KPIs ---------------------------------------------------------------------------------


@agency_view
@require_http_methods(["GET", "HEAD"])
def internal_kpi_page(request: HttpRequest) -> HttpResponse:
    """The month's internal KPIs per agency, client and person; retainer profitability for owners."""
    from agencyops.permissions import is_owner
    from reporting import internal_kpis

    today = agency_today(request.agency)
    wanted = request.GET.get("month", "")
    if wanted:
        try:
            month = dt.date.fromisoformat(f"{wanted[:7]}-01")
        except ValueError:
            return HttpResponse("Give the month as YYYY-MM.", status=400, content_type="text/plain")
    else:
        month = today.replace(day=1)
    profitability = (
        internal_kpis.retainer_profitability(request.agency, month=month)
        if is_owner(request.membership)
        else None
    )
    return TemplateResponse(
        request,
        "reporting/internal_kpis.html",
        {
            "month": month,
            "columns": internal_kpis.COLUMNS,
            "lines": [
                (line, [line.figures.get(key) for key, _ in internal_kpis.COLUMNS])
                for line in internal_kpis.internal_kpis(request.agency, month=month)
            ],
            "profitability": profitability,
        },
    )


# --- the rows behind a number ----------------------------------------------------------------------

ROWS_PER_PAGE = 100
ROWS_CSV_MAX = 50_000


def _rows_page(request: HttpRequest, client: Client, source: str, *, portal: bool) -> HttpResponse:
    """The rows behind a number of this client's dashboard, paged, with a CSV of all of them (up to
    ROWS_CSV_MAX rows); the portal's read the same selector as a client contact."""
    from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

    from reporting import rows_behind

    try:
        found = rows_behind.rows_behind(
            request.agency,
            client,
            source,
            request.GET.dict(),
            today=agency_today(request.agency),
            portal=portal,
        )
    except rows_behind.BadRows as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    except LookupError as exc:
        raise Http404("Not found.") from exc
    if request.GET.get("format") == "csv":
        rows = ([row[key] for key in found.keys] for row in found.rows[:ROWS_CSV_MAX])
        return _csv_response(f"{source}-{_slug(client)}.csv", found.columns, rows)
    paginator = Paginator(found.rows, ROWS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        return HttpResponse("No such page of rows.", status=400, content_type="text/plain; charset=utf-8")
    others = request.GET.copy()
    others.pop("page", None)
    return TemplateResponse(
        request,
        "reporting/portal_rows_behind.html" if portal else "reporting/rows_behind.html",
        {
            "client": client,
            "found": found,
            "page": page,
            "cells": [[row[key] for key in found.keys] for row in page.object_list],
            "query": others.urlencode(),
        },
    )


@agency_view
@require_http_methods(["GET", "HEAD"])
def rows_behind_page(request: HttpRequest, client_id: int, source: str) -> HttpResponse:
    """The rows a dashboard number adds up or counts, for one client of the agency."""
    client = Client.objects.filter(agency=request.agency, pk=client_id).first()
    if client is None:
        raise Http404("No such client.")
    return _rows_page(request, client, source, portal=False)


@portal_view
@require_http_methods(["GET", "HEAD"])
def portal_rows_behind_page(request: HttpRequest, source: str) -> HttpResponse:
    """The rows behind a number of the contact's own dashboards: their client's rows only, and only what the
    portal shows (never hours, rates or the agency's own columns)."""
    return _rows_page(request, request.contact.client, source, portal=True)
