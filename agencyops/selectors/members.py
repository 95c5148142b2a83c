"""What the team page shows: current members, people who left and invitations still open."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from agencyops.models import Agency, Invitation, InvitationKind, Membership


@dataclass(frozen=True)
class TeamPage:
    """The three lists of the team page."""

    members: list[Membership]
    former_members: list[Membership]
    pending_invitations: list[Invitation]


def members_for_team_page(agency: Agency) -> TeamPage:
    """Active members, former members and pending team invitations of the agency, in two queries."""
    memberships = list(
        Membership.objects.filter(agency=agency)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    invitations = list(
        Invitation.objects.filter(
            agency=agency,
            kind=InvitationKind.MEMBER,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by__user")
        .order_by("expires_at", "email")
    )
    # Most recent leavers first; one query serves both lists.
    former = sorted(
        (m for m in memberships if not m.is_active), key=lambda m: m.left_at or m.joined_at, reverse=True
    )
    return TeamPage(
        members=[m for m in memberships if m.is_active],
        former_members=former,
        pending_invitations=invitations,
    )
