"""What reporting adds to the pages the platform composes (agencyops/sections.py): the open alerts on the
owner's home view. Called from ReportingConfig.ready()."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Window
from django.urls import reverse

from agencyops import sections as registry
from agencyops.permissions import can_lead_work

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


def home_open_alerts(context: registry.SectionContext) -> HomeAlerts:
    """The agency's open alert episodes, oldest first (a lead sees all, a team member the ones they own);
    one query, the total counted by a window over the same rows."""
    from reporting import kpis
    from reporting.models import Alert

    viewer = context.viewer
    mine_only = not can_lead_work(viewer)
    rows = Alert.objects.filter(agency=context.agency, closed_on__isnull=True)
    if mine_only:
        rows = rows.filter(owner=viewer)
    limit = None if context.extra.get("show_all") else HOME_ALERTS_SHOWN
    rows = (
        rows.select_related("campaign__client", "rule")
        .annotate(total=Window(Count("pk")))
        .order_by("opened_on", "pk")
    )
    loaded = list(rows[:limit] if limit else rows)
    slug = context.agency.slug
    return HomeAlerts(
        alerts=[
            HomeAlert(
                kpi=(
                    kpis.KPIS[a.rule.kpi].label if a.rule.kpi in kpis.KPIS else a.rule.kpi.replace("_", " ")
                ),
                client_name=a.campaign.client.name,
                campaign_name=a.campaign.name,
                message=a.message,
                since=a.opened_on,
                url=reverse("reporting_campaign_detail", args=[slug, a.campaign_id]),
            )
            for a in loaded
        ],
        total=loaded[0].total if loaded else 0,
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
