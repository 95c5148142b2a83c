"""Adding a one-off task to a planned project."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from projects import services
from projects.calendars import agency_calendar, agency_today
from projects.models import Task, TaskDependency
from projects.risk_scan import agency_scan
from tests import factories

pytestmark = pytest.mark.django_db


def _url(team, project):
    return reverse("task_create", kwargs={"agency_slug": team["agency"].slug, "project_id": project.pk})


def test_a_coordinator_adds_a_task_that_starts_when_the_task_it_follows_allows(team, as_coordinator):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        copy = project.tasks.get(key="copy")
        phase = project.phases.get(name="Creative")
    response = as_coordinator.post(
        _url(team, project),
        {
            "title": "Spanish translation",
            "phase": phase.pk,
            "discipline": "writer",
            "duration_days": 3,
            "estimated_hours": "6",
            "after": copy.pk,
            "assignee": "",
        },
        follow=True,
    )
    assert "“Spanish translation” added" in response.content.decode()
    with scope(agency=team["agency"].pk):
        task = Task.objects.get(project=project, title="Spanish translation")
        calendar = agency_calendar(team["agency"])
        assert task.start_date == calendar.add_business_days(copy.due_date, 1)
        assert task.due_date == calendar.add_business_days(task.start_date, 2)
        assert task.added_after_plan and task.key == "spanish-translation"
        assert TaskDependency.objects.filter(predecessor=copy, successor=task).exists()


def test_a_task_from_another_project_cannot_be_followed_and_nothing_is_added(team, as_coordinator):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    other = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    with scope(agency=team["agency"].pk):
        foreign = other.tasks.get(key="copy")
        before = Task.objects.count()
        with pytest.raises(ValidationError) as excinfo:
            services.task_create(actor=team["coordinator"], project=project, title="Extra", after=foreign)
        assert "same project" in excinfo.value.message_dict["after"][0]
        assert Task.objects.count() == before
    page = as_coordinator.post(_url(team, project), {"title": "", "duration_days": -1, "estimated_hours": 0})
    assert "This field is required." in page.content.decode()


def test_a_member_cannot_add_tasks(team, as_member):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    assert as_member.post(_url(team, project), {"title": "Sneaky", "duration_days": 1}).status_code == 403
    with scope(agency=team["agency"].pk):
        assert not Task.objects.filter(title="Sneaky").exists()


def test_work_added_after_the_plan_is_raised_as_scope_by_the_scan(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        project.status = "active"
        project.save(update_fields=["status"])
        task = services.task_create(
            actor=team["coordinator"],
            project=project,
            title="Extra banner set",
            duration_days=2,
            assignee=team["members"][1],
        )
        agency_scan(team["agency"])
        escalation = project.escalations.get(rule="scope")
        assert "Extra banner set" in escalation.message
        assert agency_today(team["agency"]) <= task.start_date
