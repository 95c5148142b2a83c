"""Task pages: everything about a task, its status, assignee, decision, dependencies and due-date moves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scope

from projects import services
from projects.calendars import agency_calendar, agency_today
from projects.models import DeadlineChange, Project, Task, TaskDependency, TaskStatus
from tests import factories

pytestmark = pytest.mark.django_db


def short(d) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def url(name: str, agency, *args) -> str:
    return reverse(name, args=[agency.slug, *args])


@pytest.fixture
def project(team):
    return factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Dental site")


def task(project, key: str) -> Task:
    with scope(agency=project.agency_id):
        return Task.objects.get(project=project, key=key)


def snapshot(project) -> dict:
    """Every task's dates, to show that nothing moved."""
    with scope(agency=project.agency_id):
        return {t.key: (t.start_date, t.due_date) for t in Task.objects.filter(project=project)}


# --------------------------------------------------------------------------- the page


def test_the_task_page_shows_dates_links_inputs_decision_and_history(team, project, as_member):
    agency = team["agency"]
    kickoff, design = task(project, "kickoff"), task(project, "design")
    with scope(agency=agency.pk):
        calendar = agency_calendar(agency)
        services.task_reschedule(
            actor=team["coordinator"],
            task=kickoff,
            new_due=calendar.add_business_days(kickoff.due_date, -1),
            reason="Client free earlier",
        )
        services.task_flag_decision(
            actor=team["coordinator"], task=kickoff, question="Which logo?", decide_by="Dana"
        )
        kickoff.refresh_from_db()
    page = as_member.get(url("task_detail", agency, kickoff.pk)).content.decode()
    assert "Kick-off and brief sign-off" in page and "Dental site" in page
    assert f"{short(kickoff.due_date)} {kickoff.due_date.year}" in page
    assert "Moved 1 time" in page and "Client free earlier" in page
    assert "Which logo?" in page and "Dana decides" in page
    assert "Brand guidelines and logo files" in page
    assert "Sitemap and page goals" in page  # needed by
    design_page = as_member.get(url("task_detail", agency, design.pk)).content.decode()
    assert "Client approves wireframes" in design_page and "Client approves copy" in design_page
    assert "finishes first" in design_page and "Never moved" in design_page


def test_a_task_without_an_active_assignee_says_owner_unclear(team, project, as_member):
    qa = task(project, "qa")
    with scope(agency=team["agency"].pk):
        qa.assignee.is_active = False
        qa.assignee.save()
    page = as_member.get(url("task_detail", team["agency"], qa.pk)).content.decode()
    assert "Owner unclear" in page and "has left the agency" in page


# --------------------------------------------------------------------------- status


