"""Alert rules checked after each import: an episode opens once (its owner told once) and closes when it clears."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Sum
from django.urls import reverse
from django.utils import timezone

from agencyops.models import Agency, Membership
from agencyops.notifications.services import notify
from agencyops.permissions import can_lead_work, require
from projects.calendars import agency_today
from reporting import alerts, kpis
from reporting.models import Alert, AlertKind, AlertRule, Campaign, DailyFact
from reporting.selectors import TOTAL_LEVELS

log = logging.getLogger(__name__)
LOOKBACK_DAYS = 21


@transaction.atomic
def alert_rule_create(
    *,
    actor: Membership,
    campaign: Campaign,
    kind: str,
    kpi: str,
    threshold: Decimal | None = None,
    above: bool = True,
    days: int = 1,
) -> AlertRule:
    """A rule that tells the campaign's owner when a KPI goes wrong, instead of waiting for the weekly report."""
    require(can_lead_work, actor, "Only owners and coordinators set alerts.")
    if kind not in AlertKind.values:
        raise ValidationError({"kind": "Choose threshold, pacing or anomaly."})
    if kind != AlertKind.PACING and kpi not in kpis.KPIS:
        raise ValidationError({"kpi": f"“{kpi}” is not a KPI."})
    if kind in (AlertKind.THRESHOLD, AlertKind.PACING) and threshold is None:
        raise ValidationError({"threshold": "Give the threshold."})
    if kind == AlertKind.PACING and not campaign.budget:
        raise ValidationError({"kind": "Pacing needs the campaign's budget."})
    if not 1 <= days <= 14:
        raise ValidationError({"days": "Between 1 and 14 days."})
    return AlertRule.objects.create(
        agency=actor.agency,
        campaign=campaign,
        kind=kind,
        kpi="spend" if kind == AlertKind.PACING else kpi,
        threshold=threshold,
        above=above,
        days=days,
        created_by=actor,
    )


def _daily_kpis(agency: Agency, campaign_ids: list[int], start: dt.date, end: dt.date):
    """Per campaign and day, the KPI totals (one query)."""
    per_day: dict[int, dict[dt.date, kpis.Totals]] = defaultdict(lambda: defaultdict(kpis.Totals))
    rows = (
        DailyFact.objects.filter(
            agency=agency, campaign_id__in=campaign_ids, date__range=(start, end), level__in=TOTAL_LEVELS
        )
        .values("campaign_id", "date", "metric", "currency")
        .annotate(total=Sum("value"), average=Avg("value"))
        .order_by()
    )
    for r in rows:
        value = r["average"] if r["metric"] in kpis.AVERAGED else r["total"]
        per_day[r["campaign_id"]][r["date"]].add(r["metric"], value, r["currency"])
    return per_day


def _owner(campaign: Campaign) -> Membership | None:
    if campaign.project_id and campaign.project and campaign.project.coordinator_id:
        return campaign.project.coordinator
    return campaign.created_by


def alerts_check(*, agency: Agency, client_id: int, as_of: dt.date | None = None) -> list[Alert]:
    """Check a client's alert rules against its facts; returns the episodes opened by this check."""
    as_of = as_of or agency_today(agency)
    rules = list(
        AlertRule.objects.filter(agency=agency, campaign__client_id=client_id, is_active=True).select_related(
            "campaign__project__coordinator__user", "campaign__created_by__user"
        )
    )
    if not rules:
        return []
    start = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    per_day = _daily_kpis(agency, list({r.campaign_id for r in rules}), start, as_of)
    open_alerts = {
        a.rule_id: a for a in Alert.objects.filter(agency=agency, rule__in=rules, closed_on__isnull=True)
    }
    opened = []
    for rule in rules:
        days = per_day.get(rule.campaign_id, {})
        kpi = kpis.KPIS.get(rule.kpi)
        series = [(d, kpi.compute(t).value) for d, t in sorted(days.items())] if kpi else []
        label = f"{rule.campaign.name}: {kpi.label if kpi else rule.kpi}"
        breach = None
        if rule.kind == AlertKind.THRESHOLD:
            breach = alerts.threshold_breach(
                series, label=label, threshold=rule.threshold, above=rule.above, days=rule.days
            )
        elif rule.kind == AlertKind.ANOMALY:
            breach = alerts.anomaly_breach(series, label=label)
        elif rule.kind == AlertKind.PACING and rule.campaign.budget:
            campaign = rule.campaign
            end = campaign.ends_on or as_of
            spend = sum((v for _, v in series if v is not None), Decimal(0))
            breach = alerts.pacing_breach(
                spend=spend, budget=campaign.budget, start=max(campaign.starts_on, start), end=end,
                as_of=as_of, limit_percent=rule.threshold,
            )  # fmt: skip
        current = open_alerts.get(rule.pk)
        with transaction.atomic():
            if breach and current is None:
                owner = _owner(rule.campaign)
                alert = Alert.objects.create(
                    agency=agency, rule=rule, campaign=rule.campaign, owner=owner, message=breach.message[:300],
                    opened_on=breach.on, last_seen_on=breach.on,
                )  # fmt: skip
                if owner is not None:
                    notify(
                        agency=agency,
                        to=owner.user.email,
                        recipient=owner.user,
                        subject=f"Alert: {breach.message[:150]}",
                        body=breach.message,
                        kind="reporting_alert",
                        dedupe_key=f"reporting-alert:{alert.pk}",
                        url=reverse("reporting_campaign_detail", args=[agency.slug, rule.campaign_id]),
                    )
                    alert.notified_at = timezone.now()
                    alert.save(update_fields=["notified_at"])
                opened.append(alert)
            elif breach and current is not None:
                current.last_seen_on = breach.on
                current.save(update_fields=["last_seen_on"])
            elif not breach and current is not None:
                current.closed_on = as_of
                current.save(update_fields=["closed_on"])
    return opened


def alerts_check_soon(*, agency_id: int, client_id: int) -> None:
    """After an import commits, queue the client's alert check; a broker outage never fails the import."""
    from reporting.tasks import check_alerts

    def send() -> None:
        try:
            check_alerts.delay(agency_id, client_id)
        except Exception:  # noqa: BLE001
            log.warning("Could not queue the alert check for client %s", client_id, exc_info=True)

    transaction.on_commit(send)
