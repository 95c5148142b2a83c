"""The agency's data version (agencyops/data_version.py) and the owner's home view kept under it.

The home view's sections are kept under the version, so everything they read must move it: the tests build
the situations (a write of each kind, made through the app or by hand, a transaction that commits last, an
approval that turns late with no write) and check what the next view shows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from agencyops.data_version import agency_changes_fold, agency_data_version
from agencyops.models import AgencyChange, AgencyChangeTally
from approvals.models import ApprovalRequest
from projects.calendars import agency_calendar, agency_today
from projects.models import Escalation, Task, TaskStatus
from tests import factories
from tests.connections import separate_connection
from tests.factories import without_csrf
from tests.reads import STAFF_PAGE_READS, tables_read, tables_watched

pytestmark = pytest.mark.django_db

# The version's own tables: read by the page, written only by the triggers.
VERSION_TABLES = {"agencyops_agencychange", "agencyops_agencychangetally"}


def _home(agency) -> str:
    return reverse("home", kwargs={"agency_slug": agency.slug})


def _version(agency) -> str:
    return agency_data_version(agency.pk)


def _late_approval(team, project):
    """An approval an hour late, on a milestone due yesterday: the home view projects it onto the plan."""
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        ApprovalRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - timedelta(hours=1))
        due = agency_calendar(team["agency"]).add_business_days(agency_today(team["agency"]), -1)
        Task.objects.filter(pk=request.task_id).update(start_date=due, due_date=due)
    return request


def test_every_table_the_home_sections_read_moves_the_agencys_version(team, as_owner):
    """Whatever the sections read (each app's statements, and the plan a late approval is projected onto)
    has the triggers: a table read and not watched would leave the kept sections stale after a change."""
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], launch_in_days=20, accept_start_in_past=True
    )
    _late_approval(team, project)
    factories.escalation_create(project=project)
    with CaptureQueriesContext(connection) as captured:
        page = as_owner.get(_home(team["agency"])).content.decode()
    assert "Late approval" in page and "The brand photos were due Monday." in page
    read = tables_read(captured.captured_queries[STAFF_PAGE_READS:])
    # Not a vacuous pass: the task placing, approvals' statements, the late approval's plan and reporting's
    # alerts were all read.
    assert {
        "projects_task",
        "projects_taskdependency",
        "projects_agencyclosure",
        "approvals_approvalrequest",
        "reporting_alert",
        "agencyops_user",
    } <= read, read
    assert read - VERSION_TABLES - tables_watched("_agency_change_on_") == set()


def test_each_kind_of_write_moves_its_own_agencys_version_and_no_other(team, other_team):
    agency, other = team["agency"], other_team["agency"]
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=agency.pk):
        task = Task.objects.filter(project=project).order_by("pk").first()

    def moved(write) -> tuple[bool, bool]:
        mine, theirs = _version(agency), _version(other)
        write()
        return _version(agency) != mine, _version(other) != theirs

    def sql(statement: str, params: list) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    # A row updated by hand, outside the app: the version moves all the same.
    assert moved(lambda: sql("UPDATE projects_task SET title = 'Renamed' WHERE id = %s", [task.pk])) == (
        True,
        False,
    )
    # Rows inserted and deleted through the app.
    assert moved(lambda: factories.client_create(actor=team["owner"], name="Cedar Clinic")) == (True, False)
    with scope(agency=agency.pk):
        escalation = Escalation.objects.create(
            agency=agency, project=project, rule="r", fingerprint="r:1", severity="low", section="blocked",
            message="m",
        )  # fmt: skip
        assert moved(escalation.delete) == (True, False)
    # The agency's own row (its working week, its name).
    assert moved(lambda: sql("UPDATE agencyops_agency SET name = 'North' WHERE id = %s", [agency.pk])) == (
        True,
        False,
    )
    # A person's name shows in every agency they work in, and only there.
    owner_user = team["owner"].user_id
    assert moved(lambda: sql("UPDATE agencyops_user SET full_name = 'Ola' WHERE id = %s", [owner_user])) == (
        True,
        False,
    )
    # A statement that changes no row, and a write to a table no agency-wide page reads, move nothing.
    assert moved(lambda: sql("UPDATE projects_task SET title = 'x' WHERE id = %s", [-1])) == (False, False)
    assert moved(lambda: sql("UPDATE django_session SET expire_date = expire_date", [])) == (False, False)


def test_folding_keeps_every_version_and_the_next_write_still_moves_it(team, other_team):
    agency = team["agency"]
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    before = {a.pk: _version(a) for a in (agency, other_team["agency"])}
    assert AgencyChange.objects.filter(agency_id=agency.pk).exists()

    assert agency_changes_fold() >= 1

    assert not AgencyChange.objects.filter(agency_id__in=before).exists()
    assert AgencyChangeTally.objects.filter(agency_id__in=before).count() == 2
    assert {a.pk: _version(a) for a in (agency, other_team["agency"])} == before
    with scope(agency=agency.pk):
        Task.objects.filter(project=project).update(status=TaskStatus.BLOCKED)
    assert _version(agency) != before[agency.pk]
    # Folding twice in a row changes nothing either.
    moved_to = _version(agency)
    agency_changes_fold()
    agency_changes_fold()
    assert _version(agency) == moved_to


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_commits_after_a_later_one_still_moves_the_version():
    """The first to write is the last to commit: a version taken from the latest transaction alone would
    already have moved past it, and the kept page would never show its change."""
    owner = factories.agency_create(name="Late Commits")
    agency = owner.agency
    client = factories.client_create(actor=owner, name="Acme")
    with separate_connection() as first, separate_connection() as second:
        first.execute("UPDATE agencyops_client SET name = 'First' WHERE id = %s", [client.pk])
        second.execute("UPDATE agencyops_agency SET name = 'Second' WHERE id = %s", [agency.pk])
        second.commit()
        after_second = _version(agency)
        first.commit()
        assert _version(agency) != after_second


def test_the_home_view_is_kept_until_a_change_and_then_shows_it(
    team, other_team, as_owner, django_assert_num_queries
):
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], launch_in_days=20, accept_start_in_past=True
    )
    with scope(agency=team["agency"].pk):
        task = Task.objects.filter(project=project).order_by("pk").first()
        Task.objects.filter(pk=task.pk).update(status=TaskStatus.BLOCKED, blocked_reason="Waiting for fonts")
    first = as_owner.get(_home(team["agency"])).content.decode()
    assert "Waiting for fonts" in first

    # Nothing changed in the agency (another agency's writes count for nothing): the first reads, the
    # version, and the sections as they were kept.
    factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0])
    with django_assert_num_queries(STAFF_PAGE_READS + 1):
        again = as_owner.get(_home(team["agency"])).content.decode()
    assert without_csrf(again) == without_csrf(first)

    # Changed by hand, outside the app: the next view shows it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE projects_task SET blocked_reason = 'Fonts arrived late' WHERE id = %s", [task.pk]
        )
    changed = as_owner.get(_home(team["agency"])).content.decode()
    assert "Fonts arrived late" in changed and "Waiting for fonts" not in changed

    # A person's new name, in the agency they work in.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agencyops_user SET full_name = 'Dana Decider' WHERE id = %s", [team["owner"].user_id]
        )
    with scope(agency=team["agency"].pk):
        Task.objects.filter(pk=task.pk).update(assignee=team["owner"])
    assert "Dana Decider" in as_owner.get(_home(team["agency"])).content.decode()


def test_an_approval_turns_late_on_the_home_view_with_no_write(team, as_owner, django_assert_num_queries):
    """An approval awaiting the client turns late at its due moment: nothing is written then, so the kept
    sections last only until that moment."""
    morning = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in London
    with time_machine.travel(morning, tick=False):
        project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
        request = factories.approval_create(actor=team["coordinator"], project=project, title="Hero banner")
        with scope(agency=team["agency"].pk):
            ApprovalRequest.objects.filter(pk=request.pk).update(due_at=morning + timedelta(hours=3))
        cache.clear()
        page = as_owner.get(_home(team["agency"])).content.decode()
    assert "Client decision on “Hero banner”" in page and "Late approval" not in page

    with time_machine.travel(morning + timedelta(hours=2), tick=False):
        with django_assert_num_queries(STAFF_PAGE_READS + 1):
            still = as_owner.get(_home(team["agency"])).content.decode()
    assert "Late approval" not in still

    with time_machine.travel(morning + timedelta(hours=3, minutes=1), tick=False):
        late = as_owner.get(_home(team["agency"])).content.decode()
    assert "Late approval" in late


@pytest.mark.parametrize(
    "filters",
    [{}, {"at_risk": True}, {"on_track": True}, {"client_id": 1, "status": "active"}, {"offset": 500}],
    ids=["all", "at risk", "on track", "client and status", "past the end"],
)
def test_every_table_the_projects_lists_read_moves_the_agencys_version(team, filters):
    """The projects page and the projects API read one kept selector: whatever it reads has the triggers."""
    from projects.selectors import _project_rows_page_read

    factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    arguments = {
        "client_id": None,
        "coordinator_id": None,
        "status": "",
        "at_risk": False,
        "on_track": False,
        "offset": 0,
        "limit": 50,
        **filters,
    }
    with CaptureQueriesContext(connection) as captured:
        _project_rows_page_read(team["agency"], today=agency_today(team["agency"]), **arguments)
    read = tables_read(captured.captured_queries)
    assert {"projects_project", "projects_task", "projects_escalation", "agencyops_client"} <= read, read
    assert read - tables_watched("_agency_change_on_") == set()


@pytest.mark.parametrize(
    "query",
    [{}, {"client": "{client}", "status": "active"}, {"at_risk": "true"}, {"page": "9"}],
    ids=["all", "client and status", "at risk", "past the end"],
)
def test_every_table_the_projects_page_body_reads_moves_the_agencys_version(team, as_owner, query):
    """The projects page keeps its whole body (the filters' choices, the table, the pager) under the
    agency's version: whatever a first view reads after the first reads has the triggers."""
    factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    asked = {name: value.format(client=team["clients"][1].pk) for name, value in query.items()}
    page_url = reverse("project_list", kwargs={"agency_slug": team["agency"].slug})
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        page = as_owner.get(page_url, asked).content.decode()
    assert 'id="project-table"' in page
    read = tables_read(captured.captured_queries[STAFF_PAGE_READS:])
    assert {"projects_project", "agencyops_client", "agencyops_membership"} <= read, read
    assert read - tables_watched("_agency_change_on_") - VERSION_TABLES == set()


def test_the_projects_page_shows_a_renamed_client_and_coordinator_in_its_filters(team, as_owner):
    """The filters' choices are kept with the body: a client or a coordinator renamed by hand shows in
    them on the next view, and the htmx table (kept apart) shows the client's new name too."""
    factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Spring site")
    page_url = reverse("project_list", kwargs={"agency_slug": team["agency"].slug})
    as_owner.get(page_url)
    as_owner.get(page_url, HTTP_HX_REQUEST="true")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agencyops_client SET name = 'Acme Dental Group' WHERE id = %s", [team["clients"][0].pk]
        )
        cursor.execute(
            "UPDATE agencyops_user SET full_name = 'Priya Raman-Cole' WHERE id = %s",
            [team["coordinator"].user_id],
        )
    page = as_owner.get(page_url).content.decode()
    filters = page[page.index('class="filters"') : page.index('id="project-table"')]
    assert "Acme Dental Group" in filters and "Priya Raman-Cole" in filters
    table = as_owner.get(page_url, HTTP_HX_REQUEST="true").content.decode()
    assert '<div id="project-table">' in table and "<html" not in table
    assert "Acme Dental Group" in table and "Spring site" in table


def test_the_projects_page_and_api_show_a_change_made_by_hand_on_the_next_read(team, as_owner):
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Spring site"
    )
    api = factories.token_client(team["owner"].user)
    page_url = reverse("project_list", kwargs={"agency_slug": team["agency"].slug})
    api_url = reverse("api_project_list", kwargs={"agency_slug": team["agency"].slug})

    def names() -> tuple[str, list[str]]:
        return (
            as_owner.get(page_url).content.decode(),
            [row["name"] for row in api.get(api_url).json()["results"]],
        )

    page, listed = names()
    assert "Spring site" in page and listed == ["Spring site"]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE projects_project SET name = 'Summer site' WHERE id = %s", [project.pk])
    page, listed = names()
    assert "Summer site" in page and "Spring site" not in page and listed == ["Summer site"]
    # A risk the scan found, stored by hand: both lists count it at once.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO projects_escalation (agency_id, project_id, rule, fingerprint, severity, section, message,
                                             state, facts, first_seen_at, last_seen_at)
            VALUES (%s, %s, 'r', 'r:1', 'high', 'blocked', 'Stuck', 'open', '{}', now(), now())
            """,
            [team["agency"].pk, project.pk],
        )
    assert api.get(api_url).json()["results"][0]["open_risks"] == 1


def test_two_agencies_with_the_same_version_never_share_a_kept_page(team, other_team, as_owner):
    """Written in one transaction, as many times in each, two agencies' versions read the same: what is
    kept is kept per agency all the same."""
    from projects.selectors import project_rows_page

    ours = factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Ours")
    theirs = factories.project_create(
        actor=other_team["coordinator"], client=other_team["clients"][0], name="Theirs"
    )
    # Everything here is one transaction, so both versions name it: touch the agency with fewer changes
    # until the counts match too, which is the case this test is about.
    agencies = (team["agency"], other_team["agency"])
    for _ in range(100):
        counts = [int(_version(agency).split(".")[0]) for agency in agencies]
        if counts[0] == counts[1]:
            break
        behind = agencies[0] if counts[0] < counts[1] else agencies[1]
        with connection.cursor() as cursor:
            cursor.execute("UPDATE agencyops_agency SET name = name WHERE id = %s", [behind.pk])
    assert _version(team["agency"]) == _version(other_team["agency"])
    today = agency_today(team["agency"])
    with scope(agency=team["agency"].pk):
        assert [
            row.id for row in project_rows_page(team["agency"], today=today, offset=0, limit=50).rows
        ] == [ours.pk]
    with scope(agency=other_team["agency"].pk):
        assert [
            row.id for row in project_rows_page(other_team["agency"], today=today, offset=0, limit=50).rows
        ] == [theirs.pk]
