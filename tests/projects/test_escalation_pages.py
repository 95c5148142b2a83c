"""Escalations in the browser: the list and its filters, acting on one, the project's Risks card, Scan now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scope

from projects import escalations as escalation_services
from projects.calendars import agency_today
from projects.models import Escalation, EscalationEvent, EscalationState
from projects.tasks import agency_scan_lock
from tests import factories
from tests.projects.test_escalation_api import (
    MISSING_ID,
    escalation_create,
    escalation_state,
    unowned_work_tomorrow,
)
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


def url(name: str, agency, *args) -> str:
    return reverse(name, args=[agency.slug, *args])


def listed(page: str, *rows: Escalation) -> list[bool]:
    return [f'id="escalation-{row.pk}"' in page for row in rows]


@pytest.fixture
def project(team):
    return factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Spring offer")


@pytest.fixture
def escalation(team, project):
    return escalation_create(team["agency"], project, message="The landing page copy is two days late.")


# --------------------------------------------------------------------------- the list


def test_the_list_filters_by_rule_severity_and_state(team, project, as_member):
    agency = team["agency"]
    late = escalation_create(agency, project, message="The landing page copy is two days late.")
    creep = escalation_create(agency, project, rule="scope", severity="medium", message="Two extra banners")
    done = escalation_create(
        agency, project, rule="deadline_moved", severity="low", state=EscalationState.RESOLVED
    )

    def page(**params) -> str:
        return as_member.get(url("escalation_list", agency), params).content.decode()

    assert listed(page(), late, creep, done) == [True, True, False]
    assert listed(page(rule="scope"), late, creep, done) == [False, True, False]
    assert listed(page(severity="high"), late, creep, done) == [True, False, False]
    assert listed(page(state="resolved"), late, creep, done) == [False, False, True]
    assert listed(page(state="resolved", rule="scope"), late, creep, done) == [False, False, False]
    everything = page()
    assert "The landing page copy is two days late." in everything and "Spring offer" in everything
    assert "Acme Dental" in everything


def test_a_member_sees_the_list_but_no_way_to_act(team, escalation, as_member, as_coordinator):
    action = url("escalation_action", team["agency"], escalation.pk)

    assert action not in as_member.get(url("escalation_list", team["agency"])).content.decode()
    assert action in as_coordinator.get(url("escalation_list", team["agency"])).content.decode()


@pytest.mark.parametrize("total", [5, 60])
def test_the_list_runs_the_same_queries_for_5_or_60_escalations(
    team, project, total, as_coordinator, django_assert_num_queries
):
    agency = team["agency"]
    for n in range(total):
        row = escalation_create(agency, project if n % 4 else None, rule="scope", key=str(n))
        with scope(agency=agency.pk):
            escalation_services.escalation_assign(
                actor=team["coordinator"], escalation=row, assignee=team["members"][n % 3]
            )

    # the first reads; escalations with their rows; their events; clients; team
    with django_assert_num_queries(STAFF_PAGE_READS + 4):
        response = as_coordinator.get(url("escalation_list", agency))

    assert response.content.decode().count('id="escalation-') == total


# --------------------------------------------------------------------------- acting on one


def test_acting_through_the_page_keeps_who_did_what(team, escalation, as_coordinator):
    agency, coordinator = team["agency"], team["coordinator"]
    action = url("escalation_action", agency, escalation.pk)
    writer = team["members"][2]
    until = agency_today(agency) + timedelta(days=7)

    acked = as_coordinator.post(action, {"action": "acknowledge", "note": "Chasing Acme"}, follow=True)
    as_coordinator.post(action, {"action": "assign", "assignee": writer.pk})
    snoozed = as_coordinator.post(action, {"action": "snooze", "until": until.isoformat()}, follow=True)
    resolved = as_coordinator.post(action, {"action": "resolve", "note": "Copy arrived"}, follow=True)

    assert "Acknowledged." in acked.content.decode()
    assert f"Snoozed until {until:%a} {until.day} {until:%b}." in snoozed.content.decode()
    assert "Resolved." in resolved.content.decode()
    with scope(agency=agency.pk):
        escalation.refresh_from_db()
        events = list(
            EscalationEvent.objects.filter(escalation=escalation).values_list("action", "actor_id", "note")
        )
    assert escalation.state == EscalationState.RESOLVED and escalation.assignee_id == writer.pk
    assert [(a, who) for a, who, _note in events] == [
        ("found", None),
        ("acknowledged", coordinator.pk),
        ("assigned", coordinator.pk),
        ("snoozed", coordinator.pk),
        ("resolved", coordinator.pk),
    ]
    assert events[1][2] == "Chasing Acme" and events[2][2] == writer.user.full_name
    assert events[4][2] == "Copy arrived"


@pytest.mark.parametrize(
    "post, message",
    [
        ({"action": "snooze", "until": "yesterday"}, "Snooze until a day after today."),
        ({"action": "snooze", "until": "today"}, "Snooze until a day after today."),
        ({"action": "resolve", "note": "  "}, "Say how it was resolved."),
    ],
)
def test_bad_input_on_the_page_is_refused_with_its_reason_and_changes_nothing(
    team, escalation, as_owner, post, message
):
    today = agency_today(team["agency"])
    post = {**post}
    if "until" in post:
        post["until"] = (today if post["until"] == "today" else today - timedelta(days=1)).isoformat()
    before = escalation_state(team["agency"])

    response = as_owner.post(url("escalation_action", team["agency"], escalation.pk), post, follow=True)

    assert message in response.content.decode()
    assert escalation_state(team["agency"]) == before


@pytest.mark.parametrize("action", ["acknowledge", "assign", "snooze", "resolve"])
def test_a_member_cannot_act_on_an_escalation_from_the_page(team, escalation, as_member, action):
    before = escalation_state(team["agency"])
    post = {
        "action": action,
        "note": "Done",
        "assignee": team["members"][0].pk,
        "until": (agency_today(team["agency"]) + timedelta(days=3)).isoformat(),
    }

    response = as_member.post(url("escalation_action", team["agency"], escalation.pk), post)

    assert response.status_code == 403
    assert escalation_state(team["agency"]) == before


def test_another_agencys_escalation_is_not_found_on_the_page(team, other_team, as_owner):
    theirs = escalation_create(other_team["agency"], None, rule="capacity", message="Their designer is full")
    before = escalation_state(other_team["agency"])
    post = {"action": "resolve", "note": "Not mine"}

    foreign = as_owner.post(url("escalation_action", team["agency"], theirs.pk), post)
    missing = as_owner.post(url("escalation_action", team["agency"], MISSING_ID), post)

    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert escalation_state(other_team["agency"]) == before
    assert (
        "Their designer is full" not in as_owner.get(url("escalation_list", team["agency"])).content.decode()
    )


# --------------------------------------------------------------------------- the project's Risks card


def test_the_project_page_shows_its_open_escalations_worst_first(team, project, as_member):
    agency = team["agency"]
    other_project = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    medium = escalation_create(agency, project, rule="scope", severity="medium", message="Two extra banners")
    high = escalation_create(agency, project, message="The landing page copy is two days late.")
    escalation_create(
        agency, project, rule="deadline_moved", state=EscalationState.RESOLVED, message="Old news"
    )
    escalation_create(agency, project, rule="decision_needed", state=EscalationState.SNOOZED, message="Later")
    escalation_create(agency, other_project, rule="owner_unclear", message="Somebody else's risk")
    with scope(agency=agency.pk):
        escalation_services.escalation_acknowledge(actor=team["coordinator"], escalation=medium)

    page = as_member.get(url("project_detail", agency, project.pk)).content.decode()

    card = page[page.index('id="risks"') : page.index('id="brief-h"')]
    assert card.index("The landing page copy is two days late.") < card.index("Two extra banners")
    assert f'id="risk-{high.pk}"' in card and "Acknowledged" in card
    assert "Old news" not in card and "Later" not in card and "Somebody else" not in card
    assert url("escalation_list", agency) in card
    # Scanning is for owners and coordinators; a member sees the risks only.
    assert url("project_scan", agency, project.pk) not in card


def test_a_project_with_no_open_risks_says_what_will_appear(team, project, as_coordinator):
    page = as_coordinator.get(url("project_detail", team["agency"], project.pk)).content.decode()

    assert "No open risks." in page and "Scan now" in page
    assert url("project_scan", team["agency"], project.pk) in page


@pytest.mark.parametrize("total", [2, 30])
def test_the_project_page_runs_the_same_queries_for_2_or_30_open_escalations(
    team, project, total, as_coordinator, django_assert_num_queries
):
    agency = team["agency"]
    for n in range(total):
        row = escalation_create(agency, project, rule="scope", key=str(n), message=f"Risk number {n}")
        with scope(agency=agency.pk):
            escalation_services.escalation_assign(
                actor=team["coordinator"], escalation=row, assignee=team["members"][n % 3]
            )

    # As pinned in test_project_pages.py: the open escalations come with their task and assignee in the
    # page's one round trip (and one query for the approvals section, kept in the body with the rest).
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        response = as_coordinator.get(url("project_detail", agency, project.pk))

    assert response.content.decode().count('id="risk-') == total


# --------------------------------------------------------------------------- Scan now


def test_scan_now_runs_the_real_scan_and_the_project_page_shows_what_it_found(team, as_coordinator):
    project, task = unowned_work_tomorrow(team)

    response = as_coordinator.post(url("project_scan", team["agency"], project.pk), follow=True)

    assert response.redirect_chain[-1][0] == url("project_detail", team["agency"], project.pk)
    with scope(agency=team["agency"].pk):
        found = Escalation.objects.get(rule="owner_unclear")
        assert found.project_id == project.pk and found.task_id == task.pk
        assert found.state == EscalationState.OPEN and found.severity == "high"
        assert list(found.events.values_list("action", flat=True)) == ["found"]
    page = response.content.decode()
    assert "Scan done:" in page
    card = page[page.index('id="risks"') : page.index('id="brief-h"')]
    assert f'id="risk-{found.pk}"' in card and "Nobody owns" in card

    # Once someone owns the work, the next scan clears the escalation by itself.
    with scope(agency=team["agency"].pk):
        from projects import services

        services.task_assign(actor=team["coordinator"], task=task, assignee=team["members"][1])
    as_coordinator.post(url("project_scan", team["agency"], project.pk))
    with scope(agency=team["agency"].pk):
        found.refresh_from_db()
        assert found.state == EscalationState.RESOLVED and found.cleared_at is not None


def test_scan_now_while_another_scan_runs_says_so_and_stores_nothing(team, as_owner):
    project, _task = unowned_work_tomorrow(team)

    with agency_scan_lock(team["agency"].pk):
        response = as_owner.post(url("project_scan", team["agency"], project.pk), follow=True)

    assert "A scan of this agency is running; try again in a minute." in response.content.decode()
    with scope(agency=team["agency"].pk):
        assert not Escalation.objects.exists()


def test_a_member_cannot_scan_and_another_agencys_project_is_not_found(team, other_team, as_member, as_owner):
    ours, _ = unowned_work_tomorrow(team)
    theirs, _ = unowned_work_tomorrow(other_team)

    refused = as_member.post(url("project_scan", team["agency"], ours.pk))
    foreign = as_owner.post(url("project_scan", team["agency"], theirs.pk))
    missing = as_owner.post(url("project_scan", team["agency"], MISSING_ID))

    assert refused.status_code == 403
    assert foreign.status_code == missing.status_code == 404 and foreign.content == missing.content
    with scope(agency=team["agency"].pk):
        assert not Escalation.objects.exists()
    with scope(agency=other_team["agency"].pk):
        assert not Escalation.objects.exists()


def test_the_state_filter_lists_each_state_once(team, as_owner):
    page = as_owner.get(reverse("escalation_list", args=[team["agency"].slug])).content.decode()
    select = page.split('name="state"')[1].split("</select>")[0]
    values = [chunk.split('"')[0] for chunk in select.split('<option value="')[1:]]
    assert values == ["open", "acknowledged", "snoozed", "resolved"]
    assert "Open or acknowledged" in select


def test_team_is_in_the_main_navigation_for_owners_only(team, as_owner, as_coordinator):
    team_link = f'href="{reverse("member_list", args=[team["agency"].slug])}"'
    owner_nav = as_owner.get(reverse("project_list", args=[team["agency"].slug])).content.decode()
    coordinator_nav = as_coordinator.get(reverse("project_list", args=[team["agency"].slug])).content.decode()
    assert team_link in owner_nav.split('aria-label="Main"')[1].split("</nav>")[0]
    assert team_link not in coordinator_nav.split('aria-label="Main"')[1].split("</nav>")[0]
