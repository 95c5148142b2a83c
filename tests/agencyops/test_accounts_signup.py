"""Starting an agency: the sign-up page and the agency_create service behind it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from agencyops.models import Agency, Membership, Role, User
from agencyops.services import accounts
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Northwind Creative",
        "slug": "northwind",
        "time_zone": "Europe/London",
        "country": "GB",
        "owner_name": "Nora North",
        "owner_email": "nora@northwind.test",
        "owner_password": PASSWORD,
        "owner_password_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int]:
    with scopes_disabled():
        return Agency.objects.count(), User.objects.count(), Membership.objects.count()


def test_signing_up_creates_the_agency_and_its_owner_and_logs_them_in(client):
    response = client.post(reverse("signup"), signup_data(time_zone="Europe/Paris", country="FR"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home", kwargs={"agency_slug": "northwind"})
    agency = Agency.objects.get(slug="northwind")
    assert (agency.name, agency.time_zone, agency.country) == ("Northwind Creative", "Europe/Paris", "FR")
    user = User.objects.get(email="nora@northwind.test")
    assert user.full_name == "Nora North"
    assert user.password.startswith("argon2")
    with scopes_disabled():
        membership = Membership.objects.get(agency=agency)
    assert (membership.user, membership.role) == (user, Role.OWNER)
    home = client.get(response["Location"])
    assert home.wsgi_request.user == user
    assert "Welcome to AgencyOps! Northwind Creative is ready." in home.content.decode()


def test_sign_up_page_offers_common_time_zones_and_holiday_countries_with_sensible_defaults(client):
    html = client.get(reverse("signup")).content.decode()

    assert '<option value="Europe/London" selected>Europe/London</option>' in html
    assert '<option value="GB" selected>United Kingdom (GB)</option>' in html
    assert '<option value="America/New_York">America/New York</option>' in html
    assert 'name="owner_password_confirm"' in html
    assert reverse("login") in html


def test_a_blank_web_address_is_made_from_the_agency_name(client):
    client.post(reverse("signup"), signup_data(name="Birch & Co Studio", slug=""))

    assert Agency.objects.filter(slug="birch-co-studio", name="Birch & Co Studio").exists()


def test_suggested_addresses_avoid_reserved_words_and_taken_ones(db):
    factories.agency_create(name="Acme", slug="acme")

    assert accounts.suggest_agency_slug("Admin") == "admin-2"
    assert accounts.suggest_agency_slug("ACME") == "acme-2"
    assert accounts.suggest_agency_slug("Fresh Ideas") == "fresh-ideas"


def test_typing_the_name_asks_htmx_for_a_suggested_address_without_touching_a_typed_one(client):
    response = client.get(
        reverse("signup"), {"name": "Portal", "slug": "my-own"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.strip().startswith("<input")
    assert 'placeholder="portal-2"' in html
    assert 'value="my-own"' in html
    assert "<form" not in html


@pytest.mark.parametrize("slug", ["api", "admin", "portal", "static"])
def test_a_reserved_web_address_is_refused_on_its_field_and_nothing_is_created(client, slug):
    before = counts()

    response = client.post(reverse("signup"), signup_data(slug=slug))

    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [f"“{slug}” is reserved; choose another web address."]
    assert f"“{slug}” is reserved" in response.content.decode()
    assert counts() == before
    assert "_auth_user_id" not in client.session


def test_a_reserved_web_address_is_refused_by_the_service_too(db):
    before = counts()

    with pytest.raises(ValidationError) as exc:
        accounts.agency_create(
            name="API Agency", slug="API", owner_email="a@b.test", owner_name="A", owner_password=PASSWORD
        )

    assert "reserved" in exc.value.message_dict["slug"][0]
    assert counts() == before


def test_a_web_address_already_taken_is_refused_and_nothing_is_created(client):
    factories.agency_create(name="First", slug="northwind")
    before = counts()

    response = client.post(reverse("signup"), signup_data(slug="northwind"))

    assert response.context["form"].errors["slug"] == [
        "The web address “northwind” is taken; choose another."
    ]
    assert counts() == before
    with pytest.raises(ValidationError) as exc:
        accounts.agency_create(
            name="Again", slug="Northwind", owner_email="x@y.test", owner_name="X", owner_password=PASSWORD
        )
    assert "taken" in exc.value.message_dict["slug"][0]
    assert counts() == before


def test_a_malformed_email_is_refused_by_the_page_and_the_service(client):
    before = counts()

    response = client.post(reverse("signup"), signup_data(owner_email="nora-at-northwind"))

    assert response.context["form"].errors["owner_email"] == ["Enter a valid email address."]
    with pytest.raises(ValidationError) as exc:
        accounts.agency_create(
            name="Northwind",
            slug="northwind",
            owner_email="nora-at-northwind",
            owner_name="Nora",
            owner_password=PASSWORD,
        )
    assert exc.value.message_dict["owner_email"] == ["Enter a valid email address."]
    assert counts() == before


def test_an_email_that_already_has_an_account_is_told_to_log_in(client):
    factories.user_create(email="nora@northwind.test")
    before = counts()

    response = client.post(reverse("signup"), signup_data(owner_email="Nora@Northwind.test"))

    assert response.context["form"].errors["owner_email"] == [
        "An account with this email already exists; log in to add an agency."
    ]
    assert counts() == before


def test_passwords_that_differ_or_are_weak_are_refused(client):
    before = counts()

    differ = client.post(reverse("signup"), signup_data(owner_password_confirm="something-else-entirely"))
    weak = client.post(reverse("signup"), signup_data(owner_password="12345", owner_password_confirm="12345"))

    assert differ.context["form"].errors["owner_password_confirm"] == ["The two passwords are not the same."]
    assert (
        "This password is too short. It must contain at least 10 characters."
        in weak.context["form"].errors["owner_password"]
    )
    assert counts() == before


def test_an_unknown_time_zone_or_holiday_country_is_refused(client):
    before = counts()

    response = client.post(reverse("signup"), signup_data(time_zone="Mars/Olympus", country="XX"))

    errors = response.context["form"].errors
    assert "Select a valid choice" in errors["time_zone"][0]
    assert "Select a valid choice" in errors["country"][0]
    with pytest.raises(ValidationError) as exc:
        accounts.agency_create(
            name="Northwind",
            slug="northwind",
            owner_email="n@n.test",
            owner_name="N",
            owner_password=PASSWORD,
            time_zone="Mars/Olympus",
            country="XX",
        )
    assert "not a time zone we know" in exc.value.message_dict["time_zone"][0]
    assert "not a country with a public-holiday calendar" in exc.value.message_dict["country"][0]
    assert counts() == before


def test_someone_logged_in_starts_another_agency_without_a_second_account(logged_in):
    owner = factories.agency_create(name="First Agency", slug="first")
    http = logged_in(owner.user)
    users_before = User.objects.count()

    page = http.get(reverse("signup")).content.decode()
    response = http.post(
        reverse("signup"), {"name": "Second Agency", "slug": "second", "time_zone": "UTC", "country": "IE"}
    )

    assert 'name="owner_email"' not in page
    assert owner.user.email in page
    assert response["Location"] == reverse("home", kwargs={"agency_slug": "second"})
    assert User.objects.count() == users_before
    with scopes_disabled():
        roles = sorted(Membership.objects.filter(user=owner.user).values_list("agency__slug", "role"))
    assert roles == [("first", Role.OWNER), ("second", Role.OWNER)]
