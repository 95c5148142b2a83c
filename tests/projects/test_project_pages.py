"""The project pages: the list and its filters, a new project from a template, a project's page and forms."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from projects import services
from projects.calendars import agency_calendar, agency_today
from projects.models import (
    DeadlineChange,
    Project,
    ProjectStatus,
    RequiredInput,
    Task,
    TaskDependency,
    TaskStatus,
)
from tests import factories
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


def short(d) -> str:
    """A date as the pages show it: "Tue 12 May"."""
    return f"{d:%a} {d.day} {d:%b}"


def url(name: str, agency, *args) -> str:
    return reverse(name, args=[agency.slug, *args])


def weekday_in(agency, days: int):
    launch = agency_today(agency) + timedelta(days=days)
    while launch.weekday() >= 5:
        launch += timedelta(days=1)
    return launch


# --------------------------------------------------------------------------- the list


def test_the_list_filters_by_client_status_and_risk(team, as_coordinator):
    agency, coordinator = team["agency"], team["coordinator"]
    acme, birch = team["clients"]
    calm = factories.project_create(actor=coordinator, client=acme, name="Calm site", launch_in_days=150)
    blocked = factories.project_create(actor=coordinator, client=birch, name="Bakery ads", launch_in_days=150)
    paused = factories.project_create(actor=coordinator, client=acme, name="Paused brand", launch_in_days=150)
    with scope(agency=agency.pk):
        services.task_update_status(
            actor=coordinator,
            task=blocked.tasks.get(key="qa"),
            status=TaskStatus.BLOCKED,
            blocked_reason="No devices",
        )
        # The blocked QA slips the launch task past the committed launch: the forecast is late.
        launch_task = blocked.tasks.get(key="launch")
        services.task_reschedule(
            actor=coordinator,
            task=launch_task,
            new_due=agency_calendar(agency).add_business_days(launch_task.due_date, 2),
            reason="QA devices arrive late",
        )
        services.project_set_status(actor=coordinator, project=paused, status=ProjectStatus.ON_HOLD)

    everything = as_coordinator.get(url("project_list", agency)).content.decode()
    assert all(name in everything for name in ("Calm site", "Bakery ads", "Paused brand"))

    by_client = as_coordinator.get(url("project_list", agency), {"client": acme.pk}).content.decode()
    assert "Calm site" in by_client and "Paused brand" in by_client and "Bakery ads" not in by_client

    by_status = as_coordinator.get(url("project_list", agency), {"status": "on_hold"}).content.decode()
    assert "Paused brand" in by_status and "Calm site" not in by_status and "Bakery ads" not in by_status

    at_risk = as_coordinator.get(url("project_list", agency), {"at_risk": "on"}).content.decode()
    assert "Bakery ads" in at_risk and "Calm site" not in at_risk and "Paused brand" not in at_risk
    assert "At risk" in at_risk
    with scope(agency=agency.pk):
        assert calm.tasks.count() == 14


def _filter_fields(page: str) -> str:
    return re.search(r'<form method="get"[^>]*class="filters".*?</form>', page, re.S).group(0)


def test_the_filters_are_remembered_per_choice_and_query_and_match_a_fresh_form(team, as_coordinator):
    """The filters' markup and meaning are remembered per process under the choices and the query: what a
    repeat view shows is what a fresh form renders, a new client shows at once, and a choice sticks."""
    from projects.forms import PROJECT_FILTER_FIELDS_TEMPLATE, ProjectFilterForm
    from projects.selectors import list_filter_choices

    agency, acme = team["agency"], team["clients"][0]
    factories.project_create(actor=team["coordinator"], client=acme, name="Calm site", launch_in_days=150)

    def fresh(query):
        form = ProjectFilterForm(query or None, choices=list_filter_choices(agency))
        return form.filters(), render_to_string(PROJECT_FILTER_FIELDS_TEMPLATE, {"filter_form": form})

    for query in ({}, {"client": acme.pk, "status": "active"}, {"client": "not-a-number", "at_risk": "on"}):
        first = as_coordinator.get(url("project_list", agency), query)
        again = as_coordinator.get(url("project_list", agency), query)
        filters, markup = fresh({k: str(v) for k, v in query.items()})
        assert first.status_code == again.status_code == 200
        assert _filter_fields(first.content.decode()) == _filter_fields(again.content.decode())
        assert markup.strip() in first.content.decode()
    assert (
        f'<option value="{acme.pk}" selected>Acme Dental</option>'
        in as_coordinator.get(url("project_list", agency), {"client": acme.pk}).content.decode()
    )
    # A hostile value is ignored: every project is listed, nothing is selected.
    ignored = as_coordinator.get(url("project_list", agency), {"client": "not-a-number"}).content.decode()
    assert "Calm site" in ignored and f'value="{acme.pk}" selected' not in _filter_fields(ignored)

    # A new client is a new choice: the next view offers it.
    with scope(agency=agency.pk):
        newcomer = factories.client_create(actor=team["owner"], name="Zenith Yoga")
    page = as_coordinator.get(url("project_list", agency)).content.decode()
    assert f'<option value="{newcomer.pk}">Zenith Yoga</option>' in _filter_fields(page)


def test_the_list_shows_progress_launch_and_counts_per_project(team, as_owner):
    agency, coordinator = team["agency"], team["coordinator"]
    project = factories.project_create(actor=coordinator, client=team["clients"][0], name="Dental site")
    with scope(agency=agency.pk):
        services.task_update_status(
            actor=coordinator, task=project.tasks.get(key="kickoff"), status=TaskStatus.DONE
        )
    page = as_owner.get(url("project_list", agency)).content.decode()
    assert "1/14" in page
    assert short(project.launch_date) in page
    assert "Casey Coordinator" in page and "Acme Dental" in page
    for name in ("New project", "My work", "Workload", "Templates"):
        assert name in page


def test_an_htmx_filter_returns_only_the_table(team, as_coordinator):
    factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Dental site")
    response = as_coordinator.get(
        url("project_list", team["agency"]), {"status": "planning"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="project-table">')
    assert "Dental site" in page and "<html" not in page


def test_an_empty_list_says_how_to_start(team, as_coordinator):
    page = as_coordinator.get(url("project_list", team["agency"])).content.decode()
    assert "No projects yet — start one from a template" in page
    assert reverse("project_create", args=[team["agency"].slug]) in page


def _many_projects(team, count: int) -> None:
    for n in range(count):
        factories.project_create(
            actor=team["coordinator"],
            client=team["clients"][n % 2],
            name=f"Project {n:03}",
            launch_in_days=120,
        )


@pytest.mark.parametrize("count", [2, 30])
def test_the_list_runs_the_same_queries_for_2_or_30_projects(
    count, team, as_coordinator, django_assert_num_queries
):
    _many_projects(team, count)
    # the first reads, the filters' clients and coordinators (one statement), the agency's data version,
    # the page of projects with their counts and health
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        response = as_coordinator.get(url("project_list", team["agency"]))
    assert response.content.decode().count("/14</td>") == count
    # Nothing changed: the page's body, filters and table, as it was kept under the version.
    with django_assert_num_queries(STAFF_PAGE_READS + 1):
        again = as_coordinator.get(url("project_list", team["agency"]))
    assert factories.without_csrf(again.content.decode()) == factories.without_csrf(response.content.decode())


def _names_shown(page: str) -> list[str]:
    return re.findall(r'<td><a href="[^"]+/projects/\d+/">(Project \d+)</a></td>', page)


def test_the_list_shows_its_projects_a_page_at_a_time_in_launch_order(team, as_coordinator, monkeypatch):
    from projects.views import projects as project_views

    monkeypatch.setattr(project_views, "PROJECTS_PER_PAGE", 5)
    _many_projects(team, 12)
    agency = team["agency"]
    first = as_coordinator.get(url("project_list", agency)).content.decode()
    second = as_coordinator.get(url("project_list", agency), {"page": "2"}).content.decode()
    third = as_coordinator.get(url("project_list", agency), {"page": "3"}).content.decode()

    shown = [_names_shown(page) for page in (first, second, third)]
    assert [len(names) for names in shown] == [5, 5, 2]
    with scope(agency=agency.pk):
        in_launch_order = list(
            Project.objects.order_by("launch_date", "name", "pk").values_list("name", flat=True)
        )
    assert shown[0] + shown[1] + shown[2] == in_launch_order
    assert "Projects 1–5 of 12" in first and "Projects 11–12 of 12" in third
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'rel="prev"' in third and 'rel="next"' not in third
    assert "Page 2 of 3" in second


@pytest.mark.parametrize(
    ("asked", "shown"), [("0", 1), ("-3", 1), ("two", 1), ("99", 3), ("1e9", 1), ("9" * 40, 3)]
)
def test_a_page_number_out_of_range_or_not_a_number_shows_the_nearest_page(
    asked, shown, team, as_coordinator, monkeypatch
):
    from projects.views import projects as project_views

    monkeypatch.setattr(project_views, "PROJECTS_PER_PAGE", 5)
    _many_projects(team, 12)
    response = as_coordinator.get(url("project_list", team["agency"]), {"page": asked})
    assert response.status_code == 200
    assert f"Page {shown} of 3" in response.content.decode()


def test_the_pages_links_keep_the_filters_and_htmx_gets_the_table_alone(team, as_coordinator, monkeypatch):
    from projects.views import projects as project_views

    monkeypatch.setattr(project_views, "PROJECTS_PER_PAGE", 5)
    _many_projects(team, 12)
    acme = team["clients"][0]
    first = as_coordinator.get(url("project_list", team["agency"]), {"client": acme.pk}).content.decode()
    # Every other project is Acme's: six of them, on two pages.
    assert "Projects 1–5 of 6 match the filters" in first
    next_link = re.search(r'<a href="([^"]+)" rel="next"', first).group(1)
    assert f"client={acme.pk}" in next_link and "page=2" in next_link
    response = as_coordinator.get(
        url("project_list", team["agency"]) + next_link.replace("&amp;", "&"), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="project-table">')
    assert len(_names_shown(page)) == 1 and "Page 2 of 2" in page


# --------------------------------------------------------------------------- a new project


def test_the_preview_shows_the_dates_of_the_back_scheduled_plan(team, as_coordinator):
    agency = team["agency"]
    launch = weekday_in(agency, 120)
    response = as_coordinator.post(
        url("project_create", agency),
        {"template": "builtin:website-launch", "launch_date": launch.isoformat(), "preview": "1"},
    )
    page = response.content.decode()
    with scope(agency=agency.pk):
        preview = services.project_preview(
            agency=agency, template_ref="builtin:website-launch", launch_date=launch
        )
    assert f"{short(preview.start)} {preview.start.year}" in page
    assert short(preview.slots["wireframes"].start) in page and short(preview.slots["design"].due) in page
    assert "Wireframes" in page and "Visual design" in page and "would have to start" not in page
    with scopes_disabled():
        assert Project.objects.count() == 0


def test_the_preview_of_a_near_launch_warns_how_far_in_the_past_it_would_start(team, as_coordinator):
    agency = team["agency"]
    launch = weekday_in(agency, 7)
    response = as_coordinator.post(
        url("project_create", agency),
        {"template": "builtin:website-launch", "launch_date": launch.isoformat(), "preview": "1"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    with scope(agency=agency.pk):
        preview = services.project_preview(
            agency=agency, template_ref="builtin:website-launch", launch_date=launch
        )
    days = preview.shortfall_days
    assert days > 0
    assert f"This plan would have to start on {short(preview.start)}, {days} business days ago" in page
    assert "Create anyway — the team will compress the early tasks" in page
    assert page.lstrip().startswith('<div id="plan-preview"') and "<html" not in page


def test_creating_a_plan_that_starts_in_the_past_needs_the_checkbox(team, as_coordinator):
    agency = team["agency"]
    data = {
        "client": team["clients"][0].pk,
        "name": "Rush job",
        "template": "builtin:website-launch",
        "launch_date": weekday_in(agency, 7).isoformat(),
    }
    refused = as_coordinator.post(url("project_create", agency), data)
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "business days ago" in page and "Create anyway — the team will compress the early tasks" in page
    with scopes_disabled():
        assert Project.objects.count() == 0 and Task.objects.count() == 0

    created = as_coordinator.post(
        url("project_create", agency), {**data, "accept_start_in_past": "on"}, follow=True
    )
    with scope(agency=agency.pk):
        project = Project.objects.get()
        assert project.name == "Rush job" and project.tasks.count() == 14
    assert created.redirect_chain[-1][0] == url("project_detail", agency, project.pk)
    assert "Rush job is planned: 14 tasks" in created.content.decode()


def test_a_launch_date_in_the_past_is_refused_on_its_field(team, as_coordinator):
    agency = team["agency"]
    response = as_coordinator.post(
        url("project_create", agency),
        {
            "client": team["clients"][0].pk,
            "name": "Too late",
            "template": "builtin:paid-campaign",
            "launch_date": (agency_today(agency) - timedelta(days=3)).isoformat(),
            "accept_start_in_past": "on",
        },
    )
    assert 'id="launch-error">The launch date is in the past' in response.content.decode()
    with scopes_disabled():
        assert Project.objects.count() == 0


def test_the_create_page_lists_every_template_with_its_description_and_task_count(team, as_owner):
    page = as_owner.get(url("project_create", team["agency"])).content.decode()
    for ref in (
        "website-launch",
        "paid-campaign",
        "email-sequence",
        "social-content-sprint",
        "brand-rollout",
        "monthly-retainer",
    ):
        assert f'value="builtin:{ref}"' in page
    assert "Sitemap to go-live for a marketing site" in page and "14 tasks in 6 phases" in page


def test_a_member_cannot_open_or_post_the_new_project_form(team, as_member):
    agency = team["agency"]
    assert as_member.get(url("project_create", agency)).status_code == 403
    response = as_member.post(
        url("project_create", agency),
        {
            "client": team["clients"][0].pk,
            "name": "Sneaky",
            "template": "builtin:paid-campaign",
            "launch_date": weekday_in(agency, 120).isoformat(),
        },
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert Project.objects.count() == 0


# --------------------------------------------------------------------------- a project's page


def test_starting_work_with_an_incomplete_brief_lists_the_missing_fields(team, as_coordinator):
    agency = team["agency"]
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    response = as_coordinator.post(
        url("project_status", agency, project.pk), {"status": "active"}, follow=True
    )
    page = response.content.decode()
    assert (
        "Complete the brief before starting work. Missing: Objective, Deliverables, Channel or placement"
        in page
    )
    assert "Start work" in page
    with scope(agency=agency.pk):
        assert Project.objects.get(pk=project.pk).status == ProjectStatus.PLANNING


def test_a_complete_brief_lets_work_start(team, as_coordinator):
    agency = team["agency"]
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=agency.pk):
        brief = project.brief
    response = as_coordinator.post(
        url("brief_edit", agency, project.pk),
        {
            "campaign_name": "Spring smiles",
            "objective": "Book 40 consultations a month",
            "deliverables": "Landing page\nThank-you page",
            "channels": "Web",
            "internal_owner": team["owner"].pk,
            "due_date": brief.due_date.isoformat(),
            "review_milestones": "Copy\nDesign",
            "known_constraints": "Legal review of claims",
        },
        follow=True,
    )
    assert "Brief saved. The brief is complete." in response.content.decode()
    as_coordinator.post(url("project_status", agency, project.pk), {"status": "active"})
    with scope(agency=agency.pk):
        project.refresh_from_db()
        assert project.status == ProjectStatus.ACTIVE
        assert project.brief.internal_owner == team["owner"]


def test_the_project_page_shows_header_brief_inputs_phases_and_the_board(team, as_member):
    agency = team["agency"]
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Dental site"
    )
    with scope(agency=agency.pk):
        qa = project.tasks.get(key="qa")
        qa.assignee = None
        qa.save()
        calendar = agency_calendar(agency)
        tracking = project.tasks.get(key="tracking")
        services.task_reschedule(
            actor=team["coordinator"],
            task=tracking,
            new_due=calendar.add_business_days(tracking.due_date, -1),
            reason="Done early",
        )
        services.task_flag_decision(
            actor=team["coordinator"], task=qa, question="Which browsers?", decide_by="Client"
        )
    page = as_member.get(url("project_detail", agency, project.pk)).content.decode()
    assert "Dental site" in page and "Acme Dental" in page and "Casey Coordinator" in page
    assert "Missing:</strong> Objective, Deliverables, Channel or placement, Known constraints" in page
    assert "Brand guidelines and logo files" in page and "Mark received" in page
    assert "Strategy" in page and "Launch" in page
    assert "Owner unclear" in page and "Needs decision" in page and "Moved 1 time" in page
    assert "Critical path" in page
    for column in ("Not started", "In progress", "Waiting", "Blocked", "Done"):
        assert f"{column} <span" in page
    assert (
        url("project_timeline", agency, project.pk) in page
        and url("project_history", agency, project.pk) in page
    )
    # A member works in the project but does not plan it.
    assert "Start work" not in page and "Edit brief" not in page


def test_the_list_view_groups_tasks_by_phase(team, as_coordinator):
    agency = team["agency"]
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    page = as_coordinator.get(url("project_detail", agency, project.pk), {"view": "list"}).content.decode()
    assert page.index(">Strategy</h3>") < page.index(">Creative</h3>") < page.index(">Launch</h3>")
    assert 'href="?view=list" aria-current="page"' in page
    with scope(agency=agency.pk):
        kickoff = project.tasks.get(key="kickoff")
    assert short(kickoff.start_date) in page and url("task_detail", agency, kickoff.pk) in page


def _grow(project, agency, extra: int) -> None:
    with scope(agency=agency.pk):
        kickoff = project.tasks.get(key="kickoff")
        tasks = Task.objects.bulk_create(
            Task(
                agency=agency,
                project=project,
                key=f"extra-{n}",
                title=f"Extra {n}",
                phase=kickoff.phase,
                start_date=kickoff.start_date,
                due_date=kickoff.due_date,
                duration_days=1,
            )
            for n in range(extra)
        )
        TaskDependency.objects.bulk_create(
            TaskDependency(agency=agency, predecessor=kickoff, successor=t) for t in tasks
        )


@pytest.mark.parametrize("view", ["board", "list"])
@pytest.mark.parametrize("extra", [0, 186])
def test_the_project_page_runs_the_same_queries_for_14_or_200_tasks(
    view, extra, team, as_coordinator, django_assert_num_queries
):
    agency = team["agency"]
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], launch_in_days=400
    )
    _grow(project, agency, extra)
    with scope(agency=agency.pk):
        calendar = agency_calendar(agency)
        for task in project.tasks.filter(key__in=["copy", "qa"]):
            services.task_reschedule(
                actor=team["coordinator"],
                task=task,
                new_due=calendar.add_business_days(task.due_date, 1),
                reason="Late",
            )
    # the first reads; the page's version; the digest PostgreSQL computes of the rows below (no body is
    # kept for them); the rows in one round trip (the project with its header rows; tasks with moves,
    # checklists and links; closures; phases; inputs and their tasks; open escalations; the approvals
    # section's, kept in the body with the rest; the version again); the list view adds the team for the
    # bulk "Reassign" picker
    with django_assert_num_queries(STAFF_PAGE_READS + 3 + (view == "list")):
        response = as_coordinator.get(url("project_detail", agency, project.pk), {"view": view})
    page = response.content.decode()
    # Nothing changed: the body, approvals section included, comes from the cache after the first reads
    # and the version.
    with django_assert_num_queries(STAFF_PAGE_READS + 1):
        again = as_coordinator.get(url("project_detail", agency, project.pk), {"view": view})
    assert factories.without_csrf(again.content.decode()) == factories.without_csrf(page)
    assert page.count(url("task_detail", agency, "0").rsplit("/0/", 1)[0]) >= 14 + extra
    assert "Moved 1 time" in page


def test_required_inputs_are_added_and_received_from_the_project_page(team, as_coordinator):
    agency = team["agency"]
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=agency.pk):
        build = project.tasks.get(key="build")
        before = RequiredInput.objects.count()
    refused = as_coordinator.post(
        url("input_create", agency, project.pk),
        {
            "description": "Stock photos",
            "from_party": "vendor",
            "from_name": "",
            "expected_by": build.start_date,
        },
    )
    assert "Name the vendor." in refused.content.decode()
    with scope(agency=agency.pk):
        assert RequiredInput.objects.count() == before
    as_coordinator.post(
        url("input_create", agency, project.pk),
        {
            "description": "Stock photos",
            "from_party": "vendor",
            "from_name": "Pixabay Pro",
            "expected_by": build.start_date,
            "tasks": [build.pk],
        },
    )
    with scope(agency=agency.pk):
        item = RequiredInput.objects.get(description="Stock photos")
        assert list(item.tasks.all()) == [build] and item.owed_by == "Pixabay Pro"
    as_coordinator.post(url("input_received", agency, project.pk, item.pk))
    with scope(agency=agency.pk):
        item.refresh_from_db()
        assert item.received_at == agency_today(agency)
    page = as_coordinator.get(url("project_detail", agency, project.pk)).content.decode()
    assert f"Received {short(item.received_at)}" in page


def test_settings_save_the_ripple_toggle_and_refuse_a_recurrence_past_a_year(team, as_coordinator):
    agency = team["agency"]
    project = factories.project_create(
        actor=team["coordinator"],
        client=team["clients"][0],
        template="builtin:monthly-retainer",
        launch_in_days=30,
    )
    as_coordinator.post(
        url("project_settings", agency, project.pk), {"form": "settings", "revision_rounds_included": "3"}
    )
    with scope(agency=agency.pk):
        project.refresh_from_db()
        assert project.shift_successors is False and project.revision_rounds_included == 3
        before = (project.recurrence_frequency, project.recurrence_periods_ahead)
    response = as_coordinator.post(
        url("project_settings", agency, project.pk),
        {
            "form": "recurrence",
            "frequency": "monthly",
            "interval": "1",
            "day_of_month": "1",
            "periods_ahead": "14",
        },
    )
    assert "year" in response.content.decode()
    with scope(agency=agency.pk):
        project.refresh_from_db()
        assert (project.recurrence_frequency, project.recurrence_periods_ahead) == before


def test_one_reschedule_is_one_history_entry_with_the_tasks_it_cascaded_to_inside(team, as_member):
    agency = team["agency"]
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=agency.pk):
        calendar = agency_calendar(agency)
        copy = project.tasks.get(key="copy")
        services.task_reschedule(
            actor=team["coordinator"],
            task=copy,
            new_due=calendar.add_business_days(copy.due_date, 2),
            reason="Client sent the offer late",
        )
        moves = DeadlineChange.objects.filter(task__project=project).count()
    page = as_member.get(url("project_history", agency, project.pk)).content.decode()
    # Ten rows underneath, one entry on the page: the reason is shown once, the cascade inside it.
    assert moves > 1 and page.count("Client sent the offer late") == 1
    assert f"{moves - 1} tasks moved with it" in page
    assert "Landing page copy" in page and "Visual design" in page and "+2 business days" in page
    assert "Casey Coordinator" in page


def test_an_empty_history_says_what_will_appear(team, as_member):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    page = as_member.get(url("project_history", team["agency"], project.pk)).content.decode()
    assert "No deadline has moved yet." in page


# --------------------------------------------------------------------------- tenancy


def test_another_agencys_project_is_a_404_on_every_project_page(team, other_team, logged_in):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        item = project.required_inputs.first()
    outsider = logged_in(other_team["coordinator"].user)
    slug = other_team["agency"].slug
    pages = [
        ("project_detail", [project.pk], "get"),
        ("brief_edit", [project.pk], "get"),
        ("brief_edit", [project.pk], "post"),
        ("project_status", [project.pk], "post"),
        ("project_settings", [project.pk], "get"),
        ("project_settings", [project.pk], "post"),
        ("project_history", [project.pk], "get"),
        ("input_create", [project.pk], "get"),
        ("input_create", [project.pk], "post"),
        ("input_received", [project.pk, item.pk], "post"),
        ("template_from_project", [project.pk], "get"),
        ("template_from_project", [project.pk], "post"),
    ]
    for name, args, method in pages:
        response = getattr(outsider, method)(
            reverse(name, args=[slug, *args]), {"status": "cancelled", "name": "Stolen"}
        )
        assert response.status_code == 404, (name, method)
    with scope(agency=team["agency"].pk):
        project.refresh_from_db()
        assert project.status == ProjectStatus.PLANNING
        assert RequiredInput.objects.get(pk=item.pk).received_at is None


def test_save_as_template_sits_behind_the_project_actions_menu_for_planners_only(
    team, as_coordinator, as_member
):
    agency = team["agency"]
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    save_url = url("template_from_project", agency, project.pk)
    planner = as_coordinator.get(url("project_detail", agency, project.pk)).content.decode()
    start = planner.index('<details class="proj-actions-menu"')
    menu = planner[start : planner.index("</details>", start)]
    assert "<summary" in menu and "Project actions" in menu
    assert f'<a href="{save_url}">Save as template</a>' in menu
    # No form always open at the foot of the page: the menu leads to the page that asks for the name.
    assert f'action="{save_url}"' not in planner
    assert 'name="name"' in as_coordinator.get(save_url).content.decode()
    worker = as_member.get(url("project_detail", agency, project.pk)).content.decode()
    assert "proj-actions-menu" in worker and save_url not in worker


def test_the_list_filters_offer_every_client_and_every_owner_or_coordinator_by_name(team, as_coordinator):
    from agencyops.models import Client, Membership, Role

    page = as_coordinator.get(url("project_list", team["agency"])).content.decode()
    with scope(agency=team["agency"].pk):
        clients = list(Client.objects.order_by("name", "pk").values_list("pk", "name"))
        planners = [
            (m.pk, m.user.full_name or m.user.email)
            for m in Membership.objects.filter(role__in=(Role.OWNER, Role.COORDINATOR))
            .select_related("user")
            .order_by("user__full_name", "pk")
        ]
    for name, choices in (("client", clients), ("owner", planners)):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
        offered = re.findall(r'<option value="(\d+)">([^<]*)</option>', select)
        assert offered == [(str(pk), label) for pk, label in choices]
        assert len(offered) >= 1
