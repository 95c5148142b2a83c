"""Reads of the reporting layer: campaigns, imports, facts summed for KPIs, and the KPI table with targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from agencyops.models import Agency
from reporting import kpis
from reporting.models import Campaign, DailyFact, FactLevel, Import, KpiComparison, KpiTarget

# Facts that add up to a campaign's totals (ad-level rows and landing pages repeat them in detail).
TOTAL_LEVELS = (FactLevel.CAMPAIGN, FactLevel.CHANNEL)
ORGANIC = Q(breakdown="channel", breakdown_value__istartswith="organic")


def campaigns_for_list(agency: Agency, *, client_id: int | None = None) -> QuerySet[Campaign]:
    """The agency's reporting campaigns with their client, project and counts of changes and names."""
    qs = Campaign.objects.filter(agency=agency).select_related("client", "project")
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    return qs.annotate(
        change_count=Count("changes", distinct=True), name_count=Count("platform_campaigns", distinct=True)
    ).order_by("client__name", "-starts_on", "name")


def campaign_for_page(agency: Agency, campaign_id: int) -> Campaign:
    """One campaign with what its page shows: changes (newest first), platform names, targets."""
    return (
        Campaign.objects.filter(agency=agency)
        .select_related("client", "project")
        .prefetch_related("changes__recorded_by__user", "platform_campaigns", "targets")
        .get(pk=campaign_id)
    )


def imports_for_list(agency: Agency, *, client_id: int | None = None) -> QuerySet[Import]:
    qs = Import.objects.filter(agency=agency).select_related(
        "client", "uploaded_by__user", "confirmed_by__user"
    )
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    return qs.defer("summary", "problems")


def campaign_totals(
    agency: Agency, campaigns: list[Campaign], start: dt.date, end: dt.date
) -> dict[int, kpis.Totals]:
    """Each campaign's facts over a period, as KPI totals; SEO campaigns also get the site's organic traffic."""
    totals = {c.pk: kpis.Totals() for c in campaigns}
    if not campaigns:
        return totals
    # Every campaign fact of the clients in the period, straight off the (agency, client, date) index;
    # other campaigns of the same clients are few rows and are dropped here rather than in the plan.
    rows = (
        DailyFact.objects.filter(
            agency=agency,
            client_id__in={c.client_id for c in campaigns},
            date__range=(start, end),
            level__in=TOTAL_LEVELS,
            campaign__isnull=False,
        )
        .values("campaign_id", "metric", "currency")
        .annotate(total=Sum("value"), days=Count("*"))
        .order_by()
    )
    for row in rows:
        if row["campaign_id"] not in totals:
            continue
        value = row["total"] / row["days"] if row["metric"] in kpis.AVERAGED else row["total"]
        totals[row["campaign_id"]].add(row["metric"], value, row["currency"])
    seo_clients = {c.client_id for c in campaigns if c.goal == kpis.SEO}
    if seo_clients:
        site = (
            DailyFact.objects.filter(
                agency=agency,
                client_id__in=seo_clients,
                campaign__isnull=True,
                level=FactLevel.CHANNEL,
                date__range=(start, end),
            )
            .values("client_id")
            .annotate(
                organic_sessions=Sum("value", filter=ORGANIC & Q(metric="sessions")),
                organic_engaged_sessions=Sum("value", filter=ORGANIC & Q(metric="engaged_sessions")),
            )
            .order_by()
        )
        by_client = {r["client_id"]: r for r in site}
        for campaign in campaigns:
            found = by_client.get(campaign.client_id)
            if campaign.goal == kpis.SEO and found:
                for metric in ("organic_sessions", "organic_engaged_sessions"):
                    if found[metric] is not None:
                        totals[campaign.pk].add(metric, found[metric])
    return totals


@dataclass
class KpiLine:
    kpi: kpis.Kpi
    value: kpis.KpiValue
    target: KpiTarget | None = None
    state: str = ""

    @property
    def state_label(self) -> str:
        return kpis.STATE_LABELS.get(self.state, "")


