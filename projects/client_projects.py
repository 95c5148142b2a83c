"""What a client contact sees of their projects on the portal home: each project's status and health in
the client's words, its committed launch (and the forecast when the launch slips), what is waiting on the
client, and links to what the agency shares with them.

The health and the forecast are projects' one rule (projects/health.py), read, never recomputed here.
Approvals awaiting the client and the shared brand files and reports belong to higher layers: they add
themselves through the platform's contributions (``PORTAL_WAITING`` per project, ``PORTAL_LINKS`` per
client), so this module imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, Value, When

from agencyops import sections as registry
from agencyops.models import ClientContact
from projects.calendars import agency_today
from projects.health import ProjectHealth, health_of, with_health_facts
from projects.models import Party, Project, ProjectStatus, RequiredInput

# Contribution targets: items waiting on the client, keyed by project id; links the client may follow.
PORTAL_WAITING = "projects.portal_waiting"
PORTAL_LINKS = "projects.portal_links"
# The portal home lists this many projects, live ones first; a client with more sees the most pressing.
SHOWN = 20

STATUS_WORDS = {
    ProjectStatus.PLANNING: "Being planned",
    ProjectStatus.ACTIVE: "Under way",
    ProjectStatus.ON_HOLD: "Paused",
    ProjectStatus.DONE: "Delivered",
}


@dataclass(frozen=True)
class WaitingItem:
    """One thing the client owes on a project: an input to send or work to approve."""

    label: str
    due: date | None = None
    url: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class PortalLink:
    label: str
    url: str


@dataclass
class ClientProject:
    project: Project
    status_words: str
    health: ProjectHealth | None
    health_words: str
    waiting: list[WaitingItem] = field(default_factory=list)

    @property
    def forecast_shown(self) -> date | None:
        """The forecast launch, only when it is later than the committed one."""
        if self.health is not None and self.health.launch_slips:
            return self.health.forecast_launch
        return None


@dataclass(frozen=True)
class ClientProjects:
    projects: list[ClientProject]
    links: list[PortalLink]


def health_words(health: ProjectHealth) -> str:
    """The project's health as the client reads it: no internal risk names, just where it stands."""
    if health.launch_slips:
        return "Running late"
    if health.at_risk:
        return "Needs attention"
    return "On track"


def client_projects_status(contact: ClientContact, *, today: date) -> ClientProjects:
    """The contact's client's projects (cancelled ones left out), live ones first by launch, each with
    its health and what waits on the client; a fixed number of queries however many projects."""
    open_inputs = RequiredInput.objects.filter(from_party=Party.CLIENT, received_at__isnull=True).order_by(
        "expected_by", "description"
    )
    projects = list(
        with_health_facts(
            Project.objects.filter(client_id=contact.client_id).exclude(status=ProjectStatus.CANCELLED)
        )
        .annotate(
            live_first=Case(
                When(status__in=[ProjectStatus.PLANNING, ProjectStatus.ACTIVE], then=Value(0)),
                When(status=ProjectStatus.ON_HOLD, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .prefetch_related(Prefetch("required_inputs", queryset=open_inputs, to_attr="open_client_inputs"))
        .order_by("live_first", "launch_date", "name")[:SHOWN]
    )
    waiting_elsewhere: dict[int, list[WaitingItem]] = {}
    if projects:
        for project_id, item in registry.contributions_collect(
            PORTAL_WAITING, contact=contact, project_ids=[p.pk for p in projects], today=today
        ):
            waiting_elsewhere.setdefault(project_id, []).append(item)
    rows = []
    for project in projects:
        live = project.live_first == 0  # type: ignore[attr-defined]
        health = health_of(project) if live else None
        waiting = [
            WaitingItem(
                label=f"Send {item.description}",
                due=item.expected_by,
                overdue=item.expected_by < today,
            )
            for item in project.open_client_inputs  # type: ignore[attr-defined]
        ]
        waiting += waiting_elsewhere.get(project.pk, [])
        rows.append(
            ClientProject(
                project=project,
                status_words=STATUS_WORDS.get(ProjectStatus(project.status), project.get_status_display()),
                health=health,
                health_words=health_words(health) if health is not None else "",
                waiting=waiting,
            )
        )
    collected = registry.contributions_collect(PORTAL_LINKS, contact=contact)
    links = [link for _, link in sorted(collected, key=lambda pair: pair[0])]
    return ClientProjects(projects=rows, links=links)


def portal_projects_section(context: registry.SectionContext) -> Any:
    """The portal home's "Your projects" section."""
    return client_projects_status(context.viewer, today=agency_today(context.agency))
