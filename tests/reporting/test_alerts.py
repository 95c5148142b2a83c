"""Alerts: threshold, pacing and anomaly rules; one notification per episode; checked after each import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core import mail
from django_scopes import scope

from reporting import alerts
from reporting.models import Alert
from reporting.services import alerts as alert_services
from tests import factories
from tests.reporting import story

NOV = [dt.date(2026, 11, d) for d in range(1, 31)]


def test_a_threshold_breaks_only_when_every_one_of_the_last_days_is_past_it():
    series = [(NOV[0], D(55)), (NOV[1], D(61)), (NOV[2], D(62))]
    breach = alerts.threshold_breach(
        series, label="Spring: Cost per lead", threshold=D(60), above=True, days=2
    )
    assert (
        breach.message == "Spring: Cost per lead above 60 on the last 2 days (61, 62)" and breach.on == NOV[2]
    )
    assert alerts.threshold_breach(series, label="x", threshold=D(60), above=True, days=3) is None
    assert alerts.threshold_breach(series[:1], label="x", threshold=D(50), above=True, days=2) is None


def test_pacing_over_110_percent_of_the_budget_so_far_breaks():
    # 30-day budget 3,000: 10 days in, 1,000 allowed; 1,150 spent is 115%.
    breach = alerts.pacing_breach(
        spend=D(1150), budget=D(3000), start=NOV[0], end=NOV[29], as_of=NOV[9], limit_percent=D(110)
    )
    assert breach.message == "Spend pacing at 115% of budget (limit 110%)"
    assert (
        alerts.pacing_breach(
            spend=D(1050), budget=D(3000), start=NOV[0], end=NOV[29], as_of=NOV[9], limit_percent=D(110)
        )
        is None
    )


def test_a_day_outside_the_recent_range_is_an_anomaly_only_with_enough_history():
    history = [(NOV[i], D(40 + i % 3)) for i in range(10)]
    assert alerts.anomaly_breach([*history, (NOV[10], D(41))], label="CPL") is None
    breach = alerts.anomaly_breach([*history, (NOV[10], D(80))], label="CPL")
    assert "above the range of the previous 10 days (40–42)" in breach.message
    assert alerts.anomaly_breach([*history[:5], (NOV[10], D(80))], label="CPL") is None


@pytest.mark.django_db
def test_an_episode_notifies_the_owner_once_and_closes_when_it_clears(
    team, django_capture_on_commit_callbacks
):
    data = story.build(team)
    agency, owner = team["agency"], team["owner"]
    with scope(agency=agency.pk):
        alert_services.alert_rule_create(
            actor=owner,
            campaign=data["industry"],
            kind="threshold",
            kpi="cost_per_lead",
            threshold=D(40),
            days=2,
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            (opened,) = alert_services.alerts_check(agency=agency, client_id=data["client"].pk, as_of=NOV[20])
            assert (
                alert_services.alerts_check(agency=agency, client_id=data["client"].pk, as_of=NOV[21]) == []
            )
        assert "Cost per lead above 40 on the last 2 days (41, 41)" in opened.message
        (message,) = mail.outbox
        assert message.to == [owner.user.email] and message.subject.startswith("Alert: Industry-specific")
    # A cheap day arrives: the import queues a check, and the episode closes when the rule no longer breaks.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        factories.report_import(
            actor=owner, client=data["client"], name="more.csv", mapping={"LinkedIn - Industry": data["industry"].pk},
            data=story.linkedin_days([(NOV[21], "LinkedIn - Industry", D("50"), 1000, 40, 5)]),
        )  # fmt: skip
    assert any("alerts_check_soon" in repr(c) or "send" in getattr(c, "__name__", "") for c in queued)
    with scope(agency=agency.pk):
        alert_services.alerts_check(agency=agency, client_id=data["client"].pk, as_of=NOV[22])
        opened.refresh_from_db()
        assert opened.closed_on == NOV[22]
        assert Alert.objects.filter(closed_on__isnull=True).count() == 0