@dataclass
class CampaignKpis:
    campaign: Campaign
    period_start: dt.date
    period_end: dt.date
    elapsed: Decimal
    lines: list[KpiLine] = field(default_factory=list)


def kpi_table(
    agency: Agency, *, as_of: dt.date, period: str = "month", campaign_ids: list[int] | None = None
) -> list[CampaignKpis]:
    """KPI values and target states per campaign for the period containing ``as_of`` (four queries)."""
    start, end = kpis.period_bounds(period, as_of)
    qs = (
        Campaign.objects.filter(agency=agency)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start), starts_on__lte=end)
        .select_related("client")
        .prefetch_related("targets")
        .order_by("client__name", "name")
    )
    if campaign_ids is not None:
        qs = qs.filter(pk__in=campaign_ids)
    campaigns = list(qs)
    totals = campaign_totals(agency, campaigns, start, end)
    elapsed = kpis.elapsed_share(start, end, as_of)
    table = []
    for campaign in campaigns:
        values = {k.key: k.compute(totals[campaign.pk]) for k in kpis.kpis_for_goal(campaign.goal)}
        targets = {t.kpi: t for t in campaign.targets.all() if t.period == period}
        lines = []
        for kpi in kpis.visible_kpis(campaign.goal, values):
            line = KpiLine(kpi, values[kpi.key], targets.get(kpi.key))
            if line.target is not None:
                value = line.value.value
                if (
                    line.target.currency
                    and line.value.currency
                    and line.target.currency != line.value.currency
                ):
                    value = None  # a target in USD says nothing about spend in EUR
                line.state = kpis.target_state(
                    actual=value,
                    target=line.target.value,
                    at_least=line.target.comparison == KpiComparison.AT_LEAST,
                    cumulative=kpi.cumulative,
                    elapsed=elapsed,
                )
            lines.append(line)
        table.append(CampaignKpis(campaign, start, end, elapsed, lines))
    return table


TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def metric_series(
    agency: Agency,
    *,
    start: dt.date,
    end: dt.date,
    interval: str = "day",
    client_id: int | None = None,
    campaign_id: int | None = None,
    platform: str | None = None,
    metrics: list[str] | None = None,
    level: str | None = None,
) -> list[dict]:
    """Facts summed per period, metric and currency (one query; currencies never added together)."""
    qs = DailyFact.objects.filter(agency=agency, date__range=(start, end))
    qs = qs.filter(level=level) if level else qs.filter(level__in=TOTAL_LEVELS)
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    if platform:
        qs = qs.filter(platform=platform)
    if metrics:
        qs = qs.filter(metric__in=metrics)
    rows = (
        qs.annotate(period=TRUNC[interval]("date"))
        .values("period", "metric", "currency")
        .annotate(value=Sum("value"))
        .order_by("period", "metric", "currency")
    )
    return [
        {
            "period": r["period"].date() if isinstance(r["period"], dt.datetime) else r["period"],
            "metric": r["metric"],
            "currency": r["currency"],
            "value": r["value"],
        }
        for r in rows
    ]


@dataclass(frozen=True)
class LandingPage:
    path: str
    sessions: Decimal
    key_events: Decimal

    @property
    def conversion_rate(self) -> Decimal | None:
        return self.key_events / self.sessions if self.sessions else None


def landing_page_performance(
    agency: Agency, *, client_id: int, start: dt.date, end: dt.date, limit: int = 20
) -> list[LandingPage]:
    """A client's landing pages over a period by sessions, each with its conversion rate (one query)."""
    rows = (
        DailyFact.objects.filter(
            agency=agency, client_id=client_id, level=FactLevel.LANDING_PAGE, date__range=(start, end)
        )
        .values("breakdown_value")
        .annotate(
            sessions=Sum("value", filter=Q(metric="sessions"), default=Decimal(0)),
            key_events=Sum("value", filter=Q(metric="key_events"), default=Decimal(0)),
        )
        .order_by("-sessions", "breakdown_value")[:limit]
    )
    return [LandingPage(r["breakdown_value"], r["sessions"], r["key_events"]) for r in rows]
