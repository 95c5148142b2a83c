"""The team page: who is on it, what owners may change, and the last-owner rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from agencyops.models import Discipline, Invitation, Membership, Role
from agencyops.selectors.members import members_for_team_page
from agencyops.services import accounts
from tests import factories
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db

LAST_OWNER = "An agency needs at least one owner: make someone else owner first."


def url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def reload(membership: Membership) -> Membership:
    with scope(agency=membership.agency_id):
        return Membership.objects.get(pk=membership.pk)


def test_the_team_page_lists_members_pending_invitations_and_people_who_left(team, as_member):
    agency, owner = team["agency"], team["owner"]
    designer = next(m for m in team["members"] if m.discipline == Discipline.DESIGNER)
    leaver = factories.membership_create(agency=agency, full_name="Lee Leaver", email="lee@example.test")
    with scope(agency=agency.pk):
        accounts.membership_update(actor=owner, membership=designer, weekly_capacity_hours="22.5")
        accounts.invitation_create(actor=owner, email="pending@example.test", role=Role.COORDINATOR)
        accounts.membership_remove(actor=owner, membership=leaver)

    html = as_member.get(url("member_list", agency)).content.decode()

    members_part, rest = html.split('id="invitations-h"')
    invitations_part, former_part = rest.split('id="former-h"')
    assert designer.user.email in members_part
    assert "<td>Designer</td>" in members_part
    assert '<td class="right">22.5</td>' in members_part
    assert '<span class="badge badge-info">Owner</span>' in members_part
    assert "pending@example.test" in invitations_part and "Coordinator" in invitations_part
    assert "Lee Leaver" in former_part and "Lee Leaver" not in members_part


def test_a_member_sees_the_team_without_any_controls(team, as_member):
    agency = team["agency"]
    with scope(agency=agency.pk):
        accounts.invitation_create(actor=team["owner"], email="pending@example.test", role=Role.MEMBER)

    html = as_member.get(url("member_list", agency)).content.decode()

    assert team["coordinator"].user.email in html
    assert "Invite a person" not in html
    assert url("member_invite", agency) not in html
    assert "/edit/" not in html and "/remove/" not in html and "/revoke/" not in html
    assert "Agency settings" not in html


def test_an_owner_sees_the_controls(team, as_owner):
    agency, coordinator = team["agency"], team["coordinator"]

    html = as_owner.get(url("member_list", agency)).content.decode()

    assert f'href="{url("member_invite", agency)}">Invite a person</a>' in html
    assert url("member_edit", agency, membership_id=coordinator.pk) in html
    assert url("member_remove", agency, membership_id=coordinator.pk) in html


@pytest.mark.parametrize("who", ["as_member", "as_coordinator"])
def test_people_who_are_not_owners_get_403_on_every_team_action_and_nothing_changes(team, who, request):
    http = request.getfixturevalue(who)
    agency, target = team["agency"], team["members"][1]
    with scope(agency=agency.pk):
        invitation = accounts.invitation_create(
            actor=team["owner"], email="p@example.test", role="member"
        ).invitation
    actions = [
        (
            url("member_invite", agency),
            {"email": "x@example.test", "role": "owner", "weekly_capacity_hours": "1"},
        ),
        (
            url("member_edit", agency, membership_id=target.pk),
            {"role": "owner", "weekly_capacity_hours": "1"},
        ),
        (url("member_remove", agency, membership_id=target.pk), {}),
        (url("invitation_revoke", agency, invitation_id=invitation.pk), {}),
        (url("agency_settings", agency), {"name": "Taken over"}),
    ]

    for action_url, data in actions:
        assert http.get(action_url).status_code == 403, action_url
        refused = http.post(action_url, data)
        assert refused.status_code == 403, action_url

    assert (reload(target).role, reload(target).is_active) == (Role.MEMBER, True)
    with scope(agency=agency.pk):
        assert list(Invitation.objects.values_list("email", "revoked_at")) == [("p@example.test", None)]
    agency.refresh_from_db()
    assert agency.name == "Northwind Creative"


def test_another_agencys_member_is_a_404_for_an_owner(team, other_team, as_owner):
    stranger = other_team["coordinator"]

    for name in ("member_edit", "member_remove"):
        assert as_owner.get(url(name, team["agency"], membership_id=stranger.pk)).status_code == 404
    assert as_owner.post(url("member_remove", team["agency"], membership_id=stranger.pk)).status_code == 404
    assert reload(stranger).is_active


def test_another_agencys_invitation_is_a_404_and_stays_pending(team, other_team, as_owner):
    with scope(agency=other_team["agency"].pk):
        foreign = accounts.invitation_create(actor=other_team["owner"], email="x@example.test", role="member")
    revoke_url = url("invitation_revoke", team["agency"], invitation_id=foreign.invitation.pk)

    assert as_owner.get(revoke_url).status_code == 404
    assert as_owner.post(revoke_url).status_code == 404
    with scope(agency=other_team["agency"].pk):
        assert Invitation.objects.get(pk=foreign.invitation.pk).revoked_at is None


def test_an_owner_can_demote_a_coordinator_and_change_discipline_and_capacity(team, as_owner):
    coordinator = team["coordinator"]

    response = as_owner.post(
        url("member_edit", team["agency"], membership_id=coordinator.pk),
        {"role": "member", "discipline": "strategist", "weekly_capacity_hours": "30"},
        follow=True,
    )

    assert "Saved Casey Coordinator&#x27;s role and capacity." in response.content.decode()
    coordinator = reload(coordinator)
    assert (coordinator.role, coordinator.discipline, coordinator.weekly_capacity_hours) == (
        Role.MEMBER,
        Discipline.STRATEGIST,
        Decimal("30"),
    )


def test_capacity_below_zero_is_refused_when_editing(team, as_owner):
    coordinator = team["coordinator"]

    response = as_owner.post(
        url("member_edit", team["agency"], membership_id=coordinator.pk),
        {"role": "member", "weekly_capacity_hours": "-4"},
    )

    assert "Capacity cannot be below zero." in response.content.decode()
    assert (reload(coordinator).role, reload(coordinator).weekly_capacity_hours) == (
        Role.COORDINATOR,
        Decimal("40"),
    )
    with scope(agency=team["agency"].pk), pytest.raises(Exception, match="Capacity cannot be below zero"):
        accounts.membership_update(actor=team["owner"], membership=coordinator, weekly_capacity_hours=-4)


def test_the_last_owner_cannot_be_demoted_or_removed(team, as_owner):
    owner = team["owner"]

    demoted = as_owner.post(
        url("member_edit", team["agency"], membership_id=owner.pk),
        {"role": "member", "weekly_capacity_hours": "40"},
    )
    confirm = as_owner.get(url("member_remove", team["agency"], membership_id=owner.pk))
    removed = as_owner.post(url("member_remove", team["agency"], membership_id=owner.pk))

    assert demoted.context["form"].errors["role"] == [LAST_OWNER]
    assert "Leave Northwind Creative?" in confirm.content.decode()
    assert removed.status_code == 409
    assert LAST_OWNER in removed.content.decode()
    owner = reload(owner)
    assert (owner.role, owner.is_active) == (Role.OWNER, True)


def test_a_second_owner_lets_the_first_step_down_and_then_leave(team, as_owner):
    agency, first, second = team["agency"], team["owner"], team["coordinator"]
    as_owner.post(
        url("member_edit", agency, membership_id=second.pk), {"role": "owner", "weekly_capacity_hours": "40"}
    )

    as_owner.post(
        url("member_edit", agency, membership_id=first.pk),
        {"role": "coordinator", "weekly_capacity_hours": "40"},
    )

    assert (reload(first).role, reload(second).role) == (Role.COORDINATOR, Role.OWNER)
    # The former owner is now a coordinator and may no longer manage the team.
    assert as_owner.get(url("member_invite", agency)).status_code == 403
    with scope(agency=agency.pk):
        accounts.membership_remove(actor=reload(second), membership=reload(first))
    assert reload(first).is_active is False


def test_removing_asks_for_confirmation_first_and_then_lists_the_person_as_left(team, as_owner):
    agency, leaver = team["agency"], team["members"][0]
    remove_url = url("member_remove", agency, membership_id=leaver.pk)

    confirm = as_owner.get(remove_url).content.decode()
    assert reload(leaver).is_active
    done = as_owner.post(remove_url, follow=True)

    assert f"Remove {leaver.user}?" in confirm and 'method="post"' in confirm
    assert f"{leaver.user} has been removed from the team." in done.content.decode()
    leaver = reload(leaver)
    assert leaver.is_active is False and leaver.left_at is not None
    former_part = done.content.decode().split('id="former-h"')[1]
    assert leaver.user.email in former_part
    assert as_owner.get(url("member_edit", agency, membership_id=leaver.pk)).status_code == 404


def test_invite_page_offers_roles_and_disciplines(team, as_owner):
    html = as_owner.get(url("member_invite", team["agency"])).content.decode()

    for value, label in [("owner", "Owner"), ("coordinator", "Coordinator"), ("member", "Member")]:
        assert f'<option value="{value}"' in html and label in html
    for value in ["strategist", "designer", "writer", "media_buyer", "account_lead"]:
        assert f'<option value="{value}">' in html
    assert '<option value="" selected>None</option>' in html


def _agency_with_members(count: int):
    owner = factories.agency_create(name="Big Agency")
    for n in range(count - 1):
        factories.membership_create(agency=owner.agency, discipline=Discipline.WRITER if n % 2 else "")
    with scope(agency=owner.agency_id):
        for n in range(count):
            accounts.invitation_create(actor=owner, email=f"invitee{n}@example.test", role=Role.MEMBER)
        factories_left = list(Membership.objects.exclude(pk=owner.pk)[: count // 5])
        for membership in factories_left:
            accounts.membership_remove(actor=owner, membership=membership)
    return owner


@pytest.mark.parametrize("size", [5, 55])
def test_the_team_page_query_count_does_not_grow_with_the_team(size, logged_in, django_assert_num_queries):
    owner = _agency_with_members(size)
    http = logged_in(owner.user)
    team_url = url("member_list", owner.agency)

    # the first reads, team members, pending invitations
    with django_assert_num_queries(STAFF_PAGE_READS + 2):
        response = http.get(team_url)

    assert response.content.decode().count("@example.test</td>") == size + (size - size // 5)


def test_members_for_team_page_splits_active_and_former_members(team):
    agency, owner, leaver = team["agency"], team["owner"], team["members"][0]
    with scope(agency=agency.pk):
        accounts.membership_remove(actor=owner, membership=leaver)
        page = members_for_team_page(agency)

    assert leaver.pk not in [m.pk for m in page.members]
    assert [m.pk for m in page.former_members] == [leaver.pk]
    assert len(page.members) == 1 + 1 + len(team["members"]) - 1
