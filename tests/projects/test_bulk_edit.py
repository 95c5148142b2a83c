"""Bulk edit in a project's task list: reassign, change status, shift dates with the launch preview."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from projects.calendars import agency_calendar
from projects.models import DeadlineChange, DeadlineChangeCause, Task, TaskStatus, TaskStatusChange
from tests import factories
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


def bulk_url(agency, project) -> str:
    return reverse("task_bulk_edit", args=[agency.slug, project.pk])


@pytest.fixture
def project(team):
    return factories.project_create(actor=team["coordinator"], client=team["clients"][0], launch_in_days=120)


def plan(agency, project) -> dict[int, tuple]:
    with scope(agency=agency.pk):
        return {
            t.pk: (t.start_date, t.due_date, t.status, t.assignee_id)
            for t in Task.objects.filter(project=project)
        }


def pick(agency, project, *positions: int) -> list[Task]:
    with scope(agency=agency.pk):
        tasks = list(Task.objects.filter(project=project).order_by("start_date", "order", "pk"))
    return [tasks[i] for i in positions]


def test_the_list_view_offers_checkboxes_and_the_three_bulk_actions(team, project, as_coordinator):
    agency = team["agency"]
    page = as_coordinator.get(reverse("project_detail", args=[agency.slug, project.pk]), {"view": "list"})
    html = page.content.decode()
    [first] = pick(agency, project, 0)
    assert f'name="task" value="{first.pk}" form="bulk-form"' in html
    assert f'action="{bulk_url(agency, project)}"' in html
    for action in ("shift", "status", "assign"):
        assert f'name="action" value="{action}"' in html
    assert '<option value="in_review">In review</option>' in html


def test_pressing_a_bulk_button_without_choosing_changes_nothing_and_asks_for_the_choice(
    team, project, as_coordinator
):
    agency = team["agency"]
    chosen = pick(agency, project, 0, 1)
    before = plan(agency, project)
    for action, message in (
        ("status", "Choose the new status."),
        ("assign", "Choose whom to give the tasks"),
    ):
        response = as_coordinator.post(
            bulk_url(agency, project), {"task": [t.pk for t in chosen], "action": action}
        )
        assert message in response.content.decode()
    assert plan(agency, project) == before


def test_a_coordinator_reassigns_the_ticked_tasks_and_nothing_else(team, project, as_coordinator):
    agency = team["agency"]
    designer = team["owner"]
    chosen = pick(agency, project, 1, 2, 3)
    before = plan(agency, project)

    response = as_coordinator.post(
        bulk_url(agency, project),
        {"task": [t.pk for t in chosen], "action": "assign", "assignee": designer.pk},
    )

    assert response.status_code == 302 and response["Location"].endswith("?view=list")
    after = plan(agency, project)
    assert {pk for pk in after if after[pk] != before[pk]} == {t.pk for t in chosen}
    assert all(after[t.pk][3] == designer.pk for t in chosen)


def test_a_member_changes_status_in_bulk_with_history_but_may_not_reassign(team, project, as_member):
    agency = team["agency"]
    chosen = pick(agency, project, 0, 1)
    response = as_member.post(
        bulk_url(agency, project), {"task": [t.pk for t in chosen], "action": "status", "status": "in_review"}
    )
    assert response.status_code == 302
    with scope(agency=agency.pk):
        assert set(Task.objects.filter(pk__in=[t.pk for t in chosen]).values_list("status", flat=True)) == {
            TaskStatus.IN_REVIEW
        }
        assert TaskStatusChange.objects.filter(task__in=chosen, new_status="in_review").count() == 2

    before = plan(agency, project)
    refused = as_member.post(
        bulk_url(agency, project),
        {"task": [t.pk for t in chosen], "action": "assign", "assignee": team["members"][0].pk},
    )
    assert refused.status_code == 403
    assert plan(agency, project) == before


def test_a_refused_status_changes_no_task_and_says_why(team, project, as_coordinator):
    agency = team["agency"]
    chosen = pick(agency, project, 0, 1, 2)
    before = plan(agency, project)
    response = as_coordinator.post(
        bulk_url(agency, project), {"task": [t.pk for t in chosen], "action": "status", "status": "blocked"}
    )
    assert response.status_code == 200
    assert "Say why the task is blocked." in response.content.decode()
    assert plan(agency, project) == before


def test_tasks_of_another_project_or_agency_answer_404_and_nothing_is_touched(
    team, other_team, project, as_coordinator
):
    agency = team["agency"]
    other_project = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    theirs = factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0])
    [mine] = pick(agency, project, 0)
    [neighbour] = pick(agency, other_project, 0)
    [foreign] = pick(other_team["agency"], theirs, 0)
    before = (plan(agency, project), plan(agency, other_project), plan(other_team["agency"], theirs))
    for intruder in (neighbour, foreign):
        response = as_coordinator.post(
            bulk_url(agency, project), {"task": [mine.pk, intruder.pk], "action": "status", "status": "done"}
        )
        assert response.status_code == 404
    garbage = as_coordinator.post(bulk_url(agency, project), {"task": ["1", "x"], "action": "status"})
    assert garbage.status_code == 400
    too_many = as_coordinator.post(bulk_url(agency, project), {"task": [str(n) for n in range(501)]})
    assert too_many.status_code == 400
    assert (plan(agency, project), plan(agency, other_project), plan(other_team["agency"], theirs)) == before


def _shift(client, agency, project, chosen, days, *, confirm=False):
    data = {"task": [t.pk for t in chosen], "action": "shift", "days": days, "reason": "Client holiday"}
    if confirm:
        data["confirm"] = "1"
    return client.post(bulk_url(agency, project), data)


def test_shifting_shows_what_moves_and_the_launch_before_anything_changes(
    team, project, as_coordinator, django_assert_num_queries
):
    agency = team["agency"]
    chosen = pick(agency, project, 2, 3, 4)
    before = plan(agency, project)
    # the first reads; project; the ticked tasks; the plan's tasks and links; closures
    with django_assert_num_queries(STAFF_PAGE_READS + 5):
        response = _shift(as_coordinator, agency, project, chosen, 2)
    html = response.content.decode()
    assert response.status_code == 200
    assert "What moves" in html and "Confirm the shift" in html
    assert "Forecast launch after" in html and "Committed launch" in html
    assert html.count("(chosen)") == 3
    assert plan(agency, project) == before


@pytest.mark.parametrize("count", [3, 6])
def test_confirming_a_shift_moves_each_ticked_task_by_business_days_with_its_history(
    count, team, project, as_coordinator, django_assert_num_queries
):
    agency = team["agency"]
    chosen = pick(agency, project, *range(2, 2 + count))
    before = plan(agency, project)
    with scope(agency=agency.pk):
        calendar = agency_calendar(agency)
    # The same number of queries for 3 or 6 tasks: the moves are worked out in memory and written at once.
    # the first reads; project; the ticked tasks; savepoint; lock the project; the plan's tasks and links;
    # the agency and its closures; the tasks' new dates; their history; the phases' deadlines (last due
    # dates, phases, write); release
    with django_assert_num_queries(STAFF_PAGE_READS + 14):
        response = _shift(as_coordinator, agency, project, chosen, 2, confirm=True)
    assert response.status_code == 302
    after = plan(agency, project)
    for task in chosen:
        assert after[task.pk][1] >= calendar.add_business_days(before[task.pk][1], 2)
    with scope(agency=agency.pk):
        manual = DeadlineChange.objects.filter(task__project=project, cause=DeadlineChangeCause.MANUAL)
        assert manual.count() >= 1
        assert set(manual.values_list("reason", flat=True)) == {"Client holiday"}
        moved = {pk for pk in after if after[pk][:2] != before[pk][:2]}
        assert (
            set(DeadlineChange.objects.filter(task__project=project).values_list("task_id", flat=True))
            == moved
        )
    assert {t.pk for t in chosen} <= moved


def test_a_shift_without_a_reason_is_refused_before_the_preview(team, project, as_coordinator):
    agency = team["agency"]
    chosen = pick(agency, project, 2)
    response = as_coordinator.post(
        bulk_url(agency, project), {"task": [t.pk for t in chosen], "action": "shift", "days": "2"}
    )
    assert "Say why the dates move" in response.content.decode()
    assert "Confirm the shift" not in response.content.decode()


def test_the_shift_service_refuses_tasks_of_another_project(team, project):
    from django.core.exceptions import ValidationError

    from projects import services

    agency = team["agency"]
    other = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    [mine] = pick(agency, project, 0)
    [theirs] = pick(agency, other, 0)
    with scope(agency=agency.pk), pytest.raises(ValidationError, match="Choose tasks of this project"):
        services.tasks_shift_preview(project=project, tasks=[mine, theirs], days=2)
