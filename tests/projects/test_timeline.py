"""The project timeline: the Gantt layout from plain values, and the page that draws it as SVG."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django_scopes import scope

from projects import services
from projects.models import ProjectTemplate
from projects.scheduling import BusinessCalendar
from projects.timeline import (
    ARROW_GAP,
    DAY_WIDTH,
    HEADER_HEIGHT,
    LABEL_WIDTH,
    ROW_HEIGHT,
    Link,
    TimelineTask,
    build_timeline,
)
from tests import factories
from tests.reads import STAFF_PAGE_READS

MON = date(2025, 5, 5)  # a Monday
TUE, WED, THU, FRI = (MON + timedelta(days=i) for i in range(1, 5))
NEXT_MON = MON + timedelta(days=7)


def _x(d: date, origin: date = MON) -> int:
    return LABEL_WIDTH + (d - origin).days * DAY_WIDTH


def _task(key, start, due, **kwargs):
    kwargs.setdefault("phase", "Creative")
    kwargs.setdefault("title", key.title())
    return TimelineTask(key=key, start=start, due=due, **kwargs)


# --------------------------------------------------------------------------- the layout (pure)


def test_a_bar_runs_from_the_start_of_its_first_day_to_the_end_of_its_due_day():
    chart = build_timeline([_task("copy", TUE, THU)], today=MON)
    bar = chart.row_for("copy").bar
    assert chart.origin == MON
    assert (bar.x, bar.width) == (LABEL_WIDTH + 1 * DAY_WIDTH, 3 * DAY_WIDTH) == (296, 48)
    assert bar.height == 16 and bar.y == HEADER_HEIGHT + ROW_HEIGHT + 6  # below its phase header row


def test_the_chart_starts_on_the_monday_of_the_first_week_and_ends_on_the_sunday_of_the_last():
    chart = build_timeline([_task("a", WED, NEXT_MON + timedelta(days=1))], today=WED)
    assert chart.origin == MON
    assert chart.end == NEXT_MON + timedelta(days=6)
    assert chart.width == LABEL_WIDTH + 14 * DAY_WIDTH + 24


def test_a_milestone_is_a_diamond_in_the_middle_of_its_day():
    chart = build_timeline([_task("approval", FRI, FRI, milestone=True)], today=MON)
    row = chart.row_for("approval")
    cx, cy = _x(FRI) + DAY_WIDTH // 2, row.y + ROW_HEIGHT // 2
    assert cx == 352
    assert row.bar.points == f"{cx},{cy - 8} {cx + 8},{cy} {cx},{cy + 8} {cx - 8},{cy}"
    assert (row.bar.start_x, row.bar.end_x) == (cx - 8, cx + 8)
    assert "tl-milestone" in row.classes


def test_a_finish_to_start_arrow_leaves_the_predecessor_end_and_enters_the_successor_start():
    chart = build_timeline(
        [
            _task("copy", MON, WED),
            _task("design", NEXT_MON, NEXT_MON + timedelta(days=2), predecessors=(Link("copy"),)),
        ],
        today=MON,
    )
    (arrow,) = chart.arrows
    copy, design = chart.row_for("copy"), chart.row_for("design")
    y1, y2 = copy.y + ROW_HEIGHT // 2, design.y + ROW_HEIGHT // 2
    x1, x2 = _x(THU), _x(NEXT_MON)  # end of Wednesday, start of next Monday
    assert (arrow.predecessor, arrow.successor, arrow.kind) == ("copy", "design", "FS")
    assert arrow.points == ((x1, y1), (x2 - ARROW_GAP, y1), (x2 - ARROW_GAP, y2), (x2, y2))
    assert arrow.points_attr == f"{x1},{y1} {x2 - 6},{y1} {x2 - 6},{y2} {x2},{y2}"


def test_an_arrow_to_a_successor_starting_right_away_detours_between_the_rows():
    chart = build_timeline(
        [_task("copy", MON, WED), _task("copy-ok", THU, THU, milestone=True, predecessors=(Link("copy"),))],
        today=MON,
    )
    (arrow,) = chart.arrows
    copy, approval = chart.row_for("copy"), chart.row_for("copy-ok")
    x1 = _x(THU)  # end of Wednesday
    x2 = _x(THU) + DAY_WIDTH // 2 - 8  # the diamond's left tip
    y1, y2 = copy.y + 14, approval.y + 14
    assert arrow.points == (
        (x1, y1),
        (x1 + 6, y1),
        (x1 + 6, approval.y),
        (x2 - 6, approval.y),
        (x2 - 6, y2),
        (x2, y2),
    )


def test_a_start_to_start_arrow_leaves_the_predecessor_start():
    chart = build_timeline(
        [_task("build", MON, FRI), _task("tracking", THU, FRI, predecessors=(Link("build", "SS"),))],
        today=MON,
    )
    (arrow,) = chart.arrows
    assert arrow.kind == "SS"
    assert arrow.points[0] == (_x(MON), chart.row_for("build").y + 14)
    assert arrow.points[-1] == (_x(THU), chart.row_for("tracking").y + 14)


def test_links_to_tasks_outside_the_chart_draw_no_arrow():
    chart = build_timeline([_task("design", MON, TUE, predecessors=(Link("elsewhere"),))], today=MON)
    assert chart.arrows == ()


def test_the_today_line_sits_in_the_middle_of_today_and_disappears_outside_the_plan():
    tasks = [_task("a", MON, FRI)]
    assert build_timeline(tasks, today=WED).today_x == _x(WED) + DAY_WIDTH // 2 == 320
    assert build_timeline(tasks, today=MON - timedelta(days=1)).today_x is None
    assert build_timeline(tasks, today=MON + timedelta(days=30)).today_x is None


def test_the_launch_line_sits_at_the_end_of_the_launch_day_and_widens_the_chart_to_reach_it():
    launch = NEXT_MON + timedelta(days=4)  # Friday of the next week
    chart = build_timeline([_task("a", MON, WED)], today=MON, launch=launch)
    assert chart.end == launch + timedelta(days=2)
    assert chart.launch_x == _x(launch) + DAY_WIDTH == 472


def test_phase_rows_head_their_tasks_in_the_given_order_with_the_span_of_their_tasks():
    chart = build_timeline(
        [
            _task("design", WED, FRI, phase="Creative"),
            _task("loose", MON, MON, phase=""),
            _task("kickoff", MON, TUE, phase="Strategy"),
            _task("sitemap", TUE, THU, phase="Strategy"),
        ],
        today=MON,
        phases=["Strategy", "Creative", "QA"],
    )
    layout = [(r.kind, r.title) for r in chart.rows]
    assert layout == [
        ("phase", "Strategy"),
        ("task", "Kickoff"),
        ("task", "Sitemap"),
        ("phase", "Creative"),
        ("task", "Design"),
        ("phase", "Other tasks"),  # tasks without a phase come last; an empty phase (QA) gets no row
        ("task", "Loose"),
    ]
    strategy = chart.rows[0]
    assert (strategy.start, strategy.due) == (MON, THU)
    assert (strategy.bar.x, strategy.bar.width) == (_x(MON), 4 * DAY_WIDTH)
    assert [r.y for r in chart.rows] == [HEADER_HEIGHT + i * ROW_HEIGHT for i in range(7)]
    assert chart.height == HEADER_HEIGHT + 7 * ROW_HEIGHT


def test_bars_are_coloured_by_state_done_then_blocked_then_overdue():
    chart = build_timeline(
        [
            _task("late", MON, TUE, status="in_progress"),
            _task("late-but-done", MON, TUE, status="done"),
            _task("blocked", MON, FRI, status="blocked"),
            _task("waiting", WED, FRI, status="waiting"),
            _task("ahead", THU, FRI, critical=True),
        ],
        today=WED,
    )
    states = {r.key: r.state for r in chart.task_rows}
    assert states == {
        "late": "overdue",
        "late-but-done": "done",
        "blocked": "blocked",
        "waiting": "waiting",
        "ahead": "not_started",
    }
    assert chart.row_for("ahead").classes == "tl-task tl-not-started tl-critical"
    assert chart.row_for("late").tooltip == "Late · Mon 5 May to Tue 6 May · Overdue"


def test_an_arrow_between_two_critical_tasks_is_critical():
    chart = build_timeline(
        [
            _task("a", MON, TUE, critical=True),
            _task("b", WED, THU, critical=True, predecessors=(Link("a"),)),
            _task("c", WED, WED, predecessors=(Link("a"),)),
        ],
        today=MON,
    )
    assert {(a.successor, a.critical) for a in chart.arrows} == {("b", True), ("c", False)}


def test_week_gridlines_fall_on_mondays_with_short_date_labels():
    chart = build_timeline([_task("a", MON, NEXT_MON + timedelta(days=3))], today=MON)
    assert [(t.day, t.x, t.label) for t in chart.ticks] == [(MON, 280, "5 May"), (NEXT_MON, 392, "12 May")]


def test_days_off_are_shaded_from_the_calendar():
    calendar = BusinessCalendar(holidays=frozenset({THU}))
    chart = build_timeline([_task("a", MON, FRI)], today=MON, calendar=calendar)
    assert [d.x for d in chart.off_days] == [
        _x(THU),
        _x(MON + timedelta(days=5)),
        _x(MON + timedelta(days=6)),
    ]


def test_long_titles_are_shortened_on_the_chart_but_whole_in_the_tooltip():
    title = "Write the long-form landing page copy for the spring campaign launch"
    row = build_timeline([_task("copy", MON, TUE, title=title, assignee="Sam")], today=MON).row_for("copy")
    assert len(row.label) == 38 and row.label.endswith("…")
    assert row.tooltip.startswith(title + " · ") and row.tooltip.endswith("· Sam")


# --------------------------------------------------------------------------- the page


def _template(agency, *, chains: int, length: int) -> ProjectTemplate:
    """A template of ``chains`` parallel chains of ``length`` two-day tasks (FS links within a chain)."""
    tasks = []
    for c in range(chains):
        for i in range(length):
            tasks.append(
                {
                    "key": f"c{c}-t{i}",
                    "title": f"Chain {c} step {i}",
                    "phase": ["Strategy", "Creative", "Production"][i % 3],
                    "discipline": "designer",
                    "duration": 2,
                    "hours": 4,
                    "after": [{"key": f"c{c}-t{i - 1}"}] if i else [],
                }
            )
    with scope(agency=agency.pk):
        return ProjectTemplate.objects.create(
            agency=agency, name=f"Chains {chains}x{length}", spec={"tasks": tasks}
        )


pytestmark = pytest.mark.django_db


def test_the_timeline_draws_every_task_as_a_linked_bar_with_arrows_and_the_critical_path(
    team, as_coordinator
):
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], launch_in_days=120
    )
    url = reverse("project_timeline", args=[team["agency"].slug, project.pk])
    response = as_coordinator.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    with scope(agency=team["agency"].pk):
        tasks = list(project.tasks.all())
        links = services.project_plan_load(project).plan
    assert html.count('class="tl-task ') == len(tasks) == 14
    for task in tasks:
        assert f'href="{reverse("task_detail", args=[team["agency"].slug, task.pk])}"' in html
    assert html.count('<polyline class="tl-arrow') == sum(len(t.predecessors) for t in links)
    assert html.count("<polygon") == 4  # the website template's three approvals and its launch
    assert "tl-critical" in html and 'class="tl-launch"' in html
    assert "<title>Launch " in html
    assert 'class="tl-phase"' in html and ">Strategy</text>" in html


def test_the_timeline_page_uses_no_inline_styles(team, as_coordinator):
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], launch_in_days=120
    )
    html = as_coordinator.get(
        reverse("project_timeline", args=[team["agency"].slug, project.pk])
    ).content.decode()
    assert "<svg" in html and "style=" not in html and "<script>" not in html


def test_the_timeline_marks_blocked_and_done_tasks(team, as_coordinator):
    coordinator = team["coordinator"]
    project = factories.project_create(actor=coordinator, client=team["clients"][0], launch_in_days=120)
    with scope(agency=team["agency"].pk):
        kickoff, sitemap = project.tasks.get(key="kickoff"), project.tasks.get(key="sitemap")
        services.task_update_status(actor=coordinator, task=kickoff, status="done")
        services.task_update_status(
            actor=coordinator, task=sitemap, status="blocked", blocked_reason="No access"
        )
    html = as_coordinator.get(
        reverse("project_timeline", args=[team["agency"].slug, project.pk])
    ).content.decode()
    assert re.search(r'class="tl-task tl-done[^"]*" data-key="kickoff"', html)
    assert re.search(r'class="tl-task tl-blocked[^"]*" data-key="sitemap"', html)


def test_the_timeline_runs_the_same_number_of_queries_for_14_tasks_and_for_200(
    team, as_coordinator, django_assert_num_queries
):
    small = factories.project_create(actor=team["coordinator"], client=team["clients"][0], launch_in_days=120)
    template = _template(team["agency"], chains=40, length=5)
    large = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], launch_in_days=60, template=str(template.pk)
    )
    with scope(agency=team["agency"].pk):
        assert small.tasks.count() == 14 and large.tasks.count() == 200
    slug = team["agency"].slug
    with django_assert_num_queries(STAFF_PAGE_READS + 5):
        small_html = as_coordinator.get(reverse("project_timeline", args=[slug, small.pk])).content.decode()
    with django_assert_num_queries(STAFF_PAGE_READS + 5):
        large_html = as_coordinator.get(reverse("project_timeline", args=[slug, large.pk])).content.decode()
    assert small_html.count('class="tl-task ') == 14
    assert large_html.count('class="tl-task ') == 200 and large_html.count('<polyline class="tl-arrow') == 160


def test_another_agencys_project_timeline_is_a_404(team, other_team, as_coordinator):
    theirs = factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0])
    response = as_coordinator.get(reverse("project_timeline", args=[team["agency"].slug, theirs.pk]))
    assert response.status_code == 404
    assert theirs.name not in response.content.decode()
    missing = as_coordinator.get(reverse("project_timeline", args=[team["agency"].slug, theirs.pk + 1000]))
    assert missing.status_code == 404
