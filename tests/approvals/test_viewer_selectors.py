"""One read of approval requests for both sides: the team and a client contact read through the same
selectors (approvals.selectors) with a Viewer, and the client's view drops what a client must not see."""

from __future__ import annotations

import pytest
from django_scopes import scope

from approvals import services
from approvals.models import ApprovalStatus
from approvals.portal_selectors import portal_status_label
from approvals.selectors import (
    PortalStatus,
    Viewer,
    approval_detail_for,
    approval_requests_for,
    comments_for,
    portal_status,
    round_label,
    versions_for,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def revised(team, project):
    """A sent request with a client comment and an internal one on v1, and a v2 not sent yet."""
    request = factories.approval_create(actor=team["coordinator"], project=project, title="Homepage")
    with scope(agency=team["agency"].pk):
        v1 = request.versions.get()
        services.comment_add(
            author=team["contacts"][0].user,
            contact=team["contacts"][0],
            request=request,
            version=v1,
            body="Bigger logo please",
        )
        services.comment_add(
            author=team["coordinator"].user,
            membership=team["coordinator"],
            request=request,
            version=v1,
            body="Our margin on this is thin",
            is_internal=True,
        )
        services.version_add(actor=team["coordinator"], request=request, kind="text", text="v2 copy")
    return request


def test_a_client_sees_only_sent_versions_and_comments_that_are_not_internal(team, revised):
    staff, client = Viewer.staff(team["coordinator"]), Viewer.client(team["contacts"][0])
    with scope(agency=team["agency"].pk):
        staff_versions = [v.number for v in versions_for(staff, revised)]
        client_versions = [v.number for v in versions_for(client, revised)]
        staff_comments = [c.body for c in comments_for(staff, revised)]
        client_comments = [c.body for c in comments_for(client, revised)]

    assert staff_versions == [1, 2] and client_versions == [1]
    assert staff_comments == ["Bigger logo please", "Our margin on this is thin"]
    assert client_comments == ["Bigger logo please"]


def test_the_client_detail_leaves_out_the_send_check_and_change_requests(team, revised):
    with scope(agency=team["agency"].pk):
        for_client = approval_detail_for(Viewer.client(team["contacts"][0]), revised)
        client_fields = set(vars(for_client))
        for_staff = approval_detail_for(Viewer.staff(team["coordinator"]), revised)

    assert not {"send_check", "can_send", "change_request_list"} & client_fields
    assert for_staff.latest_number == 2 and for_staff.send_check is not None


def test_a_client_lists_only_their_clients_sent_requests_with_the_latest_sent_version(team, project, revised):
    factories.approval_create(actor=team["coordinator"], project=project, title="Never sent", send=False)
    bakery = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    factories.approval_create(actor=team["coordinator"], project=bakery, title="Bakery's")
    with scope(agency=team["agency"].pk):
        client_rows = {
            r.title: r.latest_number for r in approval_requests_for(Viewer.client(team["contacts"][0]))
        }
        staff_rows = {r.title: r.latest_number for r in approval_requests_for(Viewer.staff())}

    assert client_rows == {"Homepage": 1}
    assert staff_rows == {"Homepage": 2, "Never sent": 1, "Bakery's": 1}


def test_a_client_filters_by_the_status_they_are_shown(team, project, revised):
    with scope(agency=team["agency"].pk):
        status = revised.__class__.objects.get(pk=revised.pk).status
        shown = portal_status(status)
        matching = approval_requests_for(Viewer.client(team["contacts"][0]), status=shown.value)
        other = next(s for s in PortalStatus.values if s != shown.value)
        not_matching = approval_requests_for(Viewer.client(team["contacts"][0]), status=other)

        assert [r.pk for r in matching] == [revised.pk] and list(not_matching) == []


def test_the_agencys_own_steps_read_the_same_to_a_client_on_every_surface():
    # One map: the portal page's words are the label of the status the portal API sends.
    for status in (ApprovalStatus.DRAFT, ApprovalStatus.AWAITING_INTERNAL):
        assert portal_status(status) == PortalStatus.IN_REVISION
        assert portal_status_label(status) == "Next version in preparation"
    assert portal_status(ApprovalStatus.AWAITING_CLIENT).value == "awaiting_decision"
    assert portal_status_label(ApprovalStatus.AWAITING_CLIENT) == "Awaiting a decision"


def test_the_round_label_is_one_rule_a_client_reads_with_the_version_spelt_out(team):
    client = Viewer.client(team["contacts"][0])

    assert round_label(3, 2) == "v3 · revision round 2 of 2 included"
    assert round_label(3, 2, client) == "Version 3 · revision round 2 of 2 included"
    assert round_label(1, 2, client) == "Version 1 · first round"
