"""My work (one person's open tasks by day) and the team's workload by week against capacity."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from agencyops.fragment_cache import render_for_data
from agencyops.tenancy import agency_view
from projects.calendars import agency_calendar, agency_today
from projects.workload import my_work_for, week_start, workload_drilldown, workload_for


@agency_view
@require_http_methods(["GET", "HEAD"])
def my_work(request: HttpRequest) -> HttpResponse:
    """The signed-in member's open tasks: overdue first, then by due day this week and next, then waiting."""
    today = agency_today(request.agency)
    calendar = agency_calendar(request.agency, around=today)
    work = my_work_for(request.membership, today=today, calendar=calendar)
    return TemplateResponse(request, "projects/my_work.html", {"work": work})


def _week_param(raw: str | None) -> date | None:
    try:
        return week_start(date.fromisoformat(raw or ""))
    except ValueError:
        return None


@agency_view
@require_http_methods(["GET", "HEAD"])
def workload(request: HttpRequest) -> HttpResponse:
    """Hours of open work per member per week against capacity; ``?member=&week=`` shows one cell's tasks."""
    today = agency_today(request.agency)
    calendar = agency_calendar(request.agency, around=today)
    table = workload_for(request.agency, today=today, calendar=calendar)
    selected_row = selected_week = None
    drilldown = None
    drilldown_error = ""
    member_key = request.GET.get("member")
    if member_key is not None:
        selected_row = table.row(member_key)
        if selected_row is None:
            # Another agency's member, someone who left or a made-up id: like a missing page.
            raise Http404("No such member on this workload.")
        selected_week = _week_param(request.GET.get("week"))
        if selected_week in table.weeks:
            drilldown = workload_drilldown(table, member_key, selected_week)
        else:
            drilldown_error = "Choose one of the weeks shown in the table to see its tasks."
            selected_week = None
    selected_cell = (
        next(c for c in selected_row.cells if c.week == selected_week)
        if selected_row and selected_week
        else None
    )
    selected_key = selected_row.member_key if selected_row else None
    return TemplateResponse(
        request,
        "projects/workload.html",
        {
            "table": table,
            "today": today,
            "selected_row": selected_row,
            "selected_week": selected_week,
            "selected_cell": selected_cell,
            "drilldown": drilldown,
            "drilldown_error": drilldown_error,
            # The rows follow from the table's values alone: keyed on them, a repeat view is a digest.
            "rows_body": render_for_data(
                request,
                template_name="projects/_workload_rows.html",
                data=(table.weeks, table.rows),
                variant=(request.agency.slug, selected_key, selected_week),
                context=lambda: {
                    "rows": table.rows,
                    "selected_key": selected_key,
                    "selected_week": selected_week,
                },
            ),
        },
    )
