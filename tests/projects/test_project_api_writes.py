"""What the project pages change, over the API: status, brief, required inputs, closures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scope

from projects import services
from projects.calendars import agency_today
from projects.models import AgencyClosure, Project, RequiredInput, Task
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db


def url(name: str, agency, *args) -> str:
    return reverse(name, args=[agency.slug, *args])


@pytest.fixture
def project(team) -> Project:
    return factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Dental site")


def test_a_project_goes_active_only_once_its_brief_is_complete(team, project):
    api = token_client(team["coordinator"].user)
    refused = api.post(
        url("api_project_status", team["agency"], project.pk), {"status": "active"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["status"][0].startswith("Complete the brief before starting work. Missing:")
    brief = api.patch(
        url("api_project_brief", team["agency"], project.pk),
        {
            "campaign_name": "Smile",
            "objective": "More bookings",
            "deliverables": "Landing page",
            "channels": "Web",
            "internal_owner": team["coordinator"].pk,
            "due_date": str(project.launch_date),
            "review_milestones": "Copy\nDesign",
            "known_constraints": "Brand colours are fixed",
        },
        format="json",
    )
    assert brief.status_code == 200, brief.json()
    assert brief.json()["missing"] == [] and brief.json()["internal_owner"] == team["coordinator"].pk
    started = api.post(
        url("api_project_status", team["agency"], project.pk), {"status": "active"}, format="json"
    )
    assert started.status_code == 200 and started.json()["status"] == "active"
    with scope(agency=team["agency"].pk):
        assert Project.objects.get(pk=project.pk).status == "active"


def test_a_brief_owner_from_another_agency_is_refused_like_an_unknown_one(team, other_team, project):
    api = token_client(team["coordinator"].user)
    response = api.patch(
        url("api_project_brief", team["agency"], project.pk),
        {"internal_owner": other_team["owner"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"internal_owner": ["Choose someone on your team."]}


def test_members_read_but_cannot_change_status_or_brief(team, project):
    api = token_client(team["members"][0].user)
    assert api.get(url("api_project_brief", team["agency"], project.pk)).json()["missing"]
    assert (
        api.post(
            url("api_project_status", team["agency"], project.pk), {"status": "on_hold"}, format="json"
        ).status_code
        == 403
    )
    assert (
        api.patch(
            url("api_project_brief", team["agency"], project.pk), {"objective": "x"}, format="json"
        ).status_code
        == 403
    )


def test_an_input_is_tracked_against_tasks_and_any_member_marks_it_received(team, project):
    agency = team["agency"]
    with scope(agency=agency.pk):
        design = Task.objects.get(project=project, key="design")
    expected = agency_today(agency) + timedelta(days=10)
    created = token_client(team["coordinator"].user).post(
        url("api_project_inputs", agency, project.pk),
        {
            "description": "Logo files",
            "from_party": "client",
            "expected_by": str(expected),
            "tasks": [design.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["tasks"] == [design.pk] and created.json()["received_at"] is None
    received = token_client(team["members"][0].user).post(
        url("api_project_input_receive", agency, project.pk, created.json()["id"]), {}, format="json"
    )
    assert received.status_code == 200 and received.json()["received_at"] == str(agency_today(agency))


def test_an_input_for_another_projects_task_or_with_no_date_is_refused(team, project):
    other = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    with scope(agency=team["agency"].pk):
        foreign_task = Task.objects.filter(project=other).first()
    api = token_client(team["coordinator"].user)
    response = api.post(
        url("api_project_inputs", team["agency"], project.pk),
        {
            "description": "Logo",
            "from_party": "client",
            "expected_by": "2030-01-07",
            "tasks": [foreign_task.pk],
        },
        format="json",
    )
    assert response.status_code == 400 and response.json() == {"tasks": ["Link tasks of this project only."]}
    no_date = api.post(
        url("api_project_inputs", team["agency"], project.pk),
        {"description": "Logo", "from_party": "vendor"},
        format="json",
    )
    assert no_date.status_code == 400 and set(no_date.json()) == {"expected_by"}


@pytest.mark.parametrize("total", [2, 25])
def test_the_input_list_costs_the_same_queries_for_2_or_25_inputs(
    team, project, total, django_assert_num_queries
):
    with scope(agency=team["agency"].pk):
        from_template = RequiredInput.objects.filter(project=project).count()
        tasks = list(Task.objects.filter(project=project)[:3])
        for n in range(total):
            services.required_input_create(
                actor=team["coordinator"],
                project=project,
                description=f"Input {n}",
                from_party="client",
                expected_by=agency_today(team["agency"]) + timedelta(days=n),
                tasks=tasks,
            )
    api = token_client(team["owner"].user)
    # Token and user, membership, the project with its header, the count, the page, the inputs' tasks.
    with django_assert_num_queries(6):
        response = api.get(url("api_project_inputs", team["agency"], project.pk))
    assert len(response.json()["results"]) == from_template + total


def test_closures_are_added_listed_and_removed_and_a_duplicate_day_is_refused(team):
    agency = team["agency"]
    api = token_client(team["owner"].user)
    day = agency_today(agency) + timedelta(days=20)
    created = api.post(url("api_closure_list", agency), {"date": str(day), "name": "Team day"}, format="json")
    assert created.status_code == 201 and created.json()["name"] == "Team day"
    again = api.post(url("api_closure_list", agency), {"date": str(day)}, format="json")
    assert again.status_code == 400 and "already a closure" in again.json()["date"][0]
    assert [c["date"] for c in api.get(url("api_closure_list", agency)).json()["results"]] == [str(day)]
    member = token_client(team["members"][0].user)
    assert member.delete(url("api_closure_detail", agency, created.json()["id"])).status_code == 403
    assert api.delete(url("api_closure_detail", agency, created.json()["id"])).status_code == 204
    with scope(agency=agency.pk):
        assert not AgencyClosure.objects.exists()


@pytest.mark.parametrize("total", [2, 25])
def test_the_closure_list_costs_the_same_queries_for_2_or_25_closures(team, total, django_assert_num_queries):
    with scope(agency=team["agency"].pk):
        for n in range(total):
            services.closure_add(
                actor=team["owner"], day=agency_today(team["agency"]) + timedelta(days=n + 1)
            )
    api = token_client(team["owner"].user)
    # Token and user, membership, the count, the page.
    with django_assert_num_queries(4):
        response = api.get(url("api_closure_list", team["agency"]))
    assert len(response.json()["results"]) == total


def test_another_agencys_project_input_and_closure_are_404s(team, other_team, project):
    with scope(agency=team["agency"].pk):
        item = services.required_input_create(
            actor=team["coordinator"],
            project=project,
            description="Logo",
            from_party="client",
            expected_by=agency_today(team["agency"]) + timedelta(days=3),
        )
        closure = services.closure_add(
            actor=team["owner"], day=agency_today(team["agency"]) + timedelta(days=9)
        )
    stranger = token_client(other_team["owner"].user)
    b = other_team["agency"]
    assert stranger.get(url("api_project_brief", b, project.pk)).status_code == 404
    assert (
        stranger.post(url("api_project_input_receive", b, project.pk, item.pk), {}, format="json").status_code
        == 404
    )
    assert stranger.delete(url("api_closure_detail", b, closure.pk)).status_code == 404
    with scope(agency=team["agency"].pk):
        assert RequiredInput.objects.get(pk=item.pk).received_at is None
        assert AgencyClosure.objects.filter(pk=closure.pk).exists()


def test_a_coordinator_adds_a_one_off_task_after_another_and_a_member_may_not(team, project):
    agency = team["agency"]
    with scope(agency=agency.pk):
        design = Task.objects.get(project=project, key="design")
    api = token_client(team["coordinator"].user)
    response = api.post(
        url("api_project_tasks", agency, project.pk),
        {"title": "Extra banner", "duration_days": 2, "after": design.pk, "assignee": team["members"][1].pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    with scope(agency=agency.pk):
        task = Task.objects.get(project=project, title="Extra banner")
        assert task.added_after_plan and task.assignee == team["members"][1]
        assert task.start_date > design.due_date
        assert task.predecessor_links.get().predecessor == design
    assert response.json()["id"] == task.pk
    member = token_client(team["members"][0].user)
    refused = member.post(url("api_project_tasks", agency, project.pk), {"title": "Sneaky"}, format="json")
    assert refused.status_code == 403


def test_a_one_off_task_following_another_projects_task_is_refused(team, other_team, project):
    other = factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0])
    with scope(agency=other_team["agency"].pk):
        theirs = Task.objects.filter(project=other).first()
    api = token_client(team["coordinator"].user)
    response = api.post(
        url("api_project_tasks", team["agency"], project.pk),
        {"title": "Extra", "after": theirs.pk, "assignee": other_team["owner"].pk, "duration_days": 999},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"duration_days"}
    response = api.post(
        url("api_project_tasks", team["agency"], project.pk),
        {"title": "Extra", "after": theirs.pk, "assignee": other_team["owner"].pk},
        format="json",
    )
    assert response.json() == {
        "after": ["Choose a task of this project."],
        "assignee": ["Choose someone on your team."],
    }
