"""What a client contact sees of their projects on the portal home: each project's status and health in
the client's words, its committed launch (and the forecast when the launch slips), what is waiting on the
client, and links to what the agency shares with them.

The health and the forecast are projects' one rule (projects/health.py), read, never recomputed here.
Approvals awaiting the client and the shared brand files and reports belong to higher layers: they add
themselves through the platform's contributions (``PORTAL_WAITING`` per project, ``PORTAL_LINKS`` per
client), so this module imports none of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from agencyops import sections as registry
from agencyops.models import ClientContact
from agencyops.planned_sql import planned_cursor
from projects.calendars import agency_today
from projects.health import HEALTH_FACTS_SQL, ProjectHealth, health_of
from projects.models import Party, ProjectStatus

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


class PortalProject(NamedTuple):
    """What the portal home shows of a project, and the facts its health is read from (``health_of``)."""

    pk: int
    name: str
    status: str
    launch_date: date
    forecast_launch: date | None
    open_risks: int


@dataclass
class ClientProject:
    project: PortalProject
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


# The portal home's projects, written once: compiling the ORM's version (health subqueries, the live-first
# order, the open inputs' prefetch) cost several times what PostgreSQL spends running it. Each row is the
# project, its health facts, its place in the order and the client's open inputs.
PORTAL_PROJECTS_SQL = f"""
SELECT p.id, p.name, p.status, p.launch_date, health.forecast_launch, health.open_risks,
       CASE WHEN p.status = ANY(%(live)s) THEN 0 WHEN p.status = %(on_hold)s THEN 1 ELSE 2 END AS live_first,
       (SELECT json_agg(json_build_array(ri.description, ri.expected_by) ORDER BY ri.expected_by, ri.description, ri.id)
        FROM projects_requiredinput ri
        WHERE ri.agency_id = %(agency)s AND ri.project_id = p.id
          AND ri.from_party = %(client_party)s AND ri.received_at IS NULL)::text
FROM projects_project p
CROSS JOIN LATERAL ({HEALTH_FACTS_SQL}) health
WHERE p.agency_id = %(agency)s AND p.client_id = %(client)s AND p.status <> %(cancelled)s
ORDER BY live_first, p.launch_date, p.name, p.id
LIMIT %(shown)s
"""


def client_projects_status(contact: ClientContact, *, today: date) -> ClientProjects:
    """The contact's client's projects (cancelled ones left out), live ones first by launch, each with
    its health and what waits on the client; a fixed number of queries however many projects."""
    params = {
        "agency": contact.agency_id,
        "client": contact.client_id,
        "live": [ProjectStatus.PLANNING.value, ProjectStatus.ACTIVE.value],
        "on_hold": ProjectStatus.ON_HOLD.value,
        "client_party": Party.CLIENT.value,
        "cancelled": ProjectStatus.CANCELLED.value,
        "shown": SHOWN,
    }
    with planned_cursor() as cursor:
        cursor.execute(PORTAL_PROJECTS_SQL, params)
        rows = cursor.fetchall()
    projects = [
        (PortalProject(*row), live_first == 0, json.loads(inputs) if inputs else [])
        for *row, live_first, inputs in rows
    ]
    waiting_elsewhere: dict[int, list[WaitingItem]] = {}
    if projects:
        for project_id, item in registry.contributions_collect(
            PORTAL_WAITING, contact=contact, project_ids=[p.pk for p, _, _ in projects], today=today
        ):
            waiting_elsewhere.setdefault(project_id, []).append(item)
    shown = []
    for project, live, inputs in projects:
        health = health_of(project) if live else None
        waiting = []
        for description, expected in inputs:
            expected_by = date.fromisoformat(expected)
            waiting.append(
                WaitingItem(label=f"Send {description}", due=expected_by, overdue=expected_by < today)
            )
        waiting += waiting_elsewhere.get(project.pk, [])
        shown.append(
            ClientProject(
                project=project,
                status_words=STATUS_WORDS.get(
                    ProjectStatus(project.status), ProjectStatus(project.status).label
                ),
                health=health,
                health_words=health_words(health) if health is not None else "",
                waiting=waiting,
            )
        )
    collected = registry.contributions_collect(PORTAL_LINKS, contact=contact)
    links = [link for _, link in sorted(collected, key=lambda pair: pair[0])]
    return ClientProjects(projects=shown, links=links)


def portal_projects_section(context: registry.SectionContext) -> Any:
    """The portal home's "Your projects" section."""
    return client_projects_status(context.viewer, today=agency_today(context.agency))
