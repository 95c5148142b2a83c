"""Getting a token, authenticating with it or with the session, and the caller's list of agencies."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencyops.models import Client
from tests import factories
from tests.factories import token_client

TOKEN_URL = "/api/v1/auth/token/"


def clients_url(agency) -> str:
    return reverse("api_client_list", kwargs={"agency_slug": agency.slug})


@pytest.mark.django_db
def test_a_person_gets_a_token_for_their_email_and_password_and_it_authenticates_later_calls(team):
    owner = team["owner"].user

    response = APIClient().post(
        TOKEN_URL, {"email": owner.email, "password": factories.PASSWORD}, format="json"
    )

    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=owner).key == token
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = api.get(clients_url(team["agency"]))
    assert [c["name"] for c in listed.json()["results"]] == ["Acme Dental", "Birch Bakery"]


@pytest.mark.django_db
def test_asking_twice_returns_the_same_token(team):
    credentials = {"email": team["owner"].user.email.upper(), "password": factories.PASSWORD}

    first = APIClient().post(TOKEN_URL, credentials, format="json").json()["token"]
    second = APIClient().post(TOKEN_URL, credentials, format="json").json()["token"]

    assert first == second
    assert Token.objects.count() == 1


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_message_and_no_token(team):
    response = APIClient().post(
        TOKEN_URL, {"email": team["owner"].user.email, "password": "not-the-password"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["No active account matches that email and password."]}
    assert "token" not in response.json()
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_an_unknown_email_gets_the_same_refusal_as_a_wrong_password(team):
    unknown = APIClient().post(TOKEN_URL, {"email": "nobody@example.test", "password": "x"}, format="json")
    wrong = APIClient().post(TOKEN_URL, {"email": team["owner"].user.email, "password": "x"}, format="json")

    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()


@pytest.mark.django_db
def test_a_token_request_without_a_password_names_the_missing_field():
    response = APIClient().post(TOKEN_URL, {"email": "someone@example.test"}, format="json")

    assert response.status_code == 400
    assert response.json()["password"] == ["This field is required."]
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_out_even_for_the_right_password(team, settings):
    settings.AXES_ENABLED = True
    email = team["owner"].user.email
    for _ in range(settings.AXES_FAILURE_LIMIT):
        APIClient().post(TOKEN_URL, {"email": email, "password": "guess"}, format="json")

    response = APIClient().post(TOKEN_URL, {"email": email, "password": factories.PASSWORD}, format="json")

    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.json()["detail"]
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_a_token_lists_only_the_clients_of_the_callers_agency(team, other_team):
    with scope(agency=other_team["agency"].pk):
        factories.client_create(actor=other_team["owner"], name="Southpaw Only Ltd")
    api = token_client(team["coordinator"].user)

    response = api.get(clients_url(team["agency"]))

    names = [c["name"] for c in response.json()["results"]]
    assert names == ["Acme Dental", "Birch Bakery"]
    with scope(agency=team["agency"].pk):
        assert {c["id"] for c in response.json()["results"]} == set(
            Client.objects.values_list("pk", flat=True)
        )


@pytest.mark.django_db
def test_another_agencys_client_list_is_not_found_for_a_token_of_this_agency(team, other_team):
    api = token_client(team["owner"].user)

    response = api.get(clients_url(other_team["agency"]))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_the_browser_session_authenticates_the_api_too(team, logged_in):
    browser = logged_in(team["members"][0].user)

    response = browser.get(clients_url(team["agency"]))

    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.django_db
def test_calls_without_credentials_are_refused_with_401(team):
    response = APIClient().get(clients_url(team["agency"]))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "credentials were not provided" in response.json()["detail"]


@pytest.mark.django_db
def test_a_bad_token_is_refused(team):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.get(clients_url(team["agency"]))

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.django_db
def test_the_agency_list_shows_each_of_the_callers_agencies_with_their_role(team, other_team):
    person = team["coordinator"]
    factories.membership_create(agency=other_team["agency"], role="member", email="second@example.test")
    with scope(agency=other_team["agency"].pk):
        from agencyops.models import Membership

        Membership.objects.create(agency=other_team["agency"], user=person.user, role="owner")

    response = token_client(person.user).get("/api/v1/agencies/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"slug": team["agency"].slug, "name": "Northwind Creative", "role": "coordinator"},
        {"slug": other_team["agency"].slug, "name": "Southpaw Studio", "role": "owner"},
    ]


@pytest.mark.django_db
def test_the_agency_list_of_a_client_contact_is_empty(team):
    response = token_client(team["contacts"][0].user).get("/api/v1/agencies/")

    assert response.status_code == 200
    assert response.json()["results"] == []
