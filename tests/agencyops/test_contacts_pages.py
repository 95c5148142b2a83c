"""Client contacts: adding and editing them, the default final approver, and portal invitations."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from agencyops.models import ClientContact, ClientStatus, Invitation
from agencyops.services import accounts
from agencyops.services import clients as client_services
from tests import factories

pytestmark = pytest.mark.django_db


def _url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def _contacts(client) -> list[ClientContact]:
    with scopes_disabled():
        return list(ClientContact.objects.filter(client=client).order_by("pk"))


def _default_approvers(client) -> list[str]:
    return [c.full_name for c in _contacts(client) if c.is_default_approver]


def test_adding_a_contact_on_the_page_stores_them_under_the_client(team, as_coordinator):
    acme = team["clients"][0]

    response = as_coordinator.post(
        _url("contact_create", team["agency"], client_id=acme.pk),
        {"full_name": "Priya Shah", "email": "Priya@Acme.example", "job_title": "Marketing lead"},
        follow=True,
    )

    priya = _contacts(acme)[-1]
    assert (priya.full_name, priya.email, priya.job_title) == (
        "Priya Shah",
        "priya@acme.example",
        "Marketing lead",
    )
    assert priya.agency_id == team["agency"].pk
    assert not priya.is_default_approver
    assert "Priya Shah added to Acme Dental." in response.content.decode()


def test_a_clients_first_contact_becomes_its_default_approver(team, as_owner):
    cedar = factories.client_create(actor=team["owner"], name="Cedar Clinic")

    as_owner.post(
        _url("contact_create", team["agency"], client_id=cedar.pk),
        {"full_name": "Lee Park", "email": "lee@c.example"},
    )

    assert _default_approvers(cedar) == ["Lee Park"]


def test_naming_a_new_default_approver_unmarks_the_previous_one(team, as_owner):
    acme = team["clients"][0]
    first = team["contacts"][0]

    as_owner.post(
        _url("contact_create", team["agency"], client_id=acme.pk),
        {"full_name": "Priya Shah", "email": "priya@acme.example", "is_default_approver": "on"},
    )

    assert _default_approvers(acme) == ["Priya Shah"]
    assert first.full_name not in _default_approvers(acme)


def test_editing_a_contact_into_default_approver_hands_the_role_over(team, as_owner):
    acme = team["clients"][0]
    second = factories.contact_create(
        actor=team["owner"], client=acme, full_name="Sam Second", with_login=False
    )

    response = as_owner.post(
        _url("contact_edit", team["agency"], client_id=acme.pk, contact_id=second.pk),
        {"full_name": "Sam Second", "email": second.email, "job_title": "CEO", "is_default_approver": "on"},
        follow=True,
    )

    assert _default_approvers(acme) == ["Sam Second"]
    assert "Sam Second saved." in response.content.decode()


def test_the_default_approver_cannot_simply_be_unticked(team, as_owner):
    acme, first = team["clients"][0], team["contacts"][0]

    response = as_owner.post(
        _url("contact_edit", team["agency"], client_id=acme.pk, contact_id=first.pk),
        {"full_name": "Renamed", "email": first.email},
    )

    assert "Every client needs a default final approver" in response.content.decode()
    assert _default_approvers(acme) == [first.full_name]


def test_the_service_keeps_one_default_approver_per_client(team):
    owner, acme = team["owner"], team["clients"][0]
    with scope(agency=owner.agency_id):
        for n in range(3):
            client_services.client_contact_create(
                actor=owner,
                client=acme,
                full_name=f"Approver {n}",
                email=f"a{n}@acme.example",
                is_default_approver=True,
            )

    assert _default_approvers(acme) == ["Approver 2"]
    assert _default_approvers(team["clients"][1]) == [team["contacts"][1].full_name]


def test_a_malformed_email_is_refused_with_a_field_message_and_nothing_is_added(team, as_owner):
    acme = team["clients"][0]
    before = _contacts(acme)

    response = as_owner.post(
        _url("contact_create", team["agency"], client_id=acme.pk), {"full_name": "Priya", "email": "priya@"}
    )

    page = response.content.decode()
    assert 'id="id_email_error"' in page and "Enter a valid email address." in page
    assert _contacts(acme) == before


def test_a_malformed_email_is_refused_by_the_service_too(team):
    owner, acme = team["owner"], team["clients"][0]
    with scope(agency=owner.agency_id), pytest.raises(ValidationError) as refused:
        client_services.client_contact_create(
            actor=owner, client=acme, full_name="Priya", email="not an email"
        )

    assert "email" in refused.value.message_dict
    assert len(_contacts(acme)) == 1


def test_the_same_email_twice_at_one_client_is_refused_but_fine_at_another(team, as_owner):
    acme, birch = team["clients"]
    existing = team["contacts"][0]

    refused = as_owner.post(
        _url("contact_create", team["agency"], client_id=acme.pk),
        {"full_name": "Twin", "email": existing.email.upper()},
    )
    as_owner.post(
        _url("contact_create", team["agency"], client_id=birch.pk),
        {"full_name": "Twin", "email": existing.email},
    )

    assert f"{existing.email} is already a contact of Acme Dental." in refused.content.decode()
    assert len(_contacts(acme)) == 1
    assert [c.email for c in _contacts(birch)][-1] == existing.email


def test_editing_to_an_email_another_contact_of_the_client_has_is_refused(team, as_owner):
    acme, first = team["clients"][0], team["contacts"][0]
    second = factories.contact_create(actor=team["owner"], client=acme, with_login=False)

    response = as_owner.post(
        _url("contact_edit", team["agency"], client_id=acme.pk, contact_id=second.pk),
        {"full_name": second.full_name, "email": first.email},
    )

    assert "is already a contact of this client." in response.content.decode()
    with scopes_disabled():
        assert ClientContact.objects.get(pk=second.pk).email == second.email


def test_the_client_page_tells_each_contacts_portal_access(
    team, as_owner, django_capture_on_commit_callbacks
):
    owner, acme = team["owner"], team["clients"][0]
    invited = factories.contact_create(actor=owner, client=acme, full_name="Ivy Invited", with_login=False)
    factories.contact_create(actor=owner, client=acme, full_name="Nina Notyet", with_login=False)
    with scope(agency=owner.agency_id), django_capture_on_commit_callbacks(execute=True):
        issued = client_services.client_contact_invite(actor=owner, contact=invited)

    page = as_owner.get(_url("client_detail", team["agency"], client_id=acme.pk)).content.decode()

    def row(name: str) -> str:
        return page.split(name, 1)[1].split("</tr>")[0]

    assert "Can log in" in row(team["contacts"][0].full_name)
    assert f"Invitation sent {issued.invitation.created_at:%-d %b %Y}" in row("Ivy Invited")
    assert "Not invited" in row("Nina Notyet")
    assert "Send a new invitation" in row("Ivy Invited")
    assert "Invite to portal" in row("Nina Notyet")
    assert "Invite to portal" not in row(team["contacts"][0].full_name)


def test_inviting_a_contact_mails_a_link_the_invitation_page_accepts(
    team, as_owner, django_capture_on_commit_callbacks
):
    acme = team["clients"][0]
    nina = factories.contact_create(actor=team["owner"], client=acme, full_name="Nina Park", with_login=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_owner.post(
            _url("contact_invite", team["agency"], client_id=acme.pk, contact_id=nina.pk), follow=True
        )

    assert f"Invitation sent to Nina Park ({nina.email})." in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [nina.email]
    token = re.search(r"/invitations/([^/\s]+)/", message.body).group(1)
    invitation = accounts.invitation_for_token(token)
    assert invitation.client_contact_id == nina.pk
    assert invitation.kind == "client_contact"


def test_a_contact_who_can_already_log_in_is_not_invited_again(
    team, as_owner, django_capture_on_commit_callbacks
):
    acme, contact = team["clients"][0], team["contacts"][0]

    with django_capture_on_commit_callbacks(execute=True):
        response = as_owner.post(
            _url("contact_invite", team["agency"], client_id=acme.pk, contact_id=contact.pk), follow=True
        )

    assert "can already log in to the portal" in response.content.decode()
    assert mail.outbox == []
    with scopes_disabled():
        assert not Invitation.objects.filter(client_contact=contact).exists()


def test_contacts_of_an_archived_client_are_not_invited(team, django_capture_on_commit_callbacks):
    owner, acme = team["owner"], team["clients"][0]
    nina = factories.contact_create(actor=owner, client=acme, with_login=False)
    with scope(agency=owner.agency_id):
        client_services.client_set_status(actor=owner, client=acme, status=ClientStatus.ARCHIVED)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
            client_services.client_contact_invite(actor=owner, contact=nina)

    assert mail.outbox == []


def test_a_member_may_not_add_edit_or_invite_contacts(team, as_member, django_capture_on_commit_callbacks):
    acme = team["clients"][0]
    nina = factories.contact_create(actor=team["owner"], client=acme, full_name="Nina", with_login=False)
    before = _contacts(acme)

    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            as_member.get(_url("contact_create", team["agency"], client_id=acme.pk)),
            as_member.post(
                _url("contact_create", team["agency"], client_id=acme.pk),
                {"full_name": "X", "email": "x@x.example"},
            ),
            as_member.post(
                _url("contact_edit", team["agency"], client_id=acme.pk, contact_id=nina.pk),
                {"full_name": "Renamed", "email": nina.email},
            ),
            as_member.post(_url("contact_invite", team["agency"], client_id=acme.pk, contact_id=nina.pk)),
        ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert [(c.pk, c.full_name) for c in _contacts(acme)] == [(c.pk, c.full_name) for c in before]
    assert mail.outbox == []


def test_a_contact_reached_through_another_client_of_the_agency_is_not_found(team, as_owner):
    acme, birch = team["clients"]
    birch_contact = team["contacts"][1]

    response = as_owner.get(
        _url("contact_edit", team["agency"], client_id=acme.pk, contact_id=birch_contact.pk)
    )

    assert response.status_code == 404
    assert birch_contact.full_name not in response.content.decode()