def test_waiting_without_saying_on_whom_is_refused_on_the_field(team, project, as_member):
    copy = task(project, "copy")
    response = as_member.post(url("task_status", team["agency"], copy.pk), {"status": "waiting"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_waiting_on_error">Say whom the task is waiting on' in page
    assert task(project, "copy").status == TaskStatus.NOT_STARTED


def test_a_status_change_records_whom_the_task_waits_on(team, project, as_member):
    copy = task(project, "copy")
    response = as_member.post(
        url("task_status", team["agency"], copy.pk),
        {"status": "waiting", "waiting_on": "vendor", "waiting_on_name": "Print shop"},
        follow=True,
    )
    assert "is now waiting" in response.content.decode()
    copy = task(project, "copy")
    assert (copy.status, copy.waiting_on, copy.waiting_on_name) == ("waiting", "vendor", "Print shop")
    assert copy.waiting_since is not None


def test_an_htmx_status_change_returns_only_the_status_partial(team, project, as_member):
    copy = task(project, "copy")
    response = as_member.post(
        url("task_status", team["agency"], copy.pk),
        {"status": "blocked", "blocked_reason": "No brand files"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="task-status",
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="card" id="task-status"')
    today = agency_today(team["agency"])
    assert "<html" not in page and f"Blocked since {today:%a %-d %b}: No brand files" in page
    assert task(project, "copy").status == TaskStatus.BLOCKED
    # The home view's sections listen for this event to refresh in place.
    assert response.headers["HX-Trigger"] == "taskChanged"


def test_a_refused_htmx_status_change_triggers_no_refresh(team, project, as_member):
    copy = task(project, "copy")
    response = as_member.post(
        url("task_status", team["agency"], copy.pk),
        {"status": "blocked", "blocked_reason": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="task-status",
    )
    assert (
        "HX-Trigger" not in response.headers and "Say why the task is blocked." in response.content.decode()
    )
    assert task(project, "copy").status != TaskStatus.BLOCKED


def test_an_htmx_status_change_from_a_board_card_returns_that_card(team, project, as_member):
    copy = task(project, "copy")
    response = as_member.post(
        url("task_status", team["agency"], copy.pk),
        {"status": "in_progress"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"task-card-{copy.pk}",
    )
    page = response.content.decode()
    assert (
        f'<article class="proj-card" id="task-card-{copy.pk}" draggable="true" data-status="in_progress">' in page
        and "<html" not in page
    )
    assert '<option value="in_progress" selected>' in page
    # Without JavaScript, the swapped card's form still leads back to the board.
    assert f'name="next" value="{url("project_detail", team["agency"], project.pk)}?view=board"' in page
    assert task(project, "copy").status == TaskStatus.IN_PROGRESS


def test_a_board_card_without_javascript_comes_back_to_the_board(team, project, as_member):
    copy = task(project, "copy")
    board = url("project_detail", team["agency"], project.pk) + "?view=board"
    page = as_member.get(board).content.decode()
    assert page.count(f'name="next" value="{board}"') == page.count('class="proj-card-form"') > 10
    response = as_member.post(url("task_status", team["agency"], copy.pk), {"status": "done", "next": board})
    assert response.status_code == 302 and response["Location"] == board
    assert task(project, "copy").status == TaskStatus.DONE


# --------------------------------------------------------------------------- assignee and decision


def test_a_coordinator_reassigns_and_a_member_may_not(team, project, as_coordinator, as_member):
    copy = task(project, "copy")
    other_writer = factories.membership_create(
        agency=team["agency"], discipline="writer", full_name="Wren Writer"
    )
    assert (
        as_member.post(url("task_assign", team["agency"], copy.pk), {"assignee": other_writer.pk}).status_code
        == 403
    )
    assert task(project, "copy").assignee_id != other_writer.pk
    response = as_coordinator.post(
        url("task_assign", team["agency"], copy.pk), {"assignee": other_writer.pk}, follow=True
    )
    assert "now assigned to Wren Writer" in response.content.decode()
    assert task(project, "copy").assignee_id == other_writer.pk


def test_a_decision_is_flagged_with_who_decides_and_then_cleared(team, project, as_member):
    copy = task(project, "copy")
    refused = as_member.post(
        url("task_decision", team["agency"], copy.pk), {"action": "flag", "decision_question": "Tone?"}
    )
    assert "Say who must decide." in refused.content.decode()
    assert task(project, "copy").needs_decision is False
    # Who decides is a person picked from a list, not free text.
    typed = as_member.post(
        url("task_decision", team["agency"], copy.pk),
        {"action": "flag", "decision_question": "Tone?", "decision_by": "Sam (owner)"},
    )
    assert "Pick someone on the team or one of the client" in typed.content.decode()
    contact = team["contacts"][0]
    page = as_member.get(url("task_detail", team["agency"], copy.pk)).content.decode()
    assert f'value="contact:{contact.pk}"' in page and f'value="member:{team["owner"].pk}"' in page
    as_member.post(
        url("task_decision", team["agency"], copy.pk),
        {
            "action": "flag",
            "decision_question": "Formal or playful tone?",
            "decision_by": f"contact:{contact.pk}",
        },
    )
    flagged = task(project, "copy")
    assert flagged.needs_decision and flagged.decision_by == contact.full_name
    assert flagged.decider_contact_id == contact.pk and flagged.decider_member_id is None
    as_member.post(url("task_decision", team["agency"], copy.pk), {"action": "clear"})
    assert task(project, "copy").needs_decision is False


# --------------------------------------------------------------------------- dependencies


def test_a_loop_through_the_dependency_form_is_refused_naming_the_tasks(team, project, as_coordinator):
    kickoff, launch = task(project, "kickoff"), task(project, "launch")
    with scope(agency=team["agency"].pk):
        before = TaskDependency.objects.count()
    response = as_coordinator.post(
        url("dependency_create", team["agency"], kickoff.pk),
        {"predecessor": launch.pk, "kind": "FS", "lag_days": 0},
    )
    page = response.content.decode()
    assert "loop" in page and "Kick-off and brief sign-off" in page and launch.title in page
    assert 'id="id_predecessor_error">These tasks depend on each other in a loop' in page
    with scope(agency=team["agency"].pk):
        assert TaskDependency.objects.count() == before


def test_a_negative_lag_is_refused_on_the_form(team, project, as_coordinator):
    kickoff, tracking = task(project, "kickoff"), task(project, "tracking")
    before = snapshot(project)
    response = as_coordinator.post(
        url("dependency_create", team["agency"], tracking.pk),
        {"predecessor": kickoff.pk, "kind": "FS", "lag_days": -2},
    )
    assert 'id="id_lag_days_error">The lag cannot be negative.' in response.content.decode()
    with scope(agency=team["agency"].pk):
        assert not TaskDependency.objects.filter(predecessor=kickoff, successor=tracking).exists()
    assert snapshot(project) == before


def test_a_task_of_another_project_cannot_be_a_predecessor(team, project, as_coordinator):
    other = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    qa = task(project, "qa")
    response = as_coordinator.post(
        url("dependency_create", team["agency"], qa.pk),
        {"predecessor": task(other, "kickoff").pk, "kind": "FS", "lag_days": 0},
    )
    assert "A task can only depend on a task of the same project." in response.content.decode()


def test_dependencies_are_added_and_removed_from_the_task_page(team, project, as_coordinator):
    kickoff, tracking = task(project, "kickoff"), task(project, "tracking")
    response = as_coordinator.post(
        url("dependency_create", team["agency"], tracking.pk),
        {"predecessor": kickoff.pk, "kind": "SS", "lag_days": 1},
        follow=True,
    )
    assert "now waits for “Kick-off and brief sign-off”" in response.content.decode()
    with scope(agency=team["agency"].pk):
        link = TaskDependency.objects.get(predecessor=kickoff, successor=tracking)
        assert (link.kind, link.lag_days) == ("SS", 1)
    as_coordinator.post(url("dependency_remove", team["agency"], tracking.pk, link.pk))
    with scope(agency=team["agency"].pk):
        assert not TaskDependency.objects.filter(pk=link.pk).exists()


# --------------------------------------------------------------------------- moving a due date


def test_the_reschedule_preview_shows_the_ripple_and_changes_nothing_until_confirmed(
    team, project, as_member
):
    agency = team["agency"]
    copy = task(project, "copy")
    with scope(agency=agency.pk):
        calendar = agency_calendar(agency)
    new_due = calendar.add_business_days(copy.due_date, 2)
    launch_before = project.launch_date
    launch_after = calendar.add_business_days(launch_before, 2)
    before = snapshot(project)

    preview = as_member.post(
        url("task_reschedule", agency, copy.pk),
        {"due_date": new_due.isoformat(), "reason": "Client late with offer"},
    )
    page = preview.content.decode()
    slip = (
        f"Forecast launch {short(launch_after)}, two business days after the committed {short(launch_before)}"
    )
    assert slip in page
    assert "Visual design" in page and "+2 business days" in page and "Confirm the move" in page
    assert snapshot(project) == before
    with scope(agency=agency.pk):
        assert DeadlineChange.objects.count() == 0

    confirmed = as_member.post(
        url("task_reschedule", agency, copy.pk),
        {"due_date": new_due.isoformat(), "reason": "Client late with offer", "confirm": "1"},
        follow=True,
    )
    assert confirmed.redirect_chain[-1][0] == url("task_detail", agency, copy.pk)
    assert slip in confirmed.content.decode()
    with scope(agency=agency.pk):
        moved = DeadlineChange.objects.get(task=copy)
        assert (moved.new_due, moved.reason, moved.changed_by) == (
            new_due,
            "Client late with offer",
            team["members"][0],
        )
        assert DeadlineChange.objects.filter(task__project=project, cause="cascade").count() >= 3
        # The committed launch stays; only the forecast moved.
        assert Project.objects.get(pk=project.pk).launch_date == launch_before


@pytest.mark.parametrize(
    "case, expected",
    [
        ("no reason", "Say why the date moves; it is kept in the deadline history."),
        ("weekend", "is not a working day for the agency."),
        ("before predecessor", "cannot be due before"),
    ],
)
def test_bad_moves_are_refused_with_the_reason_and_nothing_changes(case, expected, team, project, as_member):
    agency = team["agency"]
    design = task(project, "design")
    with scope(agency=agency.pk):
        calendar = agency_calendar(agency)
    later = calendar.add_business_days(design.due_date, 1)
    data = {"due_date": later.isoformat(), "reason": "Because"}
    if case == "no reason":
        data["reason"] = " "
    elif case == "weekend":
        saturday = design.due_date + timedelta(days=(5 - design.due_date.weekday()) % 7)
        data["due_date"] = saturday.isoformat()
    else:
        data["due_date"] = calendar.add_business_days(design.due_date, -3).isoformat()
    before = snapshot(project)
    for confirm in ({}, {"confirm": "1"}):
        response = as_member.post(url("task_reschedule", agency, design.pk), {**data, **confirm})
        page = response.content.decode()
        assert expected in page, case
        assert "Confirm the move" not in page
    assert snapshot(project) == before
    with scope(agency=agency.pk):
        assert DeadlineChange.objects.count() == 0


# --------------------------------------------------------------------------- tenancy


def test_another_agencys_task_is_a_404_on_every_task_page(team, other_team, project, logged_in):
    kickoff, sitemap = task(project, "kickoff"), task(project, "sitemap")
    with scope(agency=team["agency"].pk):
        link = TaskDependency.objects.get(predecessor=kickoff, successor=sitemap)
    outsider = logged_in(other_team["coordinator"].user)
    slug = other_team["agency"].slug
    before = snapshot(project)
    pages = [
        ("task_detail", [kickoff.pk], "get"),
        ("task_status", [kickoff.pk], "post"),
        ("task_reschedule", [kickoff.pk], "get"),
        ("task_reschedule", [kickoff.pk], "post"),
        ("task_assign", [kickoff.pk], "post"),
        ("task_decision", [kickoff.pk], "post"),
        ("dependency_create", [sitemap.pk], "post"),
        ("dependency_remove", [sitemap.pk, link.pk], "post"),
    ]
    for name, args, method in pages:
        response = getattr(outsider, method)(
            reverse(name, args=[slug, *args]),
            {"status": "done", "due_date": "2030-01-07", "reason": "x", "confirm": "1", "action": "clear"},
        )
        assert response.status_code == 404, (name, method)
    assert snapshot(project) == before
    assert task(project, "kickoff").status == TaskStatus.NOT_STARTED
    with scope(agency=team["agency"].pk):
        assert TaskDependency.objects.filter(pk=link.pk).exists()
