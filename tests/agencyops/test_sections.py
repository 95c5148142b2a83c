"""Pages composed from what the apps register (agencyops/sections.py)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from agencyops import sections as registry
from tests import factories

pytestmark = pytest.mark.django_db


def _client_page(team, client):
    return reverse("client_detail", kwargs={"agency_slug": team["agency"].slug, "client_id": client.pk})


def test_an_apps_section_appears_on_the_client_page_only_while_it_is_registered(team, as_coordinator):
    client = team["clients"][0]
    project = factories.project_create(actor=team["coordinator"], client=client, name="Smile campaign")
    factories.approval_create(actor=team["coordinator"], project=project, title="Hero copy")

    with registry.sections_without(registry.CLIENT, "approvals"):
        without = as_coordinator.get(_client_page(team, client)).content.decode()
    registered = as_coordinator.get(_client_page(team, client)).content.decode()

    # (The activity section further down tells the request's history; the approvals section is what goes.)
    without = without[: without.index('id="activity-h"')]
    assert "Hero copy" not in without and 'id="approvals-h"' not in without
    # The other app's section is still there: the page renders whatever is registered.
    assert "Smile campaign" in without
    assert "Hero copy" in registered and 'id="approvals-h"' in registered


def test_an_apps_section_appears_on_the_home_view_only_while_it_is_registered(team, as_owner):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    factories.escalation_create(project=project)
    home = reverse("home", kwargs={"agency_slug": team["agency"].slug})

    with registry.sections_without(registry.HOME, "risks"):
        without = as_owner.get(home).content.decode()
    registered = as_owner.get(home).content.decode()

    assert "The brand photos were due Monday." not in without and 'id="blocked-h"' in without
    assert "The brand photos were due Monday." in registered


def test_the_portal_home_renders_the_sections_approvals_register(team, as_contact):
    home = reverse("portal_home", kwargs={"agency_slug": team["agency"].slug})

    with registry.sections_without(registry.PORTAL_HOME, "decisions"):
        without = as_contact.get(home).content.decode()
    registered = as_contact.get(home).content.decode()

    assert "Your decisions" not in without and "Awaiting your approval" in without
    assert "Your decisions" in registered


def test_sections_render_in_order_and_only_for_viewers_their_permission_allows(team):
    page = "test-page"
    loaded = []

    def selector(name):
        def load(context):
            loaded.append(name)
            return name

        return load

    registry.section_register(
        registry.Section(page=page, key="late", order=20, template="", selector=selector("late"))
    )
    registry.section_register(
        registry.Section(page=page, key="early", order=10, template="", selector=selector("early"))
    )
    registry.section_register(
        registry.Section(
            page=page,
            key="owners",
            order=15,
            template="",
            selector=selector("owners"),
            permission=lambda membership: membership.role == "owner",
        )
    )
    try:
        request = RequestFactory().get("/")
        as_member = registry.SectionContext(request=request, agency=team["agency"], viewer=team["members"][0])
        as_owner = registry.SectionContext(request=request, agency=team["agency"], viewer=team["owner"])

        assert [s.data for s in registry.sections_render(page, as_member)] == ["early", "late"]
        assert [s.data for s in registry.sections_render(page, as_owner)] == ["early", "owners", "late"]
        # A section the viewer may not see is never loaded.
        assert loaded.count("owners") == 1
    finally:
        for key in ("late", "early", "owners"):
            registry.section_unregister(page, key)


def test_a_contribution_joins_the_list_it_targets_in_its_order(team):
    registry.contribution_register(
        registry.Contribution(target="test-list", key="b", order=20, load=lambda **kw: [((1,), "b")])
    )
    registry.contribution_register(
        registry.Contribution(target="test-list", key="a", order=10, load=lambda **kw: [((2,), "a")])
    )
    try:
        assert registry.contributions_collect("test-list") == [((2,), "a"), ((1,), "b")]
    finally:
        registry.contribution_unregister("test-list", "a")
        registry.contribution_unregister("test-list", "b")


def test_contributions_hand_their_statements_to_the_owner_and_get_back_their_own_rows(
    team, django_assert_num_queries
):
    """A contribution that names its reads gets their rows from the owner, which sends every contribution's
    statements with its own in one round trip; one that names none reads for itself."""
    from agencyops.planned_sql import planned_reads

    agency = team["agency"]
    seen: dict[str, object] = {}

    def numbers_reads(*, agency, **_):
        return [("SELECT %(a)s::int + 1", {"a": agency.pk}), ("SELECT 'two'", {})]

    def numbers_load(*, rows, **_):
        seen["numbers"] = rows
        return [((1,), rows[0][0][0]), ((2,), rows[1][0][0])]

    def names_reads(*, agency, **_):
        return [("SELECT %s::text", [agency.slug])]

    def names_load(*, rows, **_):
        seen["names"] = rows
        return [((3,), rows[0][0][0])]

    def plain_load(*, agency, **_):
        return [((0,), f"plain {agency.slug}")]

    for contribution in (
        registry.Contribution(
            target="test-reads", key="numbers", order=10, load=numbers_load, reads=numbers_reads
        ),
        registry.Contribution(target="test-reads", key="plain", order=15, load=plain_load),
        registry.Contribution(target="test-reads", key="names", order=20, load=names_load, reads=names_reads),
    ):
        registry.contribution_register(contribution)
    try:
        pending = registry.contributions_reads("test-reads", agency=agency)
        assert len(pending.statements) == 3
        with django_assert_num_queries(1):
            owner_rows, *contributed = planned_reads([("SELECT 'owner'", {}), *pending.statements])
        assert owner_rows == [("owner",)]
        pairs = pending.collect(contributed)
        assert pairs == [
            ((1,), agency.pk + 1),
            ((2,), "two"),
            ((0,), f"plain {agency.slug}"),
            ((3,), agency.slug),
        ]
        assert seen == {"numbers": [[(agency.pk + 1,)], [("two",)]], "names": [[(agency.slug,)]]}
        with pytest.raises(ValueError, match="3 statements were read, 2 results given"):
            pending.collect(contributed[:2])
    finally:
        for key in ("numbers", "plain", "names"):
            registry.contribution_unregister("test-reads", key)
