"""Reads behind the project pages: list annotations and risk, a project's page, history, template pickers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scope

from projects import selectors, services
from projects.calendars import agency_calendar, agency_today
from projects.models import ProjectTemplate, Task, TaskStatus
from tests import factories

pytestmark = pytest.mark.django_db


def _listed(team, **filters) -> dict:
    agency = team["agency"]
    with scope(agency=agency.pk):
        page = selectors.project_rows_page(agency, today=agency_today(agency), offset=0, limit=500, **filters)
        return {row.name: row for row in page.rows}


def test_the_list_counts_progress_overdue_and_blocked_tasks(team):
    coordinator = team["coordinator"]
    calm = factories.project_create(
        actor=coordinator, client=team["clients"][0], name="Calm", launch_in_days=150
    )
    rushed = factories.project_create(
        actor=coordinator,
        client=team["clients"][0],
        name="Rushed",
        launch_in_days=7,
        accept_start_in_past=True,
    )
    with scope(agency=team["agency"].pk):
        services.task_update_status(
            actor=coordinator, task=calm.tasks.get(key="kickoff"), status=TaskStatus.DONE
        )
        services.task_update_status(
            actor=coordinator,
            task=calm.tasks.get(key="sitemap"),
            status=TaskStatus.BLOCKED,
            blocked_reason="No access",
        )
        today = agency_today(team["agency"])
        overdue = rushed.tasks.filter(due_date__lt=today).count()
    rows = _listed(team)
    assert (rows["Calm"].tasks_total, rows["Calm"].tasks_done, rows["Calm"].blocked_count) == (14, 1, 1)
    assert rows["Calm"].overdue_count == 0
    assert overdue > 0 and rows["Rushed"].overdue_count == overdue
    # Health is not these counts: it is the open escalations and the forecast against the commitment
    # (projects.health), so the list never says "At risk" where the project's page shows no risk.
    assert rows["Calm"].at_risk is False and rows["Calm"].open_risks == 0


def test_a_project_on_track_is_not_at_risk_and_the_filter_leaves_it_out(team):
    factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Calm", launch_in_days=150
    )
    rows = _listed(team)
    assert rows["Calm"].at_risk is False
    assert _listed(team, at_risk=True) == {}


def test_a_last_task_due_after_the_launch_date_puts_the_project_at_risk(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Slipping")
    with scope(agency=team["agency"].pk):
        # The services keep the launch date on the last task; this is a plan that slipped past it anyway
        # (as an import or a hand edit of the database would leave it).
        Task.objects.filter(project=project, key="launch").update(
            due_date=project.launch_date + timedelta(days=3)
        )
    assert _listed(team)["Slipping"].at_risk
    assert set(_listed(team, at_risk=True)) == {"Slipping"}


def test_retainer_periods_after_the_launch_do_not_put_a_retainer_at_risk(team):
    factories.project_create(
        actor=team["coordinator"],
        client=team["clients"][0],
        name="Retainer",
        template="builtin:monthly-retainer",
        launch_in_days=30,
    )
    row = _listed(team)["Retainer"]
    assert row.tasks_total > 14 and row.at_risk is False


def test_the_list_filters_by_client_coordinator_and_status(team):
    other_coordinator = factories.membership_create(agency=team["agency"], role="coordinator")
    factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="A")
    factories.project_create(actor=other_coordinator, client=team["clients"][1], name="B")
    assert set(_listed(team, client_id=team["clients"][1].pk)) == {"B"}
    assert set(_listed(team, coordinator_id=team["coordinator"].pk)) == {"A"}
    assert set(_listed(team, status="planning")) == {"A", "B"}
    assert set(_listed(team, status="active")) == set()


def test_the_project_page_has_columns_phase_groups_critical_path_and_missing_brief_fields(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    agency = team["agency"]
    with scope(agency=agency.pk):
        services.task_update_status(
            actor=team["coordinator"], task=project.tasks.get(key="kickoff"), status=TaskStatus.IN_PROGRESS
        )
        page = selectors.project_page(agency, project.pk, agency_today(agency))
    columns = {value: tasks for value, _label, tasks in page.columns}
    assert list(columns) == ["not_started", "in_progress", "in_review", "waiting", "blocked", "done"]
    assert [t.key for t in columns["in_progress"]] == ["kickoff"] and len(columns["not_started"]) == 13
    assert [g.name for g in page.groups] == [
        "Strategy",
        "Creative",
        "Production",
        "QA",
        "Scheduling",
        "Launch",
    ]
    assert {"kickoff", "launch"} <= page.critical_keys
    assert all(t.is_critical == (t.key in page.critical_keys) for t in page.tasks)
    assert "Objective" in page.missing and "Required inputs" not in page.missing
    assert page.forecast_launch == project.launch_date and not page.launch_slips
    assert all(t.moves == 0 for t in page.tasks)


def test_the_history_is_newest_first_with_business_days_moved(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    agency = team["agency"]
    with scope(agency=agency.pk):
        calendar = agency_calendar(agency)
        qa = project.tasks.get(key="qa")
        services.task_reschedule(
            actor=team["coordinator"],
            task=qa,
            new_due=calendar.add_business_days(qa.due_date, 1),
            reason="First",
        )
        qa.refresh_from_db()
        services.task_reschedule(
            actor=team["coordinator"],
            task=qa,
            new_due=calendar.add_business_days(qa.due_date, 2),
            reason="Second",
        )
        history = selectors.project_deadline_history(project)
    moves_of_qa = [row for row in history if row.task.key == "qa"]
    assert [row.reason for row in moves_of_qa] == ["Second", "First"]
    assert [row.business_days for row in moves_of_qa] == [2, 1]
    cascaded = [row for row in history if row.caused_by_task_id == qa.pk]
    assert cascaded and all(row.caused_by_task.key == "qa" for row in cascaded)


def test_the_template_picker_lists_built_ins_then_the_agencys_own(team):
    agency = team["agency"]
    with scope(agency=agency.pk):
        ProjectTemplate.objects.create(agency=agency, name="Broken", spec={"tasks": []})
        summaries = selectors.templates_for_picker(agency)
    assert [s.ref for s in summaries[:6]] == [
        "builtin:website-launch",
        "builtin:paid-campaign",
        "builtin:email-sequence",
        "builtin:social-content-sprint",
        "builtin:brand-rollout",
        "builtin:monthly-retainer",
    ]
    assert summaries[0].task_count == 14 and summaries[0].phase_count == 6
    broken = summaries[6]
    assert broken.name == "Broken" and broken.spec is None and "at least one task" in broken.error
