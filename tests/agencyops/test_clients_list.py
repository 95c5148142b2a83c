"""The client list: what it shows, its filters, its htmx partial, its empty states and its query count."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from agencyops.models import ClientStatus
from agencyops.services import clients as client_services
from tests import factories
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


def _list_url(agency, **params) -> str:
    url = reverse("client_list", kwargs={"agency_slug": agency.slug})
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def _set_status(actor, client, status) -> None:
    with scope(agency=actor.agency_id):
        client_services.client_set_status(actor=actor, client=client, status=status)


def test_client_list_shows_each_client_with_status_contact_count_and_default_approver(team, as_owner):
    owner = team["owner"]
    acme = team["clients"][0]
    second = factories.contact_create(actor=owner, client=acme, full_name="Dana Second", with_login=False)
    assert not second.is_default_approver

    page = as_owner.get(_list_url(team["agency"])).content.decode()

    assert "Acme Dental" in page and "Birch Bakery" in page
    assert reverse("client_detail", kwargs={"agency_slug": team["agency"].slug, "client_id": acme.pk}) in page
    assert 'class="badge badge-active">Active<' in page
    acme_row = page.split("Acme Dental</a>")[1].split("</tr>")[0]
    assert '<td class="right">2</td>' in acme_row
    assert team["contacts"][0].full_name in acme_row
    assert "Dana Second" not in acme_row
    assert acme.created_at.strftime("%Y") in acme_row


def test_client_list_never_shows_another_agencys_clients(team, other_team, as_owner):
    factories.client_create(actor=other_team["owner"], name="Zephyr Gym")

    page = as_owner.get(_list_url(team["agency"], status="all")).content.decode()

    assert "Acme Dental" in page
    assert "Zephyr Gym" not in page


def test_paused_and_archived_clients_are_left_out_of_the_default_list(team, as_owner):
    owner = team["owner"]
    _set_status(owner, team["clients"][0], ClientStatus.ARCHIVED)
    _set_status(owner, team["clients"][1], ClientStatus.PAUSED)
    factories.client_create(actor=owner, name="Cedar Clinic")

    page = as_owner.get(_list_url(team["agency"])).content.decode()

    assert "Cedar Clinic" in page
    assert "Acme Dental" not in page
    assert "Birch Bakery" not in page


def test_status_filter_shows_only_clients_with_that_status_or_all_of_them(team, as_owner):
    owner = team["owner"]
    _set_status(owner, team["clients"][0], ClientStatus.ARCHIVED)
    _set_status(owner, team["clients"][1], ClientStatus.PAUSED)

    archived = as_owner.get(_list_url(team["agency"], status="archived")).content.decode()
    paused = as_owner.get(_list_url(team["agency"], status="paused")).content.decode()
    everything = as_owner.get(_list_url(team["agency"], status="all")).content.decode()

    assert "Acme Dental" in archived and "Birch Bakery" not in archived
    assert "Birch Bakery" in paused and "Acme Dental" not in paused
    assert "Acme Dental" in everything and "Birch Bakery" in everything
    assert '<option value="archived" selected>' in archived


def test_an_unknown_status_filter_falls_back_to_active_clients(team, as_owner):
    _set_status(team["owner"], team["clients"][0], ClientStatus.ARCHIVED)

    page = as_owner.get(_list_url(team["agency"], status="deleted")).content.decode()

    assert "Birch Bakery" in page
    assert "Acme Dental" not in page


def test_search_finds_clients_by_any_part_of_their_name_in_any_case(team, as_owner):
    page = as_owner.get(_list_url(team["agency"], q="DENT")).content.decode()

    assert "Acme Dental" in page
    assert "Birch Bakery" not in page
    assert 'value="DENT"' in page


def test_an_htmx_request_gets_only_the_client_table(team, as_owner):
    response = as_owner.get(_list_url(team["agency"], q="birch"), headers={"HX-Request": "true"})
    body = response.content.decode()

    assert body.lstrip().startswith('<div id="client-table">')
    assert "Birch Bakery" in body and "Acme Dental" not in body
    assert "<html" not in body and "<form" not in body and "topbar" not in body
    assert "HX-Request" in response["Vary"]


def test_the_full_page_keeps_a_filter_form_that_works_without_javascript(team, as_owner):
    page = as_owner.get(_list_url(team["agency"])).content.decode()

    assert f'<form method="get" action="{_list_url(team["agency"])}"' in page
    assert 'hx-target="#client-table"' in page and 'hx-push-url="true"' in page
    assert '<label for="id_q">Search by name</label>' in page
    assert '<label for="id_status">Status</label>' in page
    assert '<button type="submit"' in page


def test_an_agency_without_clients_explains_how_to_start_and_offers_the_button(logged_in):
    owner = factories.agency_create(name="Fresh Agency")

    page = logged_in(owner.user).get(_list_url(owner.agency)).content.decode()

    assert "No clients yet — add your first client to start a project for them." in page
    assert f'href="{reverse("client_create", kwargs={"agency_slug": owner.agency.slug})}"' in page


def test_a_member_sees_the_empty_state_without_an_add_button(logged_in):
    owner = factories.agency_create(name="Fresh Agency")
    member = factories.membership_create(agency=owner.agency)

    page = logged_in(member.user).get(_list_url(owner.agency)).content.decode()

    assert "No clients yet — add your first client to start a project for them." in page
    assert reverse("client_create", kwargs={"agency_slug": owner.agency.slug}) not in page


def test_filters_that_match_nothing_say_so_and_offer_every_client(team, as_owner):
    page = as_owner.get(_list_url(team["agency"], q="zzz")).content.decode()

    assert "No clients match" in page
    assert "No clients yet" not in page
    assert "?status=all" in page


def _agency_with_clients(count: int):
    """A fresh agency with ``count`` clients, each with two contacts (the first is default approver)."""
    owner = factories.agency_create()
    for n in range(count):
        client = factories.client_create(actor=owner, name=f"Client {n:03d}")
        factories.contact_create(actor=owner, client=client, with_login=False)
        factories.contact_create(actor=owner, client=client, with_login=False)
    return owner


@pytest.mark.parametrize("count", [5, 60])
def test_the_client_list_runs_the_same_number_of_queries_for_5_and_60_clients(
    count, logged_in, django_assert_num_queries
):
    owner = _agency_with_clients(count)
    http = logged_in(owner.user)
    url = _list_url(owner.agency)

    # the first reads, the annotated client query
    with django_assert_num_queries(STAFF_PAGE_READS + 1):
        response = http.get(url)

    page = response.content.decode()
    assert page.count('<td class="right">2</td>') == count
    assert "Client 000" in page
