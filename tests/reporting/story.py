"""A client's two months of LinkedIn numbers, campaign changes, a decision and a launch slip, built through the
real services: the story the part-2 tests (insight, dashboards, reports) tell about."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine
from django_scopes import scope

from approvals.services.decisions import decision_log_add
from projects.models import Task
from projects.services.rescheduling import task_reschedule
from reporting.services import campaigns as campaign_services
from tests import factories
from tests.reporting.exports import _csv

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def linkedin_days(rows: list[tuple[dt.date, str, Decimal | str, int, int, int]]) -> bytes:
    """A LinkedIn Campaign Manager export: (day, platform campaign, spend, impressions, clicks, leads) rows."""
    first, last = min(r[0] for r in rows), max(r[0] for r in rows)
    table = [
        ["Campaign Performance Report (in UTC)"],
        [
            f"Report Start: {first.month}/{first.day}/{first.year}, Report End: {last.month}/{last.day}/{last.year}"
        ],
        ["Account: Acme Dental (508123456)"],
        [],
        [
            "Start Date (in UTC)",
            "Campaign Name",
            "Campaign Group Name",
            "Campaign Status",
            "Currency",
            "Daily Budget",
            "Total Spent",
            "Impressions",
            "Clicks",
            "Leads",
            "Conversions",
        ],
    ]
    for day, name, spend, impressions, clicks, leads in rows:
        table.append(
            [f"{day.month}/{day.day}/{day.year}", name, "Q4", "ACTIVE", "USD", "300", str(spend),
             str(impressions), str(clicks), str(leads), "0"]
        )  # fmt: skip
    return _csv(table).encode("utf-8")


def month_rows(month: tuple[dt.date, dt.date], name: str, spend, impressions, clicks, leads):
    """A month's totals split over two days (the 5th and the 20th)."""
    a, b = month[0].replace(day=5), month[0].replace(day=20)
    spend = Decimal(spend)
    return [
        (a, name, spend / 2, impressions // 2, clicks // 2, leads // 2),
        (
            b,
            name,
            spend - spend / 2,
            impressions - impressions // 2,
            clicks - clicks // 2,
            leads - leads // 2,
        ),
    ]


def build(team) -> dict:
    """Acme's LinkedIn campaigns in October and November 2026 and what the team recorded about them.

    Industry: lead cost 50 → 41 USD (−18%) after an audience change on 3 November.
    General: paused by a client decision on 4 November: spend 6,000 → 3,000 USD, leads 100 → 50.
    Decoys: a renamed ad set on 5 November (explains nothing) and new creative on 25 November (after the
    middle of the month).
    The project's launch moved two business days, 10 → 12 November.
    """
    owner, acme = team["owner"], team["clients"][0]
    agency = team["agency"]
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, tzinfo=dt.UTC), tick=False):
        project = factories.project_create(
            actor=owner, client=acme, template="builtin:paid-campaign", launch_in_days=21, name="Q4 LinkedIn"
        )
    industry = factories.reporting_campaign_create(
        actor=owner, client=acme, name="Industry-specific", project=project, starts_on=dt.date(2026, 9, 1)
    )
    general = factories.reporting_campaign_create(
        actor=owner, client=acme, name="General", starts_on=dt.date(2026, 9, 1)
    )
    rows = (
        month_rows(OCTOBER, "LinkedIn - Industry", "5000", 90000, 2000, 100)
        + month_rows(NOVEMBER, "LinkedIn - Industry", "4100", 90000, 2000, 100)
        + month_rows(OCTOBER, "LinkedIn - General", "6000", 120000, 2400, 100)
        + month_rows(NOVEMBER, "LinkedIn - General", "3000", 60000, 1200, 50)
    )
    factories.report_import(
        actor=owner,
        client=acme,
        data=linkedin_days(rows),
        name="linkedin.csv",
        mapping={"LinkedIn - Industry": industry.pk, "LinkedIn - General": general.pk},
    )
    with scope(agency=agency.pk):
        record = campaign_services.campaign_change_record
        record(
            actor=owner, campaign=industry, line="2026-11-03: broad job titles → industry-specific audiences"
        )
        record(actor=owner, campaign=industry, line="2026-11-05: renamed the ad set to Q4 dentists")
        record(actor=owner, campaign=industry, line="2026-11-25: new creative: carousel of practice photos")
        decision = decision_log_add(
            actor=owner,
            client=acme,
            decision="Pause the general campaign until the new offer is ready",
            approver_name="Anna Li",
            asset="General",
            decided_on=dt.date(2026, 11, 4),
        )
        campaign_services.campaign_link_decision(actor=owner, campaign=general, decision=decision)
        launch = Task.objects.get(project=project, key="launch")
        assert launch.due_date == dt.date(2026, 11, 10), launch.due_date
        with time_machine.travel(dt.datetime(2026, 11, 6, 9, tzinfo=dt.UTC), tick=False):
            task_reschedule(
                actor=owner, task=launch, new_due=dt.date(2026, 11, 12), reason="Ad account access came late"
            )
    return {"client": acme, "industry": industry, "general": general, "project": project, "owner": owner}
