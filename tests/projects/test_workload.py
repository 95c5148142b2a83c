"""Workload and My work: hours spread over business days per ISO week, and the pages built on them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from agencyops.models import Discipline
from agencyops.services import accounts
from projects import services
from projects.calendars import agency_calendar, agency_today
from projects.models import ProjectTemplate, Task
from projects.scheduling import BusinessCalendar
from projects.workload import WorkItem, my_work_for, spread_hours, weekly_hours, weeks_from
from tests import factories
from tests.reads import STAFF_PAGE_READS

MON = date(2025, 5, 5)  # a Monday
TUE, WED, THU, FRI = (MON + timedelta(days=i) for i in range(1, 5))
NEXT_MON = MON + timedelta(weeks=1)
NEXT_TUE, NEXT_WED = NEXT_MON + timedelta(days=1), NEXT_MON + timedelta(days=2)
WEEKS = [MON, NEXT_MON]
CALENDAR = BusinessCalendar()


# --------------------------------------------------------------------------- hours per week (pure)


def test_a_four_day_task_of_eight_hours_from_monday_to_thursday_puts_eight_hours_in_that_week():
    assert weekly_hours([WorkItem(1, MON, THU, Decimal("8"))], CALENDAR, WEEKS) == {(1, MON): Decimal("8.00")}


def test_a_task_across_a_weekend_splits_its_hours_by_business_days():
    # Thu, Fri | (weekend) | Mon, Tue: four business days, two in each week.
    hours = weekly_hours([WorkItem(1, THU, NEXT_TUE, Decimal("8"))], CALENDAR, WEEKS)
    assert hours == {(1, MON): Decimal("4.00"), (1, NEXT_MON): Decimal("4.00")}


def test_a_public_holiday_takes_a_day_out_of_the_spread():
    task = WorkItem(1, THU, NEXT_WED, Decimal("10"))
    # Thu, Fri | Mon, Tue, Wed: 2 and 3 of 5 business days.
    assert weekly_hours([task], CALENDAR, WEEKS) == {
        (1, MON): Decimal("4.00"),
        (1, NEXT_MON): Decimal("6.00"),
    }
    bank_holiday = BusinessCalendar(holidays=frozenset({NEXT_MON}))
    # Thu, Fri | Tue, Wed: 2 and 2 of 4.
    assert weekly_hours([task], bank_holiday, WEEKS) == {
        (1, MON): Decimal("5.00"),
        (1, NEXT_MON): Decimal("5.00"),
    }


# Quarter hours take the whole-hundredths path; thousandths of an hour the exact decimal one.
@pytest.mark.parametrize("unit", [Decimal("0.25"), Decimal("0.001")])
def test_hours_per_week_match_counting_the_working_days_one_by_one(unit):
    """The week shares come from business-day indexes; counted day by day they must come out the same."""
    import random

    rnd = random.Random(7)
    calendar = BusinessCalendar(
        holidays=frozenset({MON + timedelta(days=d) for d in (3, 14, 15)}),
        closures=frozenset({MON + timedelta(days=22)}),
    )
    weeks = weeks_from(MON, 5)
    items = []
    for n in range(400):
        start = MON + timedelta(days=rnd.randint(-10, 40))
        due = start + timedelta(days=rnd.randint(0, 12))
        items.append(WorkItem(n % 7, start, due, rnd.randint(1, 400) * unit, task_id=n))

    expected: dict = {}
    for item in items:
        days = [
            item.start + timedelta(days=i)
            for i in range((item.due - item.start).days + 1)
            if calendar.is_business_day(item.start + timedelta(days=i))
        ]
        if not days:
            monday = item.due - timedelta(days=item.due.weekday())
            if monday in weeks:
                expected[(item.member_id, monday)] = expected.get(
                    (item.member_id, monday), 0
                ) + item.hours.quantize(Decimal("0.01"), ROUND_HALF_UP)
            continue
        for monday in weeks:
            in_week = sum(1 for d in days if monday <= d <= monday + timedelta(days=6))
            if in_week:
                share = (item.hours * in_week / len(days)).quantize(Decimal("0.01"), ROUND_HALF_UP)
                expected[(item.member_id, monday)] = expected.get((item.member_id, monday), 0) + share

    assert weekly_hours(items, calendar, weeks) == expected
    assert len(expected) > 20
    # One item at a time (spread_hours, the risk scan's rule) the shares are the same.
    one_by_one: dict = {}
    for item in items:
        for monday, share in spread_hours(item, calendar, weeks).items():
            one_by_one[(item.member_id, monday)] = one_by_one.get((item.member_id, monday), 0) + share
    assert one_by_one == expected


def test_an_agency_closure_counts_like_a_holiday():
    closed_friday = BusinessCalendar(closures=frozenset({FRI}))
    hours = weekly_hours([WorkItem(1, THU, NEXT_TUE, Decimal("9"))], closed_friday, WEEKS)
    assert hours == {(1, MON): Decimal("3.00"), (1, NEXT_MON): Decimal("6.00")}


def test_hours_add_up_per_member_and_week_and_unassigned_work_has_its_own_key():
    tasks = [
        WorkItem(1, MON, WED, Decimal("6")),
        WorkItem(1, WED, WED, Decimal("2.5")),
        WorkItem(2, NEXT_MON, NEXT_MON, Decimal("3")),
        WorkItem(None, MON, MON, Decimal("1")),
    ]
    assert weekly_hours(tasks, CALENDAR, WEEKS) == {
        (1, MON): Decimal("8.50"),
        (2, NEXT_MON): Decimal("3.00"),
        (None, MON): Decimal("1.00"),
    }


def test_only_the_weeks_asked_for_are_counted():
    # Three weeks of work, 15 business days, 30 hours: 10 a week; only the middle week is asked for.
    task = WorkItem(1, MON, NEXT_MON + timedelta(days=11), Decimal("30"))
    assert weekly_hours([task], CALENDAR, [NEXT_MON]) == {(1, NEXT_MON): Decimal("10.00")}


def test_uneven_shares_are_rounded_to_hundredths_of_an_hour():
    # Fri | Mon, Tue: a third and two thirds of 10 hours.
    assert spread_hours(WorkItem(1, FRI, NEXT_TUE, Decimal("10")), CALENDAR, WEEKS) == {
        MON: Decimal("3.33"),
        NEXT_MON: Decimal("6.67"),
    }


def test_a_task_with_no_business_day_in_its_span_counts_in_the_week_it_is_due():
    saturday = MON + timedelta(days=5)
    assert weekly_hours([WorkItem(1, saturday, saturday, Decimal("2"))], CALENDAR, WEEKS) == {
        (1, MON): Decimal("2.00")
    }


def test_a_task_without_estimated_hours_adds_nothing():
    assert weekly_hours([WorkItem(1, MON, FRI, Decimal("0"))], CALENDAR, WEEKS) == {}


def test_the_weeks_start_on_the_monday_of_the_current_week():
    assert weeks_from(THU, 3) == [MON, NEXT_MON, NEXT_MON + timedelta(weeks=1)]


# --------------------------------------------------------------------------- helpers for the pages

pytestmark = pytest.mark.django_db


def _template(agency, name: str, tasks: list[dict]) -> ProjectTemplate:
    with scope(agency=agency.pk):
        return ProjectTemplate.objects.create(agency=agency, name=name, spec={"tasks": tasks})


def _task_spec(key, discipline="writer", duration=1, hours=4, after=(), title=None, phase="Creative"):
    return {
        "key": key,
        "title": title or key.replace("-", " ").capitalize(),
        "phase": phase,
        "discipline": discipline,
        "duration": duration,
        "hours": hours,
        "after": [{"key": a} for a in after],
    }


def _create(actor, client, template, launch, *, past_ok=False, name=""):
    with scope(agency=actor.agency_id):
        return services.project_create_from_template(
            actor=actor,
            client=client,
            name=name or f"Project {template.name}",
            template_ref=str(template.pk),
            launch_date=launch,
            accept_start_in_past=past_ok,
        )


def _writer(team):
    return next(m for m in team["members"] if m.discipline == Discipline.WRITER)


def _clean_week(agency, weeks_ahead: range = range(1, 5)) -> date:
    """The Monday of a coming week in the workload window whose Monday to Thursday are all business days."""
    today = agency_today(agency)
    with scope(agency=agency.pk):
        calendar = agency_calendar(agency)
    for monday in weeks_from(today, 6)[weeks_ahead.start : weeks_ahead.stop]:
        if all(calendar.is_business_day(monday + timedelta(days=i)) for i in range(4)):
            return monday
    raise AssertionError("No clean week ahead")


def _cell(html: str, member_id, week: date) -> re.Match:
    match = re.search(
        rf'<td class="(?P<classes>[^"]*)">\s*'
        rf'<a href="\?member={member_id}&amp;week={week:%Y-%m-%d}#drilldown"[^>]*>'
        rf'(?P<text>[^<]*)<span class="sr-only">',
        html,
    )
    assert match, f"no cell for member {member_id} in week {week}"
    return match


# --------------------------------------------------------------------------- the workload page


def test_the_workload_shows_a_four_day_eight_hour_task_as_eight_hours_in_its_week(team, as_coordinator):
    writer = _writer(team)
    monday = _clean_week(team["agency"])
    template = _template(team["agency"], "One task", [_task_spec("essay", duration=4, hours=8)])
    project = _create(team["coordinator"], team["clients"][0], template, monday + timedelta(days=3))
    with scope(agency=team["agency"].pk):
        task = project.tasks.get()
    assert (task.assignee_id, task.start_date, task.due_date) == (
        writer.pk,
        monday,
        monday + timedelta(days=3),
    )
    html = as_coordinator.get(reverse("workload", args=[team["agency"].slug])).content.decode()
    cell = _cell(html, writer.pk, monday)
    assert cell["text"] == "8 h" and "workload-over" not in cell["classes"]
    assert _cell(html, writer.pk, monday + timedelta(weeks=1))["text"] == "0 h"
    assert "Owner unclear" not in html


def test_an_overloaded_week_is_highlighted_with_hours_against_capacity(team, as_coordinator):
    writer = _writer(team)
    with scope(agency=team["agency"].pk):
        accounts.membership_update(actor=team["owner"], membership=writer, weekly_capacity_hours=6)
    monday = _clean_week(team["agency"])
    template = _template(team["agency"], "One task", [_task_spec("essay", duration=4, hours=8)])
    _create(team["coordinator"], team["clients"][0], template, monday + timedelta(days=3))
    html = as_coordinator.get(reverse("workload", args=[team["agency"].slug])).content.decode()
    cell = _cell(html, writer.pk, monday)
    assert "workload-over" in cell["classes"] and cell["text"] == "8 / 6 h"


def test_the_drilldown_lists_the_tasks_behind_a_cell_with_project_and_hours(team, as_coordinator):
    writer = _writer(team)
    monday = _clean_week(team["agency"], range(1, 4))
    # Monday to Thursday: 8 hours; the one-day notes on Thursday: 3 more.
    template = _template(
        team["agency"], "Two tasks", [_task_spec("essay", duration=4, hours=8), _task_spec("notes", hours=3)]
    )
    project = _create(
        team["coordinator"], team["clients"][0], template, monday + timedelta(days=3), name="Spring"
    )
    url = reverse("workload", args=[team["agency"].slug])
    html = as_coordinator.get(url, {"member": writer.pk, "week": monday.isoformat()}).content.decode()
    drill = html[html.index('id="drilldown"') : html.index("</section>", html.index('id="drilldown"'))]
    with scope(agency=team["agency"].pk):
        essay, notes = project.tasks.get(key="essay"), project.tasks.get(key="notes")
    assert "Essay" in drill and "Notes" in drill and "Spring" in drill and team["clients"][0].name in drill
    assert reverse("task_detail", args=[team["agency"].slug, essay.pk]) in drill
    assert re.search(r"<td class=\"right\">8</td>\s*<td class=\"right\">8</td>", drill)
    assert re.search(r"<td class=\"right\">3</td>\s*<td class=\"right\">3</td>", drill)
    assert ": 11 h of 40 h" in drill
    assert notes.due_date == monday + timedelta(days=3)


def test_a_drilldown_for_someone_outside_the_agency_is_a_404_and_a_bad_week_is_explained(
    team, other_team, as_coordinator
):
    url = reverse("workload", args=[team["agency"].slug])
    outsider = other_team["members"][0]
    response = as_coordinator.get(url, {"member": outsider.pk, "week": "2025-05-05"})
    assert response.status_code == 404 and outsider.user.full_name not in response.content.decode()
    writer = _writer(team)
    response = as_coordinator.get(url, {"member": writer.pk, "week": "not-a-date"})
    assert response.status_code == 200
    assert "Choose one of the weeks shown in the table" in response.content.decode()
    assert 'id="drilldown"' not in response.content.decode()


def test_work_of_someone_who_left_shows_as_owner_unclear(team, as_coordinator):
    writer = _writer(team)
    monday = _clean_week(team["agency"])
    template = _template(team["agency"], "One task", [_task_spec("essay", duration=4, hours=8)])
    _create(team["coordinator"], team["clients"][0], template, monday + timedelta(days=3))
    with scope(agency=team["agency"].pk):
        accounts.membership_remove(actor=team["owner"], membership=writer)
    html = as_coordinator.get(reverse("workload", args=[team["agency"].slug])).content.decode()
    assert f"?member={writer.pk}&amp;" not in html
    assert "Owner unclear" in html and _cell(html, "unclear", monday)["text"] == "8 h"


def test_done_tasks_and_cancelled_projects_add_no_hours(team, as_coordinator):
    writer = _writer(team)
    monday = _clean_week(team["agency"])
    template = _template(
        team["agency"], "Two tasks", [_task_spec("essay", duration=4, hours=8), _task_spec("notes", hours=3)]
    )
    project = _create(team["coordinator"], team["clients"][0], template, monday + timedelta(days=3))
    cancelled = _create(
        team["coordinator"], team["clients"][0], template, monday + timedelta(days=3), name="Off"
    )
    with scope(agency=team["agency"].pk):
        services.task_update_status(actor=writer, task=project.tasks.get(key="notes"), status="done")
        services.project_set_status(actor=team["coordinator"], project=cancelled, status="cancelled")
    html = as_coordinator.get(reverse("workload", args=[team["agency"].slug])).content.decode()
    assert _cell(html, writer.pk, monday)["text"] == "8 h"


def test_names_in_the_table_are_escaped_and_the_open_cell_is_marked(team, as_coordinator):
    writer = _writer(team)
    writer.user.full_name = '<img src=x onerror="alert(1)"> & Co'
    writer.user.save(update_fields=["full_name"])
    monday = _clean_week(team["agency"])
    url = reverse("workload", args=[team["agency"].slug])
    html = as_coordinator.get(url, {"member": writer.pk, "week": monday.isoformat()}).content.decode()
    assert "<img src=x" not in html
    assert '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Co<br><small class="muted">Writer' in html
    current = re.findall(r'<a href="\?member=(\w+)&amp;week=([\d-]+)#drilldown" aria-current="true">', html)
    assert current == [(str(writer.pk), monday.isoformat())]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("0", "0"),
        ("0.00", "0"),
        ("0.04", "0"),
        ("0.05", "0.1"),
        ("8.00", "8"),
        ("7.96", "8"),
        ("7.25", "7.3"),
        ("7.35", "7.4"),
        ("12.5", "12.5"),
        ("1234.56", "1234.6"),
    ],
)
def test_hours_in_the_table_are_rounded_half_up_to_one_place_without_a_trailing_zero(value, shown):
    from projects.templatetags.workload_table import hours

    assert hours(Decimal(value)) == shown


def _agency_with(members: int, tasks: int) -> tuple:
    """An agency of ``members`` people and one project of ``tasks`` three-day tasks due in two weeks."""
    owner = factories.agency_create()
    agency = owner.agency
    disciplines = Discipline.values
    for i in range(members - 1):
        factories.membership_create(agency=agency, discipline=disciplines[i % len(disciplines)])
    client = factories.client_create(actor=owner)
    template = _template(
        agency,
        "Load",
        [
            _task_spec(f"t{i}", discipline=disciplines[i % len(disciplines)], duration=3, hours=6)
            for i in range(tasks)
        ],
    )
    today = agency_today(agency)
    with scope(agency=agency.pk):
        launch = agency_calendar(agency).add_business_days(today, 8)
    _create(owner, client, template, launch)
    return owner, launch


def test_the_workload_runs_the_same_queries_for_5_members_and_20_tasks_as_for_40_and_400(
    logged_in, django_assert_num_queries
):
    small_owner, _ = _agency_with(5, 20)
    large_owner, launch = _agency_with(40, 400)
    small, large = logged_in(small_owner.user), logged_in(large_owner.user)
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        small_html = small.get(reverse("workload", args=[small_owner.agency.slug])).content.decode()
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        large_html = large.get(reverse("workload", args=[large_owner.agency.slug])).content.decode()
    # Five people, plus "Owner unclear" for the account-lead tasks nobody in the small agency can take.
    assert small_html.count('<th scope="row">') == 6 and "Owner unclear" in small_html
    assert large_html.count('<th scope="row">') == 40 and "Owner unclear" not in large_html
    with scope(agency=large_owner.agency_id):
        assert Task.objects.filter(project__agency=large_owner.agency).count() == 400
    # 400 tasks of 6 hours, all inside the six weeks: the cells add up to 2,400 hours.
    hours = [Decimal(h) for h in re.findall(r'#drilldown"[^>]*>([\d.]+)(?: / [\d.]+)? h<', large_html)]
    assert sum(hours) == Decimal(2400)


# --------------------------------------------------------------------------- my work


@pytest.fixture
def writers_week(team):
    """A writer's chain research → draft → polish launched two business days from today: research is overdue.

    The designer's task in the same project and the writer's finished "notes" must not show.
    """
    agency = team["agency"]
    template = _template(
        agency,
        "Writing",
        [
            _task_spec("research", duration=4),
            _task_spec("draft", duration=4, after=["research"]),
            _task_spec("polish", after=["draft"]),
            _task_spec("notes"),
            _task_spec("moodboard", discipline="designer", title="Moodboard for the designer"),
        ],
    )
    with scope(agency=agency.pk):
        launch = agency_calendar(agency).add_business_days(agency_today(agency), 2)
    project = _create(
        team["coordinator"], team["clients"][0], template, launch, past_ok=True, name="Autumn push"
    )
    writer = _writer(team)
    with scope(agency=agency.pk):
        tasks = {t.key: t for t in project.tasks.all()}
        services.task_update_status(actor=writer, task=tasks["notes"], status="done")
        services.task_update_status(
            actor=writer,
            task=tasks["draft"],
            status="waiting",
            waiting_on="vendor",
            waiting_on_name="Inkwell Print",
        )
        services.required_input_create(
            actor=team["coordinator"],
            project=project,
            description="Final product photos",
            from_party="client",
            expected_by=launch,
            tasks=[tasks["polish"]],
        )
        tasks = {t.key: t for t in project.tasks.all()}
    return {"project": project, "tasks": tasks, "writer": writer, "launch": launch}


def test_my_work_puts_overdue_tasks_first_then_groups_the_rest_by_due_day(team, writers_week, logged_in):
    writer, tasks = writers_week["writer"], writers_week["tasks"]
    today = agency_today(team["agency"])
    assert tasks["research"].due_date < today <= tasks["polish"].due_date
    with scope(agency=team["agency"].pk):
        work = my_work_for(writer, today=today, calendar=agency_calendar(team["agency"]))
    assert [t.key for t in work.overdue] == ["research"]
    by_day = {g.day: [t.key for t in g.tasks] for g in work.days}
    assert by_day[tasks["polish"].due_date] == ["polish"]
    assert by_day[tasks["draft"].due_date] == ["draft"]
    assert all(g.day >= today for g in work.days)
    assert [t.key for t in work.waiting] == ["draft"]

    html = logged_in(writer.user).get(reverse("my_work", args=[team["agency"].slug])).content.decode()
    assert html.index("Overdue") < html.index("Research") < html.index("Polish")
    assert "Moodboard for the designer" not in html and "Notes" not in html
    assert "Autumn push" in html and team["clients"][0].name in html


def test_my_work_says_what_each_task_is_waiting_on(team, writers_week, logged_in):
    html = (
        logged_in(writers_week["writer"].user)
        .get(reverse("my_work", args=[team["agency"].slug]))
        .content.decode()
    )
    polish = re.search(r">Polish</a>.*?my-work-blockers\">(.*?)</ul>", html, re.S)[1]
    assert "Needs “Draft” first" in polish
    assert "Final product photos from Client, expected" in polish
    today = agency_today(team["agency"])
    waiting = html[html.index('id="waiting-h"') :]
    assert "Inkwell Print" in waiting and "vendor" in waiting
    assert f"{today:%a} {today.day} {today:%b}" in waiting  # waiting since today
    assert "Waiting on Inkwell Print since" in html


def test_my_work_links_to_the_calendar_subscription(team, as_member):
    html = as_member.get(reverse("my_work", args=[team["agency"].slug])).content.decode()
    assert f'href="{reverse("calendar_settings", args=[team["agency"].slug])}"' in html
    assert "Subscribe in your calendar" in html
    assert "Nothing on your plate" in html


def test_my_work_runs_the_same_queries_for_5_tasks_and_for_60(team, logged_in, django_assert_num_queries):
    agency = team["agency"]
    writer = _writer(team)
    designer = next(m for m in team["members"] if m.discipline == Discipline.DESIGNER)
    with scope(agency=agency.pk):
        launch = agency_calendar(agency).add_business_days(agency_today(agency), 3)
    small = _template(
        agency, "Small", [_task_spec(f"s{i}", discipline="designer", after=[]) for i in range(5)]
    )
    chain = [_task_spec("w0")] + [
        _task_spec(f"w{i}", after=[f"w{i - 1}"] if i % 2 else []) for i in range(1, 60)
    ]
    large = _template(agency, "Large", chain)
    _create(team["coordinator"], team["clients"][0], small, launch)
    project = _create(team["coordinator"], team["clients"][0], large, launch, past_ok=True)
    with scope(agency=agency.pk):
        for task in project.tasks.filter(key__in=["w1", "w3", "w5"]):
            services.task_update_status(actor=writer, task=task, status="waiting", waiting_on="client")
        services.required_input_create(
            actor=team["coordinator"],
            project=project,
            description="Logo",
            from_party="client",
            expected_by=launch,
            tasks=list(project.tasks.all()[:20]),
        )
    as_designer, as_writer = logged_in(designer.user), logged_in(writer.user)
    slug = agency.slug
    # The first reads and 4 for the work itself, plus 1 for the member's running timer (the time-logging
    # panel).
    with django_assert_num_queries(STAFF_PAGE_READS + 4 + 1):
        small_html = as_designer.get(reverse("my_work", args=[slug])).content.decode()
    with django_assert_num_queries(STAFF_PAGE_READS + 4 + 1):
        large_html = as_writer.get(reverse("my_work", args=[slug])).content.decode()
    assert small_html.count('class="my-work-title"') == 5
    assert large_html.count('class="my-work-title"') == 60
