"""The portal home shows a client their projects: health in their words, the committed launch (and the
forecast once it slips), what waits on them, and links to what the agency shares; never another client's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scope

from brandkit.library import services as library
from projects import services as project_services
from projects.calendars import agency_today
from projects.health import health_of, with_health
from projects.models import Project
from tests import factories

pytestmark = pytest.mark.django_db


def _home(agency) -> str:
    return reverse("portal_home", kwargs={"agency_slug": agency.slug})


def _card(page: str, project) -> str:
    """The HTML of one project's row in the "Your projects" section."""
    match = re.search(
        rf'<li class="portal-project" data-project="{project.pk}">(.*?)</li>\s*(?:<li class="portal-project"|</ul>)',
        page,
        re.S,
    )
    assert match, f"no row for {project.name}"
    return match.group(1)


@pytest.fixture
def project(team):
    return factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Spring campaign"
    )


def test_a_client_sees_each_project_with_its_health_launch_and_what_waits_on_them(team, project, as_contact):
    with scope(agency=team["agency"].pk):
        project_services.required_input_create(
            actor=team["coordinator"],
            project=project,
            description="Clinic photos",
            from_party="client",
            expected_by=agency_today(team["agency"]) + timedelta(days=3),
        )
    request = factories.approval_create(actor=team["coordinator"], project=project, title="Hero copy")

    page = as_contact.get(_home(team["agency"])).content.decode()
    card = _card(page, project)

    assert "Your projects" in page
    assert "Spring campaign" in card and ("Under way" in card or "Being planned" in card)
    assert "On track" in card
    assert project.launch_date.strftime("%Y-%m-%d") in card
    assert "Now expected" not in card
    assert "Waiting on you" in card and "Send Clinic photos" in card
    approval_url = reverse(
        "portal_approval", kwargs={"agency_slug": team["agency"].slug, "request_id": request.pk}
    )
    assert f'<a href="{approval_url}">Approve “Hero copy”</a>' in card


def test_the_forecast_shows_once_the_launch_slips_read_from_the_one_health_rule(team, project, as_contact):
    with scope(agency=team["agency"].pk):
        last = project.tasks.filter(recurrence_period__isnull=True).order_by("-due_date").first()
        project_services.task_reschedule(
            actor=team["coordinator"],
            task=last,
            new_due=project.launch_date + timedelta(days=14),
            reason="Late photos",
        )
        health = health_of(with_health(Project.objects.filter(pk=project.pk)).get())

    card = _card(as_contact.get(_home(team["agency"])).content.decode(), project)

    assert health.launch_slips
    assert "Running late" in card and "On track" not in card
    assert "Now expected" in card and health.forecast_launch.strftime("%Y-%m-%d") in card
    assert project.launch_date.strftime("%Y-%m-%d") in card


def test_brand_files_and_reports_are_linked_only_once_there_is_something_to_open(team, project, as_contact):
    brand_files = reverse("portal_brand_files", kwargs={"agency_slug": team["agency"].slug})
    reports = reverse("portal_report_list", kwargs={"agency_slug": team["agency"].slug})
    before = as_contact.get(_home(team["agency"])).content.decode()
    with scope(agency=team["agency"].pk):
        item = library.library_item_create(
            actor=team["coordinator"],
            title="Logo pack",
            client=team["clients"][0],
            url="https://example.com/logos",
        )
        library.library_item_share(actor=team["coordinator"], item=item, visible=True)

    after = as_contact.get(_home(team["agency"])).content.decode()

    assert "Shared with you" not in before and f'href="{brand_files}"' not in before.split("Your projects")[1]
    assert f'<a href="{brand_files}">Brand files (1)</a>' in after
    assert f'<a href="{reports}">Reports' not in after  # nothing sent yet


def test_a_contact_never_sees_another_clients_or_agencys_projects(team, other_team, project, logged_in):
    factories.project_create(actor=team["coordinator"], client=team["clients"][1], name="Bakery launch")
    factories.project_create(
        actor=other_team["coordinator"], client=other_team["clients"][0], name="Southpaw job"
    )

    acme = logged_in(team["contacts"][0].user).get(_home(team["agency"])).content.decode()
    birch = logged_in(team["contacts"][1].user).get(_home(team["agency"])).content.decode()

    assert "Spring campaign" in acme and "Bakery launch" not in acme and "Southpaw job" not in acme
    assert "Bakery launch" in birch and "Spring campaign" not in birch


def test_cancelled_projects_are_left_out(team, project, as_contact):
    with scope(agency=team["agency"].pk):
        project_services.project_set_status(actor=team["coordinator"], project=project, status="cancelled")

    page = as_contact.get(_home(team["agency"])).content.decode()

    assert "Spring campaign" not in page
    assert "No projects yet." in page


# Session, user, contact; the agency's data version (a repeat view stops there); approvals' three reads;
# projects (with health and their open inputs), approvals waiting per project, shared brand files, sent
# reports.
HOME_QUERIES = 11


def test_the_portal_home_runs_the_same_queries_for_1_or_8_projects(
    team, project, as_contact, django_assert_num_queries
):
    factories.approval_create(actor=team["coordinator"], project=project)
    url = _home(team["agency"])
    with django_assert_num_queries(HOME_QUERIES):
        small = as_contact.get(url).content.decode()
    for n in range(7):
        other = factories.project_create(
            actor=team["coordinator"], client=team["clients"][0], name=f"More {n}"
        )
        factories.approval_create(actor=team["coordinator"], project=other, title=f"Copy {n}")

    with django_assert_num_queries(HOME_QUERIES):
        large = as_contact.get(url).content.decode()

    assert small.count('class="portal-project"') == 1
    assert large.count('class="portal-project"') == 8 and large.count("Approve “Copy") == 7


def test_health_reads_in_the_clients_words():
    from datetime import date

    from projects.client_projects import health_words
    from projects.health import project_health

    launch = date(2027, 3, 1)
    assert (
        health_words(project_health(open_risks=0, launch_date=launch, forecast_launch=launch)) == "On track"
    )
    assert (
        health_words(project_health(open_risks=2, launch_date=launch, forecast_launch=launch))
        == "Needs attention"
    )
    late = project_health(open_risks=0, launch_date=launch, forecast_launch=date(2027, 3, 8))
    assert health_words(late) == "Running late"
