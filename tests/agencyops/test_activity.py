"""The activity timeline: one selector over the history sources the apps register."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from agencyops.activity import activity_kinds, activity_timeline
from approvals import services as approval_services
from projects import services as project_services
from projects.calendars import agency_calendar, agency_today
from projects.escalations import Found, escalation_resolve, escalations_sync
from projects.models import Escalation, Task, TaskStatus
from tests import factories
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


def _activity_url(agency, project) -> str:
    return reverse("project_activity", kwargs={"agency_slug": agency.slug, "project_id": project.pk})


def _history(team, project, *, rounds: int = 1, n: int = 0):
    """Every kind of history row, through the real services."""
    agency, coordinator = team["agency"], team["coordinator"]
    contact = team["contacts"][0] if project.client_id == team["clients"][0].pk else team["contacts"][1]
    with scope(agency=agency.pk):
        copy = Task.objects.get(project=project, key="copy")
        calendar = agency_calendar(agency)
        project_services.task_reschedule(
            actor=coordinator,
            task=copy,
            new_due=calendar.add_business_days(copy.due_date, 2),
            reason="Late brief",
        )
        project_services.task_update_status(
            actor=coordinator, task=copy, status=TaskStatus.BLOCKED, blocked_reason="No product names"
        )
    for round_ in range(rounds):
        request = factories.approval_create(
            actor=coordinator, project=project, contact=contact, title=f"Hero copy {n}.{round_}"
        )
        with scope(agency=agency.pk):
            approval_services.approval_decide(
                contact=contact, request=request, verdict="request_changes", comment="Shorter headline"
            )
            approval_services.feedback_capture(
                actor=coordinator,
                request=request,
                body="Can the offer say 20%?",
                source="email",
                said_by=contact.full_name,
                said_at=timezone.now() - timedelta(hours=1),
            )
    with scope(agency=agency.pk):
        approval_services.change_request_create(
            project=project, description="Add a Spanish version", requester=coordinator
        )
    with scope(agency=agency.pk):
        escalations_sync(
            agency_id=agency.pk,
            found=[
                Found(
                    project_id=project.pk,
                    rule="missing_input",
                    fingerprint=f"missing_input:activity:{project.pk}",
                    severity="high",
                    section="blocked",
                    message="The brand photos were due Monday.",
                    facts={},
                )
            ],
            today=agency_today(agency),
        )
    with scope(agency=agency.pk):
        escalation = Escalation.objects.get(fingerprint=f"missing_input:activity:{project.pk}")
        escalation_resolve(actor=team["owner"], escalation=escalation, note="Photos arrived")


def test_a_projects_timeline_shows_its_history_newest_first(team, as_coordinator):
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Smile campaign"
    )
    other = factories.project_create(actor=team["coordinator"], client=team["clients"][1], name="Bread week")
    _history(team, project)
    _history(team, other, n=1)

    with scope(agency=team["agency"].pk):
        page = activity_timeline(agency_slug=team["agency"].slug, project_id=project.pk, per_page=50)

    kinds = {entry.kind for entry in page.entries}
    assert kinds == {
        "deadline_change",
        "task_status",
        "version",
        "approval_sent",
        "decision",
        "decision_log",
        "change_request",
        "escalation",
        "feedback",
    }
    assert [e.at for e in page.entries] == sorted((e.at for e in page.entries), reverse=True)
    assert not any("Hero copy 1" in e.title for e in page.entries)
    titles = [e.title for e in page.entries]
    assert "Risk resolved: The brand photos were due Monday." in titles
    assert "Risk raised: The brand photos were due Monday." in titles
    assert "Change request: Add a Spanish version" in titles
    assert any(t.startswith("“Copy") or "not started → blocked" in t for t in titles)
    assert f"{team['contacts'][0].full_name} requested changes to “Hero copy 0.0” (version 1)" in titles
    assert "Feedback by email on “Hero copy 0.0”" in titles

    body = as_coordinator.get(_activity_url(team["agency"], project)).content.decode()
    assert "Risk resolved: The brand photos were due Monday." in body and "Hero copy 1" not in body


def test_the_timeline_filters_by_kind_and_pages_back_in_time(team, as_coordinator):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    _history(team, project, rounds=3)

    with scope(agency=team["agency"].pk):
        decisions = activity_timeline(
            agency_slug=team["agency"].slug, project_id=project.pk, kinds=["decision", "feedback"]
        )
        first = activity_timeline(agency_slug=team["agency"].slug, project_id=project.pk, per_page=4)
        second = activity_timeline(agency_slug=team["agency"].slug, project_id=project.pk, per_page=4, page=2)
        everything = activity_timeline(agency_slug=team["agency"].slug, project_id=project.pk, per_page=100)

    assert {e.kind for e in decisions.entries} == {"decision", "feedback"} and len(decisions.entries) == 6
    assert first.has_next and second.has_previous
    assert first.entries + second.entries == everything.entries[:8]

    url = _activity_url(team["agency"], project)
    page = as_coordinator.get(url + "?kind=change_request").content.decode()
    assert "Change request: Add a Spanish version" in page and "Risk raised" not in page


@pytest.mark.parametrize("bad", ["?kind=passwords", "?page=0", "?page=999999999", "?page=two"])
def test_a_filter_the_timeline_cannot_read_is_refused_plainly(team, as_coordinator, bad):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    response = as_coordinator.get(_activity_url(team["agency"], project) + bad)
    assert response.status_code == 400
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("rounds", [1, 4])
def test_the_project_activity_tab_runs_one_query_per_source_however_long_the_history(
    team, as_coordinator, rounds, django_assert_num_queries
):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    _history(team, project, rounds=rounds)
    sources = len(activity_kinds())

    # the first reads, the project, one per source
    with django_assert_num_queries(STAFF_PAGE_READS + 1 + sources):
        page = as_coordinator.get(_activity_url(team["agency"], project)).content.decode()
    with scope(agency=team["agency"].pk):
        total = len(
            activity_timeline(agency_slug=team["agency"].slug, project_id=project.pk, per_page=500).entries
        )
    assert total > 6 * rounds
    assert page.count('class="activity-item') == min(25, total)


def test_the_client_page_shows_the_activity_of_the_clients_projects(team, as_coordinator):
    acme, birch = team["clients"]
    project = factories.project_create(actor=team["coordinator"], client=acme, name="Smile campaign")
    other = factories.project_create(actor=team["coordinator"], client=birch, name="Bread week")
    _history(team, project)
    _history(team, other, n=1)

    url = reverse("client_detail", kwargs={"agency_slug": team["agency"].slug, "client_id": acme.pk})
    page = as_coordinator.get(url).content.decode()
    activity = page[page.index('id="activity-h"') :]

    assert "Risk resolved: The brand photos were due Monday." in activity and "Smile campaign" in activity
    assert "Hero copy 1" not in activity and "Bread week" not in activity
    # A filter the section cannot read falls back to everything rather than failing the client page.
    assert as_coordinator.get(url + "?page=nope").status_code == 200
