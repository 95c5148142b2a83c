"""One truth about every plan: the committed launch stays, the forecast moves, and every page agrees.

Each of the three contradictions the issue found is built here through the real services and the real
scan, and every surface (the project list's badge and filter, the project page, the escalations list,
the API) is read back and held to the one health of ``projects.health``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django_scopes import scope

from projects import services
from projects.calendars import agency_calendar, agency_today
from projects.models import DeadlineChange, Escalation, EscalationEvent, LaunchChange, Project
from projects.risk_scan import agency_scan
from projects.views.escalations import escalations_for_list
from projects.workload import workload_for
from tests import factories
from tests.factories import token_client
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


def url(name: str, agency, *args, **kwargs) -> str:
    return reverse(name, args=[agency.slug, *args], kwargs=kwargs or None)


def api_url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def _list_row(html: str, name: str) -> str:
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        if f">{name}</a>" in row:
            return row
    raise AssertionError(f"{name} is not in the list")


def surfaces(team, http, project: Project) -> dict:
    """What every surface says about one project's health."""
    agency = team["agency"]
    api = token_client(team["owner"].user)
    listing = http.get(url("project_list", agency)).content.decode()
    filtered = http.get(url("project_list", agency), {"at_risk": "on"}).content.decode()
    api_rows = {p["id"]: p for p in api.get(api_url("api_project_list", agency)).json()["results"]}
    api_risky = {
        p["id"] for p in api.get(api_url("api_project_list", agency), {"at_risk": "true"}).json()["results"]
    }
    detail = api.get(api_url("api_project_detail", agency, pk=project.pk)).json()
    page = http.get(url("project_detail", agency, project.pk)).content.decode()
    risks = int(re.search(r'id="risks-h"[^>]*>Risks <span class="muted">(\d+)</span>', page).group(1))
    with scope(agency=agency.pk):
        listed_escalations = [
            e
            for e in escalations_for_list(client_id="", rule="", severity="", state="open")
            if e.project_id == project.pk
        ]
    heading = re.search(r"<h1>(.*?)</h1>", page, flags=re.S).group(1)
    return {
        "list badge": "At risk" in _list_row(listing, project.name),
        "list filter": f">{project.name}</a>" in filtered,
        "api list": api_rows[project.pk]["at_risk"],
        "api filter": project.pk in api_risky,
        "api detail": detail["at_risk"],
        "page badge": "At risk" in heading,
        "page risks": risks,
        "api open risks": api_rows[project.pk]["open_risks"],
        "escalations listed": len(listed_escalations),
        "forecast": detail["forecast_launch"],
        "committed": detail["launch_date"],
    }


def assert_one_truth(seen: dict, *, at_risk: bool) -> None:
    flags = {
        k: seen[k]
        for k in ("list badge", "list filter", "api list", "api filter", "api detail", "page badge")
    }
    assert set(flags.values()) == {at_risk}, flags
    # The page's risk count, the API's and the escalations list count the same escalations.
    assert seen["page risks"] == seen["api open risks"] == seen["escalations listed"]


def _scan(agency) -> None:
    with scope(agency=agency.pk):
        agency_scan(agency)


# --------------------------------------------------------------------------- the committed launch


