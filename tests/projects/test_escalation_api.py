"""The escalation API: the list and its filters, acknowledging, assigning, snoozing, resolving, scan now."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope

from projects import escalations as escalation_services
from projects.calendars import agency_calendar, agency_today
from projects.models import (
    Brief,
    Escalation,
    EscalationEvent,
    EscalationState,
    Project,
    ProjectStatus,
    Task,
)
from projects.tasks import agency_scan_lock
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db

NOT_FOUND_BODY = {"detail": "Not found."}
MISSING_ID = 2_147_483_647
ACTIONS = {
    "api_escalation_acknowledge": {"note": "On it"},
    "api_escalation_assign": {"assignee": None},
    "api_escalation_snooze": {"until": "2099-01-05"},
    "api_escalation_resolve": {"note": "Called the client"},
}


def url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def escalation_create(
    agency, project, *, rule="missing_input", severity="high", state=EscalationState.OPEN, message="", key=""
) -> Escalation:
    """A stored escalation as the scan leaves it (the scan itself is exercised by the scan tests)."""
    with scope(agency=agency.pk):
        row = Escalation.objects.create(
            agency=agency,
            project=project,
            rule=rule,
            fingerprint=f"{rule}:{key or Escalation.objects.count()}:{project.pk if project else 'agency'}",
            severity=severity,
            section="blocked" if rule in ("missing_input", "launch_at_risk") else "needs_decision",
            message=message or f"{rule} risk on {project.name if project else 'the agency'}",
            facts={"input": "Landing page copy"},
            state=state,
        )
        EscalationEvent.objects.create(agency=agency, escalation=row, action="found", note=row.message)
    return row


def escalation_state(agency) -> list:
    """Every escalation and event of an agency, to prove a refusal changed nothing."""
    with scope(agency=agency.pk):
        return [
            list(Escalation.objects.order_by("pk").values("pk", "state", "assignee_id", "snoozed_until")),
            list(EscalationEvent.objects.order_by("pk").values_list("pk", "action", "actor_id", "note")),
        ]


@pytest.fixture
def project(team):
    return factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Spring offer")


@pytest.fixture
def escalation(team, project):
    return escalation_create(team["agency"], project, message="The landing page copy is two days late.")


# --- The list ------------------------------------------------------------------------------


def test_the_list_shows_open_escalations_with_project_client_assignee_and_history(team, project):
    agency, coordinator = team["agency"], team["coordinator"]
    late = escalation_create(agency, project, message="The landing page copy is two days late.")
    escalation_create(agency, project, rule="scope", severity="medium", state=EscalationState.RESOLVED)
    overloaded = escalation_create(agency, None, rule="capacity", severity="low")
    with scope(agency=agency.pk):
        escalation_services.escalation_acknowledge(actor=coordinator, escalation=late, note="Chasing Acme")
        escalation_services.escalation_assign(actor=coordinator, escalation=late, assignee=coordinator)

    response = token_client(team["members"][0].user).get(url("api_escalation_list", agency))

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [late.pk, overloaded.pk]
    first = body["results"][0]
    assert first["project"] == {"id": project.pk, "name": "Spring offer"}
    assert first["client_name"] == "Acme Dental"
    assert first["rule"] == "missing_input" and first["severity"] == "high" and first["section"] == "blocked"
    assert first["message"] == "The landing page copy is two days late."
    assert first["facts"] == {"input": "Landing page copy"}
    assert first["state"] == "acknowledged"
    assert first["assignee"] == {"id": coordinator.pk, "name": "Casey Coordinator"}
    assert first["snoozed_until"] is None and first["cleared_at"] is None and first["resolved_at"] is None
    assert first["first_seen_at"] and first["last_seen_at"]
    assert [(e["action"], e["actor_name"], e["note"]) for e in first["events"]] == [
        ("found", None, "The landing page copy is two days late."),
        ("acknowledged", "Casey Coordinator", "Chasing Acme"),
        ("assigned", "Casey Coordinator", "Casey Coordinator"),
    ]
    assert all(e["at"] for e in first["events"])
    agency_wide = body["results"][1]
    assert agency_wide["project"] is None and agency_wide["client_name"] is None


def test_the_list_filters_by_client_project_rule_severity_and_state(team, project):
    agency = team["agency"]
    other_client_project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][1], name="Bakery menu"
    )
    late = escalation_create(agency, project)
    scope_creep = escalation_create(agency, project, rule="scope", severity="medium")
    bakery = escalation_create(agency, other_client_project, rule="owner_unclear", severity="low")
    done = escalation_create(agency, project, rule="deadline_moved", state=EscalationState.RESOLVED)
    snoozed = escalation_create(agency, project, rule="decision_needed", state=EscalationState.SNOOZED)
    api = token_client(team["owner"].user)

    def ids(**params) -> set[int]:
        response = api.get(url("api_escalation_list", agency), params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {late.pk, scope_creep.pk, bakery.pk}
    assert ids(client=team["clients"][1].pk) == {bakery.pk}
    assert ids(project=project.pk) == {late.pk, scope_creep.pk}
    assert ids(rule="scope") == {scope_creep.pk}
    assert ids(severity="low") == {bakery.pk}
    assert ids(state="resolved") == {done.pk}
    assert ids(state="snoozed") == {snoozed.pk}
    assert ids(state="open", project=project.pk, severity="high") == {late.pk}


def test_filter_values_the_list_cannot_use_are_refused_by_field(team):
    response = token_client(team["owner"].user).get(
        url("api_escalation_list", team["agency"]),
        {"client": "acme", "project": "x", "rule": "vibes", "severity": "urgent", "state": "closed"},
    )

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"client", "project", "rule", "severity", "state"}
    assert body["severity"] == ["“urgent” is not a severity; use high, medium, low."]
    assert "missing_input" in body["rule"][0] and "open" in body["state"][0]


@pytest.mark.parametrize("total", [3, 30])
def test_the_list_costs_the_same_queries_for_3_or_30_escalations(
    team, project, total, django_assert_num_queries
):
    agency, coordinator = team["agency"], team["coordinator"]
    for n in range(total):
        row = escalation_create(agency, project if n % 3 else None, rule="scope", key=str(n))
        with scope(agency=agency.pk):
            escalation_services.escalation_assign(
                actor=coordinator, escalation=row, assignee=team["members"][0]
            )
    api = token_client(team["owner"].user)

    # Token and user, membership, escalations with project, client, task and assignee, their events.
    with django_assert_num_queries(4):
        response = api.get(url("api_escalation_list", agency), {"limit": 100})

    body = response.json()
    assert body["count"] == total and len(body["results"]) == total
    assert all(
        len(row["events"]) == 2 and row["assignee"]["id"] == team["members"][0].pk for row in body["results"]
    )


# --- Acting on an escalation ---------------------------------------------------------------


def test_acknowledging_records_who_did_it_and_their_note(team, escalation):
    response = token_client(team["coordinator"].user).post(
        url("api_escalation_acknowledge", team["agency"], pk=escalation.pk),
        {"note": "Chasing Acme"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["state"] == "acknowledged"
    assert response.json()["events"][-1]["actor_name"] == "Casey Coordinator"
    with scope(agency=team["agency"].pk):
        event = EscalationEvent.objects.filter(escalation=escalation).last()
        assert (event.action, event.actor_id, event.note) == (
            "acknowledged",
            team["coordinator"].pk,
            "Chasing Acme",
        )


def test_assigning_gives_the_escalation_to_a_team_member_and_null_takes_it_back(team, escalation):
    api = token_client(team["owner"].user)
    writer = team["members"][2]

    given = api.post(
        url("api_escalation_assign", team["agency"], pk=escalation.pk), {"assignee": writer.pk}, format="json"
    )
    taken = api.post(
        url("api_escalation_assign", team["agency"], pk=escalation.pk), {"assignee": None}, format="json"
    )

    assert given.status_code == 200 and given.json()["assignee"]["id"] == writer.pk
    assert taken.status_code == 200 and taken.json()["assignee"] is None
    with scope(agency=team["agency"].pk):
        notes = list(
            EscalationEvent.objects.filter(escalation=escalation, action="assigned").values_list(
                "actor_id", "note"
            )
        )
    assert notes == [(team["owner"].pk, writer.user.full_name), (team["owner"].pk, "Unassigned")]


@pytest.mark.parametrize("who", ["unknown", "other agency", "missing field"])
def test_assigning_to_someone_not_on_the_team_is_refused_on_the_assignee_field(
    team, other_team, escalation, who
):
    body = {
        "unknown": {"assignee": MISSING_ID},
        "other agency": {"assignee": other_team["members"][0].pk},
        "missing field": {},
    }[who]
    before = escalation_state(team["agency"])

    response = token_client(team["owner"].user).post(
        url("api_escalation_assign", team["agency"], pk=escalation.pk), body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["assignee"]
    if who != "missing field":
        assert response.json()["assignee"] == ["Choose someone on your team."]
    assert escalation_state(team["agency"]) == before


def test_snoozing_hides_the_escalation_until_the_date(team, escalation):
    until = agency_today(team["agency"]) + timedelta(days=7)
    api = token_client(team["owner"].user)

    response = api.post(
        url("api_escalation_snooze", team["agency"], pk=escalation.pk),
        {"until": until.isoformat(), "note": "Client is away"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["state"] == "snoozed" and response.json()["snoozed_until"] == until.isoformat()
    assert response.json()["events"][-1]["note"].endswith("Client is away")
    assert api.get(url("api_escalation_list", team["agency"])).json()["count"] == 0


@pytest.mark.parametrize("when", ["today", "yesterday", "not a date", "missing"])
def test_snoozing_into_the_past_or_without_a_date_is_refused_on_the_until_field(team, escalation, when):
    today = agency_today(team["agency"])
    body = {
        "today": {"until": today.isoformat()},
        "yesterday": {"until": (today - timedelta(days=1)).isoformat()},
        "not a date": {"until": "next week"},
        "missing": {},
    }[when]
    before = escalation_state(team["agency"])

    response = token_client(team["owner"].user).post(
        url("api_escalation_snooze", team["agency"], pk=escalation.pk), body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["until"]
    if when in ("today", "yesterday"):
        assert response.json()["until"] == ["Snooze until a day after today."]
    assert escalation_state(team["agency"]) == before


def test_resolving_needs_a_note_saying_what_was_done(team, escalation):
    api = token_client(team["coordinator"].user)
    before = escalation_state(team["agency"])

    for body in ({}, {"note": "   "}):
        refused = api.post(
            url("api_escalation_resolve", team["agency"], pk=escalation.pk), body, format="json"
        )
        assert refused.status_code == 400
        assert refused.json() == {"note": ["Say how it was resolved."]}
    assert escalation_state(team["agency"]) == before

    done = api.post(
        url("api_escalation_resolve", team["agency"], pk=escalation.pk),
        {"note": "Copy arrived"},
        format="json",
    )

    assert done.status_code == 200
    assert done.json()["state"] == "resolved" and done.json()["resolved_at"]
    last = done.json()["events"][-1]
    assert (last["action"], last["actor_name"], last["note"]) == (
        "resolved",
        "Casey Coordinator",
        "Copy arrived",
    )


def test_acting_on_a_resolved_escalation_is_refused_without_a_change(team, project):
    resolved = escalation_create(team["agency"], project, state=EscalationState.RESOLVED)
    before = escalation_state(team["agency"])

    response = token_client(team["owner"].user).post(
        url("api_escalation_acknowledge", team["agency"], pk=resolved.pk), {}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This escalation is resolved."]}
    assert escalation_state(team["agency"]) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_team_member_cannot_act_on_an_escalation(team, escalation, action):
    before = escalation_state(team["agency"])

    response = token_client(team["members"][0].user).post(
        url(action, team["agency"], pk=escalation.pk), ACTIONS[action], format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role in this agency does not allow this."}
    assert escalation_state(team["agency"]) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_another_agencys_escalation_is_not_found_like_a_missing_one(team, other_team, action):
    theirs = escalation_create(other_team["agency"], None, rule="capacity")
    before = escalation_state(other_team["agency"])
    api = token_client(team["owner"].user)

    foreign = api.post(url(action, team["agency"], pk=theirs.pk), ACTIONS[action], format="json")
    missing = api.post(url(action, team["agency"], pk=MISSING_ID), ACTIONS[action], format="json")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() == NOT_FOUND_BODY
    assert escalation_state(other_team["agency"]) == before
    listed = api.get(url("api_escalation_list", team["agency"]), {"state": "open"}).json()
    assert theirs.pk not in {row["id"] for row in listed["results"]}


# --- Scan now ------------------------------------------------------------------------------


def unowned_work_tomorrow(team) -> tuple[Project, Task]:
    """A live project whose next piece of work starts on the next business day with nobody on it."""
    agency = team["agency"]
    with scope(agency=agency.pk):
        today = agency_today(agency)
        calendar = agency_calendar(agency)
        start = calendar.add_business_days(today, 1)
        project = Project.objects.create(
            agency=agency,
            client=team["clients"][0],
            name="Spring offer landing page",
            launch_date=calendar.add_business_days(start, 10),
            coordinator=team["coordinator"],
            status=ProjectStatus.ACTIVE,
        )
        Brief.objects.create(agency=agency, project=project, campaign_name=project.name)
        task = Task.objects.create(
            agency=agency,
            project=project,
            key="design",
            title="Design homepage",
            start_date=start,
            due_date=calendar.add_business_days(start, 2),
            duration_days=3,
            assignee=None,
        )
    return project, task


def test_scan_now_runs_the_real_scan_and_answers_with_the_projects_open_escalations(
    team, django_capture_on_commit_callbacks
):
    project, task = unowned_work_tomorrow(team)
    api = token_client(team["coordinator"].user)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url("api_project_scan", team["agency"], pk=project.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["opened"] >= 1 and body["cleared"] == 0
    unclear = [row for row in body["escalations"] if row["rule"] == "owner_unclear"]
    assert len(unclear) == 1
    assert unclear[0]["task"] == {"id": task.pk, "title": "Design homepage"}
    assert unclear[0]["severity"] == "high" and unclear[0]["state"] == "open"
    assert unclear[0]["message"].startswith("Nobody owns “Design homepage”")
    assert all(row["project"]["id"] == project.pk for row in body["escalations"])
    with scope(agency=team["agency"].pk):
        stored = Escalation.objects.get(rule="owner_unclear")
        assert stored.task_id == task.pk and stored.notified_at is not None
    # A new high risk found by "scan now" reaches the leads just as one found by the scheduled scan.
    assert any(team["owner"].user.email in m.to and "Nobody owns" in m.body for m in mail.outbox)

    again = api.post(url("api_project_scan", team["agency"], pk=project.pk))
    assert again.json()["opened"] == 0 and len(again.json()["escalations"]) == len(body["escalations"])


def test_scan_now_while_another_scan_runs_answers_409_and_stores_nothing(team):
    project, _task = unowned_work_tomorrow(team)

    with agency_scan_lock(team["agency"].pk) as acquired:
        assert acquired
        response = token_client(team["owner"].user).post(
            url("api_project_scan", team["agency"], pk=project.pk)
        )

    assert response.status_code == 409
    assert response.json() == {"detail": "A scan of this agency is running; try again in a minute."}
    with scope(agency=team["agency"].pk):
        assert not Escalation.objects.exists()


def test_scan_now_is_for_owners_and_coordinators(team):
    project, _task = unowned_work_tomorrow(team)

    response = token_client(team["members"][0].user).post(
        url("api_project_scan", team["agency"], pk=project.pk)
    )

    assert response.status_code == 403
    with scope(agency=team["agency"].pk):
        assert not Escalation.objects.exists()


def test_scan_now_of_another_agencys_project_is_not_found_and_scans_nothing(team, other_team):
    theirs, _task = unowned_work_tomorrow(other_team)
    api = token_client(team["owner"].user)

    foreign = api.post(url("api_project_scan", team["agency"], pk=theirs.pk))
    missing = api.post(url("api_project_scan", team["agency"], pk=MISSING_ID))

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() == NOT_FOUND_BODY
    with scope(agency=other_team["agency"].pk):
        assert not Escalation.objects.exists()


# --- Schema --------------------------------------------------------------------------------


def test_every_escalation_endpoint_is_in_the_schema_with_its_types(tmp_path: Path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    paths = yaml.safe_load(target.read_text())["paths"]
    base = "/api/v1/agencies/{agency_slug}/"
    listing = paths[base + "escalations/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"client", "project", "rule", "severity", "state"}
    for action in ("acknowledge", "assign", "snooze", "resolve"):
        operation = paths[f"{base}escalations/{{id}}/{action}/"]["post"]
        assert {"200", "400", "403", "404"} <= set(operation["responses"])
        assert operation["requestBody"]["content"]["application/json"]["schema"]
    scan = paths[base + "projects/{id}/scan/"]["post"]
    assert {"200", "403", "404", "409"} <= set(scan["responses"])
