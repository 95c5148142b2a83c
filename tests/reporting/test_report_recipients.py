"""A weekly report's recipients are the client's contacts and the agency's team: any other id is refused on its
field (a 400 in the API, a form error on the page), never dropped, and nothing is scheduled."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from reporting.models import ReportDefinition
from reporting.services.reports import CONTACT_REFUSED, MEMBER_REFUSED
from tests import factories
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db
TOO_LARGE_FOR_THE_DATABASE = 99_999_999_999


def _definitions() -> list[tuple]:
    with scopes_disabled():
        return list(
            ReportDefinition.objects.order_by("pk").values_list("agency_id", "client_id", "name", "contacts")
        )


def _api(team):
    return factories.token_client(team["coordinator"].user), reverse(
        "api_reporting_report_definition_list", args=[team["agency"].slug]
    )


def _definition(team, **recipients) -> dict:
    return {"client": team["clients"][0].pk, "sections": ["campaigns", "retainer"], **recipients}


def test_the_api_refuses_another_agencys_contacts_and_people_naming_the_field(team, other_team):
    api, url = _api(team)
    own_contact, own_member = team["contacts"][0], team["members"][0]
    before = _definitions()
    cases = [
        ({"contacts": [other_team["contacts"][0].pk]}, {"contacts": [CONTACT_REFUSED]}),
        # One foreign id among the client's own refuses the whole list: it is not quietly left out.
        ({"contacts": [own_contact.pk, other_team["contacts"][0].pk]}, {"contacts": [CONTACT_REFUSED]}),
        ({"internal_recipients": [other_team["owner"].pk]}, {"internal_recipients": [MEMBER_REFUSED]}),
        (
            {"contacts": [other_team["contacts"][1].pk], "internal_recipients": [own_member.pk, other_team["coordinator"].pk]},
            {"contacts": [CONTACT_REFUSED], "internal_recipients": [MEMBER_REFUSED]},
        ),
        ({"internal_recipients": [TOO_LARGE_FOR_THE_DATABASE]}, {"internal_recipients": [MEMBER_REFUSED]}),
        ({"contacts": ["acme"]}, {"contacts": [CONTACT_REFUSED]}),
    ]  # fmt: skip
    for recipients, errors in cases:
        response = api.post(url, _definition(team, **recipients), format="json")
        assert response.status_code == 400, recipients
        assert response.json() == errors, recipients
    too_many = api.post(url, _definition(team, contacts=[own_contact.pk] * 51), format="json")
    assert too_many.status_code == 400 and set(too_many.json()) == {"contacts"}
    assert _definitions() == before


def test_the_api_refuses_a_contact_of_another_client_of_the_agency(team):
    api, url = _api(team)
    other_client = team["clients"][1]
    response = api.post(url, _definition(team, contacts=[team["contacts"][1].pk]), format="json")
    assert response.status_code == 400
    assert response.json() == {"contacts": [f"Choose contacts of {team['clients'][0].name}."]}
    assert team["contacts"][1].client_id == other_client.pk and _definitions() == []


def test_the_api_schedules_the_report_for_exactly_the_recipients_given(team):
    api, url = _api(team)
    contact, member = team["contacts"][0], team["members"][0]
    created = api.post(
        url,
        _definition(
            team, contacts=[contact.pk, contact.pk], internal_recipients=[member.pk, team["coordinator"].pk]
        ),
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["contacts"] == [contact.pk]
    assert sorted(created.json()["internal_recipients"]) == sorted([member.pk, team["coordinator"].pk])
    with scope(agency=team["agency"].pk):
        definition = ReportDefinition.objects.get()
        assert list(definition.contacts.all()) == [contact]


# --- the staff page ---------------------------------------------------------------------------------


def _page(team):
    return reverse("reporting_report_list", args=[team["agency"].slug])


def _form(team, **fields) -> dict:
    return {
        "client": team["clients"][0].pk, "sections": ["campaigns", "retainer"], "weekday": "0",
        "send_at": "10:00", "data_lag_days": "1", **fields,
    }  # fmt: skip


def _error_of(page: str, field: str) -> str:
    """The error list rendered under a field's inputs (the inputs carry the field's name)."""
    after = page.split(f'name="{field}"', 1)[1]
    block = after.split('<ul class="errorlist"', 1)
    assert len(block) == 2, f"no error under {field}"
    return block[1].split("</ul>", 1)[0]


def test_the_page_refuses_another_agencys_people_and_contacts_with_a_form_error(
    team, other_team, as_coordinator
):
    before = _definitions()
    refused_member = as_coordinator.post(
        _page(team), _form(team, internal_recipients=[team["members"][0].pk, other_team["owner"].pk])
    )
    refused_contact = as_coordinator.post(
        _page(team), _form(team, contacts=[other_team["contacts"][0].pk, team["contacts"][0].pk])
    )
    junk = as_coordinator.post(
        _page(team), _form(team, contacts=["acme"], internal_recipients=[TOO_LARGE_FOR_THE_DATABASE])
    )
    assert (refused_member.status_code, refused_contact.status_code, junk.status_code) == (400, 400, 400)
    member_page, contact_page = refused_member.content.decode(), refused_contact.content.decode()
    assert "Nothing was scheduled." in member_page and MEMBER_REFUSED in _error_of(
        member_page, "internal_recipients"
    )
    assert CONTACT_REFUSED in _error_of(contact_page, "contacts")
    assert CONTACT_REFUSED in _error_of(junk.content.decode(), "contacts")
    # The choices made are kept, so the coordinator only fixes the refused one.
    assert f'value="{team["members"][0].pk}" checked' in member_page
    assert _definitions() == before


def test_the_page_refuses_a_contact_of_another_client_on_the_contacts_field(team, as_coordinator):
    response = as_coordinator.post(_page(team), _form(team, contacts=[team["contacts"][1].pk]))
    assert response.status_code == 400
    assert f"Choose contacts of {team['clients'][0].name}." in _error_of(
        response.content.decode(), "contacts"
    )
    assert _definitions() == []


def test_the_page_schedules_the_chosen_contacts_and_people_or_all_the_clients_contacts(team, as_coordinator):
    chosen = as_coordinator.post(
        _page(team),
        _form(team, contacts=[team["contacts"][0].pk], internal_recipients=[team["members"][0].pk]),
    )
    everyone = as_coordinator.post(
        _page(team), _form(team, client=team["clients"][1].pk, send_to_contacts="1")
    )
    assert (chosen.status_code, everyone.status_code) == (302, 302)
    with scope(agency=team["agency"].pk):
        first, second = ReportDefinition.objects.order_by("pk")
        assert list(first.contacts.all()) == [team["contacts"][0]]
        assert list(first.internal_recipients.all()) == [team["members"][0]]
        assert list(second.contacts.all()) == [team["contacts"][1]]
        assert list(second.internal_recipients.all()) == []


def test_the_schedule_page_lists_recipients_to_choose_at_a_fixed_query_count(
    team, other_team, as_coordinator, django_assert_num_queries
):
    from agencyops.services import clients as client_services

    page = _page(team)
    as_coordinator.post(page, _form(team, send_to_contacts="1", internal_recipients=[team["members"][0].pk]))
    # the first reads, issues, definitions with their contacts, people and the people's users, then the
    # form's clients, contacts and team
    with django_assert_num_queries(STAFF_PAGE_READS + 8):
        first = as_coordinator.get(page).content.decode()
    with scope(agency=team["agency"].pk):
        for n in range(3):
            client_services.client_contact_create(
                actor=team["owner"],
                client=team["clients"][1],
                full_name=f"Extra {n}",
                email=f"extra{n}@acme.test",
            )
    as_coordinator.post(page, _form(team, client=team["clients"][1].pk, send_to_contacts="1"))
    with django_assert_num_queries(STAFF_PAGE_READS + 8):
        second = as_coordinator.get(page).content.decode()
    assert second.count('name="contacts"') == first.count('name="contacts"') + 3
    assert other_team["contacts"][0].full_name not in second


def test_a_contact_or_person_who_has_left_is_refused_by_name_rather_than_scheduled_to_get_nothing(team):
    from agencyops.services.accounts import membership_remove
    from agencyops.services.clients import client_contact_update

    api, url = _api(team)
    contact, member = team["contacts"][0], team["members"][0]
    with scope(agency=team["agency"].pk):
        client_contact_update(actor=team["coordinator"], contact=contact, is_active=False)
        membership_remove(actor=team["owner"], membership=member)
    refused_contact = api.post(url, _definition(team, contacts=[contact.pk]), format="json")
    assert refused_contact.status_code == 400
    assert refused_contact.json() == {
        "contacts": [f"{contact.full_name} no longer has access; choose active contacts."]
    }
    refused_member = api.post(url, _definition(team, internal_recipients=[member.pk]), format="json")
    assert refused_member.status_code == 400 and set(refused_member.json()) == {"internal_recipients"}
    assert _definitions() == []
