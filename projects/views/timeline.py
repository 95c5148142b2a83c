"""A project's timeline: a server-rendered SVG Gantt chart of its phases, tasks and dependencies."""

from __future__ import annotations

from collections import defaultdict

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from agencyops.tenancy import agency_view
from projects import scheduling
from projects.calendars import agency_calendar, agency_today
from projects.models import Project, Task, TaskDependency, TaskStatus
from projects.timeline import STATE_LABELS, Link, Timeline, TimelineTask, build_timeline


def project_timeline_load(project: Project, *, agency_slug: str) -> tuple[Timeline, int]:
    """The project's Gantt layout and the size of its critical path (four queries, whatever the plan size).

    The launch marker is the committed launch; ``project.forecast_launch`` is set beside it."""
    tasks = list(
        Task.objects.filter(project=project)
        .select_related("phase", "assignee__user")
        .order_by("phase__order", "start_date", "order", "pk")
    )
    links: dict[int, list[tuple[int, str]]] = defaultdict(list)
    lags: dict[tuple[int, int], int] = {}
    for pred_id, succ_id, kind, lag in TaskDependency.objects.filter(successor__project=project).values_list(
        "predecessor_id", "successor_id", "kind", "lag_days"
    ):
        links[succ_id].append((pred_id, kind))
        lags[(pred_id, succ_id)] = lag
    phases = list(project.phases.order_by("order").values_list("name", flat=True))
    calendar = agency_calendar(project.agency)
    keys = {t.pk: t.key for t in tasks}
    plan = [
        scheduling.PlanTask(
            key=t.key,
            duration=t.duration_days,
            predecessors=tuple(
                scheduling.Dependency(keys[p], kind, lags[(p, t.pk)])  # type: ignore[arg-type]
                for p, kind in links[t.pk]
                if p in keys
            ),
        )
        for t in tasks
    ]
    slots = {t.key: scheduling.Slot(t.start_date, t.due_date) for t in tasks}
    today = agency_today(project.agency)
    periods = {t.key: t.recurrence_period for t in tasks}
    try:
        # The same critical tasks as the project page: every zero-float task (a retainer's current chain).
        critical = scheduling.plan_critical_tasks(
            plan, slots, calendar=calendar, periods=periods, today=today
        )
    except ValueError:  # a loop slipped in around the services: draw the plan without a critical path
        critical = set()
    chart = build_timeline(
        (
            TimelineTask(
                key=t.key,
                title=t.title,
                phase=t.phase.name if t.phase else "",
                start=t.start_date,
                due=t.due_date,
                status=t.status,
                predecessors=tuple(Link(keys[p], kind) for p, kind in links[t.pk] if p in keys),  # type: ignore[arg-type]
                critical=t.key in critical,
                milestone=t.duration_days == 0,
                url=reverse("task_detail", args=[agency_slug, t.pk]),
                assignee=(
                    t.assignee.user.full_name or t.assignee.user.email
                    if t.assignee and t.assignee.is_active
                    else "Owner unclear"
                ),
            )
            for t in tasks
        ),
        today=today,
        launch=project.launch_date,
        phases=phases,
        calendar=calendar,
    )
    one_off = [t.due_date for t in tasks if t.recurrence_period is None]
    project.forecast_launch = max(one_off, default=None)  # type: ignore[attr-defined]
    return chart, len(critical)


@agency_view
@require_http_methods(["GET", "HEAD"])
def project_timeline(request: HttpRequest, project_id: int) -> HttpResponse:
    """The Gantt chart of one project: bars by phase, dependency arrows, critical path, today and launch."""
    # Inside the tenant scope another agency's project is simply missing: a 404.
    project = get_object_or_404(Project.objects.select_related("client", "agency"), pk=project_id)
    chart, critical_count = project_timeline_load(project, agency_slug=request.agency.slug)
    counts: dict[str, int] = defaultdict(int)
    for row in chart.task_rows:
        counts[row.state] += 1
    return TemplateResponse(
        request,
        "projects/timeline.html",
        {
            "project": project,
            "chart": chart,
            "critical_count": critical_count,
            "state_counts": [
                (STATE_LABELS[s], s.replace("_", "-"), counts[s]) for s in STATE_LABELS if counts[s]
            ],
            "done_status": TaskStatus.DONE,
        },
    )
