"""A task "In review" is started and not done: every rule, count and page treats it like work in progress."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope

from projects import selectors, services
from projects.calendars import agency_calendar, agency_today
from projects.models import STARTED_STATUSES, Task, TaskStatus, TaskStatusChange
from projects.risk_scan import agency_snapshot
from projects.risks import STARTED, ProjectSnapshot, TaskSnap, forecast_slots, rule_launch_at_risk
from projects.scheduling import BusinessCalendar, Dependency, Slot
from projects.timeline import TimelineTask, build_timeline
from projects.workload import workload_for
from tests import factories
from tests.factories import token_client

D = date
TODAY = D(2026, 12, 2)  # a Wednesday
WEEKDAYS = BusinessCalendar()


def _plan(design_status: str) -> ProjectSnapshot:
    def task(id: int, key: str, start: date, due: date, duration: int, **fields: Any) -> TaskSnap:
        return TaskSnap(
            id=id,
            key=key,
            title=key.title(),
            start=start,
            due=due,
            duration=duration,
            assignee_id=100,
            assignee_name="Dana",
            **fields,
        )

    tasks = (
        task(1, "copy", D(2026, 11, 25), D(2026, 11, 27), 3, status="done"),
        task(
            2,
            "design",
            D(2026, 11, 30),
            D(2026, 12, 4),
            5,
            status=design_status,
            predecessors=(Dependency("copy", "FS", 0),),
        ),
        task(3, "build", D(2026, 12, 7), D(2026, 12, 11), 5, predecessors=(Dependency("design", "FS", 0),)),
        task(4, "launch", D(2026, 12, 14), D(2026, 12, 14), 0, predecessors=(Dependency("build", "FS", 0),)),
    )
    return ProjectSnapshot(
        project_id=9,
        project_name="Website relaunch",
        client_name="Northwind",
        launch_date=D(2026, 12, 14),
        tasks=tasks,
    )


def test_the_rules_and_the_models_agree_on_which_statuses_mean_started():
    assert STARTED == {"in_progress", "in_review"}
    assert set(STARTED_STATUSES) == STARTED
    assert TaskSnap(
        id=1, key="a", title="A", start=TODAY, due=TODAY, duration=1, status="in_review"
    ).is_started
    assert not TaskSnap(
        id=1, key="a", title="A", start=TODAY, due=TODAY, duration=1, status="waiting"
    ).is_started


def test_work_in_review_keeps_its_planned_finish_in_the_forecast_like_work_in_progress():
    in_review = forecast_slots(_plan("in_review"), today=TODAY, calendar=WEEKDAYS)
    in_progress = forecast_slots(_plan("in_progress"), today=TODAY, calendar=WEEKDAYS)
    not_started = forecast_slots(_plan("not_started"), today=TODAY, calendar=WEEKDAYS)

    assert in_review == in_progress
    assert in_review["design"] == Slot(D(2026, 11, 30), D(2026, 12, 4))
    # Had it not started, it would begin today and push the launch.
    assert not_started["design"] == Slot(D(2026, 12, 2), D(2026, 12, 8))


def test_work_in_review_is_never_called_not_started_and_does_not_put_the_launch_at_risk():
    def run(status: str):
        return rule_launch_at_risk(_plan(status), today=TODAY, calendar=WEEKDAYS, lookahead_days=5)

    assert run("in_review") == [] == run("in_progress")
    [late] = run("not_started")
    assert "was due to start Monday and has not" in late.message


def test_the_timeline_shows_work_in_review_in_its_own_colour_until_it_is_overdue():
    mon, wed, fri = D(2026, 5, 4), D(2026, 5, 6), D(2026, 5, 8)
    chart = build_timeline(
        [
            TimelineTask(key="review", title="Review", phase="", start=mon, due=fri, status="in_review"),
            TimelineTask(
                key="late", title="Late", phase="", start=mon, due=D(2026, 5, 5), status="in_review"
            ),
        ],
        today=wed,
    )
    assert chart.row_for("review").state == "in_review"
    assert chart.row_for("review").classes == "tl-task tl-in-review"
    assert chart.row_for("review").tooltip.endswith("· In review")
    assert chart.row_for("late").state == "overdue"


# ---------------------------------------------------------------- with the database

pytestmark_db = pytest.mark.django_db


def _review(team, project, key: str) -> Task:
    with scope(agency=team["agency"].pk):
        return services.task_update_status(
            actor=team["coordinator"], task=project.tasks.get(key=key), status=TaskStatus.IN_REVIEW
        )


@pytestmark_db
def test_the_board_has_an_in_review_column_between_in_progress_and_done(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    _review(team, project, "kickoff")
    agency = team["agency"]
    with scope(agency=agency.pk):
        page = selectors.project_page(agency, project.pk, agency_today(agency))
        history = list(
            TaskStatusChange.objects.filter(task__key="kickoff").values_list("old_status", "new_status")
        )
    columns = {value: (label, [t.key for t in tasks]) for value, label, tasks in page.columns}
    assert list(columns) == ["not_started", "in_progress", "in_review", "waiting", "blocked", "done"]
    assert columns["in_review"] == ("In review", ["kickoff"])
    assert history == [("not_started", "in_review")]


@pytestmark_db
def test_a_task_in_review_counts_as_open_for_progress_overdue_capacity_and_the_risk_scan(team):
    coordinator = team["coordinator"]
    agency = team["agency"]
    rushed = factories.project_create(
        actor=coordinator,
        client=team["clients"][0],
        name="Rushed",
        launch_in_days=7,
        accept_start_in_past=True,
    )
    with scope(agency=agency.pk):
        today = agency_today(agency)
        calendar = agency_calendar(agency, around=today)
        late = rushed.tasks.filter(due_date__lt=today).order_by("due_date").first()
        current = rushed.tasks.filter(due_date__gte=today, estimated_hours__gt=0).order_by("due_date").first()
        assert late is not None and current is not None

        def figures():
            page = selectors.project_rows_page(agency, today=today, offset=0, limit=500)
            [row] = [row for row in page.rows if row.id == rushed.pk]
            load = [r.cells for r in workload_for(agency, today=today, calendar=calendar).rows]
            return (row.tasks_done, row.overdue_count), load

        counts_before, load_before = figures()
    _review(team, rushed, late.key)
    _review(team, rushed, current.key)
    with scope(agency=agency.pk):
        counts_after, load_after = figures()
        [snap] = [p for p in agency_snapshot(agency).projects if p.project_id == rushed.pk]
        services.task_update_status(
            actor=coordinator, task=Task.objects.get(pk=current.pk), status=TaskStatus.DONE
        )
        _, load_done = figures()
    assert counts_after == counts_before and counts_after[1] > 0
    assert load_after == load_before != load_done  # its hours still load its owner until it is done
    snap_task = next(t for t in snap.tasks if t.id == late.pk)
    assert snap_task.is_open and snap_task.is_started


@pytestmark_db
def test_the_api_moves_a_task_to_in_review_and_lists_it_in_the_status_enum(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    agency = team["agency"]
    with scope(agency=agency.pk):
        task = project.tasks.get(key="copy")
    api = token_client(team["members"][2].user)
    response = api.patch(
        f"/api/v1/agencies/{agency.slug}/tasks/{task.pk}/", {"status": "in_review"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["task"]["status"] == "in_review"
    with scope(agency=agency.pk):
        assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_REVIEW
    schema = api.get(reverse("api-schema") + "?format=json")
    assert schema.status_code == 200
    assert b"in_review" in schema.content
