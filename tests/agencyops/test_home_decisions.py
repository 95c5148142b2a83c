"""The home view's Needs decision and Blocked sections also show approvals, change requests and risks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from approvals import services as approval_services
from approvals.models import ApprovalRequest
from projects.calendars import agency_calendar, agency_today
from projects.models import Escalation, Task
from tests import factories
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


def _home(agency):
    return reverse("home", kwargs={"agency_slug": agency.slug})


def _late_approval(team, project, *, milestone_days_ago: int):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        ApprovalRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - timedelta(hours=5))
        calendar = agency_calendar(team["agency"])
        due = calendar.add_business_days(agency_today(team["agency"]), -milestone_days_ago)
        Task.objects.filter(pk=request.task_id).update(start_date=due, due_date=due)
    return request


def test_a_late_approval_shows_who_must_decide_and_how_far_the_launch_moves(team, as_owner):
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], launch_in_days=20, accept_start_in_past=True
    )
    _late_approval(team, project, milestone_days_ago=1)
    page = as_owner.get(_home(team["agency"])).content.decode()
    assert "Late approval" in page and "Client decision on “Landing page copy” (version 1)" in page
    assert team["contacts"][0].full_name in page
    assert "Launch moves from" in page or "Launch stays on" in page


def test_an_approval_in_its_second_round_says_which_version_the_client_decides_on(team, as_owner):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        approval_services.approval_decide(
            contact=team["contacts"][0], request=request, verdict="request_changes", comment="Shorter"
        )
        approval_services.version_add(actor=team["coordinator"], request=request, kind="text", text="Copy v2")
        approval_services.approval_request_send(actor=team["coordinator"], request=request)
    page = as_owner.get(_home(team["agency"])).content.decode()
    assert "Client decision on “Landing page copy” (version 2)" in page
    assert "(version 1)" not in page


def test_internal_sign_offs_change_requests_and_risks_appear_where_they_belong(team, as_owner):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    request = factories.approval_create(
        actor=team["coordinator"],
        project=project,
        send=False,
        title="Hero banner",
        internal_approver=team["owner"],
    )
    with scope(agency=team["agency"].pk):
        approval_services.approval_request_send(actor=team["coordinator"], request=request)
        approval_services.change_request_create(
            project=project, description="Add a Spanish version", requester=team["coordinator"]
        )
        factories.escalation_create(project=project)
        Escalation.objects.create(
            agency=team["agency"],
            project=project,
            rule="owner_unclear",
            fingerprint="owner_unclear:task:1",
            severity="medium",
            section="needs_decision",
            message="Nobody owns “Build landing page”.",
        )
    page = as_owner.get(_home(team["agency"])).content.decode()
    blocked = page[page.index('id="blocked-h"') : page.index('id="decision-h"')]
    decisions = page[page.index('id="decision-h"') :]
    assert "The brand photos were due Monday." in blocked
    assert "Nobody owns “Build landing page”." in decisions
    assert "Sign off “Hero banner” before it goes to the client" in decisions
    assert "Change request: Add a Spanish version" in decisions


@pytest.mark.parametrize("projects", [1, 6])
def test_approvals_and_risks_do_not_add_queries_as_they_grow(
    team, as_owner, projects, django_assert_num_queries
):
    for n in range(projects):
        project = factories.project_create(
            actor=team["coordinator"],
            client=team["clients"][n % 2],
            launch_in_days=20 + n,
            accept_start_in_past=True,
        )
        _late_approval(team, project, milestone_days_ago=1)
        with scope(agency=team["agency"].pk):
            Escalation.objects.create(
                agency=team["agency"],
                project=project,
                rule="owner_unclear",
                fingerprint=f"owner_unclear:task:{n}",
                severity="medium",
                section="needs_decision",
                message=f"Nobody owns task {n}.",
            )
    # The home view's (test_home.py: with the agency's data version), plus projecting the late approvals
    # onto their plans: tasks, links, closures.
    with django_assert_num_queries(STAFF_PAGE_READS + 3 + 3):
        page = as_owner.get(_home(team["agency"])).content.decode()
    assert page.count("Late approval") == projects


def test_approvals_decisions_are_the_same_read_with_the_home_view_or_on_their_own(team):
    """Approvals hand their two statements to the home view (one round trip for the page); called on their
    own they read them themselves. Both give the same items."""
    from agencyops import sections as registry
    from agencyops.planned_sql import planned_reads
    from projects.home_sections import HOME_DECISIONS, short_date

    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], launch_in_days=20, accept_start_in_past=True
    )
    _late_approval(team, project, milestone_days_ago=1)
    factories.approval_create(actor=team["coordinator"], project=project, title="Hero banner")
    agency = team["agency"]
    kwargs = {
        "agency": agency,
        "membership": team["coordinator"],
        "today": agency_today(agency),
        "short_date": short_date,
    }
    with scope(agency=agency.pk):
        pending = registry.contributions_reads(HOME_DECISIONS, **kwargs)
        together = pending.collect(planned_reads(list(pending.statements)))
        alone = registry.contributions_collect(HOME_DECISIONS, **kwargs)
    assert len(pending.statements) == 2
    assert [item.question for _key, item in together] == [item.question for _key, item in alone]
    assert together == alone
    assert any("Late approval" == item.badge for _key, item in together)
