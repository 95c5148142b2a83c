""" "Can this be sent" has one answer (approvals/permissions.py): the page's Send button, the API's
``can_send`` and the send service agree in every state of a request."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from approvals import services as approval_services
from approvals.models import ApprovalRequest, ApprovalStatus
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db


def _page_offers_send(client, agency, request) -> bool:
    page = client.get(
        reverse("approval_detail", kwargs={"agency_slug": agency.slug, "request_id": request.pk})
    ).content.decode()
    return reverse("approval_send", kwargs={"agency_slug": agency.slug, "request_id": request.pk}) in page


def _api_can_send(user, agency, request) -> bool:
    body = (
        token_client(user)
        .get(reverse("api_approval_detail", kwargs={"agency_slug": agency.slug, "request_id": request.pk}))
        .json()
    )
    return body["can_send"]


def _service_sends(actor, request) -> bool:
    """Whether the service accepts a send now (run in a savepoint that is rolled back)."""
    from django.db import transaction

    with scope(agency=actor.agency_id):
        try:
            with transaction.atomic():
                approval_services.approval_request_send(
                    actor=actor, request=request, accept_change_request=True
                )
                raise _RolledBack
        except _RolledBack:
            return True
        except ValidationError:
            return False


class _RolledBack(Exception):
    pass


def _answers(team, request, who: str, http) -> tuple[bool, bool, bool]:
    membership = team[who]
    return (
        _page_offers_send(http, team["agency"], request),
        _api_can_send(membership.user, team["agency"], request),
        _service_sends(membership, request),
    )


def _status(team, request) -> str:
    with scope(agency=team["agency"].pk):
        return ApprovalRequest.objects.get(pk=request.pk).status


def test_page_api_and_service_agree_on_sending_in_every_state(team, as_coordinator, as_member):
    agency, coordinator = team["agency"], team["coordinator"]
    project = factories.project_create(actor=coordinator, client=team["clients"][0])
    signoff = factories.approval_create(
        actor=coordinator, project=project, send=False, title="Hero banner", internal_approver=team["owner"]
    )
    plain = factories.approval_create(actor=coordinator, project=project, send=False, title="Landing copy")

    # A draft with an unsent version: the coordinator may send it, a member may not.
    assert _status(team, plain) == ApprovalStatus.DRAFT
    assert _answers(team, plain, "coordinator", as_coordinator) == (True, True, True)
    member = team["members"][0]
    assert (
        _page_offers_send(as_member, agency, plain),
        _api_can_send(member.user, agency, plain),
    ) == (False, False)

    # Awaiting internal sign-off: the sign-off sends it, not a second Send (the API used to say yes here).
    with scope(agency=agency.pk):
        approval_services.approval_request_send(actor=coordinator, request=signoff)
    assert _status(team, signoff) == ApprovalStatus.AWAITING_INTERNAL
    assert _answers(team, signoff, "coordinator", as_coordinator) == (False, False, False)

    # Sent to the client, then changes requested: nothing to send until a new version is up.
    with scope(agency=agency.pk):
        approval_services.approval_request_send(actor=coordinator, request=plain)
    assert _answers(team, plain, "coordinator", as_coordinator) == (False, False, False)
    with scope(agency=agency.pk):
        approval_services.approval_decide(
            contact=team["contacts"][0], request=plain, verdict="request_changes", comment="Shorter"
        )
    assert _status(team, plain) == ApprovalStatus.CHANGES_REQUESTED
    assert _answers(team, plain, "coordinator", as_coordinator) == (False, False, False)

    # The new version makes it a draft again: all three say it can go.
    with scope(agency=agency.pk):
        approval_services.version_add(actor=coordinator, request=plain, kind="text", text="Copy v2")
    assert _answers(team, plain, "coordinator", as_coordinator) == (True, True, True)
