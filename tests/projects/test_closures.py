"""Agency closures change what counts as a business day for plans."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scope

from projects.calendars import agency_calendar, agency_today
from projects.models import AgencyClosure

pytestmark = pytest.mark.django_db


def test_a_coordinator_adds_a_closure_and_the_calendar_skips_it(team, as_coordinator):
    agency = team["agency"]
    day = agency_today(agency) + timedelta(days=30)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    url = reverse("closure_list", kwargs={"agency_slug": agency.slug})
    response = as_coordinator.post(url, {"date": day.isoformat(), "name": "Team offsite"}, follow=True)
    assert "Team offsite" in response.content.decode()
    with scope(agency=agency.pk):
        assert not agency_calendar(agency).is_business_day(day)
    again = as_coordinator.post(url, {"date": day.isoformat(), "name": "Twice"})
    assert "already a closure" in again.content.decode()
    with scope(agency=agency.pk):
        assert AgencyClosure.objects.count() == 1


def test_a_member_sees_closures_but_cannot_remove_them(team, as_member):
    agency = team["agency"]
    with scope(agency=agency.pk):
        closure = AgencyClosure.objects.create(
            agency=agency, date=agency_today(agency) + timedelta(days=3), name="Move"
        )
    page = as_member.get(reverse("closure_list", kwargs={"agency_slug": agency.slug})).content.decode()
    assert "Move" in page and "Remove" not in page
    response = as_member.post(
        reverse("closure_remove", kwargs={"agency_slug": agency.slug, "closure_id": closure.pk})
    )
    assert response.status_code == 403
    with scope(agency=agency.pk):
        assert AgencyClosure.objects.filter(pk=closure.pk).exists()


def test_another_agencys_closure_cannot_be_removed(team, other_team, as_coordinator):
    other = other_team["agency"]
    with scope(agency=other.pk):
        closure = AgencyClosure.objects.create(agency=other, date=agency_today(other) + timedelta(days=3))
    url = reverse("closure_remove", kwargs={"agency_slug": team["agency"].slug, "closure_id": closure.pk})
    assert as_coordinator.post(url).status_code == 404
    with scope(agency=other.pk):
        assert AgencyClosure.objects.filter(pk=closure.pk).exists()
