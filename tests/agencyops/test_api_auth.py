"""Getting a token, authenticating with it or with the session, and the caller's list of agencies."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope
from knox.models import AuthToken as Token
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
    # Stored as a digest only: the token itself is nowhere in the database.
    stored = Token.objects.get(user=owner)
    assert stored.token_key == token[: len(stored.token_key)] == response.json()["key"]
    assert token not in stored.digest
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = api.get(clients_url(team["agency"]))
    assert [c["name"] for c in listed.json()["results"]] == ["Acme Dental", "Birch Bakery"]


@pytest.mark.django_db
def test_each_sign_in_issues_its_own_token_expiring_30_days_later(team):
    from datetime import timedelta

    from django.utils import timezone

    credentials = {"email": team["owner"].user.email.upper(), "password": factories.PASSWORD}

    first = APIClient().post(TOKEN_URL, credentials, format="json").json()
    second = APIClient().post(TOKEN_URL, credentials, format="json").json()

    assert first["token"] != second["token"]
    assert Token.objects.count() == 2
    expires = Token.objects.get(token_key=first["key"]).expiry
    assert timedelta(days=29, hours=23) < expires - timezone.now() <= timedelta(days=30)


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


def _sign_in(user) -> tuple[APIClient, dict]:
    body = APIClient().post(TOKEN_URL, {"email": user.email, "password": factories.PASSWORD}, format="json").json()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    return api, body


@pytest.mark.django_db
def test_an_expired_token_is_refused_and_using_a_token_does_not_extend_it(team):
    import time_machine
    from django.utils import timezone

    api, body = _sign_in(team["owner"].user)
    expires = Token.objects.get(token_key=body["key"]).expiry

    with time_machine.travel(timezone.now() + timedelta_days(15)):
        assert api.get(clients_url(team["agency"])).status_code == 200
    assert Token.objects.get(token_key=body["key"]).expiry == expires
    with time_machine.travel(expires + timedelta_days(0.01)):
        refused = api.get(clients_url(team["agency"]))

    assert refused.status_code == 401
    assert not Token.objects.filter(token_key=body["key"]).exists()


def timedelta_days(days: float):
    from datetime import timedelta

    return timedelta(days=days)


@pytest.mark.django_db
def test_the_owner_lists_their_tokens_and_revokes_the_current_one_or_another(team):
    owner = team["owner"].user
    api, current = _sign_in(owner)
    _, other = _sign_in(owner)
    _, someone_elses = _sign_in(team["coordinator"].user)

    listed = api.get(TOKEN_URL).json()
    foreign = api.delete(f"{TOKEN_URL}?key={someone_elses['key']}")
    revoked_other = api.delete(f"{TOKEN_URL}?key={other['key']}")
    revoked_self = api.delete(TOKEN_URL)
    after = api.get(TOKEN_URL)

    assert sorted((t["key"], t["current"]) for t in listed) == sorted(
        [(current["key"], True), (other["key"], False)]
    )
    assert all("token" not in t for t in listed)
    assert foreign.status_code == 404
    assert Token.objects.filter(token_key=someone_elses["key"]).exists()
    assert (revoked_other.status_code, revoked_self.status_code) == (204, 204)
    assert after.status_code == 401
    assert not Token.objects.filter(user=owner).exists()


@pytest.mark.django_db
def test_a_password_reset_revokes_every_api_token(team):
    import re

    from django.core import mail
    from django.test import Client as HttpClient

    owner = team["owner"].user
    api, _ = _sign_in(owner)
    browser = HttpClient()
    browser.post(reverse("password_reset"), {"email": owner.email})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    form = browser.get(link, follow=True)
    browser.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )

    assert api.get(clients_url(team["agency"])).status_code == 401
    assert not Token.objects.filter(user=owner).exists()


@pytest.mark.django_db
def test_taking_someone_off_the_team_revokes_their_api_tokens(team):
    from agencyops.services import accounts

    member = team["members"][0]
    api, _ = _sign_in(member.user)
    with scope(agency=team["agency"].pk):
        accounts.membership_remove(actor=team["owner"], membership=member)

    assert api.get(clients_url(team["agency"])).status_code == 401
