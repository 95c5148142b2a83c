"""The team endpoints: listing, inviting (owners only), changing roles and capacity, taking people off."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from agencyops.models import Invitation, Membership, Role
from tests import factories
from tests.factories import token_client


def list_url(agency) -> str:
    return reverse("api_member_list", kwargs={"agency_slug": agency.slug})


def detail_url(agency, pk: int) -> str:
    return reverse("api_member_detail", kwargs={"agency_slug": agency.slug, "pk": pk})


def team_rows(agency) -> list[tuple]:
    with scope(agency=agency.pk):
        return list(
            Membership.objects.order_by("pk").values_list(
                "user__email", "role", "discipline", "weekly_capacity_hours", "is_active"
            )
        )


def invitation_rows() -> list[tuple]:
    with scopes_disabled():
        return list(Invitation.objects.order_by("pk").values_list("email", "role", "revoked_at"))


@pytest.mark.django_db
def test_the_team_list_shows_names_roles_disciplines_and_capacity(team):
    response = token_client(team["members"][0].user).get(list_url(team["agency"]))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 + len(team["members"])
    coordinator = next(m for m in body["results"] if m["id"] == team["coordinator"].pk)
    assert coordinator == {
        "id": team["coordinator"].pk,
        "email": team["coordinator"].user.email,
        "full_name": "Casey Coordinator",
        "role": "coordinator",
        "discipline": "",
        "weekly_capacity_hours": "40.0",
        "joined_at": coordinator["joined_at"],
    }
    assert {m["discipline"] for m in body["results"]} >= {"designer", "writer", "media_buyer"}


@pytest.mark.django_db
def test_an_owner_invites_a_person_and_the_answer_never_contains_the_token(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(team["owner"].user).post(
            list_url(team["agency"]),
            {
                "email": "New.Writer@Example.test",
                "role": "member",
                "discipline": "writer",
                "weekly_capacity_hours": "24",
            },
            format="json",
        )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new.writer@example.test"
    assert (body["role"], body["discipline"], body["weekly_capacity_hours"]) == ("member", "writer", "24.0")
    assert not {"token", "token_hash", "url", "path"} & set(body)
    with scope(agency=team["agency"].pk):
        invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.weekly_capacity_hours == Decimal("24")
    assert len(mailoutbox) == 1
    assert "/invitations/" in mailoutbox[0].body
    link_token = mailoutbox[0].body.split("/invitations/")[1].split("/")[0]
    assert link_token not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["coordinator", "member"])
def test_only_owners_can_invite(team, who):
    person = team["coordinator"] if who == "coordinator" else team["members"][0]

    response = token_client(person.user).post(
        list_url(team["agency"]), {"email": "someone@example.test", "role": "member"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role in this agency does not allow this."}
    assert invitation_rows() == []


@pytest.mark.django_db
def test_an_invitation_with_capacity_below_zero_is_refused_on_that_field(team):
    response = token_client(team["owner"].user).post(
        list_url(team["agency"]),
        {"email": "someone@example.test", "role": "member", "weekly_capacity_hours": "-4"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"weekly_capacity_hours": ["Capacity cannot be below zero."]}
    assert invitation_rows() == []


@pytest.mark.django_db
def test_an_invitation_with_an_unknown_role_is_refused_on_that_field(team):
    response = token_client(team["owner"].user).post(
        list_url(team["agency"]), {"email": "someone@example.test", "role": "boss"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["role"]
    assert "boss" in response.json()["role"][0]
    assert invitation_rows() == []


@pytest.mark.django_db
def test_inviting_someone_already_on_the_team_is_refused_on_the_email(team):
    response = token_client(team["owner"].user).post(
        list_url(team["agency"]), {"email": team["coordinator"].user.email, "role": "member"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"email": [f"{team['coordinator'].user.email} is already on the team."]}
    assert invitation_rows() == []


@pytest.mark.django_db
def test_an_owner_changes_a_members_role_discipline_and_capacity(team):
    member = team["members"][0]

    response = token_client(team["owner"].user).patch(
        detail_url(team["agency"], member.pk),
        {"role": "coordinator", "discipline": "account_lead", "weekly_capacity_hours": "32.5"},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["role"], response.json()["weekly_capacity_hours"]) == ("coordinator", "32.5")
    with scope(agency=team["agency"].pk):
        member.refresh_from_db()
    assert (member.role, member.discipline, member.weekly_capacity_hours) == (
        Role.COORDINATOR,
        "account_lead",
        Decimal("32.5"),
    )


@pytest.mark.django_db
def test_capacity_below_zero_is_refused_and_changes_nothing(team):
    before = team_rows(team["agency"])

    response = token_client(team["owner"].user).patch(
        detail_url(team["agency"], team["members"][0].pk), {"weekly_capacity_hours": "-1"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"weekly_capacity_hours": ["Capacity cannot be below zero."]}
    assert team_rows(team["agency"]) == before


@pytest.mark.django_db
def test_an_unknown_role_is_refused_and_changes_nothing(team):
    before = team_rows(team["agency"])

    response = token_client(team["owner"].user).patch(
        detail_url(team["agency"], team["members"][0].pk), {"role": "admin"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["role"]
    assert team_rows(team["agency"]) == before


@pytest.mark.django_db
def test_the_last_owner_cannot_be_demoted(team):
    before = team_rows(team["agency"])

    response = token_client(team["owner"].user).patch(
        detail_url(team["agency"], team["owner"].pk), {"role": "member"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"role": ["An agency needs at least one owner: make someone else owner first."]}
    assert team_rows(team["agency"]) == before


@pytest.mark.django_db
def test_the_last_owner_cannot_be_taken_off_the_team(team):
    before = team_rows(team["agency"])

    response = token_client(team["owner"].user).delete(detail_url(team["agency"], team["owner"].pk))

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["An agency needs at least one owner: make someone else owner first."]
    }
    assert team_rows(team["agency"]) == before


@pytest.mark.django_db
def test_an_owner_takes_a_member_off_the_team_and_their_history_stays(team):
    member = team["members"][0]
    api = token_client(team["owner"].user)

    response = api.delete(detail_url(team["agency"], member.pk))

    assert response.status_code == 204
    with scope(agency=team["agency"].pk):
        member.refresh_from_db()
    assert member.is_active is False
    assert member.left_at is not None
    assert api.get(detail_url(team["agency"], member.pk)).status_code == 404
    assert member.pk not in {m["id"] for m in api.get(list_url(team["agency"])).json()["results"]}


@pytest.mark.django_db
def test_a_coordinator_cannot_change_or_remove_members(team):
    before = team_rows(team["agency"])
    api = token_client(team["coordinator"].user)
    target = detail_url(team["agency"], team["members"][0].pk)

    changed = api.patch(target, {"role": "owner"}, format="json")
    removed = api.delete(target)

    assert changed.status_code == removed.status_code == 403
    assert team_rows(team["agency"]) == before


@pytest.mark.django_db
def test_another_agencys_member_answers_exactly_like_a_missing_one(team, other_team):
    api = token_client(team["owner"].user)
    theirs = other_team["members"][0]
    before = team_rows(other_team["agency"])

    responses = [
        api.get(detail_url(team["agency"], theirs.pk)),
        api.patch(detail_url(team["agency"], theirs.pk), {"role": "owner"}, format="json"),
        api.delete(detail_url(team["agency"], theirs.pk)),
        api.get(detail_url(team["agency"], 987654)),
    ]

    assert {r.status_code for r in responses} == {404}
    assert {r.content for r in responses} == {b'{"detail":"Not found."}'}
    assert team_rows(other_team["agency"]) == before


@pytest.mark.django_db
@pytest.mark.parametrize("total", [5, 55])
def test_the_team_list_costs_the_same_queries_for_5_or_55_people(team, total, django_assert_num_queries):
    for _ in range(total - 2 - len(team["members"])):
        factories.membership_create(agency=team["agency"], discipline="designer")
    if total < 2 + len(team["members"]):
        with scope(agency=team["agency"].pk):
            Membership.objects.filter(pk__in=[m.pk for m in team["members"][total - 2 :]]).update(
                is_active=False
            )
    api = token_client(team["owner"].user)

    # Token and user, membership, page count, the page itself.
    with django_assert_num_queries(4):
        response = api.get(list_url(team["agency"]), {"limit": 100})

    assert response.json()["count"] == total
    assert len(response.json()["results"]) == total
