"""Logging in by email, throttling, logging out, resetting a password, and switching agencies."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scope

from agencyops.models import Membership, Role
from tests import factories

pytestmark = pytest.mark.django_db


def login(http: HttpClient, email: str, password: str, **extra: str):
    return http.post(reverse("login"), {"username": email, "password": password, **extra})


def is_logged_in(http: HttpClient) -> bool:
    return "_auth_user_id" in http.session


def test_login_page_has_email_and_password_and_links_to_reset_and_sign_up(client):
    html = client.get(reverse("login")).content.decode()

    assert '<label for="id_username">Email' in html
    assert 'type="email" name="username"' in html
    assert 'name="password"' in html
    assert f'href="{reverse("password_reset")}">Forgot your password?</a>' in html
    assert f'href="{reverse("signup")}">Start an agency</a>' in html


def test_staff_log_in_with_their_email_in_any_case_and_land_on_their_agency(client):
    owner = factories.agency_create(name="Northwind Creative", owner_email="nora@northwind.test")

    response = login(client, "  Nora@Northwind.TEST ", factories.PASSWORD)

    assert response["Location"] == reverse("start")
    home = client.get(response["Location"], follow=True)
    assert home.redirect_chain[-1][0] == reverse("home", kwargs={"agency_slug": owner.agency.slug})
    assert "Northwind Creative" in home.content.decode()


def test_logging_in_returns_to_the_page_asked_for(client):
    owner = factories.agency_create()
    team_url = reverse("member_list", kwargs={"agency_slug": owner.agency.slug})

    response = login(client, owner.user.email, factories.PASSWORD, next=team_url)

    assert response["Location"] == team_url


def test_client_contacts_are_sent_to_the_portal_after_logging_in(team):
    http = HttpClient()
    contact = team["contacts"][0]

    response = login(http, contact.email, factories.PASSWORD)
    landing = http.get(response["Location"])

    assert landing["Location"] == reverse("portal_index")


def test_a_wrong_password_shows_an_error_and_does_not_log_in(client):
    owner = factories.agency_create()

    response = login(client, owner.user.email, "not-the-password")

    assert response.status_code == 200
    assert "That email and password do not match an account." in response.content.decode()
    assert not is_logged_in(client)


def test_the_sixth_attempt_after_five_failures_is_locked_out_even_with_the_right_password(client):
    owner = factories.agency_create()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, owner.user.email, "not-the-password")

    response = login(client, owner.user.email, factories.PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed log-ins" in html
    assert "Try again in 15 minutes." in html
    assert not is_logged_in(client)


def test_four_failures_do_not_lock_the_account(client):
    owner = factories.agency_create()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, owner.user.email, "not-the-password")

    login(client, owner.user.email, factories.PASSWORD)

    assert is_logged_in(client)


def test_logout_needs_a_post_and_then_says_so_on_the_login_page(as_owner, team):
    home_url = reverse("home", kwargs={"agency_slug": team["agency"].slug})

    assert as_owner.get(reverse("logout")).status_code == 405
    assert is_logged_in(as_owner)
    assert as_owner.get(home_url).status_code == 200

    response = as_owner.post(reverse("logout"), follow=True)

    assert response.redirect_chain == [(reverse("login"), 302)]
    assert "You are logged out." in response.content.decode()
    assert not is_logged_in(as_owner)
    assert as_owner.get(home_url)["Location"].startswith(reverse("login"))


def test_password_reset_mails_a_working_link_and_the_new_password_logs_in(client):
    owner = factories.agency_create(owner_email="nora@northwind.test")

    response = client.post(reverse("password_reset"), {"email": "NORA@northwind.test"})

    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nora@northwind.test"]
    assert message.subject == "Reset your AgencyOps password"
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)
    assert link.startswith(settings.SITE_URL + "/")

    form_page = client.get(urlsplit(link).path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new_password = "a-brand-new-secret-phrase"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert done["Location"] == reverse("password_reset_complete")

    owner.user.refresh_from_db()
    assert owner.user.password.startswith("argon2")
    assert not is_logged_in(login(HttpClient(), owner.user.email, factories.PASSWORD).client)
    assert is_logged_in(login(HttpClient(), owner.user.email, new_password).client)
    # The link works once.
    assert "This link no longer works" in client.get(urlsplit(link).path, follow=True).content.decode()


def test_password_reset_does_not_reveal_whether_an_email_has_an_account(client):
    factories.agency_create(owner_email="nora@northwind.test")

    known = client.post(reverse("password_reset"), {"email": "nora@northwind.test"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@nowhere.test"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    without_token = lambda response: re.sub(r'"X-CSRFToken": "\w+"', "", response.content.decode())  # noqa: E731
    assert without_token(known) == without_token(unknown)
    assert [m.to for m in mail.outbox] == [["nora@northwind.test"]]


def test_the_agency_switcher_lists_every_agency_of_the_person_and_links_to_each_home(logged_in):
    first = factories.agency_create(name="Alpha Agency", slug="alpha")
    person = first.user
    others = [
        factories.agency_create(name="Beta Studio", slug="beta"),
        factories.agency_create(name="Gamma Co"),
    ]
    for other in others:
        with scope(agency=other.agency_id):
            Membership.objects.create(agency=other.agency, user=person, role=Role.MEMBER)
    outsider = factories.agency_create(name="Not Mine")

    html = logged_in(person).get(reverse("member_list", kwargs={"agency_slug": "beta"})).content.decode()

    switcher = re.search(r'<details class="menu switcher">(.*?)</details>', html, re.S).group(1)
    links = re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+) <small>(\w+)</small></a></li>', switcher)
    assert links == [
        ("/alpha/", "Alpha Agency", "Owner"),
        ("/beta/", "Beta Studio", "Member"),
        (f"/{others[1].agency.slug}/", "Gamma Co", "Member"),
    ]
    assert 'href="/beta/" aria-current="true"' in switcher
    assert outsider.agency.name not in html
    for href, name, _role in links:
        assert name in logged_in(person).get(href).content.decode()
