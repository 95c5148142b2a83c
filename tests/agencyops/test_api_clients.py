"""The clients endpoints: listing by status, adding, editing and changing status through the services."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse
from django_scopes import scope

from agencyops.models import Client, ClientStatus
from agencyops.services import clients as client_services
from tests import factories
from tests.factories import token_client


def list_url(agency) -> str:
    return reverse("api_client_list", kwargs={"agency_slug": agency.slug})


def detail_url(agency, pk: int) -> str:
    return reverse("api_client_detail", kwargs={"agency_slug": agency.slug, "pk": pk})


def client_rows(agency) -> list[tuple]:
    with scope(agency=agency.pk):
        return list(Client.objects.order_by("pk").values_list("name", "slug", "status", "website", "notes"))


@pytest.mark.django_db
def test_the_list_shows_each_client_with_its_contact_count_default_approver_and_iso_dates(team):
    response = token_client(team["members"][0].user).get(list_url(team["agency"]))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    acme = body["results"][0]
    assert acme["name"] == "Acme Dental"
    assert acme["slug"] == "acme-dental"
    assert acme["status"] == "active"
    assert acme["contacts_count"] == 1
    assert acme["default_approver_name"] == team["contacts"][0].full_name
    assert datetime.fromisoformat(acme["created_at"]).tzinfo is not None
    assert acme["archived_at"] is None


@pytest.mark.django_db
def test_the_status_filter_lists_only_clients_with_that_status(team):
    with scope(agency=team["agency"].pk):
        client_services.client_set_status(actor=team["owner"], client=team["clients"][1], status="paused")
    api = token_client(team["owner"].user)

    paused = api.get(list_url(team["agency"]), {"status": "paused"}).json()
    active = api.get(list_url(team["agency"]), {"status": "active"}).json()

    assert [c["name"] for c in paused["results"]] == ["Birch Bakery"]
    assert [c["name"] for c in active["results"]] == ["Acme Dental"]


@pytest.mark.django_db
def test_an_unknown_status_filter_is_refused_with_the_known_statuses(team):
    response = token_client(team["owner"].user).get(list_url(team["agency"]), {"status": "gone"})

    assert response.status_code == 400
    assert response.json() == {"status": ["“gone” is not a client status; use active, paused, archived."]}


@pytest.mark.django_db
def test_a_coordinator_adds_a_client_and_gets_it_back(team):
    response = token_client(team["coordinator"].user).post(
        list_url(team["agency"]),
        {"name": "Cedar Cycles", "website": "https://cedar.example", "notes": "Spring launch"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["slug"] == "cedar-cycles"
    assert response.json()["contacts_count"] == 0
    with scope(agency=team["agency"].pk):
        created = Client.objects.get(pk=response.json()["id"])
    assert (created.name, created.website, created.notes) == (
        "Cedar Cycles",
        "https://cedar.example",
        "Spring launch",
    )
    assert created.agency_id == team["agency"].pk


@pytest.mark.django_db
def test_a_duplicate_slug_is_refused_on_the_slug_field_and_nothing_is_created(team):
    before = client_rows(team["agency"])

    response = token_client(team["owner"].user).post(
        list_url(team["agency"]), {"name": "Acme Dental Again", "slug": "acme-dental"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"slug": ["Another client of this agency already uses “acme-dental”."]}
    assert client_rows(team["agency"]) == before


@pytest.mark.django_db
def test_a_client_without_a_name_is_refused_and_nothing_is_created(team):
    before = client_rows(team["agency"])

    response = token_client(team["owner"].user).post(
        list_url(team["agency"]), {"website": "nope"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["name"] == ["This field is required."]
    assert response.json()["website"] == ["Enter a valid URL."]
    assert client_rows(team["agency"]) == before


@pytest.mark.django_db
def test_the_same_slug_is_fine_in_another_agency(team, other_team):
    response = token_client(other_team["owner"].user).post(
        list_url(other_team["agency"]), {"name": "Northwind's Acme", "slug": "acme-dental-2"}, format="json"
    )
    again = token_client(team["owner"].user).post(
        list_url(team["agency"]), {"name": "Acme Two", "slug": "acme-dental-2"}, format="json"
    )

    assert response.status_code == 201
    assert again.status_code == 201


@pytest.mark.django_db
def test_a_team_member_cannot_add_or_edit_clients(team):
    before = client_rows(team["agency"])
    api = token_client(team["members"][0].user)

    created = api.post(list_url(team["agency"]), {"name": "Sneaky Ltd"}, format="json")
    edited = api.patch(detail_url(team["agency"], team["clients"][0].pk), {"name": "Renamed"}, format="json")

    assert created.status_code == edited.status_code == 403
    assert created.json() == {"detail": "Your role in this agency does not allow this."}
    assert client_rows(team["agency"]) == before


@pytest.mark.django_db
def test_patch_edits_a_clients_details(team):
    client = team["clients"][0]

    response = token_client(team["coordinator"].user).patch(
        detail_url(team["agency"], client.pk),
        {"name": "Acme Dental Group", "notes": "New brand"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Acme Dental Group"
    with scope(agency=team["agency"].pk):
        client.refresh_from_db()
    assert (client.name, client.notes, client.slug) == ("Acme Dental Group", "New brand", "acme-dental")


@pytest.mark.django_db
def test_archiving_through_the_status_field_records_when(team):
    client = team["clients"][0]

    response = token_client(team["owner"].user).patch(
        detail_url(team["agency"], client.pk), {"status": "archived"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "archived"
    assert datetime.fromisoformat(response.json()["archived_at"]).tzinfo is not None
    with scope(agency=team["agency"].pk):
        client.refresh_from_db()
    assert client.status == ClientStatus.ARCHIVED
    assert client.archived_at is not None


@pytest.mark.django_db
def test_an_edit_with_a_taken_slug_changes_neither_details_nor_status(team):
    before = client_rows(team["agency"])

    response = token_client(team["owner"].user).patch(
        detail_url(team["agency"], team["clients"][0].pk),
        {"slug": "birch-bakery", "status": "paused"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"slug": ["Another client of this agency already uses “birch-bakery”."]}
    assert client_rows(team["agency"]) == before


@pytest.mark.django_db
def test_an_unknown_status_value_is_refused(team):
    before = client_rows(team["agency"])

    response = token_client(team["owner"].user).patch(
        detail_url(team["agency"], team["clients"][0].pk), {"status": "deleted"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert client_rows(team["agency"]) == before


@pytest.mark.django_db
def test_another_agencys_client_answers_exactly_like_a_missing_one(team, other_team):
    api = token_client(team["owner"].user)
    theirs = other_team["clients"][0]
    before = client_rows(other_team["agency"])

    foreign = api.get(detail_url(team["agency"], theirs.pk))
    missing = api.get(detail_url(team["agency"], 987654))
    foreign_patch = api.patch(detail_url(team["agency"], theirs.pk), {"status": "archived"}, format="json")

    assert foreign.status_code == missing.status_code == foreign_patch.status_code == 404
    assert foreign.content == missing.content == foreign_patch.content == b'{"detail":"Not found."}'
    assert client_rows(other_team["agency"]) == before


def _grow_clients(team, total: int) -> None:
    with scope(agency=team["agency"].pk):
        for n in range(total - 2):
            client = factories.client_create(actor=team["owner"], name=f"Client {n:03}")
            factories.contact_create(actor=team["owner"], client=client, with_login=False)


@pytest.mark.django_db
@pytest.mark.parametrize("total", [5, 55])
def test_the_client_list_costs_the_same_queries_for_5_or_55_clients(team, total, django_assert_num_queries):
    _grow_clients(team, total)
    api = token_client(team["owner"].user)

    # Token and user, membership, page count, the page itself.
    with django_assert_num_queries(4):
        response = api.get(list_url(team["agency"]), {"limit": 100})

    assert response.json()["count"] == total
    assert len(response.json()["results"]) == total
