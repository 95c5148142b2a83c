"""Open alerts on the owner's home view: the section reporting registers with the platform."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django_scopes import scope

from projects.models import Project
from reporting.services import alerts as alert_services
from tests import factories
from tests.conftest import _logged_in
from tests.reads import STAFF_PAGE_READS
from tests.reporting import story

pytestmark = pytest.mark.django_db
NOV_21 = dt.date(2026, 11, 21)


def _alerts_for(team, *, industry_owner=None) -> dict:
    """The story's two campaigns, each with a lead-cost rule that breaks on 20 November: two open episodes."""
    data = story.build(team)
    agency, owner = team["agency"], team["owner"]
    with scope(agency=agency.pk):
        if industry_owner is not None:
            # The Q4 project (and so its campaign's alerts) is run by someone else now.
            Project.objects.filter(pk=data["project"].pk).update(coordinator=industry_owner)
        for campaign in (data["industry"], data["general"]):
            alert_services.alert_rule_create(
                actor=owner, campaign=campaign, kind="threshold", kpi="cost_per_lead", threshold=D(40), days=2
            )
        opened = alert_services.alerts_check(agency=agency, client_id=data["client"].pk, as_of=NOV_21)
    assert len(opened) == 2
    return data


def _home(agency) -> str:
    return reverse("home", kwargs={"agency_slug": agency.slug})


def test_the_owner_sees_every_open_alert_with_its_kpi_client_start_and_link(team, as_owner, other_team):
    data = _alerts_for(team)
    _alerts_for(other_team)
    page = as_owner.get(_home(team["agency"])).content.decode()
    assert 'Open alerts <span class="count">(2)</span>' in page
    assert page.count('class="home-item home-alert"') == 2
    assert "Industry-specific: Cost per lead above 40 on the last 2 days (41, 41)" in page
    assert "General: Cost per lead above 40 on the last 2 days (60, 60)" in page
    assert "Acme Dental · Industry-specific · since Fri 20 Nov" in page
    for campaign in (data["industry"], data["general"]):
        assert reverse("reporting_campaign_detail", args=[team["agency"].slug, campaign.pk]) in page


def test_a_closed_episode_leaves_the_home_view(team, as_owner):
    data = _alerts_for(team)
    factories.report_import(
        actor=team["owner"], client=data["client"], name="cheap.csv",
        mapping={"LinkedIn - General": data["general"].pk},
        data=story.linkedin_days([(dt.date(2026, 11, 22), "LinkedIn - General", D("10"), 1000, 40, 5)]),
    )  # fmt: skip
    with scope(agency=team["agency"].pk):
        alert_services.alerts_check(
            agency=team["agency"], client_id=data["client"].pk, as_of=dt.date(2026, 11, 22)
        )
    page = as_owner.get(_home(team["agency"])).content.decode()
    assert 'Open alerts <span class="count">(1)</span>' in page
    assert "General: Cost per lead" not in page


def test_a_team_member_sees_only_the_alerts_they_own(team):
    mine, other = team["members"][0], team["members"][1]
    _alerts_for(team, industry_owner=mine)
    page = _logged_in(mine.user).get(_home(team["agency"])).content.decode()
    assert 'Your open alerts <span class="count">(1)</span>' in page
    assert "Industry-specific: Cost per lead" in page and "General: Cost per lead" not in page
    nothing = _logged_in(other.user).get(_home(team["agency"])).content.decode()
    assert "open alerts" not in nothing.lower()


def test_another_agencys_alerts_never_reach_the_home_view(team, other_team, as_owner):
    _alerts_for(other_team)
    page = as_owner.get(_home(team["agency"])).content.decode()
    assert "Open alerts" not in page and "Cost per lead above" not in page


@pytest.mark.parametrize("extra_rules", [0, 6])
def test_the_alerts_section_costs_one_query_however_many_alerts(
    team, as_owner, extra_rules, django_assert_num_queries
):
    data = _alerts_for(team)
    with scope(agency=team["agency"].pk):
        for n in range(extra_rules):
            alert_services.alert_rule_create(
                actor=team["owner"], campaign=data["general"], kind="threshold", kpi="cost_per_lead",
                threshold=D(40 + n), days=1,
            )  # fmt: skip
        alert_services.alerts_check(agency=team["agency"], client_id=data["client"].pk, as_of=NOV_21)
    # The home view's (tests/agencyops/test_home.py: the agency's data version, then the sections), one of
    # them for the open alerts and their total.
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        page = as_owner.get(_home(team["agency"])).content.decode()
    assert f'Open alerts <span class="count">({2 + extra_rules})</span>' in page