def test_a_cascade_past_the_committed_launch_leaves_it_raises_launch_at_risk_and_lists_the_project(
    team, as_owner
):
    agency, coordinator = team["agency"], team["coordinator"]
    project = factories.project_create(actor=coordinator, client=team["clients"][0], name="Dental site")
    committed = project.launch_date
    with scope(agency=agency.pk):
        calendar = agency_calendar(agency)
        copy = project.tasks.get(key="copy")
        new_due = calendar.add_business_days(copy.due_date, 3)
        preview = services.task_reschedule_preview(task=copy, new_due=new_due)
    forecast = calendar.add_business_days(committed, 3)
    assert preview.summary == (
        f"Forecast launch {forecast:%a %-d %b}, three business days after the committed {committed:%a %-d %b}"
    )
    # The page's preview says it in those words; the move is still allowed.
    page = as_owner.post(
        url("task_reschedule", agency, copy.pk), {"due_date": new_due.isoformat(), "reason": "Offer late"}
    ).content.decode()
    assert f"three business days after the committed {committed:%a %-d %b}" in page
    with scope(agency=agency.pk):
        services.task_reschedule(actor=coordinator, task=copy, new_due=new_due, reason="Offer late")
        project.refresh_from_db()
        brief_due = project.brief.due_date
    assert project.launch_date == committed
    _scan(agency)
    with scope(agency=agency.pk):
        raised = Escalation.objects.get(project=project, rule="launch_at_risk")
    assert raised.severity == "high" and raised.facts["planned_launch"] == committed.isoformat()
    seen = surfaces(team, as_owner, project)
    assert_one_truth(seen, at_risk=True)
    assert seen["committed"] == committed.isoformat() and seen["forecast"] == forecast.isoformat()
    assert brief_due in (None, committed)
    # The header shows the committed launch with the forecast beside it.
    header = as_owner.get(url("project_detail", agency, project.pk)).content.decode()
    assert f"{committed:%a %-d %b %Y}" in header and f"{forecast:%a %-d %b %Y}" in header
    assert "3 business days late" in header


def test_moving_the_committed_launch_is_an_explicit_recorded_act_for_planners_only(team, as_coordinator):
    agency, coordinator = team["agency"], team["coordinator"]
    project = factories.project_create(actor=coordinator, client=team["clients"][0], name="Dental site")
    old = project.launch_date
    with scope(agency=agency.pk):
        calendar = agency_calendar(agency)
        new = calendar.add_business_days(old, 5)
        with pytest.raises(ValidationError) as refused:
            services.project_move_launch(
                actor=team["members"][0], project=project, new_launch=new, reason="x"
            )
        assert "owners and coordinators" in str(refused.value)
        with pytest.raises(ValidationError) as no_reason:
            services.project_move_launch(actor=coordinator, project=project, new_launch=new, reason="  ")
        assert "reason" in no_reason.value.message_dict
        assert not LaunchChange.objects.exists()

    response = as_coordinator.post(
        url("project_launch_move", agency, project.pk),
        {"launch_date": new.isoformat(), "reason": "Client moved the trade show"},
    )
    assert response.status_code == 302
    with scope(agency=agency.pk):
        project.refresh_from_db()
        change = LaunchChange.objects.get(project=project)
        assert project.launch_date == new and project.brief.due_date == new
        assert (change.old_launch, change.new_launch, change.changed_by) == (old, new, coordinator)
    history = as_coordinator.get(url("project_history", agency, project.pk)).content.decode()
    assert (
        "Committed launch" in history
        and "Client moved the trade show" in history
        and "+5 business days" in history
    )
    # The history is append-only, in the database.
    with scope(agency=agency.pk), pytest.raises(DatabaseError), transaction.atomic():
        LaunchChange.objects.filter(pk=change.pk).update(reason="rewritten")


def test_the_api_moves_the_committed_launch_and_refuses_a_member(team):
    agency = team["agency"]
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=agency.pk):
        new = agency_calendar(agency).add_business_days(project.launch_date, 2)
    target = api_url("api_project_launch", agency, pk=project.pk)
    member = token_client(team["members"][0].user).post(
        target, {"launch_date": new.isoformat(), "reason": "Later"}, format="json"
    )
    missing = token_client(team["owner"].user).post(target, {"launch_date": new.isoformat()}, format="json")
    moved = token_client(team["owner"].user).post(
        target, {"launch_date": new.isoformat(), "reason": "Client asked"}, format="json"
    )
    assert member.status_code == 403 and missing.status_code == 400 and "reason" in missing.json()
    saturday = new + timedelta(days=(5 - new.weekday()) % 7)
    for hostile in (
        {"launch_date": saturday.isoformat(), "reason": "Weekend"},
        {"launch_date": new.isoformat(), "reason": "Same day"},  # already moved there
        {"launch_date": "soon", "reason": "x"},
        {"launch_date": new.isoformat(), "reason": "x" * 5000},
    ):
        refused = token_client(team["owner"].user).post(target, hostile, format="json")
        assert refused.status_code == 400, hostile
        assert "launch_date" in refused.json() or "reason" in refused.json()
    assert moved.status_code == 200
    assert moved.json()["launch_date"] == new.isoformat() and moved.json()["proposals"] == []
    detail = token_client(team["owner"].user).get(api_url("api_project_detail", agency, pk=project.pk)).json()
    assert detail["launch_date"] == new.isoformat()


