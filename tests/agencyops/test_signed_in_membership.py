"""A staff page's first read: the session's person, their membership in the page's agency and the agencies
of the switcher come from one statement (agencyops.tenancy.signed_in_membership), and tell the same story as
the separate reads the API and a page whose person is already known make."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from agencyops.middleware import signed_in_user
from agencyops.models import Membership, Role, User
from agencyops.tenancy import AGENCIES_OF_SQL, AgencyChoice, agencies_of, membership_for
from tests import factories
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


def _join(agency_membership: Membership, user, role: str, *, active: bool = True) -> Membership:
    with scope(agency=agency_membership.agency_id):
        return Membership.objects.create(
            agency=agency_membership.agency, user=user, role=role, is_active=active
        )


def _in_three_agencies(team):
    """The owner of Northwind also works at Zephyr (member) and Alder (coordinator), and left Birch."""
    user = team["owner"].user
    zephyr = factories.agency_create(name="Zephyr Works", slug="zephyr")
    alder = factories.agency_create(name="Alder & Co", slug="alder")
    birch = factories.agency_create(name="Birch Studio", slug="birch")
    _join(zephyr, user, Role.MEMBER)
    _join(alder, user, Role.COORDINATOR)
    _join(birch, user, Role.MEMBER, active=False)
    return user


def test_the_page_reads_person_membership_and_switcher_in_one_statement(team, as_owner):
    user = _in_three_agencies(team)
    home = reverse("home", kwargs={"agency_slug": team["agency"].slug})
    as_owner.get(home)

    with CaptureQueriesContext(connection) as captured:
        page = as_owner.get(home)

    assert page.status_code == 200
    request = page.wsgi_request
    assert request.user == user and request.membership.pk == team["owner"].pk
    assert request.membership.agency == team["agency"] and request.membership.user == request.user
    switcher = page.context["my_memberships"]()
    assert switcher == (
        AgencyChoice(request.membership.agencies[0].agency_id, "alder", "Alder & Co", "Coordinator"),
        AgencyChoice(team["agency"].pk, team["agency"].slug, "Northwind Creative", "Owner"),
        AgencyChoice(request.membership.agencies[2].agency_id, "zephyr", "Zephyr Works", "Member"),
    )
    # The same answer as the switcher's own read, which a page whose person was read first falls back to.
    assert switcher == agencies_of(user.pk)
    statements = [" ".join(q["sql"].split()) for q in captured.captured_queries]
    assert not any(" ".join(AGENCIES_OF_SQL.split()) in s for s in statements), statements
    assert sum('FROM "agencyops_user" u' in s for s in statements) == 1, statements
    page_html = page.content.decode()
    assert 'href="/zephyr/">Zephyr Works <small>Member</small>' in page_html
    assert "Birch Studio" not in page_html


def test_the_membership_it_reads_is_the_one_the_api_reads(team, as_owner):
    _in_three_agencies(team)
    page = as_owner.get(reverse("home", kwargs={"agency_slug": team["agency"].slug}))
    read_together = page.wsgi_request.membership
    with scope(agency=team["agency"].pk):
        factories.membership_create(agency=team["agency"])  # someone else: not theirs
    read_alone = membership_for(team["owner"].user, team["agency"].slug)

    assert read_alone.pk == read_together.pk
    assert [getattr(read_alone, f.attname) for f in Membership._meta.concrete_fields] == [
        getattr(read_together, f.attname) for f in Membership._meta.concrete_fields
    ]
    assert read_alone.agency.__dict__.keys() >= {"name", "slug", "time_zone"}
    assert (read_alone.agency.name, read_alone.agency.slug) == (
        read_together.agency.name,
        read_together.agency.slug,
    )
    assert read_alone.unread_notifications == read_together.unread_notifications == 0


def test_signed_in_elsewhere_only_is_a_404_with_the_person_still_known(team, other_team, as_owner):
    page = as_owner.get(reverse("home", kwargs={"agency_slug": other_team["agency"].slug}))

    assert page.status_code == 404
    assert page.wsgi_request.user == team["owner"].user


def test_a_membership_that_ended_opens_nothing_there_but_keeps_the_person_signed_in(team, as_member):
    member = team["members"][0]
    with scope(agency=team["agency"].pk):
        Membership.objects.filter(pk=member.pk).update(is_active=False)

    page = as_member.get(reverse("home", kwargs={"agency_slug": team["agency"].slug}))

    assert page.status_code == 404
    assert page.wsgi_request.user == member.user


def test_the_person_read_with_the_membership_is_the_one_read_alone(team, as_owner):
    page = as_owner.get(reverse("home", kwargs={"agency_slug": team["agency"].slug}))
    together = page.wsgi_request.user
    alone = signed_in_user(page.wsgi_request)

    assert alone.pk == together.pk
    assert [getattr(alone, f.attname) for f in User._meta.concrete_fields] == [
        getattr(together, f.attname) for f in User._meta.concrete_fields
    ]


def test_an_api_call_signed_in_by_its_session_reads_the_person_with_the_membership(
    team, as_owner, django_assert_num_queries
):
    factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Calm site")
    api_url = reverse("api_project_list", kwargs={"agency_slug": team["agency"].slug})
    as_owner.get(api_url)

    # The session; the person with their membership; the page of projects with the filters' total.
    with django_assert_num_queries(STAFF_PAGE_READS + 1):
        response = as_owner.get(api_url)

    assert response.status_code == 200
    assert [p["name"] for p in response.json()["results"]] == ["Calm site"]
    assert response.wsgi_request.user == team["owner"].user


def test_an_api_call_by_session_elsewhere_or_by_nobody_opens_nothing(team, other_team, as_owner):
    elsewhere = as_owner.get(reverse("api_project_list", kwargs={"agency_slug": other_team["agency"].slug}))
    nobody = HttpClient().get(reverse("api_project_list", kwargs={"agency_slug": team["agency"].slug}))

    assert elsewhere.status_code == 404 and elsewhere.json() == {"detail": "Not found."}
    assert nobody.status_code in (401, 403) and "results" not in nobody.json()


def test_a_token_decides_who_calls_even_beside_a_session(team, as_owner):
    """A call carrying a token is the token's person's, whatever session cookie comes with it."""
    member = team["members"][0]
    token = factories.token_client(member.user)._credentials["HTTP_AUTHORIZATION"]

    response = as_owner.get(
        reverse("api_project_list", kwargs={"agency_slug": team["agency"].slug}), HTTP_AUTHORIZATION=token
    )

    assert response.status_code == 200
    assert response.renderer_context["request"].membership.pk == member.pk
