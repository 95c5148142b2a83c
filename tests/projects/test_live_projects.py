"""One definition of a live project: planned or under way. On hold is not live anywhere."""

from __future__ import annotations

import pytest
from django_scopes import scope

from projects import services
from projects.calendars import agency_calendar, agency_today
from projects.home_sections import home_sections
from projects.models import Project, ProjectStatus, Task, TaskStatus
from projects.risk_scan import agency_snapshot
from projects.workload import workload_for
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_on_hold_project_is_not_live_on_the_home_view_the_workload_or_the_risk_scan(team):
    agency = team["agency"]
    paused = factories.project_create(
        actor=team["coordinator"],
        client=team["clients"][0],
        name="Paused",
        launch_in_days=10,
        accept_start_in_past=True,
    )
    running = factories.project_create(
        actor=team["coordinator"],
        client=team["clients"][1],
        name="Running",
        launch_in_days=10,
        accept_start_in_past=True,
    )
    with scope(agency=agency.pk):
        services.project_set_status(actor=team["coordinator"], project=paused, status=ProjectStatus.ON_HOLD)
        for project in (paused, running):
            Task.objects.filter(project=project, key="copy").update(
                status=TaskStatus.BLOCKED,
                blocked_reason="Stuck",
                assignee=team["members"][0],
                estimated_hours=6,
            )
        today = agency_today(agency)

        assert list(Project.objects.live().values_list("name", flat=True)) == ["Running"]
        assert {t.project.name for t in Task.objects.of_live_projects().select_related("project")} == {
            "Running"
        }

        home = home_sections(agency, team["owner"], today)
        assert [item.task.project_name for item in home.blocked] == ["Running"]

        scanned = agency_snapshot(agency)
        assert [p.project_name for p in scanned.projects] == ["Running"]

        workload = workload_for(agency, today=today, calendar=agency_calendar(agency, around=today))
        live_task_ids = set(Task.objects.of_live_projects().values_list("pk", flat=True))
        assert workload.items and all(item.task_id in live_task_ids for item in workload.items)