def test_moving_a_launch_whose_timing_the_client_approved_proposes_a_change_request_citing_it(team):
    from approvals.models import ChangeRequest, Scope
    from approvals.services import approval_decide

    agency, owner = team["agency"], team["owner"]
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    contact = team["contacts"][0]
    request = factories.approval_create(
        actor=owner, project=project, contact=contact, scopes=[Scope.TIMING], title="Launch plan"
    )
    with scope(agency=agency.pk):
        approval_decide(contact=contact, request=request, verdict="approve")
        new = agency_calendar(agency).add_business_days(project.launch_date, 5)
        moved = services.project_move_launch(
            actor=owner, project=project, new_launch=new, reason="Printer delay"
        )
        proposal = ChangeRequest.objects.get(project=project)
    assert proposal.approval_request_id == request.pk and proposal.cites is not None
    assert "timing was approved" in proposal.citation and "Printer delay" in proposal.description
    assert proposal.impact_business_days == 5
    assert moved.proposals and f"change request #{proposal.pk}" in moved.proposals[0]


# --------------------------------------------------------------------------- one project health


def test_a_retainer_with_an_open_launch_at_risk_escalation_is_at_risk_everywhere(team, as_owner):
    agency = team["agency"]
    retainer = factories.project_create(
        actor=team["coordinator"],
        client=team["clients"][0],
        name="Cobalt retainer",
        template="builtin:monthly-retainer",
        launch_in_days=40,
    )
    _scan(agency)
    with scope(agency=agency.pk):
        # Its months run past the launch on purpose: no false alarm.
        assert not Escalation.objects.filter(project=retainer, rule="launch_at_risk").exists()
    assert_one_truth(surfaces(team, as_owner, retainer), at_risk=False)
    with scope(agency=agency.pk):
        plan = retainer.tasks.get(key="plan")
        services.task_reschedule(
            actor=team["coordinator"],
            task=plan,
            new_due=agency_calendar(agency).add_business_days(plan.due_date, 3),
            reason="Goals workshop moved",
        )
    _scan(agency)
    with scope(agency=agency.pk):
        raised = Escalation.objects.get(project=retainer, rule="launch_at_risk")
    assert raised.severity == "high" and "three business days after the committed" in raised.message
    assert_one_truth(surfaces(team, as_owner, retainer), at_risk=True)


def test_a_project_is_never_at_risk_in_the_list_with_no_risk_on_its_page_after_scan_now(team, as_owner):
    agency, coordinator = team["agency"], team["coordinator"]
    blocked = factories.project_create(
        actor=coordinator, client=team["clients"][0], name="Bakery ads", launch_in_days=150
    )
    with scope(agency=agency.pk):
        services.task_update_status(
            actor=coordinator, task=blocked.tasks.get(key="qa"), status="blocked", blocked_reason="No devices"
        )
    response = as_owner.post(url("project_scan", agency, blocked.pk))
    assert response.status_code == 302
    seen = surfaces(team, as_owner, blocked)
    assert_one_truth(seen, at_risk=seen["page risks"] > 0)
    # A blocked task far from its launch is not a risk by itself: On track, and Risks 0, everywhere.
    assert seen["page risks"] == 0 and seen["list badge"] is False


