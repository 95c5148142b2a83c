"""The admin: platform staff see every agency's data through it; agency owners never get in."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape
from django_scopes import scope, scopes_disabled
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencyops.models import Agency, Client, ClientContact, Invitation, Membership, User
from agencyops.services import accounts
from tests import factories

OUR_MODELS = {User, Agency, Membership, Client, ClientContact, Invitation}


@pytest.fixture
def support(db) -> HttpClient:
    """Platform support: a superuser, logged in."""
    with scopes_disabled():
        user = User.objects.create_superuser(email="support@agencyops.test", password=factories.PASSWORD)
    http = HttpClient()
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return http


@pytest.fixture
def everything(team, other_team) -> dict:
    """Two agencies plus a row of each other registered model, so no changelist is empty."""
    with scope(agency=other_team["agency"].pk):
        only_b = factories.client_create(actor=other_team["owner"], name="Southpaw Only Ltd")
        invitation = accounts.invitation_create(
            actor=other_team["owner"], email="invitee@example.test", role="member"
        ).invitation
    AuthToken.objects.create(user=team["owner"].user)
    from django.contrib.auth.models import Group

    Group.objects.create(name="Support rota")
    # A failed API log-in leaves django-axes rows (attempts and failure log) for its changelists.
    APIClient().post(
        "/api/v1/auth/token/", {"email": team["owner"].user.email, "password": "wrong"}, format="json"
    )
    return {"team": team, "other_team": other_team, "only_b": only_b, "invitation": invitation}


def _changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_platform_model_is_registered():
    assert OUR_MODELS <= set(admin.site._registry)


@pytest.mark.django_db
def test_support_staff_see_the_changelist_of_every_registered_model_with_its_rows(support, everything):
    empty = []
    for model in admin.site._registry:
        response = support.get(_changelist_url(model))
        assert response.status_code == 200, model
        with scopes_disabled():
            row = model._default_manager.order_by("pk").first()
        if row is None:
            empty.append(model)
            continue
        page = response.content.decode()
        change_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
        assert change_url in page, model
        assert escape(str(row)) in page, model
    # Every model of ours has data in this fixture, so each of its changelists really listed rows.
    assert not OUR_MODELS & set(empty)


@pytest.mark.django_db
def test_the_agency_filter_lists_only_that_agencys_clients(support, everything):
    team, other = everything["team"], everything["other_team"]

    page = support.get(_changelist_url(Client), {"agency__id__exact": team["agency"].pk}).content.decode()

    for client in team["clients"]:
        assert reverse("admin:agencyops_client_change", args=[client.pk]) in page
    for client in [*other["clients"], everything["only_b"]]:
        assert reverse("admin:agencyops_client_change", args=[client.pk]) not in page
    assert "Southpaw Only Ltd" not in page


@pytest.mark.django_db
def test_support_staff_open_and_save_a_client_of_any_agency(support, everything):
    client = everything["only_b"]
    url = reverse("admin:agencyops_client_change", args=[client.pk])
    form = support.get(url)
    assert form.status_code == 200
    assert "Southpaw Only Ltd" in form.content.decode()

    response = support.post(
        url,
        {
            "agency": client.agency_id,
            "name": "Southpaw Only Limited",
            "slug": client.slug,
            "status": "active",
            "website": "",
            "notes": "Renamed by support",
            "created_at": "",
        },
    )

    assert response.status_code == 302
    with scopes_disabled():
        client.refresh_from_db()
    assert (client.name, client.notes) == ("Southpaw Only Limited", "Renamed by support")


@pytest.mark.django_db
def test_support_staff_open_an_invitation_and_a_contact_of_another_agency(support, everything):
    invitation = everything["invitation"]
    contact = everything["other_team"]["contacts"][0]

    invitation_page = support.get(reverse("admin:agencyops_invitation_change", args=[invitation.pk]))
    contact_page = support.get(reverse("admin:agencyops_clientcontact_change", args=[contact.pk]))

    assert invitation_page.status_code == contact_page.status_code == 200
    assert "invitee@example.test" in invitation_page.content.decode()
    assert "token_hash" not in invitation_page.content.decode()
    assert escape(contact.full_name) in contact_page.content.decode()


@pytest.mark.django_db
def test_the_user_admin_searches_people_by_email_and_name(support, everything):
    owner = everything["team"]["owner"].user

    by_email = support.get(_changelist_url(User), {"q": owner.email}).content.decode()
    by_name = support.get(_changelist_url(User), {"q": "Casey Coordinator"}).content.decode()

    assert owner.email in by_email
    assert everything["other_team"]["owner"].user.email not in by_email
    assert "Casey Coordinator" in by_name


@pytest.mark.django_db
def test_support_staff_add_a_person_by_email(support):
    response = support.post(
        reverse("admin:agencyops_user_add"),
        {
            "email": "new.support@agencyops.test",
            "full_name": "New Support",
            "usable_password": "true",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        },
    )

    assert response.status_code == 302
    with scopes_disabled():
        user = User.objects.get(email="new.support@agencyops.test")
    assert user.full_name == "New Support"
    assert user.check_password(factories.PASSWORD)


@pytest.mark.django_db
def test_an_agency_owner_is_sent_to_the_admin_login(as_owner, team):
    for url in ("/admin/", _changelist_url(Client), _changelist_url(Membership)):
        response = as_owner.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    with scope(agency=team["agency"].pk):
        assert Client.objects.count() == 2


@pytest.mark.django_db
def test_a_client_contact_is_sent_to_the_admin_login(as_contact):
    response = as_contact.get(_changelist_url(ClientContact))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
