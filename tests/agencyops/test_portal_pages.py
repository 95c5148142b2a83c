"""The client portal shell: who gets in, where they land, and that contacts never reach staff pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from agencyops.models import ClientStatus
from agencyops.services import clients as client_services
from tests import factories

pytestmark = pytest.mark.django_db


def _portal(agency) -> str:
    return reverse("portal_home", kwargs={"agency_slug": agency.slug})


def _set_status(actor, client, status) -> None:
    with scope(agency=actor.agency_id):
        client_services.client_set_status(actor=actor, client=client, status=status)


def test_anonymous_visitors_are_sent_to_log_in(team, client):
    for url in (reverse("portal_index"), _portal(team["agency"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_a_contact_of_one_client_lands_straight_on_their_portal(team, as_contact):
    response = as_contact.get(reverse("portal_index"), follow=True)

    assert response.redirect_chain == [(_portal(team["agency"]), 302)]
    assert "Acme Dental · with Northwind Creative" in response.content.decode()


def test_a_contact_for_clients_of_two_agencies_chooses_a_portal(team, other_team, logged_in):
    contact = team["contacts"][0]
    theirs = factories.contact_create(
        actor=other_team["owner"], client=other_team["clients"][1], email=contact.email, with_login=False
    )
    with scope(agency=other_team["agency"].pk):
        theirs.user = contact.user
        theirs.save(update_fields=["user"])

    page = logged_in(contact.user).get(reverse("portal_index")).content.decode()

    assert "Acme Dental · with Northwind Creative" in page
    assert "Birch Bakery · with Southpaw Studio" in page
    assert f'href="{_portal(team["agency"])}"' in page and f'href="{_portal(other_team["agency"])}"' in page


def test_someone_who_is_no_clients_contact_finds_no_portal(team, as_owner):
    index = as_owner.get(reverse("portal_index"))
    home = as_owner.get(_portal(team["agency"]))

    assert index.status_code == home.status_code == 404
    assert "Acme Dental" not in home.content.decode()


def test_the_portal_home_shows_the_client_and_agency_with_empty_sections_and_no_staff_nav(team, as_contact):
    page = as_contact.get(_portal(team["agency"])).content.decode()

    assert "Acme Dental · with Northwind Creative" in page
    assert "Awaiting your approval" in page
    assert (
        "Nothing awaits your approval. When Northwind Creative sends work for review, "
        "it appears here with its due date." in page
    )
    assert "Your decisions" in page
    assert 'class="portal"' in page and "Log out" in page
    assert 'class="mainnav"' not in page
    assert reverse("client_list", kwargs={"agency_slug": team["agency"].slug}) not in page
    assert "Birch Bakery" not in page


def test_a_contact_never_reaches_a_staff_page(team, as_contact):
    slug = team["agency"].slug
    for url in (
        reverse("home", kwargs={"agency_slug": slug}),
        reverse("client_list", kwargs={"agency_slug": slug}),
        reverse("client_detail", kwargs={"agency_slug": slug, "client_id": team["clients"][0].pk}),
    ):
        response = as_contact.get(url)
        assert response.status_code == 404, url
        assert "Acme Dental" not in response.content.decode()


def test_a_contact_cannot_open_the_portal_of_another_agency(team, other_team, as_contact):
    response = as_contact.get(_portal(other_team["agency"]))

    assert response.status_code == 404
    assert "Southpaw Studio" not in response.content.decode()


def test_archiving_a_client_closes_its_portal_and_reactivating_reopens_it(team, as_contact):
    owner, acme = team["owner"], team["clients"][0]

    _set_status(owner, acme, ClientStatus.ARCHIVED)
    closed_home = as_contact.get(_portal(team["agency"]))
    closed_index = as_contact.get(reverse("portal_index"))
    _set_status(owner, acme, ClientStatus.ACTIVE)
    reopened = as_contact.get(_portal(team["agency"]))

    assert closed_home.status_code == closed_index.status_code == 404
    assert "Acme Dental" not in closed_home.content.decode()
    assert "Acme Dental · with Northwind Creative" in reopened.content.decode()


def test_a_paused_clients_contacts_can_still_open_the_portal(team, as_contact):
    _set_status(team["owner"], team["clients"][0], ClientStatus.PAUSED)

    page = as_contact.get(_portal(team["agency"])).content.decode()

    assert "Acme Dental · with Northwind Creative" in page
