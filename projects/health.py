"""One project health, read the same way by every page and the API.

A project is **at risk** when it has an open (or acknowledged) escalation, or when its forecast launch
(the latest finish of the tasks feeding the launch; retainer periods feed their own months) lands after
the committed launch. Otherwise it is **on track**. Snoozed escalations are out of sight until their
date, so they do not count.

The rule is written on purpose once for rows already in memory (``project_health``, used by the project
page), once as ORM expressions (``with_health``, used by the project list page, its ``?at_risk=`` filter
and the project detail API) and once as SQL text (``HEALTH_FACTS_SQL`` and ``AT_RISK_SQL``, for the reads
written as one statement rather than compiled by the ORM on every request: the API's project list and the
portal home). ``tests/projects/test_health_sql.py`` holds the SQL text to the expressions' answers, and
``tests/projects/test_one_truth.py`` every surface to one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from projects.models import Escalation, EscalationState, Project, Task

# The states in which an escalation still speaks for its project.
COUNTED_STATES = (EscalationState.OPEN, EscalationState.ACKNOWLEDGED)


@dataclass(frozen=True)
class ProjectHealth:
    """Whether the project is on track, and why not."""

    open_risks: int
    launch_date: date
    forecast_launch: date | None

    @property
    def launch_slips(self) -> bool:
        return self.forecast_launch is not None and self.forecast_launch > self.launch_date

    @property
    def at_risk(self) -> bool:
        return self.open_risks > 0 or self.launch_slips

    @property
    def label(self) -> str:
        return "At risk" if self.at_risk else "On track"


def project_health(*, open_risks: int, launch_date: date, forecast_launch: date | None) -> ProjectHealth:
    """The health of a project from what a page has already loaded."""
    return ProjectHealth(open_risks=open_risks, launch_date=launch_date, forecast_launch=forecast_launch)


def forecast_launch_subquery() -> Subquery:
    """The latest due date of the tasks feeding the launch (one-off tasks; retainer periods excluded).

    Written as "the first due date, latest first" rather than a grouped MAX so PostgreSQL reads one
    entry of the project's forecast index (``task_forecast_idx``) instead of all its tasks."""
    return Subquery(
        Task.objects.filter(project=OuterRef("pk"), recurrence_period__isnull=True)
        .order_by("-due_date")
        .values("due_date")[:1]
    )


def open_risks_subquery() -> Subquery:
    """How many escalations of the project still speak for it."""
    return Subquery(
        Escalation.objects.filter(project=OuterRef("pk"), state__in=COUNTED_STATES)
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


# ``forecast_launch`` and ``open_risks`` of the project aliased ``p``, as ``with_health_facts`` computes them:
# the first due date of its one-off tasks, latest first (one entry of task_forecast_idx), and how many of
# its escalations are in COUNTED_STATES. A subquery for ``CROSS JOIN LATERAL (...) health``; the agency as
# ``%(agency)s`` (child rows are scoped like every query).
HEALTH_FACTS_SQL = f"""
SELECT (SELECT t.due_date FROM projects_task t
        WHERE t.agency_id = %(agency)s AND t.project_id = p.id AND t.recurrence_period IS NULL
        ORDER BY t.due_date DESC LIMIT 1) AS forecast_launch,
       (SELECT count(*) FROM projects_escalation e
        WHERE e.agency_id = %(agency)s AND e.project_id = p.id
          AND e.state IN ({", ".join(f"'{state.value}'" for state in COUNTED_STATES)})) AS open_risks
"""
# The rule over those facts, in SQL, for a WHERE clause beside that join.
AT_RISK_SQL = "(health.open_risks > 0 OR health.forecast_launch > p.launch_date)"


def with_health_facts(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate ``forecast_launch`` and ``open_risks``, what ``health_of`` reads; for lists that show the
    health without filtering by it, so the SQL carries no second copy of either subquery."""
    return projects.annotate(
        forecast_launch=forecast_launch_subquery(),
        open_risks=Coalesce(open_risks_subquery(), Value(0)),
    )


def with_health(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate ``forecast_launch``, ``open_risks`` and ``at_risk`` (no extra query, no row multiplication)."""
    return with_health_facts(projects).annotate(
        at_risk=Case(
            When(Q(open_risks__gt=0) | Q(forecast_launch__gt=F("launch_date")), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def health_of(project: Project) -> ProjectHealth:
    """The health of a project annotated by ``with_health``."""
    return project_health(
        open_risks=project.open_risks,  # type: ignore[attr-defined]
        launch_date=project.launch_date,
        forecast_launch=project.forecast_launch,  # type: ignore[attr-defined]
    )
