"""Inviting people by email and accepting (or being refused) through the link."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agencyops.models import Discipline, Invitation, Membership, Role, User
from agencyops.services import accounts
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def invite_url(agency) -> str:
    return reverse("member_invite", kwargs={"agency_slug": agency.slug})


def link_in(message) -> str:
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def issue(team, email: str = "new.person@example.test", **fields) -> accounts.IssuedInvitation:
    fields.setdefault("role", Role.MEMBER)
    with scope(agency=team["agency"].pk):
        return accounts.invitation_create(actor=team["owner"], email=email, **fields)


def invitations_of(agency) -> list[tuple[str, str]]:
    with scope(agency=agency.pk):
        return list(Invitation.objects.values_list("email", "role"))


def test_an_invitation_is_mailed_with_a_site_link_and_accepting_it_creates_the_member(
    team, as_owner, django_capture_on_commit_callbacks
):
    agency = team["agency"]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_owner.post(
            invite_url(agency),
            {
                "email": "Dana@Example.test",
                "role": "coordinator",
                "discipline": "designer",
                "weekly_capacity_hours": "32.5",
            },
        )

    assert response["Location"] == reverse("member_list", kwargs={"agency_slug": agency.slug})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@example.test"]
    assert message.subject == f"You're invited to {agency.name} on AgencyOps"
    assert f"join {agency.name} on AgencyOps as coordinator" in message.body
    link = link_in(message)
    assert link.startswith(settings.SITE_URL + "/invitations/")

    visitor = HttpClient()
    page = visitor.get(urlsplit(link).path).content.decode()
    assert f"Join {agency.name}" in page
    assert "<strong>coordinator</strong> (designer)" in page
    assert 'name="full_name"' in page and 'name="password_confirm"' in page

    accepted = visitor.post(
        urlsplit(link).path,
        {"full_name": "Dana Designer", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )

    assert accepted["Location"] == reverse("home", kwargs={"agency_slug": agency.slug})
    user = User.objects.get(email="dana@example.test")
    assert user.full_name == "Dana Designer"
    assert user.password.startswith("argon2")
    with scope(agency=agency.pk):
        membership = Membership.objects.get(user=user)
    assert (membership.role, membership.discipline, membership.weekly_capacity_hours) == (
        Role.COORDINATOR,
        Discipline.DESIGNER,
        Decimal("32.5"),
    )
    assert "_auth_user_id" in visitor.session
    assert f"Welcome to {agency.name}!" in visitor.get(accepted["Location"]).content.decode()


def test_someone_with_an_account_accepts_with_their_password_only(team):
    existing = factories.user_create(email="pat@example.test", full_name="Pat Existing")
    issued = issue(team, email="pat@example.test", discipline=Discipline.WRITER)
    visitor = HttpClient()

    page = visitor.get(issued.path).content.decode()
    wrong = visitor.post(issued.path, {"password": "not-the-password"})
    right = visitor.post(issued.path, {"password": factories.PASSWORD})

    assert 'name="full_name"' not in page and "enter its password to accept" in page
    assert wrong.context["form"].errors["password"] == [
        "An account with this email exists: enter its password to accept."
    ]
    assert right["Location"] == reverse("home", kwargs={"agency_slug": team["agency"].slug})
    with scope(agency=team["agency"].pk):
        assert Membership.objects.get(user=existing).discipline == Discipline.WRITER


def test_someone_logged_in_as_the_invited_email_accepts_with_one_button(team, logged_in):
    existing = factories.user_create(email="pat@example.test")
    issued = issue(team, email="pat@example.test")
    http = logged_in(existing)

    page = http.get(issued.path).content.decode()
    response = http.post(issued.path)

    assert 'type="password"' not in page
    assert '<button type="submit">Accept</button>' in page
    assert response["Location"] == reverse("home", kwargs={"agency_slug": team["agency"].slug})
    with scope(agency=team["agency"].pk):
        assert Membership.objects.filter(user=existing, is_active=True).exists()


def test_an_expired_invitation_is_refused_with_its_message(team):
    issued = issue(team)
    with scopes_disabled():
        Invitation.objects.filter(pk=issued.invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    visitor = HttpClient()

    page = visitor.get(issued.path)
    post = visitor.post(
        issued.path, {"full_name": "Late", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )

    assert page.status_code == post.status_code == 410
    assert "This invitation has expired. Ask the agency to send a new one." in page.content.decode()
    assert not User.objects.filter(email="new.person@example.test").exists()


def test_an_invitation_accepted_once_cannot_be_used_again(team):
    issued = issue(team)
    data = {"full_name": "First Click", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert HttpClient().post(issued.path, data).status_code == 302

    again = HttpClient().post(issued.path, data)

    assert again.status_code == 410
    assert "This invitation has already been used. Log in instead." in again.content.decode()
    with pytest.raises(ValidationError, match="already been used"):
        accounts.invitation_accept(token=issued.token, password=NEW_PASSWORD)
    assert User.objects.filter(email="new.person@example.test").count() == 1


def test_a_revoked_invitation_stops_working(team, as_owner):
    issued = issue(team)
    revoke_url = reverse(
        "invitation_revoke",
        kwargs={"agency_slug": team["agency"].slug, "invitation_id": issued.invitation.pk},
    )

    confirm = as_owner.get(revoke_url).content.decode()
    as_owner.post(revoke_url)
    page = HttpClient().get(issued.path)

    assert "Withdraw the invitation?" in confirm
    assert page.status_code == 410
    assert "This invitation was withdrawn. Ask the agency to send a new one." in page.content.decode()
    team_page = as_owner.get(
        reverse("member_list", kwargs={"agency_slug": team["agency"].slug})
    ).content.decode()
    assert "The invitation to new.person@example.test was withdrawn" in team_page
    assert "No invitations waiting." in team_page


def test_an_invitation_for_another_email_is_refused_to_whoever_is_logged_in(team, as_member):
    issued = issue(team)
    member = team["members"][0].user

    page = as_member.get(issued.path)
    post = as_member.post(issued.path)

    assert page.status_code == post.status_code == 403
    assert (
        f"This invitation was sent to new.person@example.test; you are logged in as {member.email}."
        in page.content.decode()
    )
    assert not User.objects.filter(email="new.person@example.test").exists()
    with scopes_disabled():
        assert Invitation.objects.get(pk=issued.invitation.pk).accepted_at is None


def test_an_unknown_token_is_a_404_that_says_the_link_is_not_valid(client):
    response = client.get(reverse("invitation_accept", kwargs={"token": "made-up-token"}))

    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()


def test_an_unknown_role_is_refused_by_the_form_and_the_service(team, as_owner):
    response = as_owner.post(
        invite_url(team["agency"]), {"email": "x@example.test", "role": "boss", "weekly_capacity_hours": "40"}
    )

    assert (
        "Select a valid choice. boss is not one of the available choices."
        in response.context["form"].errors["role"]
    )
    with pytest.raises(ValidationError) as exc:
        issue(team, email="x@example.test", role="boss")
    assert exc.value.message_dict["role"] == [
        "“boss” is not a role here; choose owner, coordinator or member."
    ]
    assert invitations_of(team["agency"]) == []
    assert mail.outbox == []


def test_capacity_below_zero_is_refused_by_the_form_and_the_service(team, as_owner):
    response = as_owner.post(
        invite_url(team["agency"]),
        {"email": "x@example.test", "role": "member", "weekly_capacity_hours": "-1"},
    )

    assert response.context["form"].errors["weekly_capacity_hours"] == ["Capacity cannot be below zero."]
    with pytest.raises(ValidationError) as exc:
        issue(team, email="x@example.test", weekly_capacity_hours=-1)
    assert exc.value.message_dict["weekly_capacity_hours"] == ["Capacity cannot be below zero."]
    assert invitations_of(team["agency"]) == []


def test_someone_already_on_the_team_is_not_invited_again(team, as_owner):
    response = as_owner.post(
        invite_url(team["agency"]),
        {"email": team["coordinator"].user.email, "role": "member", "weekly_capacity_hours": "40"},
    )

    assert response.context["form"].errors["email"] == [
        f"{team['coordinator'].user.email} is already on the team."
    ]
    assert invitations_of(team["agency"]) == []


def test_a_new_invitation_to_the_same_address_replaces_the_pending_one(team):
    first = issue(team)
    second = issue(team, role=Role.COORDINATOR)

    assert HttpClient().get(first.path).status_code == 410
    assert "as <strong>coordinator</strong>" in HttpClient().get(second.path).content.decode()


def test_a_client_contact_accepts_into_the_portal_of_their_client(team, django_capture_on_commit_callbacks):
    owner, client = team["owner"], team["clients"][0]
    contact = factories.contact_create(actor=owner, client=client, email="cleo@acme.test", with_login=False)
    with scope(agency=team["agency"].pk), django_capture_on_commit_callbacks(execute=True):
        accounts.invitation_create_for_contact(actor=owner, contact=contact)
    path = urlsplit(link_in(mail.outbox[0])).path
    visitor = HttpClient()

    page = visitor.get(path).content.decode()
    response = visitor.post(
        path, {"full_name": "Cleo Client", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )

    assert f"<strong>{client.name}</strong>" in page
    assert response["Location"] == reverse("portal_index")
    contact.refresh_from_db()
    assert contact.user.email == "cleo@acme.test"
    with scopes_disabled():
        assert not Membership.objects.filter(user=contact.user).exists()


def test_a_new_account_needs_a_name_and_matching_passwords(team):
    issued = issue(team)

    response = HttpClient().post(
        issued.path, {"full_name": "", "password": NEW_PASSWORD, "password_confirm": "other"}
    )

    errors = response.context["form"].errors
    assert errors["full_name"] == ["This field is required."]
    assert errors["password_confirm"] == ["The two passwords are not the same."]
    assert not User.objects.filter(email="new.person@example.test").exists()


def test_the_password_step_locks_out_after_the_login_pages_number_of_failures(team):
    existing = factories.user_create(email="sam@example.test", full_name="Sam Existing")
    issued = issue(team, email="sam@example.test")
    visitor = HttpClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        visitor.post(issued.path, {"password": "not-the-password"})

    right = visitor.post(issued.path, {"password": factories.PASSWORD})

    assert right.status_code == 429
    assert "Too many failed log-ins" in right.content.decode()
    with scope(agency=team["agency"].pk):
        assert not Membership.objects.filter(user=existing).exists()
    with scopes_disabled():
        assert Invitation.objects.get(pk=issued.invitation.pk).accepted_at is None