def test_a_member_over_capacity_on_the_workload_has_the_capacity_escalation_on_a_saturday(team, logged_in):
    agency = team["agency"]
    writer = next(m for m in team["members"] if m.discipline == "writer")
    saturday = datetime(2027, 3, 6, 10, 0, tzinfo=ZoneInfo(agency.time_zone))
    with time_machine.travel(saturday, tick=False):
        project = factories.project_create(
            actor=team["coordinator"],
            client=team["clients"][0],
            name="Heavy week",
            launch_in_days=30,
            accept_start_in_past=True,
        )
        today = agency_today(agency)
        assert today.weekday() == 5
        with scope(agency=agency.pk):
            calendar = agency_calendar(agency)
            writer.weekly_capacity_hours = 6
            writer.save(update_fields=["weekly_capacity_hours"])
            for task in project.tasks.all():
                services.task_assign(actor=team["coordinator"], task=task, assignee=writer)
            agency_scan(agency)
            table = workload_for(agency, today=today, calendar=calendar)
            capacity = {
                e.facts["week_start"]: e.facts["hours"]
                for e in Escalation.objects.filter(rule="capacity", facts__member_id=writer.pk)
            }
        page = logged_in(team["owner"].user).get(url("workload", agency)).content.decode()
    # This week, on a Saturday, is the coming one: the workload's first column is the scan's first week.
    assert table.weeks[0] == today + timedelta(days=2)
    row = table.row(str(writer.pk))
    over = {cell.week.isoformat(): float(cell.hours) for cell in row.cells[:2] if cell.overloaded}
    assert over, "the plan books the writer over six hours in one of the next two weeks"
    assert capacity == over
    assert f"{table.weeks[0]:%-d %b}" in page


# --------------------------------------------------------------------------- history locked


@pytest.mark.parametrize(
    "model",
    [
        DeadlineChange,
        EscalationEvent,
        LaunchChange,
        "approvals.ReviewerDecision",
        "approvals.DecisionLogEntry",
        "approvals.ChangeRequest",
        "approvals.ChangeRequestDecision",
    ],
)
def test_the_database_refuses_to_truncate_an_append_only_table(team, model):
    from django.apps import apps

    if isinstance(model, str):
        model = apps.get_model(model)
    table = model._meta.db_table
    with pytest.raises(DatabaseError, match="Cannot truncate"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'TRUNCATE "{table}" CASCADE')


# --------------------------------------------------------------------------- client verdicts


def test_a_clients_request_for_changes_shows_on_the_project_page_with_the_next_action(team, as_coordinator):
    from approvals.services import approval_decide

    agency, owner = team["agency"], team["owner"]
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    contact = team["contacts"][0]
    request = factories.approval_create(actor=owner, project=project, contact=contact, title="Hero copy")
    before = as_coordinator.get(url("project_detail", agency, project.pk)).content.decode()
    assert "Hero copy" in before and f"Waiting for {contact.full_name} to decide" in before
    with scope(agency=agency.pk):
        approval_decide(
            contact=contact, request=request, verdict="request_changes", comment="Make the offer clearer."
        )
    page = as_coordinator.get(url("project_detail", agency, project.pk)).content.decode()
    assert f"Changes requested by {contact.full_name} — upload version 2" in page
    assert "v1 · first round" in page and url("approval_detail", agency, request.pk) in page


def test_the_briefs_due_date_is_the_committed_launch(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        assert project.brief.due_date == project.launch_date
        with pytest.raises(ValidationError) as refused:
            services.brief_update(
                actor=team["coordinator"], project=project, due_date=project.launch_date + timedelta(days=7)
            )
        assert "committed launch" in refused.value.message_dict["due_date"][0]
        project.brief.refresh_from_db()
        assert project.brief.due_date == project.launch_date


@pytest.mark.parametrize("moves", [1, 4])
def test_the_deadline_history_runs_the_same_queries_for_one_or_many_moves(
    team, as_member, moves, django_assert_num_queries
):
    agency, coordinator = team["agency"], team["coordinator"]
    project = factories.project_create(actor=coordinator, client=team["clients"][0])
    with scope(agency=agency.pk):
        calendar = agency_calendar(agency)
        for _ in range(moves):
            copy = project.tasks.get(key="copy")
            services.task_reschedule(
                actor=coordinator,
                task=copy,
                new_due=calendar.add_business_days(copy.due_date, 1),
                reason="Late",
            )
        services.project_move_launch(
            actor=coordinator,
            project=project,
            new_launch=calendar.add_business_days(project.launch_date, moves),
            reason="Client agreed",
        )
    # the first reads; the project; history rows with tasks and people; the agency's closures; launch
    # changes
    with django_assert_num_queries(STAFF_PAGE_READS + 4):
        page = as_member.get(url("project_history", agency, project.pk)).content.decode()
    assert page.count("moved with it") == moves and page.count("Committed launch") == 1
