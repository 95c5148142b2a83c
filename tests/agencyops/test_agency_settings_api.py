"""The agency's calendar settings and portal invitations over the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from agencyops.models import Agency, Invitation
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db


def url(name: str, agency, *args) -> str:
    return reverse(name, args=[agency.slug, *args])


def test_an_owner_moves_the_agency_to_a_four_day_week_in_bavaria(team):
    api = token_client(team["owner"].user)
    response = api.patch(
        url("api_agency_settings", team["agency"]),
        {
            "country": "de",
            "subdivision": "by",
            "time_zone": "Europe/Berlin",
            "working_weekdays": [3, 0, 1, 2],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "time_zone": "Europe/Berlin",
        "country": "DE",
        "subdivision": "BY",
        "working_weekdays": [0, 1, 2, 3],
    }
    with scopes_disabled():
        assert Agency.objects.get(pk=team["agency"].pk).working_weekdays == [0, 1, 2, 3]


def test_settings_refuse_a_region_the_country_lacks_and_anyone_but_an_owner(team):
    owner = token_client(team["owner"].user)
    bad = owner.patch(
        url("api_agency_settings", team["agency"]), {"country": "GB", "subdivision": "XX"}, format="json"
    )
    assert bad.status_code == 400 and "subdivision" in bad.json()
    empty = owner.patch(url("api_agency_settings", team["agency"]), {"working_weekdays": []}, format="json")
    assert empty.status_code == 400 and "working_weekdays" in empty.json()
    coordinator = token_client(team["coordinator"].user)
    assert coordinator.get(url("api_agency_settings", team["agency"])).json()["country"] == "GB"
    refused = coordinator.patch(url("api_agency_settings", team["agency"]), {"country": "FR"}, format="json")
    assert refused.status_code == 403


def test_reading_the_settings_costs_a_fixed_number_of_queries(team, django_assert_num_queries):
    api = token_client(team["members"][0].user)
    # Token and user, membership (with its agency).
    with django_assert_num_queries(2):
        api.get(url("api_agency_settings", team["agency"]))


def test_a_coordinator_invites_a_contact_to_the_portal_and_the_mail_goes_out(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    contact = factories.contact_create(actor=team["owner"], client=team["clients"][0], with_login=False)
    api = token_client(team["coordinator"].user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url("api_contact_invite", team["agency"], contact.pk))
    assert response.status_code == 201, response.json()
    assert response.json()["email"] == contact.email
    assert [m.to for m in mailoutbox] == [[contact.email]]
    with scopes_disabled():
        assert Invitation.objects.filter(client_contact=contact).count() == 1
    member = token_client(team["members"][0].user)
    assert member.post(url("api_contact_invite", team["agency"], contact.pk)).status_code == 403


def test_inviting_a_contact_who_has_a_login_or_belongs_to_another_agency_is_refused(team, other_team):
    api = token_client(team["coordinator"].user)
    has_login = team["contacts"][0]
    response = api.post(url("api_contact_invite", team["agency"], has_login.pk))
    assert response.status_code == 400
    theirs = other_team["contacts"][0]
    assert api.post(url("api_contact_invite", team["agency"], theirs.pk)).status_code == 404
