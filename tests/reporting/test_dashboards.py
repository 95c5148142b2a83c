"""The four dashboards: the story's numbers, comparisons, the portal's retainer view and pinned query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django_scopes import scope

from projects.models import Task
from projects.services.time_entries import project_retainer_terms_set, time_entry_log
from reporting import dashboards
from tests import factories
from tests.reporting import story

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 5)


def test_campaign_performance_compares_november_with_october_per_campaign(team, django_assert_num_queries):
    data = story.build(team)
    agency = team["agency"]
    with scope(agency=agency.pk), django_assert_num_queries(7):
        board = dashboards.campaign_performance(
            agency,
            data["client"],
            start=story.NOVEMBER[0],
            end=story.NOVEMBER[1],
            compare="previous",
            as_of=TODAY,
        )
    assert (board.compare_start, board.compare_end) == story.OCTOBER
    rows = {
        r[0]: dict(zip(board.table("campaigns").columns, r, strict=True))
        for r in board.table("campaigns").rows
    }
    industry = rows["Industry-specific"]
    assert (industry["Spend"], industry["Results"], industry["Cost per result"]) == (
        D("4100.00"),
        D(100),
        D("41.00"),
    )
    assert (industry["Cost per result before"], industry["Cost per result change %"]) == (
        D("50.00"),
        D("-18.0"),
    )
    assert industry["Conversion rate %"] == D("5.0")
    general = rows["General"]
    assert (general["Spend before"], general["Spend"], general["Results change %"]) == (
        D("6000.00"), D("3000.00"), D("-50.0"),
    )  # fmt: skip
    assert general["Results last year"] is None  # no data a year ago: no comparison invented
    daily = board.table("daily")
    assert [r[0] for r in daily.rows] == [dt.date(2026, 11, 5), dt.date(2026, 11, 20)]
    assert sum(r[1] for r in daily.rows) == D(150)
    svg = board.table("campaigns").svg()
    assert svg.startswith("<svg") and '<title id="campaigns-title">Campaigns</title>' in svg
    assert "Industry-specific: 100" in svg  # the description carries the numbers


def test_same_period_last_year_is_the_comparison_when_asked(team):
    data = story.build(team)
    with scope(agency=team["agency"].pk):
        board = dashboards.campaign_performance(
            team["agency"],
            data["client"],
            start=story.NOVEMBER[0],
            end=story.NOVEMBER[1],
            compare="year",
            as_of=TODAY,
        )
    assert (board.compare_start, board.compare_end) == (dt.date(2025, 11, 1), dt.date(2025, 11, 30))
    assert all(r[6] is None for r in board.table("campaigns").rows)


def test_content_output_shows_the_launch_that_moved_from_its_first_due_date(team):
    data = story.build(team)
    with scope(agency=team["agency"].pk):
        board = dashboards.content_output(
            team["agency"], data["client"], start=story.NOVEMBER[0], end=story.NOVEMBER[1]
        )
    rows = {r[0]: r for r in board.table("deliverables").rows}
    launch = rows["Campaign live"]
    assert (launch[2], launch[3], launch[4]) == (dt.date(2026, 11, 12), dt.date(2026, 11, 10), 1)
    summary = dict(board.table("output_summary").rows)
    assert summary["Dates shifted"] >= 1 and summary["Due"] == len(rows)


def test_the_portal_retainer_view_has_deliverables_and_change_requests_but_never_hours_or_rates(team):
    owner, client = team["owner"], team["clients"][0]
    project = factories.project_create(
        actor=owner, client=client, template="builtin:monthly-retainer", name="Monthly retainer"
    )
    month = dt.date.today().replace(day=1)
    with scope(agency=team["agency"].pk):
        project_retainer_terms_set(
            actor=owner, project=project, included_hours=D(20), monthly_fee=D(3000), currency="USD"
        )
        task = Task.objects.filter(project=project).order_by("pk").first()
        time_entry_log(actor=owner, task=task, minutes=90)
        staff = dashboards.retainer_health(team["agency"], client, month=month, next_report=None)
        portal = dashboards.retainer_health(
            team["agency"], client, month=month, next_report=None, portal=True
        )
    assert [t.key for t in staff.tables] == ["deliverables", "hours", "change_requests", "next_report"]
    assert [t.key for t in portal.tables] == ["deliverables", "change_requests", "next_report"]
    (hours,) = staff.table("hours").rows
    assert (hours[0], hours[1], hours[2], hours[3], hours[5]) == (
        project.name,
        D("1.50"),
        D(20),
        D(3000),
        D("2000.00"),
    )
    flat = repr([t.rows for t in portal.tables]) + repr([t.columns for t in portal.tables])
    assert "3000" not in flat and "hour" not in flat.lower() and "rate" not in flat.lower()


def test_dashboard_queries_do_not_grow_with_campaigns(team, django_assert_max_num_queries):
    data = story.build(team)
    for n in range(5):
        factories.reporting_campaign_create(actor=team["owner"], client=data["client"], name=f"Extra {n}")
    with scope(agency=team["agency"].pk):
        for name in dashboards.NAMES:
            with django_assert_max_num_queries(9):
                dashboards.build(
                    name, team["agency"], data["client"], start=story.NOVEMBER[0], end=story.NOVEMBER[1],
                    compare="previous", as_of=TODAY,
                )  # fmt: skip


def test_a_retainers_month_counts_only_its_own_tasks_finished_time_and_undecided_change_requests(
    team, django_assert_num_queries
):
    from approvals.services.change_requests import change_request_create, change_request_decide
    from projects.calendars import agency_today
    from projects.models import TaskStatus
    from projects.services.time_entries import time_entry_delete, time_timer_start

    owner, client, other_client = team["owner"], team["clients"][0], team["clients"][1]
    agency = team["agency"]
    retainer = factories.project_create(
        actor=owner, client=client, template="builtin:monthly-retainer", name="Monthly retainer"
    )
    one_off = factories.project_create(actor=owner, client=client, name="Website launch")
    elsewhere = factories.project_create(
        actor=owner, client=other_client, template="builtin:monthly-retainer", name="Their retainer"
    )
    today = agency_today(agency)
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    with scope(agency=agency.pk):
        for project in (retainer, elsewhere):
            project_retainer_terms_set(
                actor=owner, project=project, included_hours=D(20), monthly_fee=D(3000), currency="USD"
            )
        due_now, done_now, due_later = Task.objects.filter(project=retainer).order_by("pk")[:3]
        Task.objects.filter(project=retainer).update(start_date=next_month, due_date=next_month)
        Task.objects.filter(pk__in=[due_now.pk, done_now.pk]).update(start_date=today, due_date=today)
        Task.objects.filter(pk=done_now.pk).update(status=TaskStatus.DONE)
        # Work on other projects and months, removed or still running, is not this retainer's month.
        Task.objects.filter(project__in=[one_off, elsewhere]).update(start_date=today, due_date=today)
        time_entry_log(actor=owner, task=due_now, minutes=90)
        time_entry_delete(actor=owner, entry=time_entry_log(actor=owner, task=due_now, minutes=30))
        time_timer_start(actor=owner, task=done_now)
        for project in (one_off, elsewhere):
            time_entry_log(actor=owner, task=Task.objects.filter(project=project).first(), minutes=45)
        open_one = change_request_create(requester=owner, project=retainer, description="Add a Spanish page")
        decided = change_request_create(requester=owner, project=retainer, description="Drop the blog")
        change_request_decide(change_request=decided, verdict="rejected", actor=owner)
        change_request_create(requester=owner, project=elsewhere, description="Their own change")
        with django_assert_num_queries(2):
            board = dashboards.retainer_health(agency, client, month=today, next_report=None)
    assert board.table("deliverables").rows == [["Monthly retainer", 2, 1]]
    assert board.table("hours").rows == [["Monthly retainer", D("1.50"), D(20), D(3000), "USD", D("2000.00")]]
    assert board.table("change_requests").rows == [
        [open_one.created_at.date(), "Monthly retainer", "Add a Spanish page"]
    ]
    assert (board.start, board.end) == (today.replace(day=1), next_month - dt.timedelta(days=1))
