"""Projects in a real browser: a coordinator plans a project, blocks a task, Home names the launch at risk."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import expect

from agencyops.demo import demo_seed
from projects import services
from projects.calendars import agency_calendar, agency_today
from projects.models import Project, TaskStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROJECT_NAME = "Autumn sale landing page"
BLOCKED_TASK = "Kick-off and brief sign-off"
BLOCKED_REASON = "Birch Bakery has not confirmed the sale dates yet"


def long_day(day: date) -> str:
    """A date as the plan preview writes it: "Wed 27 Jan 2027"."""
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def home_day(day: date, *, today: date) -> str:
    """A date as the home view writes it: the year only when it is not this year's."""
    short = f"{day:%a} {day.day} {day:%b}"
    return short if day.year == today.year else f"{short} {day.year}"


def test_a_coordinator_plans_a_project_blocks_a_task_and_home_shows_the_launch_it_endangers(
    page, live_server, log_in_as, fast_password_hashing
):
    demo = demo_seed()
    agency = demo.agency
    with scope(agency=agency.pk):
        today = agency_today(agency)
        # About two months ahead, on a working day, so the launch date is the plan's last due date.
        launch = agency_calendar(agency).roll_forward(today + timedelta(days=60))
        plan = services.project_preview(
            agency=agency, template_ref="builtin:website-launch", launch_date=launch
        )
    assert not plan.starts_in_past, "the test needs a plan that fits before its launch"

    log_in_as("coordinator@brightside.test")
    page.wait_for_url(live_server.url + reverse("home", kwargs={"agency_slug": agency.slug}))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    expect(page.get_by_role("heading", level=1, name="Projects")).to_be_visible()
    page.get_by_role("link", name="New project").click()
    expect(page.get_by_role("heading", level=1, name="New project")).to_be_visible()

    page.get_by_label("Client").select_option(label="Birch Bakery")
    page.get_by_label("Project name").fill(PROJECT_NAME)
    page.get_by_role("radio", name=re.compile(r"^Website launch")).check()
    page.get_by_label("Launch (handoff) date").fill(launch.isoformat())

    page.get_by_role("button", name="Preview plan").click()
    expect(page.get_by_role("heading", name="The plan")).to_be_visible()
    expect(page.get_by_text(f"Work starts on {long_day(plan.start)}")).to_be_visible()
    expect(page.get_by_text(f"the last task is due on {long_day(launch)}")).to_be_visible()
    with scope(agency=agency.pk):
        assert not Project.objects.filter(name=PROJECT_NAME).exists(), "a preview creates nothing"

    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(PROJECT_NAME))).to_be_visible()
    tasks = page.get_by_role("region", name="Tasks")
    expect(tasks.get_by_role("link", name=BLOCKED_TASK)).to_be_visible()
    expect(tasks.get_by_role("link", name="Launch", exact=True)).to_be_visible()
    with scope(agency=agency.pk):
        project = Project.objects.get(name=PROJECT_NAME)
        assert project.client.name == "Birch Bakery"
        assert project.launch_date == launch

    tasks.get_by_role("link", name=BLOCKED_TASK).click()
    expect(page.get_by_role("heading", level=1, name=BLOCKED_TASK)).to_be_visible()
    page.get_by_text("Change the status", exact=True).click()  # the form opens on demand
    page.get_by_role("combobox", name="Status", exact=True).select_option(label="Blocked")
    page.get_by_label("Why is it blocked?").fill(BLOCKED_REASON)
    page.get_by_role("button", name="Update status").click()
    today = agency_today(agency)
    expect(page.get_by_text(f"Blocked since {today:%a %-d %b}: {BLOCKED_REASON}")).to_be_visible()
    with scope(agency=agency.pk):
        task = project.tasks.get(title=BLOCKED_TASK)
        assert task.status == TaskStatus.BLOCKED
        assert task.blocked_reason == BLOCKED_REASON

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    blocked = page.get_by_role("region", name=re.compile(r"^Blocked"))
    expect(blocked.get_by_role("link", name=BLOCKED_TASK)).to_be_visible()
    expect(blocked.get_by_text(BLOCKED_REASON)).to_be_visible()
    endangers = f"Endangers {PROJECT_NAME} launch on {home_day(launch, today=today)}"
    expect(blocked.get_by_text(endangers)).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    row = page.get_by_role("row", name=re.compile(PROJECT_NAME))
    expect(row.get_by_role("link", name=PROJECT_NAME)).to_be_visible()
    expect(row).to_contain_text("Birch Bakery")
