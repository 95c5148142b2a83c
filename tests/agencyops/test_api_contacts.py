"""The client contact endpoints: listing by client, adding through the service, editing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from agencyops.models import ClientContact, Invitation
from agencyops.services import clients
from tests import factories
from tests.factories import token_client


def list_url(agency) -> str:
    return reverse("api_contact_list", kwargs={"agency_slug": agency.slug})


def detail_url(agency, pk: int) -> str:
    return reverse("api_contact_detail", kwargs={"agency_slug": agency.slug, "pk": pk})


def contact_rows(agency) -> list[tuple]:
    with scope(agency=agency.pk):
        return list(
            ClientContact.objects.order_by("pk").values_list(
                "client_id", "full_name", "email", "job_title", "is_default_approver", "is_active"
            )
        )


@pytest.mark.django_db
def test_the_contact_list_shows_each_contact_with_their_client_and_portal_access(team):
    with scope(agency=team["agency"].pk):
        factories.contact_create(
            actor=team["owner"], client=team["clients"][0], full_name="Dana Designer", with_login=False
        )

    response = token_client(team["members"][0].user).get(list_url(team["agency"]))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["client_name"], r["full_name"]) for r in rows] == [
        ("Acme Dental", team["contacts"][0].full_name),
        ("Acme Dental", "Dana Designer"),
        ("Birch Bakery", team["contacts"][1].full_name),
    ]
    assert [r["has_portal_access"] for r in rows] == [True, False, True]
    assert rows[0]["client"] == team["clients"][0].pk
    assert rows[0]["is_default_approver"] is True


@pytest.mark.django_db
def test_the_client_filter_lists_only_that_clients_contacts(team):
    response = token_client(team["owner"].user).get(
        list_url(team["agency"]), {"client": team["clients"][1].pk}
    )

    assert [r["id"] for r in response.json()["results"]] == [team["contacts"][1].pk]


@pytest.mark.django_db
def test_filtering_by_another_agencys_client_lists_nothing(team, other_team):
    response = token_client(team["owner"].user).get(
        list_url(team["agency"]), {"client": other_team["clients"][0].pk}
    )

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.django_db
def test_a_client_filter_that_is_not_an_id_is_refused(team):
    response = token_client(team["owner"].user).get(list_url(team["agency"]), {"client": "acme"})

    assert response.status_code == 400
    assert response.json() == {"client": ["Give a client's id, a whole number."]}


@pytest.mark.django_db
def test_a_coordinator_adds_a_contact_at_a_client(team):
    response = token_client(team["coordinator"].user).post(
        list_url(team["agency"]),
        {
            "client": team["clients"][0].pk,
            "full_name": "Rita Reviewer",
            "email": "Rita@Acme.example",
            "job_title": "Marketing lead",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["client_name"], body["is_default_approver"]) == (
        "rita@acme.example",
        "Acme Dental",
        False,
    )
    with scope(agency=team["agency"].pk):
        contact = ClientContact.objects.get(pk=body["id"])
    assert (contact.client_id, contact.job_title, contact.agency_id) == (
        team["clients"][0].pk,
        "Marketing lead",
        team["agency"].pk,
    )


@pytest.mark.django_db
def test_a_malformed_email_is_refused_on_the_email_field_and_nothing_is_created(team):
    before = contact_rows(team["agency"])

    response = token_client(team["owner"].user).post(
        list_url(team["agency"]),
        {"client": team["clients"][0].pk, "full_name": "Bad Address", "email": "not-an-email"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"email": ["Enter a valid email address."]}
    assert contact_rows(team["agency"]) == before


@pytest.mark.django_db
def test_a_second_contact_with_the_same_email_at_a_client_is_refused(team):
    before = contact_rows(team["agency"])

    response = token_client(team["owner"].user).post(
        list_url(team["agency"]),
        {"client": team["clients"][0].pk, "full_name": "Twin", "email": team["contacts"][0].email},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"email": [f"{team['contacts'][0].email} is already a contact of Acme Dental."]}
    assert contact_rows(team["agency"]) == before


@pytest.mark.django_db
def test_a_contact_for_another_agencys_client_is_refused_as_no_such_client(team, other_team):
    before_ours, before_theirs = contact_rows(team["agency"]), contact_rows(other_team["agency"])

    response = token_client(team["owner"].user).post(
        list_url(team["agency"]),
        {"client": other_team["clients"][0].pk, "full_name": "Spy", "email": "spy@example.test"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"client": ["No such client in this agency."]}
    assert contact_rows(team["agency"]) == before_ours
    assert contact_rows(other_team["agency"]) == before_theirs


@pytest.mark.django_db
def test_a_team_member_cannot_add_or_edit_contacts(team):
    before = contact_rows(team["agency"])
    api = token_client(team["members"][0].user)

    created = api.post(
        list_url(team["agency"]),
        {"client": team["clients"][0].pk, "full_name": "X", "email": "x@example.test"},
        format="json",
    )
    edited = api.patch(
        detail_url(team["agency"], team["contacts"][0].pk), {"job_title": "CEO"}, format="json"
    )

    assert created.status_code == edited.status_code == 403
    assert contact_rows(team["agency"]) == before


@pytest.mark.django_db
def test_naming_another_default_approver_unmarks_the_previous_one(team):
    with scope(agency=team["agency"].pk):
        second = factories.contact_create(actor=team["owner"], client=team["clients"][0], with_login=False)

    response = token_client(team["owner"].user).patch(
        detail_url(team["agency"], second.pk),
        {"is_default_approver": True, "job_title": "Head of brand"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["is_default_approver"] is True
    with scope(agency=team["agency"].pk):
        approvers = list(
            ClientContact.objects.filter(client=team["clients"][0], is_default_approver=True).values_list(
                "pk", "job_title"
            )
        )
    assert approvers == [(second.pk, "Head of brand")]


@pytest.mark.django_db
def test_editing_a_contact_to_a_malformed_email_changes_nothing(team):
    before = contact_rows(team["agency"])

    response = token_client(team["owner"].user).patch(
        detail_url(team["agency"], team["contacts"][0].pk), {"email": "nope@"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert contact_rows(team["agency"]) == before


@pytest.mark.django_db
def test_another_agencys_contact_answers_exactly_like_a_missing_one(team, other_team):
    api = token_client(team["owner"].user)
    theirs = other_team["contacts"][0]
    before = contact_rows(other_team["agency"])

    responses = [
        api.get(detail_url(team["agency"], theirs.pk)),
        api.patch(detail_url(team["agency"], theirs.pk), {"full_name": "Hijacked"}, format="json"),
        api.get(detail_url(team["agency"], 987654)),
    ]

    assert {r.status_code for r in responses} == {404}
    assert {r.content for r in responses} == {b'{"detail":"Not found."}'}
    assert contact_rows(other_team["agency"]) == before


@pytest.mark.django_db
@pytest.mark.parametrize("total", [5, 55])
def test_the_contact_list_costs_the_same_queries_for_5_or_55_contacts(team, total, django_assert_num_queries):
    with scope(agency=team["agency"].pk):
        for n in range(total - 2):
            factories.contact_create(
                actor=team["owner"], client=team["clients"][n % 2], with_login=n % 3 == 0
            )
    api = token_client(team["owner"].user)

    # Token and user, membership, page count, the page itself.
    with django_assert_num_queries(4):
        response = api.get(list_url(team["agency"]), {"limit": 100})

    assert response.json()["count"] == total
    assert len({r["client_name"] for r in response.json()["results"]}) == 2



def test_changing_a_contacts_email_cuts_the_old_login_and_invites_the_new_address(
    team, django_capture_on_commit_callbacks
):
    contact = team["contacts"][0]
    old_login = HttpClient()
    old_login.force_login(contact.user, backend="django.contrib.auth.backends.ModelBackend")
    portal = reverse("portal_home", kwargs={"agency_slug": team["agency"].slug})
    assert old_login.get(portal).status_code == 200
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(team["owner"].user).patch(
            detail_url(team["agency"], contact.pk), {"email": "new.address@client.test"}, format="json"
        )

    assert response.status_code == 200, response.json()
    assert old_login.get(portal).status_code != 200
    assert [m.to for m in mail.outbox] == [["new.address@client.test"]]
    with scopes_disabled():
        contact.refresh_from_db()
        assert contact.user_id is None
        assert list(
            Invitation.objects.filter(client_contact=contact, revoked_at__isnull=True).values_list("email")
        ) == [("new.address@client.test",)]


def test_changing_a_contacts_email_withdraws_the_invitation_sent_to_the_old_one(
    team, django_capture_on_commit_callbacks
):
    contact = factories.contact_create(actor=team["owner"], client=team["clients"][0], with_login=False)
    with scope(agency=team["agency"].pk):
        stale = clients.client_contact_invite(actor=team["owner"], contact=contact)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(team["owner"].user).patch(
            detail_url(team["agency"], contact.pk), {"email": "moved@client.test"}, format="json"
        )

    assert response.status_code == 200, response.json()
    assert "withdrawn" in HttpClient().get(stale.path).content.decode()
    assert [m.to for m in mail.outbox] == [["moved@client.test"]]


def test_an_edit_that_keeps_the_email_leaves_portal_access_alone(team, django_capture_on_commit_callbacks):
    contact = team["contacts"][0]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(team["owner"].user).patch(
            detail_url(team["agency"], contact.pk), {"email": contact.email.upper(), "phone": "0123"}, format="json"
        )

    assert response.status_code == 200, response.json()
    assert mail.outbox == []
    with scopes_disabled():
        assert ClientContact.objects.get(pk=contact.pk).user_id == contact.user_id
