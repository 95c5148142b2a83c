"""What reporting adds to the pages the platform composes (agencyops/sections.py): the open alerts on the
owner's home view. Called from ReportingConfig.ready()."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from agencyops import sections as registry
from agencyops.permissions import can_lead_work
from agencyops.planned_sql import planned_cursor
from agencyops.row_links import link_by_id

HOME_ALERTS_SHOWN = 10


@dataclass(frozen=True)
class HomeAlert:
    kpi: str
    client_name: str
    campaign_name: str
    message: str
    since: dt.date
    url: str


@dataclass
class HomeAlerts:
    alerts: list[HomeAlert] = field(default_factory=list)
    total: int = 0
    mine_only: bool = False

    @property
    def hidden(self) -> int:
        return self.total - len(self.alerts)


# The open alerts the home view lists, written once: the ORM spent longer compiling this four-table
# query on every view than PostgreSQL spends running it. Scoped to the agency like every query; the
# total is counted by a window over the same rows.
HOME_ALERTS_SQL = """
SELECT a.campaign_id, a.message, a.opened_on, r.kpi, cl.name, c.name, count(*) OVER ()
FROM reporting_alert a
JOIN reporting_alertrule r ON r.id = a.rule_id
JOIN reporting_campaign c ON c.id = a.campaign_id
JOIN agencyops_client cl ON cl.id = c.client_id
WHERE a.agency_id = %(agency)s AND a.closed_on IS NULL AND (%(owner)s::bigint IS NULL OR a.owner_id = %(owner)s)
ORDER BY a.opened_on, a.id
LIMIT %(limit)s
"""


def home_open_alerts(context: registry.SectionContext) -> HomeAlerts:
    """The agency's open alert episodes, oldest first (a lead sees all, a team member the ones they own);
    one query, the total counted by a window over the same rows."""
    from reporting import kpis

    viewer = context.viewer
    mine_only = not can_lead_work(viewer)
    params = {
        "agency": context.agency.pk,
        "owner": viewer.pk if mine_only else None,
        # No limit (LIMIT NULL) when everything is asked for.
        "limit": None if context.extra.get("show_all") else HOME_ALERTS_SHOWN,
    }
    with planned_cursor() as cursor:
        cursor.execute(HOME_ALERTS_SQL, params)
        rows = cursor.fetchall()
    campaign_link = link_by_id("reporting_campaign_detail", "campaign_id", agency_slug=context.agency.slug)
    return HomeAlerts(
        alerts=[
            HomeAlert(
                kpi=kpis.KPIS[kpi].label if kpi in kpis.KPIS else kpi.replace("_", " "),
                client_name=client_name,
                campaign_name=campaign_name,
                message=message,
                since=opened_on,
                url=campaign_link(campaign_id),
            )
            for campaign_id, message, opened_on, kpi, client_name, campaign_name, _ in rows
        ],
        total=rows[0][-1] if rows else 0,
        mine_only=mine_only,
    )


def register() -> None:
    """Register reporting's sections with the platform."""
    registry.section_register(
        registry.Section(
            page=registry.HOME,
            key="alerts",
            order=28,
            template="reporting/home_sections.html#alerts",
            selector=home_open_alerts,
        )
    )
