"""The client services: what they write, and what they refuse without writing anything."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from agencyops.models import Client, ClientStatus
from agencyops.services import clients as client_services
from tests import factories

pytestmark = pytest.mark.django_db


def test_client_create_makes_the_short_name_from_the_name(team):
    owner = team["owner"]
    with scope(agency=owner.agency_id):
        client = client_services.client_create(
            actor=owner, name="  Cedar & Pine Clinic ", website="https://c.example"
        )

    assert (client.name, client.slug, client.status) == ("Cedar & Pine Clinic", "cedar-pine-clinic", "active")
    assert client.agency_id == owner.agency_id


def test_client_create_refuses_a_short_name_already_used_in_the_agency_and_creates_nothing(team):
    owner = team["owner"]
    with scope(agency=owner.agency_id):
        before = Client.objects.count()
        with pytest.raises(ValidationError) as refused:
            client_services.client_create(actor=owner, name="Acme Again", slug="ACME-DENTAL")
        assert Client.objects.count() == before

    assert refused.value.message_dict == {
        "slug": ["Another client of this agency already uses “acme-dental”."]
    }


def test_the_same_short_name_is_free_in_another_agency(team, other_team):
    ours = factories.client_create(actor=team["owner"], name="Cedar Clinic")
    theirs = factories.client_create(actor=other_team["owner"], name="Cedar Clinic")

    assert ours.slug == theirs.slug == "cedar-clinic"
    assert ours.agency_id != theirs.agency_id


def test_client_create_refuses_a_name_that_gives_no_short_name(team):
    owner = team["owner"]
    with scope(agency=owner.agency_id), pytest.raises(ValidationError) as refused:
        client_services.client_create(actor=owner, name="!!!")

    assert "slug" in refused.value.message_dict


def test_a_member_cannot_create_or_change_clients(team):
    member = team["members"][0]
    acme = team["clients"][0]
    with scope(agency=member.agency_id):
        before = Client.objects.count()
        for attempt in (
            lambda: client_services.client_create(actor=member, name="Sneaky"),
            lambda: client_services.client_update(actor=member, client=acme, name="Renamed"),
            lambda: client_services.client_set_status(actor=member, client=acme, status="archived"),
        ):
            with pytest.raises(ValidationError) as refused:
                attempt()
            assert refused.value.code == "forbidden"
        assert Client.objects.count() == before
        acme = Client.objects.get(pk=acme.pk)
    assert (acme.name, acme.status) == ("Acme Dental", "active")


def test_client_update_refuses_another_clients_short_name_and_keeps_the_old_details(team):
    owner, acme = team["owner"], team["clients"][0]
    with scope(agency=owner.agency_id):
        with pytest.raises(ValidationError) as refused:
            client_services.client_update(actor=owner, client=acme, name="Acme New", slug="birch-bakery")
        acme = Client.objects.get(pk=acme.pk)

    assert "slug" in refused.value.message_dict
    assert (acme.name, acme.slug) == ("Acme Dental", "acme-dental")


def test_client_update_with_an_empty_short_name_makes_one_from_the_name(team):
    owner, acme = team["owner"], team["clients"][0]
    with scope(agency=owner.agency_id):
        acme = client_services.client_update(actor=owner, client=acme, name="Acme Smiles", slug="")

    assert acme.slug == "acme-smiles"


def test_archiving_stamps_the_date_and_reactivating_clears_it(team):
    owner, acme = team["owner"], team["clients"][0]
    with scope(agency=owner.agency_id):
        archived = client_services.client_set_status(actor=owner, client=acme, status=ClientStatus.ARCHIVED)
        assert archived.archived_at is not None
        paused = client_services.client_set_status(actor=owner, client=acme, status=ClientStatus.PAUSED)
        assert paused.archived_at is None
        active = client_services.client_set_status(actor=owner, client=acme, status=ClientStatus.ACTIVE)

    with scopes_disabled():
        stored = Client.objects.get(pk=acme.pk)
    assert (active.status, stored.status, stored.archived_at) == ("active", "active", None)


def test_client_set_status_refuses_an_unknown_status(team):
    owner, acme = team["owner"], team["clients"][0]
    with scope(agency=owner.agency_id):
        with pytest.raises(ValidationError) as refused:
            client_services.client_set_status(actor=owner, client=acme, status="deleted")
        assert Client.objects.get(pk=acme.pk).status == "active"

    assert "status" in refused.value.message_dict
