"""The project page's approvals section, kept inside the page's cached body under the page's version.

Every row the section shows must move the version (migration approvals/0006), through the app or by
hand; a change to another project's approvals must not.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from approvals import services
from projects import extensions
from projects.calendars import agency_today
from projects.page_versions import project_page_version
from projects.selectors import project_page_reads
from tests import factories
from tests.reads import STAFF_PAGE_READS, tables_read, tables_watched

pytestmark = pytest.mark.django_db

# The version's own tables: read by the page, written only by the triggers.
VERSION_TABLES = {"projects_projectchange", "projects_projectchangetally"}


def _page_url(project) -> str:
    return reverse("project_detail", kwargs={"agency_slug": project.agency.slug, "project_id": project.pk})


def _section(page: str) -> str:
    start = page.index('id="approvals"')
    return page[start : page.index("</section>", start)]


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _version(project) -> str:
    return project_page_version(agency_id=project.agency_id, project_id=project.pk).version


def test_every_table_the_approvals_section_reads_moves_the_page_version(team, project, approver):
    """A table the section reads and no trigger watches would leave the kept page stale after a change."""
    request = factories.approval_create(actor=team["coordinator"], project=project, title="Hero copy")
    with scope(agency=request.agency_id):
        services.approval_decide(
            contact=approver, request=request, verdict="request_changes", comment="Not yet"
        )
    agency = team["agency"]
    today = agency_today(agency)
    with CaptureQueriesContext(connection) as captured:
        reads = project_page_reads(agency, project.pk, today)
    [section] = extensions.page_sections_from_rows(agency, project.pk, today, reads.section_rows)
    lines = section.context["lines"]
    assert lines and "Changes requested by" in lines[0].next_action
    read = tables_read(captured.captured_queries)
    assert read >= {"approvals_approvalrequest", "approvals_assetversion", "approvals_reviewerdecision"}
    assert read - tables_watched("_project_change_on_") - VERSION_TABLES == set()


def test_each_change_to_what_the_section_shows_is_on_the_next_view(
    team, project, approver, as_coordinator, django_assert_num_queries
):
    agency = team["agency"]
    first = factories.approval_create(actor=team["coordinator"], project=project, title="Hero copy")
    page_url = _page_url(project)
    as_coordinator.get(page_url)
    with django_assert_num_queries(STAFF_PAGE_READS + 1):
        kept = _section(as_coordinator.get(page_url).content.decode())
    assert "Hero copy" in kept and f"Waiting for {approver.full_name} to decide" in kept

    # A new request, through the app.
    factories.approval_create(actor=team["coordinator"], project=project, title="Launch email")
    assert "Launch email" in _section(as_coordinator.get(page_url).content.decode())

    # The client's decision (a row of its own), through the app.
    with scope(agency=agency.pk):
        services.approval_decide(contact=approver, request=first, verdict="request_changes", comment="Warmer")
    shown = _section(as_coordinator.get(page_url).content.decode())
    assert f"Changes requested by {approver.full_name} — upload version 2" in shown

    # The next version, through the app.
    with scope(agency=agency.pk):
        services.version_add(actor=team["coordinator"], request=first, kind="text", text="Warmer copy")
    shown = _section(as_coordinator.get(page_url).content.decode())
    assert "v2 · revision round 1 of" in shown and "upload version 2" not in shown

    # The approver renamed by hand (the second request waits on them), then a request retitled by hand.
    _sql(
        "UPDATE agencyops_clientcontact SET full_name = %s WHERE id = %s", ["Anna Reyes-Okafor", approver.pk]
    )
    assert "Waiting for Anna Reyes-Okafor to decide" in _section(
        as_coordinator.get(page_url).content.decode()
    )
    _sql("UPDATE approvals_approvalrequest SET title = %s WHERE id = %s", ["Hero copy, warmer", first.pk])
    assert "Hero copy, warmer" in _section(as_coordinator.get(page_url).content.decode())

    # A version's row rewritten by hand moves the version too.
    before = _version(project)
    _sql("UPDATE approvals_assetversion SET number = number WHERE request_id = %s", [first.pk])
    assert _version(project) != before

    # And once nothing changes, the kept body again: the first reads and the version.
    as_coordinator.get(page_url)
    with django_assert_num_queries(STAFF_PAGE_READS + 1):
        again = _section(as_coordinator.get(page_url).content.decode())
    assert "Anna Reyes-Okafor" in again and "Hero copy, warmer" in again and "Launch email" in again
    assert "Waiting for Anna Reyes-Okafor to decide" in again


def test_another_projects_approvals_leave_this_page_kept(team, project, approver):
    """Approvals of a project of the other client, and of another project of the same client, move their
    own pages only; a contact of the other client moves only that client's projects."""
    sibling = factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Summer")
    elsewhere = factories.project_create(actor=team["coordinator"], client=team["clients"][1], name="Clinic")
    versions = {p.pk: _version(p) for p in (project, sibling, elsewhere)}

    request = factories.approval_create(actor=team["coordinator"], project=sibling, title="Summer copy")
    with scope(agency=request.agency_id):
        services.approval_decide(contact=approver, request=request, verdict="approve")
    assert _version(project) == versions[project.pk]
    assert _version(sibling) != versions[sibling.pk]
    assert _version(elsewhere) == versions[elsewhere.pk]

    # A version of the sibling's request, rewritten by hand: found through its request, on its project only.
    versions = {p.pk: _version(p) for p in (project, sibling, elsewhere)}
    _sql("UPDATE approvals_assetversion SET number = number WHERE request_id = %s", [request.pk])
    assert _version(sibling) != versions[sibling.pk]
    assert _version(project) == versions[project.pk] and _version(elsewhere) == versions[elsewhere.pk]

    other_contact = team["contacts"][1]
    assert other_contact.client_id == elsewhere.client_id
    versions = {p.pk: _version(p) for p in (project, sibling, elsewhere)}
    _sql("UPDATE agencyops_clientcontact SET full_name = %s WHERE id = %s", ["Mark Lee", other_contact.pk])
    assert _version(project) == versions[project.pk] and _version(sibling) == versions[sibling.pk]
    assert _version(elsewhere) != versions[elsewhere.pk]
