"""Reporting campaigns: creating them, their platform names, their changes, linked decisions and targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agencyops.models import Client, Membership
from agencyops.permissions import can_lead_work, is_agency_member, require
from approvals.models import ChangeRequest, DecisionLogEntry
from projects.calendars import agency_today
from projects.models import CampaignGoal, Project
from reporting import kpis
from reporting.changes import parse_change_line
from reporting.importers.generic import validate_mapping
from reporting.models import (
    Campaign,
    CampaignChange,
    CampaignDecisionLink,
    ChangeSource,
    Channel,
    ColumnMapping,
    DailyFact,
    KpiComparison,
    KpiTarget,
    PlatformCampaign,
    TargetPeriod,
)


def _require_lead(actor: Membership) -> None:
    require(can_lead_work, actor, "Only owners and coordinators manage reporting campaigns.")


@transaction.atomic
def campaign_create(
    *,
    actor: Membership,
    client: Client,
    name: str,
    goal: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    channels: list[str] | None = None,
    budget: Decimal | None = None,
    budget_currency: str = "",
    project: Project | None = None,
) -> Campaign:
    """A campaign to report on: the goal decides which KPIs it is judged by."""
    _require_lead(actor)
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = "Name the campaign."
    elif Campaign.objects.filter(client=client, name__iexact=name).exists():
        errors["name"] = f"{client.name} already has a campaign called {name}."
    if goal not in CampaignGoal.values:
        errors["goal"] = "Choose the campaign's goal."
    unknown = [c for c in channels or [] if c not in Channel.values]
    if unknown:
        errors["channels"] = f"Unknown channels: {', '.join(unknown)}."
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The campaign cannot end before it starts."
    if budget is not None and budget < 0:
        errors["budget"] = "A budget cannot be negative."
    if budget is not None and len(budget_currency.strip()) != 3:
        errors["budget_currency"] = "Give the budget's currency (e.g. USD)."
    if project is not None and project.client_id != client.pk:
        errors["project"] = f"Choose a project of {client.name}."
    if errors:
        raise ValidationError(errors)
    return Campaign.objects.create(
        agency=actor.agency,
        client=client,
        project=project,
        name=name,
        goal=goal,
        channels=list(dict.fromkeys(channels or [])),
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        budget_currency=budget_currency.strip().upper(),
        created_by=actor,
    )


@transaction.atomic
def campaign_change_record(*, actor: Membership, campaign: Campaign, line: str) -> CampaignChange:
    """A change entered in one line ("3 Nov: broad job titles → industry-specific audiences")."""
    require(is_agency_member, actor, "Only the agency's team records campaign changes.")
    try:
        parsed = parse_change_line(line, today=agency_today(actor.agency))
    except ValueError as exc:
        raise ValidationError({"line": str(exc)}) from exc
    return CampaignChange.objects.create(
        agency=actor.agency,
        campaign=campaign,
        changed_on=parsed.changed_on,
        kind=parsed.kind,
        summary=parsed.summary,
        source=ChangeSource.PERSON,
        recorded_by=actor,
    )


@transaction.atomic
def platform_campaign_map(
    *, actor: Membership, platform_campaign: PlatformCampaign, campaign: Campaign | None
) -> PlatformCampaign:
    """Point a platform name at another agency campaign (or none); its facts follow."""
    _require_lead(actor)
    if campaign is not None and campaign.client_id != platform_campaign.client_id:
        raise ValidationError({"campaign": "Choose a campaign of the same client."})
    platform_campaign.campaign = campaign
    platform_campaign.mapped_by = actor
    platform_campaign.save(update_fields=["campaign", "mapped_by"])
    DailyFact.objects.filter(platform_campaign=platform_campaign).update(campaign=campaign)
    return platform_campaign


@transaction.atomic
def campaign_link_decision(
    *,
    actor: Membership,
    campaign: Campaign,
    decision: DecisionLogEntry | None = None,
    change_request: ChangeRequest | None = None,
) -> CampaignDecisionLink:
    """Tie a decision-log entry or a change request to the campaign it affected."""
    _require_lead(actor)
    if (decision is None) == (change_request is None):
        raise ValidationError("Link either a decision or a change request.")
    target_client = decision.client_id if decision else change_request.client_id  # type: ignore[union-attr]
    if target_client != campaign.client_id:
        raise ValidationError("Link a decision or change request of the campaign's client.")
    link, _ = CampaignDecisionLink.objects.get_or_create(
        agency=actor.agency,
        campaign=campaign,
        decision=decision,
        change_request=change_request,
        defaults={"linked_by": actor},
    )
    return link


@transaction.atomic
def kpi_target_set(
    *,
    actor: Membership,
    campaign: Campaign,
    kpi: str,
    comparison: str,
    value: Any,
    period: str = TargetPeriod.MONTH,
    currency: str = "",
) -> KpiTarget:
    """Set (or change) a campaign's target for one KPI and period, e.g. cost per lead at most 45 USD a month."""
    _require_lead(actor)
    errors: dict[str, str] = {}
    definition = kpis.KPIS.get(kpi)
    if definition is None or campaign.goal not in definition.goals:
        errors["kpi"] = f"Choose a KPI of a {campaign.get_goal_display()} campaign."
    if comparison not in KpiComparison.values:
        errors["comparison"] = "Say whether the target is a floor (at least) or a ceiling (at most)."
    if period not in TargetPeriod.values:
        errors["period"] = "Choose a week, month or quarter."
    try:
        amount = Decimal(str(value))
        if not amount.is_finite() or amount < 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["value"] = "Give the target as a number."
        amount = Decimal(0)
    if definition is not None and definition.unit == "money" and len(currency.strip()) != 3:
        errors["currency"] = "Give the target's currency (e.g. USD)."
    if errors:
        raise ValidationError(errors)
    target, _ = KpiTarget.objects.update_or_create(
        agency=actor.agency,
        campaign=campaign,
        kpi=kpi,
        period=period,
        defaults={
            "comparison": comparison,
            "value": amount,
            "currency": currency.strip().upper(),
            "created_by": actor,
        },
    )
    return target


@transaction.atomic
def column_mapping_save(*, actor: Membership, client: Client, name: str, mapping: Any) -> ColumnMapping:
    """Remember how to read one of the client's own CSVs (a CRM, an email tool, call tracking)."""
    _require_lead(actor)
    errors = validate_mapping(mapping)
    if not name.strip():
        errors.append("Name the mapping (e.g. the tool it reads).")
    if errors:
        raise ValidationError({"mapping": errors})
    saved, _ = ColumnMapping.objects.update_or_create(
        agency=actor.agency,
        client=client,
        name=name.strip(),
        defaults={"mapping": mapping, "created_by": actor},
    )
    return saved
