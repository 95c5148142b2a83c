"""The portal home kept under the agency's data version (agencyops/views/portal.py).

Every client's first page is kept whole until something it shows changes: a write to any table its sections
read (however it was made), the day, or a countdown ("due in 3 hours") reaching its next label, which moves
with no write at all. The tests build each situation and check what the contact sees next.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from approvals import services
from approvals.models import ApprovalRequest
from approvals.portal_selectors import countdown, countdown_changes_at
from projects.models import Party, RequiredInput
from tests import factories
from tests.factories import without_csrf
from tests.reads import tables_read, tables_watched

pytestmark = pytest.mark.django_db

# Before the sections: the session, the person, the contact with their agency and client.
PORTAL_PAGE_READS = 3


def _home(agency) -> str:
    return reverse("portal_home", kwargs={"agency_slug": agency.slug})


def test_every_table_the_portal_home_reads_moves_the_agencys_version(team, project, approver, logged_in):
    """What awaits the client, their decisions and change requests, their projects with the inputs they owe,
    the links to shared files and reports: every table behind them has the triggers, or the kept page
    would go on showing what was there before a change."""
    agency = team["agency"]
    factories.approval_create(actor=team["coordinator"], project=project, title="Hero banner")
    decided = factories.approval_create(actor=team["coordinator"], project=project, title="Pricing page")
    with scope(agency=agency.pk):
        services.approval_decide(contact=approver, request=decided, verdict="approve")
        RequiredInput.objects.create(
            agency=agency,
            project=project,
            description="Logo files",
            from_party=Party.CLIENT,
            expected_by=agency.today() + timedelta(days=3),
        )
    http = logged_in(approver.user)
    with CaptureQueriesContext(connection) as captured:
        page = http.get(_home(agency)).content.decode()
    assert "Hero banner" in page and "Pricing page" in page and "Send Logo files" in page
    read = tables_read(captured.captured_queries[PORTAL_PAGE_READS:])
    # Not a vacuous pass: approvals', projects', the brand library's and reporting's reads were all made.
    assert {
        "approvals_approvalrequest",
        "approvals_reviewerdecision",
        "approvals_changerequest",
        "projects_project",
        "projects_requiredinput",
        "projects_task",
        "brandkit_libraryitem",
        "reporting_reportissue",
    } <= read, read
    version_tables = {"agencyops_agencychange", "agencyops_agencychangetally"}
    assert read - version_tables - tables_watched("_agency_change_on_") == set()


def test_the_portal_home_is_kept_until_a_change_and_then_shows_it(
    team, other_team, project, approver, logged_in, django_assert_num_queries
):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project, title="Hero banner")
    http = logged_in(approver.user)
    first = http.get(_home(agency)).content.decode()
    assert "Hero banner" in first

    # Nothing changed in the agency (another agency's writes count for nothing): the first reads, the
    # version, and the sections as they were kept.
    factories.approval_create(
        actor=other_team["coordinator"],
        project=factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0]),
    )
    with django_assert_num_queries(PORTAL_PAGE_READS + 1):
        again = http.get(_home(agency)).content.decode()
    assert without_csrf(again) == without_csrf(first)

    # Changed by hand, outside the app: the next view shows it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE approvals_approvalrequest SET title = 'Hero banner, wide' WHERE id = %s", [request.pk]
        )
    assert "Hero banner, wide" in http.get(_home(agency)).content.decode()
    # A decision (its own table), made through the app.
    with scope(agency=agency.pk):
        services.approval_decide(
            contact=approver, request=ApprovalRequest.objects.get(pk=request.pk), verdict="approve"
        )
    after = http.get(_home(agency)).content.decode()
    assert "Nothing awaits your approval" in after
    assert "Hero banner, wide" in after.split("Your decisions")[1]


def test_another_contact_of_the_same_client_gets_their_own_page(team, project, approver, logged_in):
    """Kept per contact: the final approver and a reviewer read the same request differently."""
    reviewer = factories.contact_create(
        actor=team["owner"], client=approver.client, full_name="Rita Reviewer"
    )
    factories.approval_create(actor=team["coordinator"], project=project, title="Hero banner")
    assert (
        "You are the final approver" in logged_in(approver.user).get(_home(team["agency"])).content.decode()
    )
    page = logged_in(reviewer.user).get(_home(team["agency"])).content.decode()
    assert "You are a reviewer" in page and "You are the final approver" not in page


def test_a_countdown_reaching_its_next_label_shows_with_no_write(team, project, approver, logged_in):
    agency = team["agency"]
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        request = factories.approval_create(actor=team["coordinator"], project=project, title="Hero banner")
        with scope(agency=agency.pk):
            ApprovalRequest.objects.filter(pk=request.pk).update(
                due_at=start + timedelta(hours=5, minutes=10)
            )
        http = logged_in(approver.user)
        assert "Due in 5 hours" in http.get(_home(agency)).content.decode()
    # Forty-one minutes on (4 h 29 min left), with nothing written: the kept page would still say five hours.
    with time_machine.travel(start + timedelta(minutes=41), tick=False):
        page = http.get(_home(agency)).content.decode()
    assert "Due in 4 hours" in page and "Due in 5 hours" not in page
    # Past the due moment: overdue, again with no write.
    with time_machine.travel(start + timedelta(hours=5, minutes=12), tick=False):
        page = http.get(_home(agency)).content.decode()
    assert "Overdue by 2 minutes" in page


@pytest.mark.parametrize("seed", range(4))
def test_the_countdown_holds_its_label_until_the_moment_it_names(seed):
    """Anywhere between now and ``countdown_changes_at`` the label reads as it does now, and just after that
    moment it has changed (or, on a half-unit, may change at once): the kept page is never stale, nor kept
    for less than it could be by more than a rounding's width."""
    rng = random.Random(seed)
    due = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    for _ in range(2000):
        offset = rng.choice(
            [rng.uniform(-4 * 86400, 4 * 86400), rng.uniform(-7200, 7200), rng.randint(-9000, 9000)]
        )
        now = due - timedelta(seconds=offset)
        changes = countdown_changes_at(due, now)
        assert changes >= now
        label = countdown(due, now)
        for fraction in (0.0, 0.25, 0.5, 0.75, 0.999):
            moment = now + (changes - now) * fraction
            if moment < changes:
                assert countdown(due, moment) == label, (offset, fraction)
        # Not kept for nothing: a moment past it reads differently, unless the label only moved in name (the
        # minute count floors at "1 minute" either side of the due moment) or now sits on a half-unit, where
        # rounding tips either way and nothing is kept.
        later = countdown(due, changes + timedelta(seconds=1))
        if later == label:
            assert "1 minute" in label or changes == now, (offset, label)
