"""List pages and endpoints of the brandkit layer answer in a fixed number of queries."""

from __future__ import annotations

import pytest
from django_scopes import scope

from brandkit import services
from tests import factories
from tests.brandkit.brand_data import acme_layer, layer_save
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_versions(team):
    people = [team["coordinator"], team["owner"], team["members"][0]]  # the strategist may edit
    for n in range(12):
        layer_save(
            actor=people[n % 3], client=team["clients"][0], content=acme_layer() | {"tagline": f"Line {n}"}
        )
    return team


def test_the_brand_versions_page_answers_in_a_fixed_number_of_queries(
    many_versions, as_member, django_assert_num_queries
):
    url = f"/{many_versions['agency'].slug}/clients/{many_versions['clients'][0].pk}/brand/versions/"
    as_member.get(url)
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        response = as_member.get(url)
    assert len(response.context["versions"]) == 12


def test_the_brand_versions_endpoint_answers_in_a_fixed_number_of_queries(
    many_versions, django_assert_num_queries
):
    api = factories.token_client(many_versions["coordinator"].user)
    url = f"/api/v1/agencies/{many_versions['agency'].slug}/clients/{many_versions['clients'][0].pk}/brand/versions/"
    with django_assert_num_queries(6):
        response = api.get(url)
    assert len(response.json()["results"]) == 12


def test_a_pieces_versions_endpoint_answers_in_a_fixed_number_of_queries(team, django_assert_num_queries):
    coordinator = team["coordinator"]
    with scope(agency=team["agency"].pk):
        piece = services.content_piece_create(
            actor=coordinator, client=team["clients"][0], title="SMS", channel="sms", body="Hello 0."
        )
        for n in range(1, 10):
            services.content_piece_edit(actor=coordinator, piece=piece, body=f"Hello {n}.")
    api = factories.token_client(coordinator.user)
    # token, membership, brand settings, the piece, its versions, dismissals, transitions
    with django_assert_num_queries(7):
        response = api.get(f"/api/v1/agencies/{team['agency'].slug}/content/{piece.pk}/versions/")
    assert [v["number"] for v in response.json()][:3] == [10, 9, 8]


def test_only_owners_and_coordinators_change_who_sees_brand_layers(team, as_member, as_coordinator):
    url = f"/{team['agency'].slug}/brand-settings/"
    assert as_member.post(url, {"share_with_client_contacts": "on"}).status_code == 403
    as_coordinator.post(url, {"share_with_client_contacts": "on"})
    assert as_coordinator.get(url).context["form"].initial == {
        "members_see_only_their_clients": False,
        "share_with_client_contacts": True,
    }


def test_the_piece_page_answers_in_a_fixed_number_of_queries_however_long_its_history(
    team, as_coordinator, django_assert_num_queries
):
    coordinator = team["coordinator"]
    layer_save(actor=coordinator, client=team["clients"][0], content=acme_layer())
    with scope(agency=team["agency"].pk):
        piece = services.content_piece_create(
            actor=coordinator, client=team["clients"][0], title="Landing", channel="landing_page",
            body="Book a free consultation. Version 0.",
        )  # fmt: skip
        for n in range(1, 8):
            services.content_piece_edit(
                actor=coordinator, piece=piece, body=f"Book a free consultation. Painless visit {n}."
            )
        for record in piece.versions.order_by("-number").first().findings[:2]:
            services.content_finding_dismiss(
                actor=coordinator, piece=piece, key=record["key"], reason="Fine here."
            )
        services.content_piece_transition(actor=coordinator, piece=piece, to_state="internal_review")
    url = f"/{team['agency'].slug}/content/{piece.pk}/"
    as_coordinator.get(url)
    # Versions, dismissals and transitions are prefetched: the count does not grow with the history.
    with django_assert_num_queries(STAFF_PAGE_READS + 6):
        response = as_coordinator.get(url)
    assert len(response.context["versions"]) == 8 and len(response.context["dismissals"]) == 2
