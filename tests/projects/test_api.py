"""The project API: templates, plans from templates, task edits and their ripple, dependencies, home."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.postgres.fields import ArrayField
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.db.models.query import ModelIterable
from django.test.utils import override_settings
from django.urls import reverse
from django_scopes import scope

from agencyops.models import Agency
from projects import scheduling, services
from projects.calendars import agency_calendar, agency_today
from projects.health import health_of, with_health, with_health_facts
from projects.models import (
    DeadlineChange,
    Phase,
    Project,
    ProjectStatus,
    ProjectTemplate,
    Task,
    TaskDependency,
    TaskStatus,
)
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db

NOT_FOUND_BODY = {"detail": "Not found."}


def url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def weekday_after(day: date, days: int) -> date:
    later = day + timedelta(days=days)
    while later.weekday() >= 5:
        later += timedelta(days=1)
    return later


def plan_state(agency) -> tuple:
    """Everything an API write could change in the project layer, to prove a refusal changed nothing."""
    with scope(agency=agency.pk):
        return (
            list(Project.objects.order_by("pk").values_list("pk", "name", "launch_date", "status")),
            list(
                Task.objects.order_by("pk").values_list(
                    "pk",
                    "start_date",
                    "due_date",
                    "status",
                    "assignee_id",
                    "blocked_reason",
                    "needs_decision",
                )
            ),
            list(TaskDependency.objects.order_by("pk").values_list("pk", "predecessor_id", "successor_id")),
            DeadlineChange.objects.count(),
        )


def calendar_of(agency, around: date | None = None) -> scheduling.BusinessCalendar:
    with scope(agency=agency.pk):
        return agency_calendar(agency, around=around)


def task_by_key(project, key: str) -> Task:
    with scope(agency=project.agency_id):
        return Task.objects.select_related("project").get(project=project, key=key)


def violations(project) -> list:
    with scope(agency=project.agency_id):
        plan = services.project_plan_load(project)
        return scheduling.violated_dependencies(plan.graph(), plan.slots, calendar=plan.calendar)


@pytest.fixture
def project(team):
    return factories.project_create(actor=team["coordinator"], client=team["clients"][0], launch_in_days=120)


# --- Templates -----------------------------------------------------------------------------


def test_the_template_list_offers_the_builtins_and_the_agencys_own_with_phases_and_tasks(team, project):
    with scope(agency=team["agency"].pk):
        own = services.template_save_from_project(
            actor=team["coordinator"], project=project, name="Our site launch"
        )

    response = token_client(team["members"][0].user).get(url("api_template_list", team["agency"]))

    assert response.status_code == 200
    by_id = {t["id"]: t for t in response.json()}
    website = by_id["builtin:website-launch"]
    assert website["builtin"] is True
    assert website["name"] == "Website launch"
    assert [p["name"] for p in website["phases"]][:2] == ["Strategy", "Creative"]
    design = next(t for t in website["tasks"] if t["key"] == "design")
    assert design["title"] == "Visual design"
    assert design["phase"] == "Creative"
    assert design["discipline"] == "designer"
    assert design["duration"] == 5
    assert design["hours"] == 30
    assert design["review"] is False
    assert {p["key"] for p in design["predecessors"]} == {"wireframe-approval", "copy-approval"}
    tracking = next(t for t in website["tasks"] if t["key"] == "tracking")
    assert tracking["predecessors"] == [{"key": "build", "kind": "SS", "lag_days": 3}]
    mine = by_id[str(own.pk)]
    assert mine["builtin"] is False
    assert mine["name"] == "Our site launch"
    assert len(mine["tasks"]) == 14


def test_another_agencys_templates_are_not_listed(team, other_team):
    other_project = factories.project_create(actor=other_team["owner"], client=other_team["clients"][0])
    with scope(agency=other_team["agency"].pk):
        services.template_save_from_project(
            actor=other_team["owner"], project=other_project, name="Secret recipe"
        )

    names = [
        t["name"]
        for t in token_client(team["owner"].user).get(url("api_template_list", team["agency"])).json()
    ]

    assert "Secret recipe" not in names
    assert len(names) == 6


# --- Creating a project --------------------------------------------------------------------


def test_a_coordinator_creates_a_project_by_token_and_gets_the_scheduled_plan_back(team):
    agency = team["agency"]
    launch = weekday_after(agency_today(agency), 120)

    response = token_client(team["coordinator"].user).post(
        url("api_project_list", agency),
        {
            "client": team["clients"][0].pk,
            "name": "Spring site",
            "template": "builtin:website-launch",
            "launch_date": launch.isoformat(),
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Spring site"
    assert body["client"] == {"id": team["clients"][0].pk, "name": "Acme Dental"}
    # A launch on a public holiday means the working day before it.
    expected_launch = calendar_of(agency, around=launch).roll_backward(launch)
    assert body["launch_date"] == expected_launch.isoformat()
    assert body["status"] == "planning"
    assert len(body["tasks"]) == 14
    design = next(t for t in body["tasks"] if t["key"] == "design")
    assert design["assignee"]["name"] and design["discipline"] == "designer"
    assert {p["key"] for p in design["predecessors"]} == {"wireframe-approval", "copy-approval"}
    assert date.fromisoformat(design["start_date"]) <= date.fromisoformat(design["due_date"])
    assert design["status"] == "not_started"
    assert max(t["due_date"] for t in body["tasks"]) == expected_launch.isoformat()
    assert [p["name"] for p in body["phases"]][0] == "Strategy"
    with scope(agency=agency.pk):
        project = Project.objects.get(pk=body["id"])
        assert project.name == "Spring site" and project.created_by == team["coordinator"]
        stored = {t.pk: (t.start_date.isoformat(), t.due_date.isoformat()) for t in project.tasks.all()}
    assert stored == {t["id"]: (t["start_date"], t["due_date"]) for t in body["tasks"]}
    assert violations(project) == []


def test_a_plan_that_would_start_in_the_past_is_refused_with_its_shortfall_until_accepted(team):
    agency = team["agency"]
    before = plan_state(agency)
    payload = {
        "client": team["clients"][0].pk,
        "name": "Rush job",
        "template": "builtin:website-launch",
        "launch_date": weekday_after(agency_today(agency), 7).isoformat(),
    }
    api = token_client(team["owner"].user)

    refused = api.post(url("api_project_list", agency), payload, format="json")

    assert refused.status_code == 400
    body = refused.json()
    assert "business days ago" in body["launch_date"][0]
    assert isinstance(body["shortfall_business_days"], int) and body["shortfall_business_days"] > 0
    assert str(body["shortfall_business_days"]) in body["launch_date"][0]
    assert date.fromisoformat(body["plan_start"]) < agency_today(agency)
    assert plan_state(agency) == before

    accepted = api.post(
        url("api_project_list", agency), {**payload, "accept_start_in_past": True}, format="json"
    )

    assert accepted.status_code == 201
    assert len(accepted.json()["tasks"]) == 14


@pytest.mark.parametrize(
    "change, field, message",
    [
        (
            {"launch_date": "2001-05-04"},
            "launch_date",
            "The launch date is in the past; choose today or a later date.",
        ),
        ({"template": "builtin:nope"}, "template", "Choose one of the listed templates."),
        ({"template": "999999"}, "template", "Choose one of the listed templates."),
        ({"client": 999999}, "client", "Choose one of your clients."),
        ({"name": "   "}, "name", "Name the project."),
        ({"launch_date": "next tuesday"}, "launch_date", None),
    ],
)
def test_bad_project_input_is_refused_with_a_field_message_and_creates_nothing(team, change, field, message):
    agency = team["agency"]
    before = plan_state(agency)
    payload = {
        "client": team["clients"][0].pk,
        "name": "Autumn",
        "template": "builtin:paid-campaign",
        "launch_date": weekday_after(agency_today(agency), 90).isoformat(),
        **change,
    }

    response = token_client(team["coordinator"].user).post(
        url("api_project_list", agency), payload, format="json"
    )

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert plan_state(agency) == before


def test_another_agencys_client_is_refused_exactly_like_a_missing_one(team, other_team):
    agency = team["agency"]
    before = plan_state(agency)
    payload = {
        "name": "Poach",
        "template": "builtin:paid-campaign",
        "launch_date": weekday_after(agency_today(agency), 90).isoformat(),
    }
    api = token_client(team["owner"].user)

    theirs = api.post(
        url("api_project_list", agency), {**payload, "client": other_team["clients"][0].pk}, format="json"
    )
    missing = api.post(url("api_project_list", agency), {**payload, "client": 987654}, format="json")

    assert theirs.status_code == missing.status_code == 400
    assert theirs.json() == missing.json() == {"client": ["Choose one of your clients."]}
    assert plan_state(agency) == before
    assert plan_state(other_team["agency"])[0] == []


def test_a_member_may_not_start_a_project(team):
    agency = team["agency"]
    payload = {
        "client": team["clients"][0].pk,
        "name": "Side quest",
        "template": "builtin:paid-campaign",
        "launch_date": weekday_after(agency_today(agency), 90).isoformat(),
    }

    response = token_client(team["members"][0].user).post(
        url("api_project_list", agency), payload, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role in this agency does not allow this."}
    assert plan_state(agency)[0] == []


# --- Reading projects ----------------------------------------------------------------------


def test_the_project_list_filters_by_client_status_and_risk(team, project):
    agency = team["agency"]
    other = factories.project_create(
        actor=team["owner"], client=team["clients"][1], name="Bakery ads", template="builtin:paid-campaign"
    )
    with scope(agency=agency.pk):
        services.task_update_status(
            actor=team["owner"],
            task=other.tasks.get(key="offer"),
            status="blocked",
            blocked_reason="Client has not chosen the offer",
        )
        # The offer's wait pushes the forecast past the committed launch.
        last = other.tasks.order_by("-due_date").first()
        services.task_reschedule(
            actor=team["owner"],
            task=last,
            new_due=calendar_of(agency).add_business_days(last.due_date, 2),
            reason="Offer late",
        )
    api = token_client(team["members"][1].user)

    everything = api.get(url("api_project_list", agency)).json()
    birch = api.get(url("api_project_list", agency), {"client": team["clients"][1].pk}).json()
    risky = api.get(url("api_project_list", agency), {"at_risk": "true"}).json()
    calm = api.get(url("api_project_list", agency), {"at_risk": "false"}).json()
    done = api.get(url("api_project_list", agency), {"status": "done"}).json()

    assert everything["count"] == 2
    row = next(p for p in everything["results"] if p["id"] == other.pk)
    assert row["client"]["name"] == "Birch Bakery"
    assert row["blocked_count"] == 1 and row["at_risk"] is True and row["open_risks"] == 0
    assert row["forecast_launch"] > row["launch_date"] == other.launch_date.isoformat()
    assert row["tasks_total"] == 11 and row["tasks_done"] == 0
    assert [p["name"] for p in birch["results"]] == ["Bakery ads"]
    assert [p["id"] for p in risky["results"]] == [other.pk]
    assert [p["id"] for p in calm["results"]] == [project.pk]
    assert done["count"] == 0


# --------------------------------------------------------------------------- the list's oracle


def _task_counts(today: date) -> Subquery:
    """[total, done, overdue, blocked] of the project's tasks, in one pass over them.

    A subquery correlated to each project row, so PostgreSQL counts only the projects it returns (after
    ``LIMIT``, through the project's task index) instead of grouping every task of the agency first."""
    done = Q(status=TaskStatus.DONE)
    counts = [
        Count("pk"),
        Count("pk", filter=done),
        Count("pk", filter=~done & Q(due_date__lt=today)),
        Count("pk", filter=Q(status=TaskStatus.BLOCKED)),
    ]
    return Subquery(
        Task.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(
            counts=Func(*counts, template="ARRAY[%(expressions)s]", output_field=ArrayField(IntegerField()))
        )
        .values("counts")
    )


class _ProjectsWithCounts(ModelIterable):
    """Projects with ``tasks_total``, ``tasks_done``, ``overdue_count`` and ``blocked_count`` unpacked from
    the one ``task_counts`` array (a project without tasks counts zeros), and ``at_risk`` read from the
    health facts the row carries (``projects.health.health_of``, the same rule as the SQL filter)."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        for project in super().__iter__():
            counts = project.task_counts or (0, 0, 0, 0)
            project.tasks_total, project.tasks_done, project.overdue_count, project.blocked_count = counts
            project.at_risk = health_of(project).at_risk
            yield project


def projects_for_list(  # the list on the ORM: the oracle project_rows_page is held to
    agency: Agency,
    *,
    client_id: int | None = None,
    coordinator_id: int | None = None,
    status: str = "",
    at_risk: bool = False,
    on_track: bool = False,
    today: date,
) -> QuerySet[Project]:
    """Every project of the agency with its progress, overdue and blocked counts and its health, through
    the ORM and ``projects.health``'s expressions: written apart from the list's SQL, so the two can be
    compared row for row."""
    projects = Project.objects.filter(agency=agency).select_related("client", "coordinator__user")
    # The health's SQL form only where it filters; otherwise the row's facts decide it as it loads.
    projects = with_health(projects) if at_risk or on_track else with_health_facts(projects)
    projects = projects.annotate(task_counts=_task_counts(today)).order_by("launch_date", "name", "pk")
    projects._iterable_class = _ProjectsWithCounts
    if client_id:
        projects = projects.filter(client_id=client_id)
    if coordinator_id:
        projects = projects.filter(coordinator_id=coordinator_id)
    if status in ProjectStatus.values:
        projects = projects.filter(status=status)
    if at_risk:
        projects = projects.filter(at_risk=True)
    elif on_track:
        projects = projects.filter(at_risk=False)
    return projects


def test_the_project_list_shows_each_project_as_the_project_serializer_renders_it(team):
    """The API's list is read in one statement and built as plain values for speed: each page, under
    every filter, must be what ProjectSerializer renders from ``projects_for_list`` (the same list on
    the ORM and ``projects.health``, above), field for field and in the same order."""
    from agencyops.services.accounts import membership_remove
    from projects.models import ProjectStatus
    from projects.serializers import ProjectSerializer

    agency, coordinator = team["agency"], team["coordinator"]
    calendar = calendar_of(agency)
    made = [
        factories.project_create(
            actor=coordinator,
            client=team["clients"][n % 2],
            template="builtin:email-sequence",
            name=f"Project {n:02}",
            launch_in_days=20 + 7 * (n % 4),
            accept_start_in_past=True,
        )
        for n in range(7)
    ]
    leaver = factories.membership_create(agency=agency, role="coordinator", full_name="Lee Leaving")
    with scope(agency=agency.pk):
        services.task_update_status(
            actor=coordinator, task=made[0].tasks.order_by("pk")[0], status="blocked", blocked_reason="Stuck"
        )
        services.task_update_status(actor=coordinator, task=made[1].tasks.order_by("pk")[0], status="done")
        last = made[2].tasks.order_by("-due_date").first()
        services.task_reschedule(
            actor=coordinator, task=last, new_due=calendar.add_business_days(last.due_date, 3), reason="Late"
        )
        services.project_set_status(actor=coordinator, project=made[3], status=ProjectStatus.ON_HOLD)
        Project.objects.filter(pk=made[4].pk).update(coordinator=leaver)
        Project.objects.filter(pk=made[5].pk).update(coordinator=None)
        membership_remove(actor=team["owner"], membership=leaver)
    api = token_client(team["owner"].user)

    def expected(**filters) -> list[dict]:
        with scope(agency=agency.pk):
            projects = projects_for_list(agency, today=agency_today(agency), **filters)
            return [dict(row) for row in ProjectSerializer(projects, many=True).data]

    def listed(**params) -> dict:
        body = api.get(url("api_project_list", agency), params).json()
        for row in body["results"]:
            assert list(row) == list(ProjectSerializer().fields)
        return body

    everything = expected()
    assert listed(limit=100)["results"] == [
        {**row, "client": dict(row["client"]), "coordinator": row["coordinator"] and dict(row["coordinator"])}
        for row in everything
    ]
    assert any(row["at_risk"] for row in everything) and not all(row["at_risk"] for row in everything)
    assert any(row["coordinator"] and not row["coordinator"]["is_active"] for row in everything)
    for params, filters in [
        ({"at_risk": "true"}, {"at_risk": True}),
        ({"at_risk": "false"}, {"on_track": True}),
        ({"client": team["clients"][1].pk}, {"client_id": team["clients"][1].pk}),
        ({"status": "on_hold"}, {"status": "on_hold"}),
    ]:
        body = listed(**params)
        assert [row["id"] for row in body["results"]] == [row["id"] for row in expected(**filters)]
        assert body["count"] == len(expected(**filters))
    # A page at a time; past the end, the count still says how many there are.
    first, second = listed(limit=4), listed(limit=4, offset=4)
    assert [row["id"] for row in first["results"] + second["results"]] == [row["id"] for row in everything]
    assert first["count"] == second["count"] == 7 and second["next"] is None
    beyond = listed(limit=4, offset=40)
    assert beyond["count"] == 7 and beyond["results"] == []


def test_unknown_project_list_filters_are_refused_by_field(team):
    response = token_client(team["owner"].user).get(
        url("api_project_list", team["agency"]), {"client": "acme", "status": "late", "at_risk": "maybe"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "client": ["Give a client's id, a whole number."],
        "status": ["“late” is not a project status; use planning, active, on_hold, done, cancelled."],
        "at_risk": ["Use at_risk=true or at_risk=false."],
    }


@pytest.mark.parametrize("total", [2, 30])
def test_the_project_list_costs_the_same_queries_for_2_or_30_projects(team, total, django_assert_num_queries):
    for n in range(total):
        factories.project_create(
            actor=team["coordinator"],
            client=team["clients"][n % 2],
            template="builtin:email-sequence",
            name=f"Project {n:02}",
        )
    api = token_client(team["owner"].user)

    # Token and user, membership; the agency's data version; the page with the filters' total in one.
    with django_assert_num_queries(4):
        response = api.get(url("api_project_list", team["agency"]), {"limit": 100})

    assert response.json()["count"] == total
    assert all(p["tasks_total"] == 10 for p in response.json()["results"])
    # Nothing changed: the page as it was kept under the version.
    with django_assert_num_queries(3):
        again = api.get(url("api_project_list", team["agency"]), {"limit": 100})
    assert again.json() == response.json()


def test_a_kept_project_list_page_is_the_same_bytes_as_one_read_afresh_and_follows_changes(team):
    """The list is kept encoded under the agency's data version: the body a client gets is byte for byte the
    one DRF renders from the rows read without the cache (envelope, links and indented JSON included), it
    shows a change on the next read, and its moments follow the time zone they are read in."""
    from django.utils import timezone

    made = [
        factories.project_create(
            actor=team["coordinator"], client=team["clients"][n % 2], name=f"Project {n:02}"
        )
        for n in range(5)
    ]
    api = token_client(team["owner"].user)
    path, params = url("api_project_list", team["agency"]), {"limit": 2, "offset": 2}
    api.get(path, params)  # kept
    kept = api.get(path, params)
    with override_settings(CACHES=factories.NO_CACHE):
        fresh = api.get(path, params)
        fresh_indented = api.get(path, params, HTTP_ACCEPT="application/json; indent=2")
    assert kept.content == fresh.content
    assert kept["Content-Type"] == fresh["Content-Type"] == "application/json"
    body = kept.json()
    assert body["count"] == 5 and len(body["results"]) == 2
    assert body["next"].endswith("limit=2&offset=4") and body["previous"].endswith("limit=2")
    indented = api.get(path, params, HTTP_ACCEPT="application/json; indent=2")
    assert indented.content == fresh_indented.content and indented.json() == body

    # A task done moves the agency's version: the next read shows it.
    shown = body["results"][0]
    project = next(p for p in made if p.pk == shown["id"])
    with scope(agency=project.agency_id):
        services.task_update_status(
            actor=team["coordinator"], task=project.tasks.order_by("pk")[0], status="done"
        )
    after = api.get(path, params).json()["results"][0]
    assert after["id"] == shown["id"] and after["tasks_done"] == shown["tasks_done"] + 1

    # Read in another time zone, the same page renders its moments there, not as kept for UTC.
    with timezone.override("Asia/Kolkata"):
        api.get(path, params)
        elsewhere = api.get(path, params).json()["results"][0]
    assert elsewhere["created_at"].endswith("+05:30") and after["created_at"].endswith("Z")


def test_a_project_shows_its_brief_what_the_brief_lacks_and_its_phases(team, project):
    response = token_client(team["members"][0].user).get(
        url("api_project_detail", team["agency"], pk=project.pk)
    )

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == project.name
    assert body["brief"]["campaign_name"] == project.name
    assert body["brief"]["internal_owner"]["id"] == team["coordinator"].pk
    assert body["brief"]["due_date"] == project.launch_date.isoformat()
    assert body["brief_missing"] == ["Objective", "Deliverables", "Channel or placement", "Known constraints"]
    assert [p["name"] for p in body["phases"]] == [
        "Strategy",
        "Creative",
        "Production",
        "QA",
        "Scheduling",
        "Launch",
    ]
    assert body["phases"][-1]["due_date"] == project.launch_date.isoformat()
    assert body["phases"][0]["owner"]["name"]
    assert body["tasks_total"] == 14


@pytest.mark.parametrize("size", [14, 200])
def test_a_projects_detail_costs_the_same_queries_for_14_or_200_tasks(team, size, django_assert_num_queries):
    project = (
        factories.project_create(actor=team["coordinator"], client=team["clients"][0])
        if size == 14
        else _grow_to_200_tasks(team)
    )
    api = token_client(team["owner"].user)

    # Token and user, membership; then in one round trip the project with its counts and health, its phases
    # and the agency's closures: never the plan.
    with django_assert_num_queries(3):
        body = api.get(url("api_project_detail", team["agency"], pk=project.pk)).json()

    assert body["tasks_total"] == size and body["tasks_done"] == 0
    assert body["first_start"] and body["forecast_launch"] == project.launch_date.isoformat()
    assert body["at_risk"] is False and body["slip_business_days"] == 0


def test_a_projects_tasks_show_how_often_each_moved_and_which_are_critical(team, project):
    agency = team["agency"]
    calendar = calendar_of(agency)
    copy = task_by_key(project, "copy")
    with scope(agency=agency.pk):
        for step in (1, 2):
            task = Task.objects.get(pk=copy.pk)
            services.task_reschedule(
                actor=team["coordinator"],
                task=task,
                new_due=calendar.add_business_days(task.due_date, step),
                reason="Copy late",
            )

    response = token_client(team["members"][2].user).get(url("api_project_tasks", agency, pk=project.pk))

    assert response.status_code == 200
    assert response.json()["count"] == 14
    tasks = {t["key"]: t for t in response.json()["results"]}
    assert len(tasks) == 14
    assert tasks["copy"]["moved_count"] == 2
    assert tasks["copy-approval"]["moved_count"] == 2  # pushed along both times
    assert tasks["kickoff"]["moved_count"] == 0
    assert tasks["launch"]["critical"] is True and tasks["copy"]["critical"] is True
    # Wireframes now have slack: copy is what holds the design back.
    assert tasks["wireframes"]["critical"] is False
    assert tasks["design"]["predecessors"][0]["kind"] == "FS"


def _grow_to_200_tasks(team):
    """A project of exactly 200 tasks: kick-off, 18 parallel chains of 11, a handoff."""
    tasks = [
        {
            "key": "kickoff",
            "title": "Kick-off",
            "phase": "Strategy",
            "discipline": "account_lead",
            "duration": 1,
            "inputs": [{"what": "Brand files", "party": "client"}],
        }
    ]
    for chain in range(18):
        previous = "kickoff"
        for step in range(11):
            key = f"c{chain}-s{step}"
            tasks.append(
                {
                    "key": key,
                    "title": f"Chain {chain} step {step}",
                    "phase": "Production",
                    "discipline": "designer",
                    "duration": 1,
                    "after": [{"key": previous}],
                }
            )
            previous = key
    tasks.append(
        {
            "key": "handoff",
            "title": "Handoff",
            "phase": "Launch",
            "duration": 0,
            "after": [{"key": f"c{chain}-s10"} for chain in range(18)],
        }
    )
    with scope(agency=team["agency"].pk):
        template = ProjectTemplate.objects.create(
            agency=team["agency"], name="Big build", spec={"tasks": tasks}
        )
    return factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], template=str(template.pk), launch_in_days=60
    )


@pytest.mark.parametrize("size", [14, 200])
def test_a_projects_task_list_costs_the_same_queries_for_14_or_200_tasks(
    team, size, django_assert_num_queries
):
    project = (
        factories.project_create(actor=team["coordinator"], client=team["clients"][0])
        if size == 14
        else _grow_to_200_tasks(team)
    )
    api = token_client(team["owner"].user)
    _fresh_version(project)

    # Token and user, membership, the plan's version; then the plan with its links, the page's rows and
    # the closures in one.
    with django_assert_num_queries(4):
        response = api.get(url("api_project_tasks", team["agency"], pk=project.pk), {"limit": 200})
    # The same plan again: its page is kept under its version.
    with django_assert_num_queries(3):
        again = api.get(url("api_project_tasks", team["agency"], pk=project.pk), {"limit": 200})

    assert response.json()["count"] == size
    assert len(response.json()["results"]) == size
    assert again.json() == response.json()


def _fresh_version(project) -> None:
    """Give the plan a version no earlier test run has kept a page under (titles of this run only)."""
    with scope(agency=project.agency_id):
        Task.objects.filter(project=project).update(
            title=Concat(F("title"), Value(f" {uuid.uuid4().hex[:8]}"))
        )


def _task_list(api, project, **params) -> dict:
    response = api.get(url("api_project_tasks", project.agency, pk=project.pk), params)
    assert response.status_code == 200
    return response.json()


def test_every_change_to_what_the_task_list_shows_is_in_the_next_read(team, project):
    """The task list is kept under the project page's version: after each kind of change, however it is
    made, the next read is the list read afresh without the cache."""
    api = token_client(team["owner"].user)
    _fresh_version(project)
    agency, coordinator = team["agency"], team["coordinator"]

    def check(change) -> dict:
        _task_list(api, project)  # kept
        # In a savepoint of its own, as a request's write would be: the rows get a new version (inside the
        # test's one transaction, rows written again would keep the version they had).
        with transaction.atomic():
            change()
        kept = _task_list(api, project)
        with override_settings(CACHES=factories.NO_CACHE):
            fresh = _task_list(api, project)
        assert kept == fresh
        return kept

    def task(key):
        return Task.objects.get(project=project, key=key)

    with scope(agency=agency.pk):
        body = check(lambda: services.task_update_status(actor=coordinator, task=task("qa"), status="blocked",
                                                         blocked_reason="No devices"))  # fmt: skip
        assert {r["key"]: r["status"] for r in body["results"]}["qa"] == "blocked"
        # Straight in the database, as a bulk edit or the admin would.
        body = check(lambda: Task.objects.filter(pk=task("copy").pk).update(title="Hero copy, final"))
        assert "Hero copy, final" in {r["title"] for r in body["results"]}
        # A person renamed: every task they own shows the new name.
        owner = task("copy").assignee
        if owner is not None:
            body = check(
                lambda: type(owner.user).objects.filter(pk=owner.user_id).update(full_name="Casey R.")
            )
            assert "Casey R." in {(r["assignee"] or {}).get("name") for r in body["results"]}
        # A phase renamed.
        body = check(lambda: Phase.objects.filter(pk=task("copy").phase_id).update(name="Words"))
        assert "Words" in {(r["phase"] or {}).get("name") for r in body["results"]}
        # A deadline moved: its count of moves, its dates, and what follows it.
        moved = task("sitemap")
        body = check(
            lambda: services.task_reschedule(
                actor=coordinator,
                task=moved,
                new_due=agency_calendar(agency).add_business_days(moved.due_date, 2),
                reason="Late input",
            )
        )
        assert {r["key"]: r["moved_count"] for r in body["results"]}["sitemap"] == 1
        # A day the agency is closed: the critical path is counted over working days.
        check(lambda: _close_the_agency_on(agency, moved.due_date))
    # A page of the list and another page are kept apart.
    first, second = _task_list(api, project, limit=5), _task_list(api, project, limit=5, offset=5)
    assert [r["id"] for r in first["results"]] != [r["id"] for r in second["results"]]


def test_a_kept_task_list_page_is_the_same_bytes_as_one_read_afresh(team, project):
    """A kept page is written into the response as it was encoded: the body a client gets is byte for byte
    the one DRF renders from the rows read without the cache, envelope and links included; asked for
    indented JSON, the same page indented."""
    api = token_client(team["owner"].user)
    _fresh_version(project)
    path = url("api_project_tasks", team["agency"], pk=project.pk)
    params = {"limit": 3, "offset": 3}
    api.get(path, params)  # kept
    kept = api.get(path, params)
    with override_settings(CACHES=factories.NO_CACHE):
        fresh = api.get(path, params)
        fresh_indented = api.get(path, params, HTTP_ACCEPT="application/json; indent=2")
    assert kept.status_code == fresh.status_code == 200
    assert kept.content == fresh.content
    assert kept["Content-Type"] == fresh["Content-Type"] == "application/json"
    body = kept.json()
    assert body["next"].endswith("limit=3&offset=6") and body["previous"].endswith("limit=3")
    assert len(body["results"]) == 3
    indented = api.get(path, params, HTTP_ACCEPT="application/json; indent=2")
    assert indented.content == fresh_indented.content
    assert indented.content.startswith(b'{\n  "count"')
    assert indented.json() == body


def _close_the_agency_on(agency, day) -> None:
    from projects.models import AgencyClosure

    AgencyClosure.objects.create(agency=agency, date=day, name="Studio move")


def test_without_the_cache_server_the_task_list_is_read_all_the_same(team, project, caplog):
    api = token_client(team["owner"].user)
    expected = _task_list(api, project)
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    with override_settings(CACHES=unreachable):
        assert _task_list(api, project) == expected
    assert "Cache unavailable; reading the task list afresh" in caplog.text


def test_the_task_list_shows_each_task_as_the_task_serializer_renders_it(team, project):
    """The list's rows are built as plain values for speed: they must be what TaskSerializer, the
    schema's shape, renders from the full task rows of the plan (every field, the same order)."""
    from django.db.models import Count

    from agencyops.services.accounts import membership_remove
    from projects.serializers import TaskSerializer

    agency, coordinator = team["agency"], team["coordinator"]
    calendar = calendar_of(agency)
    leaver = team["members"][0]
    with scope(agency=agency.pk):
        copy = Task.objects.get(project=project, key="copy")
        services.task_reschedule(
            actor=coordinator, task=copy, new_due=calendar.add_business_days(copy.due_date, 2), reason="Late"
        )
        tasks = list(Task.objects.filter(project=project).order_by("start_date", "order", "pk"))
        services.task_update_status(
            actor=coordinator,
            task=tasks[1],
            status=TaskStatus.WAITING,
            waiting_on="vendor",
            waiting_on_name="Print shop",
        )
        services.task_update_status(
            actor=coordinator, task=tasks[2], status=TaskStatus.BLOCKED, blocked_reason="No logo files"
        )
        services.task_flag_decision(
            actor=coordinator, task=tasks[3], question="Which hero image?", decider=team["contacts"][0]
        )
        services.task_assign(actor=coordinator, task=tasks[4], assignee=leaver)
        services.task_assign(actor=coordinator, task=tasks[5], assignee=None)
        services.task_create(
            actor=coordinator, project=project, title="Extra banner", estimated_hours="2.5", after=tasks[4]
        )
        membership_remove(actor=team["owner"], membership=leaver)

    listed = token_client(coordinator.user).get(url("api_project_tasks", agency, pk=project.pk)).json()

    # The reference: full task rows through the ORM, the critical path over the plan the services load.
    with scope(agency=agency.pk):
        plan = services.project_plan_load(project)
        critical = scheduling.plan_critical_tasks(
            plan.plan,
            plan.slots,
            calendar=plan.calendar,
            periods={t.key: t.recurrence_period for t in plan.tasks.values()},
            today=agency_today(agency),
        )
        tasks = list(
            Task.objects.filter(project=project)
            .select_related("assignee__user", "phase")
            .annotate(moves=Count("deadline_changes"))
            .order_by("start_date", "order", "pk")
        )
        for task in tasks:
            task.is_critical = task.key in critical
            task.predecessor_list = list(
                task.predecessor_links.select_related("predecessor").order_by("predecessor__start_date", "pk")
            )
        expected = TaskSerializer(tasks, many=True).data
    rendered = [dict(row) for row in expected]
    for row in rendered:
        row["phase"] = dict(row["phase"]) if row["phase"] is not None else None
        row["assignee"] = dict(row["assignee"]) if row["assignee"] is not None else None
        row["predecessors"] = [dict(link) for link in row["predecessors"]]
    assert listed["count"] == len(rendered) == 15
    assert listed["results"] == rendered
    # Field order too, as clients that print the JSON see it.
    assert [list(row) for row in listed["results"]] == [list(row) for row in rendered]
    assert [list(link) for row in listed["results"] for link in row["predecessors"]] == [
        list(link) for row in rendered for link in row["predecessors"]
    ]
    by_key = {row["key"]: row for row in listed["results"]}
    assert by_key["copy"]["moved_count"] == 1
    assert any(row["assignee"] and row["owner_unclear"] for row in listed["results"])
    assert any(row["estimated_hours"] == "2.5" for row in listed["results"])


def test_a_projects_task_list_comes_a_page_at_a_time_judged_over_the_whole_plan(team):
    project = _grow_to_200_tasks(team)
    api = token_client(team["owner"].user)
    tasks_url = url("api_project_tasks", team["agency"], pk=project.pk)

    whole = api.get(tasks_url, {"limit": 200}).json()
    first = api.get(tasks_url).json()
    second = api.get(tasks_url, {"offset": 100}).json()
    greedy = api.get(tasks_url, {"limit": 100_000}).json()

    assert first["count"] == second["count"] == 200
    assert len(first["results"]) == len(second["results"]) == 100
    assert first["next"] and second["next"] is None and second["previous"]
    # The pages are the whole plan cut in two, each task as the whole list shows it: its critical flag
    # and its predecessors (some on the other page) do not depend on the page it is on.
    assert first["results"] + second["results"] == whole["results"]
    handoff = second["results"][-1]
    assert handoff["key"] == "handoff" and handoff["critical"] is True
    assert len(handoff["predecessors"]) == 18
    # Asking for everything gets the whole 200 here, the cap beyond it.
    assert len(greedy["results"]) == 200 and greedy["next"] is None


def test_a_client_asking_for_more_tasks_than_the_cap_gets_a_capped_page(team, monkeypatch):
    from projects.api import TaskPagination

    project = _grow_to_200_tasks(team)
    # The cap (500) lowered below this plan's size, so the plan is long enough to show it.
    monkeypatch.setattr(TaskPagination, "max_limit", 150)

    body = (
        token_client(team["owner"].user)
        .get(url("api_project_tasks", team["agency"], pk=project.pk), {"limit": 100_000})
        .json()
    )

    assert body["count"] == 200 and len(body["results"]) == 150
    assert "limit=150" in body["next"]


# --- Editing a task ------------------------------------------------------------------------


def test_moving_a_due_date_shifts_its_successors_returns_them_and_records_history(team, project):
    agency = team["agency"]
    copy = task_by_key(project, "copy")
    new_due = calendar_of(agency).add_business_days(copy.due_date, 3)

    response = token_client(team["members"][2].user).patch(
        url("api_task_detail", agency, pk=copy.pk),
        {"due_date": new_due.isoformat(), "reason": "Client sent the offer late"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["applied"] is True
    assert body["task"]["due_date"] == new_due.isoformat()
    shifted = {s["title"]: s for s in body["shifted"]}
    assert {"Landing page copy", "Client approves copy", "Visual design", "Launch"} <= set(shifted)
    assert "Wireframes" not in shifted
    assert shifted["Landing page copy"]["old_due"] == copy.due_date.isoformat()
    assert shifted["Landing page copy"]["business_days"] == 3
    assert body["launch"]["before"] == project.launch_date.isoformat()
    assert body["launch"]["business_days"] == 3
    assert body["launch"]["committed"] == project.launch_date.isoformat()
    assert body["launch"]["slip_business_days"] == 3
    assert body["launch"]["summary"].startswith("Forecast launch ")
    assert "three business days after the committed" in body["launch"]["summary"]
    with scope(agency=agency.pk):
        history = list(DeadlineChange.objects.order_by("pk"))
        stored = {
            t.pk: (t.start_date.isoformat(), t.due_date.isoformat())
            for t in Task.objects.filter(project=project)
        }
        # The move is accepted past the launch, and the commitment stays where it was agreed.
        assert Project.objects.get(pk=project.pk).launch_date == project.launch_date
    assert len(history) == len(body["shifted"])
    assert {h.task_id for h in history} == {s["id"] for s in body["shifted"]}
    assert all(
        h.reason == "Client sent the offer late" and h.changed_by == team["members"][2] for h in history
    )
    assert all(stored[s["id"]] == (s["new_start"], s["new_due"]) for s in body["shifted"])
    assert violations(project) == []
    assert body["task"]["moved_count"] == 1


def test_a_preview_shows_the_ripple_and_writes_nothing(team, project):
    agency = team["agency"]
    copy = task_by_key(project, "copy")
    new_due = calendar_of(agency).add_business_days(copy.due_date, 2)
    before = plan_state(agency)

    response = token_client(team["coordinator"].user).patch(
        url("api_task_detail", agency, pk=copy.pk) + "?preview=true",
        {"due_date": new_due.isoformat()},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["applied"] is False
    assert body["task"]["due_date"] == copy.due_date.isoformat()
    assert any(s["title"] == "Launch" and s["business_days"] == 2 for s in body["shifted"])
    assert body["launch"]["business_days"] == 2
    assert plan_state(agency) == before


def _first_weekend_day_after(day: date) -> date:
    while day.weekday() < 5:
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("case", ["before_predecessor", "no_reason", "weekend", "reason_alone", "bad_date"])
def test_a_due_date_move_that_breaks_the_rules_is_refused_by_field_and_changes_nothing(team, project, case):
    agency = team["agency"]
    design = task_by_key(project, "design")
    copy_ok = task_by_key(project, "copy-approval")
    payload, field, text = {
        "before_predecessor": (
            {"due_date": copy_ok.due_date.isoformat(), "reason": "Rush"},
            "due_date",
            "“Visual design” cannot be due before",
        ),
        "no_reason": (
            {"due_date": weekday_after(design.due_date, 7).isoformat(), "reason": " "},
            "reason",
            "Say why the date moves",
        ),
        "weekend": (
            {"due_date": _first_weekend_day_after(design.due_date).isoformat(), "reason": "Later"},
            "due_date",
            "is not a working day for the agency",
        ),
        "reason_alone": ({"reason": "Just because"}, "reason", "A reason goes with a new due_date."),
        "bad_date": ({"due_date": "soon", "reason": "Later"}, "due_date", "Date has wrong format"),
    }[case]
    before = plan_state(agency)

    response = token_client(team["coordinator"].user).patch(
        url("api_task_detail", agency, pk=design.pk), payload, format="json"
    )

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert text in errors[field][0]
    assert plan_state(agency) == before


def test_a_member_changes_a_task_status_and_the_waiting_party_is_kept(team, project):
    agency = team["agency"]
    copy = task_by_key(project, "copy")

    response = token_client(team["members"][2].user).patch(
        url("api_task_detail", agency, pk=copy.pk),
        {"status": "waiting", "waiting_on": "client"},
        format="json",
    )

    assert response.status_code == 200
    task = response.json()["task"]
    assert task["status"] == "waiting" and task["waiting_on"] == "client"
    assert task["waiting_since"] == agency_today(agency).isoformat()
    assert response.json()["shifted"] == [] and response.json()["launch"] is None
    with scope(agency=agency.pk):
        assert Task.objects.get(pk=copy.pk).status == TaskStatus.WAITING


def test_a_member_may_not_reassign_a_task(team, project):
    agency = team["agency"]
    copy = task_by_key(project, "copy")
    before = plan_state(agency)

    response = token_client(team["members"][2].user).patch(
        url("api_task_detail", agency, pk=copy.pk), {"assignee": None}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only owners and coordinators can plan projects."}
    assert plan_state(agency) == before


def test_a_coordinator_reassigns_a_task_but_not_to_someone_of_another_agency(team, other_team, project):
    agency = team["agency"]
    copy = task_by_key(project, "copy")
    api = token_client(team["coordinator"].user)
    before = plan_state(agency)

    refused = api.patch(
        url("api_task_detail", agency, pk=copy.pk), {"assignee": other_team["members"][0].pk}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json() == {"assignee": ["Choose someone on your team."]}
    assert plan_state(agency) == before

    done = api.patch(
        url("api_task_detail", agency, pk=copy.pk), {"assignee": team["owner"].pk}, format="json"
    )

    assert done.status_code == 200
    assert done.json()["task"]["assignee"]["id"] == team["owner"].pk
    assert done.json()["task"]["owner_unclear"] is False


def test_an_edit_is_applied_whole_or_not_at_all(team, project):
    agency = team["agency"]
    copy = task_by_key(project, "copy")
    before = plan_state(agency)

    # The status change alone is fine; the due date is a Saturday, so neither is kept.
    response = token_client(team["coordinator"].user).patch(
        url("api_task_detail", agency, pk=copy.pk),
        {
            "status": "in_progress",
            "due_date": _first_weekend_day_after(copy.due_date).isoformat(),
            "reason": "x",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "due_date" in response.json()
    assert plan_state(agency) == before


def test_blocking_a_task_needs_a_reason(team, project):
    agency = team["agency"]
    copy = task_by_key(project, "copy")
    before = plan_state(agency)

    response = token_client(team["members"][0].user).patch(
        url("api_task_detail", agency, pk=copy.pk), {"status": "blocked"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"blocked_reason": ["Say why the task is blocked."]}
    assert plan_state(agency) == before


def test_a_task_shows_its_project_links_both_ways_and_deadline_history(team, project):
    agency = team["agency"]
    design = task_by_key(project, "design")
    with scope(agency=agency.pk):
        services.task_reschedule(
            actor=team["owner"],
            task=design,
            reason="Bigger scope",
            new_due=calendar_of(agency).add_business_days(design.due_date, 1),
        )

    body = token_client(team["members"][0].user).get(url("api_task_detail", agency, pk=design.pk)).json()

    assert body["project"] == {"id": project.pk, "name": project.name}
    assert body["client"]["name"] == "Acme Dental"
    assert {p["key"] for p in body["predecessors"]} == {"wireframe-approval", "copy-approval"}
    assert [s["key"] for s in body["successors"]] == ["design-approval"]
    assert body["moved_count"] == 1
    change = body["deadline_changes"][0]
    assert change["reason"] == "Bigger scope" and change["business_days"] == 1 and change["cause"] == "manual"
    assert change["changed_by"]["id"] == team["owner"].pk
    assert change["old_due"] == design.due_date.isoformat()


# --- Dependencies --------------------------------------------------------------------------


def test_a_coordinator_adds_a_dependency_and_the_task_moves_to_respect_it(team, project):
    agency = team["agency"]
    wireframes = task_by_key(project, "wireframes")
    copy = task_by_key(project, "copy")
    history_before = plan_state(agency)[3]

    response = token_client(team["coordinator"].user).post(
        url("api_task_dependencies", agency, pk=copy.pk),
        {"predecessor": wireframes.pk, "kind": "FS", "lag_days": 1},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert {(p["key"], p["kind"], p["lag_days"]) for p in body["predecessors"]} == {
        ("sitemap", "FS", 0),
        ("wireframes", "FS", 1),
    }
    # Copy ran alongside the wireframes; now it starts the second working day after them.
    assert (
        body["task"]["start_date"]
        == calendar_of(agency).add_business_days(wireframes.due_date, 2).isoformat()
    )
    with scope(agency=agency.pk):
        assert TaskDependency.objects.filter(predecessor=wireframes, successor=copy, lag_days=1).exists()
    assert plan_state(agency)[3] > history_before
    assert violations(project) == []


@pytest.mark.parametrize(
    "case, field, text",
    [
        (
            "loop",
            "predecessor",
            "These tasks depend on each other in a loop: Launch → Kick-off and brief sign-off → ",
        ),
        ("other_project", "predecessor", "A task can only depend on a task of the same project."),
        ("other_agency", "predecessor", "Choose a task of this project."),
        ("negative_lag", "lag_days", "The lag cannot be negative."),
        ("bad_kind", "kind", "is not a valid choice"),
    ],
)
def test_a_dependency_that_cannot_be_is_refused_by_field_and_changes_nothing(
    team, other_team, project, case, field, text
):
    agency = team["agency"]
    kickoff = task_by_key(project, "kickoff")
    launch = task_by_key(project, "launch")
    payload = {"predecessor": launch.pk}
    if case == "other_project":
        elsewhere = factories.project_create(actor=team["owner"], client=team["clients"][1])
        payload = {"predecessor": task_by_key(elsewhere, "launch").pk}
    elif case == "other_agency":
        theirs = factories.project_create(actor=other_team["owner"], client=other_team["clients"][0])
        payload = {"predecessor": task_by_key(theirs, "launch").pk}
    elif case == "negative_lag":
        payload = {"predecessor": launch.pk, "lag_days": -2}
    elif case == "bad_kind":
        payload = {"predecessor": launch.pk, "kind": "FF"}
    before = plan_state(agency)

    response = token_client(team["coordinator"].user).post(
        url("api_task_dependencies", agency, pk=kickoff.pk), payload, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert text in response.json()[field][0]
    assert plan_state(agency) == before


def test_a_member_sees_dependencies_but_may_not_add_one(team, project):
    agency = team["agency"]
    design = task_by_key(project, "design")
    api = token_client(team["members"][0].user)

    seen = api.get(url("api_task_dependencies", agency, pk=design.pk)).json()
    refused = api.post(
        url("api_task_dependencies", agency, pk=design.pk),
        {"predecessor": task_by_key(project, "kickoff").pk},
        format="json",
    )

    assert seen["task"]["id"] == design.pk
    assert [s["title"] for s in seen["successors"]] == ["Client approves design"]
    assert refused.status_code == 403
    with scope(agency=agency.pk):
        assert not TaskDependency.objects.filter(successor=design, predecessor__key="kickoff").exists()


# --- Tenancy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, name, kind",
    [
        ("get", "api_project_detail", "project"),
        ("get", "api_project_tasks", "project"),
        ("get", "api_task_detail", "task"),
        ("patch", "api_task_detail", "task"),
        ("get", "api_task_dependencies", "task"),
        ("post", "api_task_dependencies", "task"),
    ],
)
def test_another_agencys_project_or_task_answers_404_like_a_missing_one(team, other_team, method, name, kind):
    theirs = factories.project_create(actor=other_team["owner"], client=other_team["clients"][0])
    target = theirs.pk if kind == "project" else task_by_key(theirs, "copy").pk
    agency = team["agency"]
    before = plan_state(other_team["agency"])
    api = token_client(team["owner"].user)
    payload = {"status": "done"} if method == "patch" else {"predecessor": target}

    call = getattr(api, method)
    foreign = (
        call(url(name, agency, pk=target), payload, format="json")
        if method != "get"
        else call(url(name, agency, pk=target))
    )
    missing = (
        call(url(name, agency, pk=987654), payload, format="json")
        if method != "get"
        else call(url(name, agency, pk=987654))
    )

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() == NOT_FOUND_BODY
    assert plan_state(other_team["agency"]) == before


def test_an_agency_the_caller_does_not_belong_to_answers_404(team, other_team):
    response = token_client(team["owner"].user).get(url("api_project_list", other_team["agency"]))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_BODY


# --- Home ----------------------------------------------------------------------------------


def test_home_lists_what_is_due_blocked_and_waiting_for_a_decision(team, project):
    agency = team["agency"]
    rush = factories.project_create(
        actor=team["coordinator"],
        client=team["clients"][1],
        name="Rush ads",
        template="builtin:paid-campaign",
        launch_in_days=3,
        accept_start_in_past=True,
    )
    api = token_client(team["owner"].user)
    copy = task_by_key(project, "copy")
    design = task_by_key(project, "design")
    api.patch(
        url("api_task_detail", agency, pk=copy.pk),
        {"status": "blocked", "blocked_reason": "No offer details yet"},
        format="json",
    )
    api.patch(
        url("api_task_detail", agency, pk=design.pk),
        {
            "needs_decision": True,
            "decision_question": "Photo or illustration?",
            "decider_member": team["owner"].pk,
        },
        format="json",
    )

    response = api.get(url("api_home", agency))

    assert response.status_code == 200
    body = response.json()
    due = body["due_this_week"]
    assert due and all(item["project"]["id"] == rush.pk for item in due)
    assert any(item["overdue"] for item in due)
    assert due[0]["client_name"] == "Birch Bakery"
    assert date.fromisoformat(body["week_start"]) <= date.fromisoformat(body["week_end"])
    blocked = next(item for item in body["blocked"] if item["id"] == copy.pk)
    assert blocked["reason"] == "No offer details yet"
    assert blocked["endangered_launch"] == project.launch_date.isoformat()
    assert blocked["since"] == agency_today(agency).isoformat()
    assert blocked["client_name"] == "Acme Dental"
    decision = next(item for item in body["needs_decision"] if item["task_id"] == design.pk)
    assert decision["kind"] == "task"
    assert decision["question"] == "Photo or illustration?"
    assert decision["decide_by"] == team["owner"].user.full_name
    assert decision["project_name"] == project.name


# --- Schema --------------------------------------------------------------------------------


def test_every_project_endpoint_is_in_the_openapi_schema_which_validates_without_warnings(tmp_path: Path):
    schema = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))

    text = schema.read_text()
    for path in (
        "templates/",
        "projects/",
        "projects/{id}/",
        "projects/{id}/tasks/",
        "tasks/{id}/",
        "tasks/{id}/dependencies/",
        "home/",
    ):
        assert f"/api/v1/agencies/{{agency_slug}}/{path}:" in text
    assert "shortfall_business_days" in text


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata"])
def test_the_lists_moments_render_as_the_serializers_datetime_field_does(zone):
    """The projects list renders ``created_at`` with the page's time zone looked up once; it must read as
    DRF's DateTimeField (the schema's) renders it, in every zone, with and without microseconds."""
    from datetime import UTC, datetime

    from django.utils import timezone
    from rest_framework import serializers

    from projects.api import _moment_renderer

    moments = [
        datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # a minute before Berlin's clocks go forward
        datetime(2026, 10, 25, 1, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 12, 5, 14, 6, 0, 1, tzinfo=UTC),
        None,
    ]
    with timezone.override(zone):
        render = _moment_renderer()
        field = serializers.DateTimeField()
        assert [render(m) for m in moments] == [field.to_representation(m) for m in moments]


def test_a_projects_detail_reads_the_facts_the_orm_expressions_give(team):
    """The detail is one written-once read; its counts, first start, health and the brief's gaps are the
    ones the ORM's expressions (``projects.health.with_health_facts`` and plain counts) give for the same
    project: here with done tasks, a required input, an open risk and a forecast past the launch."""
    from django.db.models import Min

    from projects.models import Escalation, RequiredInput

    agency = team["agency"]
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], launch_in_days=40
    )
    with scope(agency=agency.pk):
        tasks = list(Task.objects.filter(project=project).order_by("start_date", "order", "pk"))
        Task.objects.filter(pk__in=[t.pk for t in tasks[:3]]).update(status=TaskStatus.DONE)
        Task.objects.filter(pk=tasks[-1].pk).update(due_date=project.launch_date + timedelta(days=9))
        services.required_input_create(
            actor=team["coordinator"],
            project=project,
            description="Final product photos",
            from_party="client",
            expected_by=project.launch_date,
        )
        Escalation.objects.create(
            agency=agency, project=project, rule="owner_unclear", fingerprint="owner_unclear:detail",
            severity="medium", section="needs_decision", message="Nobody owns the copy.",
        )  # fmt: skip
        reference = (
            with_health_facts(Project.objects.filter(pk=project.pk))
            .annotate(
                total=Count("tasks", distinct=True),
                done=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True),
                first=Min("tasks__start_date"),
            )
            .get()
        )
        missing = services.brief_missing(
            Project.objects.get(pk=project.pk).brief,
            inputs_count=RequiredInput.objects.filter(project=project).count(),
        )
        slip = agency_calendar(agency).business_days_between(project.launch_date, reference.forecast_launch)

    body = token_client(team["owner"].user).get(url("api_project_detail", agency, pk=project.pk)).json()

    assert (body["tasks_total"], body["tasks_done"]) == (reference.total, reference.done) == (len(tasks), 3)
    assert body["first_start"] == reference.first.isoformat()
    assert body["forecast_launch"] == reference.forecast_launch.isoformat() > project.launch_date.isoformat()
    assert body["open_risks"] == reference.open_risks == 1 and body["at_risk"] is True
    assert body["slip_business_days"] == slip > 0
    assert body["brief_missing"] == missing
