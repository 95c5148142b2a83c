"""The project services: plans from templates, deadline moves with their ripple and history, dependencies."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django_scopes import scope, scopes_disabled

from agencyops.models import Discipline
from projects import scheduling, services
from projects.calendars import agency_calendar, agency_today
from projects.models import DeadlineChange, Project, ProjectStatus, Task, TaskDependency
from tests import factories

pytestmark = pytest.mark.django_db


def _violations(project):
    plan = services.project_plan_load(project)
    return scheduling.violated_dependencies(plan.graph(), plan.slots, calendar=plan.calendar)


def test_project_from_template_is_back_scheduled_from_launch_and_respects_every_dependency(team):
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], launch_in_days=120
    )
    with scope(agency=team["agency"].pk):
        tasks = list(project.tasks.all())
        assert len(tasks) == 14
        launch = project.tasks.get(key="launch")
        assert launch.due_date == project.launch_date
        assert max(t.due_date for t in tasks) == project.launch_date
        assert _violations(project) == []
        calendar = agency_calendar(team["agency"])
        assert all(
            calendar.is_business_day(t.start_date) and calendar.is_business_day(t.due_date) for t in tasks
        )
        # Design starts only after both wireframes and copy are approved.
        design = project.tasks.get(key="design")
        copy_ok = project.tasks.get(key="copy-approval")
        assert design.start_date >= copy_ok.due_date


def test_tasks_are_assigned_by_discipline_and_left_unassigned_without_a_match(team):
    agency = team["agency"]
    with scope(agency=agency.pk):
        # Nobody on the team is a media buyer any more.
        for m in team["members"]:
            if m.discipline == Discipline.MEDIA_BUYER:
                m.is_active = False
                m.save()
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=agency.pk):
        writer = project.tasks.get(key="copy")
        assert writer.assignee.discipline == Discipline.WRITER
        tracking = project.tasks.get(key="tracking")
        assert tracking.discipline == Discipline.MEDIA_BUYER and tracking.assignee is None
        phases = {p.name: p for p in project.phases.all()}
        assert phases["Strategy"].owner.discipline == Discipline.STRATEGIST
        assert phases["Scheduling"].owner is None
        assert phases["Launch"].due_date == project.launch_date
        assert (
            phases["Strategy"].due_date
            == project.tasks.filter(phase=phases["Strategy"]).latest("due_date").due_date
        )


def test_a_plan_that_would_start_in_the_past_is_refused_with_the_shortfall(team):
    with pytest.raises(ValidationError) as excinfo:
        factories.project_create(actor=team["coordinator"], client=team["clients"][0], launch_in_days=7)
    message = excinfo.value.message_dict["launch_date"][0]
    assert "business days ago" in message or "business day ago" in message
    with scope(agency=team["agency"].pk):
        assert Project.objects.count() == 0
        preview = services.project_preview(
            agency=team["agency"],
            template_ref="builtin:website-launch",
            launch_date=agency_today(team["agency"]) + timedelta(days=7),
        )
    assert preview.shortfall_days > 0
    assert str(preview.shortfall_days) in message


def test_a_launch_date_in_the_past_is_refused_and_nothing_is_written(team):
    with pytest.raises(ValidationError) as excinfo:
        factories.project_create(actor=team["coordinator"], client=team["clients"][0], launch_in_days=-3)
    assert "past" in excinfo.value.message_dict["launch_date"][0]
    with scopes_disabled():
        assert Task.objects.count() == 0 and Project.objects.count() == 0


def test_moving_a_due_date_later_shifts_successors_and_records_every_move(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        copy = project.tasks.get(key="copy")
        calendar = agency_calendar(team["agency"])
        new_due = calendar.add_business_days(copy.due_date, 2)
        preview = services.task_reschedule_preview(task=copy, new_due=new_due)
        old_launch = project.launch_date
        assert preview.launch_after == calendar.add_business_days(old_launch, 2)
        assert preview.summary == (
            f"Forecast launch {preview.launch_after:%a %-d %b}, two business days after the committed "
            f"{old_launch:%a %-d %b}"
        )
        impact = services.task_reschedule(
            actor=team["coordinator"], task=copy, new_due=new_due, reason="Client late"
        )
        shifted_keys = {s.task.key for s in impact.shifted}
        assert {"copy", "copy-approval", "design", "launch"} <= shifted_keys
        assert "wireframes" not in shifted_keys
        project.refresh_from_db()
        # The committed launch is a promise: a reschedule moves the forecast, never the commitment.
        assert project.launch_date == old_launch
        assert impact.slip_business_days == 2
        assert _violations(project) == []
        history = DeadlineChange.objects.filter(task__project=project)
        assert history.count() == len(impact.shifted)
        assert len({row.move for row in history}) == 1 and history.first().move is not None
        manual = history.get(task__key="copy")
        assert (manual.old_due, manual.new_due, manual.reason) == (copy.due_date, new_due, "Client late")
        assert manual.changed_by == team["coordinator"] and manual.cause == "manual"
        cascaded = history.get(task__key="design")
        assert cascaded.cause == "cascade" and cascaded.caused_by_task_id == copy.pk


def test_a_task_cannot_be_moved_before_its_predecessor_allows(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        design = project.tasks.get(key="design")
        calendar = agency_calendar(team["agency"])
        with pytest.raises(ValidationError) as excinfo:
            services.task_reschedule(
                actor=team["coordinator"],
                task=design,
                new_due=calendar.add_business_days(design.due_date, -3),
                reason="Faster",
            )
        assert "waits for" in excinfo.value.message_dict["due_date"][0]
        assert DeadlineChange.objects.count() == 0


def test_a_move_needs_a_reason(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        task = project.tasks.get(key="qa")
        with pytest.raises(ValidationError) as excinfo:
            services.task_reschedule(actor=team["coordinator"], task=task, new_due=task.due_date, reason=" ")
        assert "reason" in excinfo.value.message_dict


def test_moved_three_times_is_a_query_over_history(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        calendar = agency_calendar(team["agency"])
        for n in range(3):
            task = project.tasks.get(key="qa")
            services.task_reschedule(
                actor=team["owner"],
                task=task,
                new_due=calendar.add_business_days(task.due_date, 1),
                reason=f"Move {n}",
            )
        assert DeadlineChange.objects.filter(task__key="qa", task__project=project).count() == 3


def test_deadline_history_cannot_be_updated_or_deleted_in_the_database(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        task = project.tasks.get(key="qa")
        calendar = agency_calendar(team["agency"])
        services.task_reschedule(
            actor=team["owner"],
            task=task,
            new_due=calendar.add_business_days(task.due_date, 1),
            reason="Vendor",
        )
        row = DeadlineChange.objects.get(task=task)
    for statement in (
        "UPDATE projects_deadlinechange SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM projects_deadlinechange WHERE id = %s",
    ):
        with (
            pytest.raises(ProgrammingError, match="Cannot update or delete"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [row.pk])
    with scope(agency=team["agency"].pk):
        assert DeadlineChange.objects.get(pk=row.pk).reason == "Vendor"


def test_dependencies_on_another_projects_task_are_refused(team):
    a = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    b = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    with scope(agency=team["agency"].pk):
        with pytest.raises(ValidationError) as excinfo:
            services.dependency_add(
                actor=team["coordinator"], predecessor=a.tasks.get(key="qa"), successor=b.tasks.get(key="qa")
            )
        assert "same project" in excinfo.value.message_dict["predecessor"][0]


def test_a_dependency_loop_is_refused_naming_the_loop(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        before = TaskDependency.objects.count()
        with pytest.raises(ValidationError) as excinfo:
            services.dependency_add(
                actor=team["coordinator"],
                predecessor=project.tasks.get(key="launch"),
                successor=project.tasks.get(key="kickoff"),
            )
        message = excinfo.value.message_dict["predecessor"][0]
        assert "loop" in message and "Launch" in message and "Kick-off and brief sign-off" in message
        assert TaskDependency.objects.count() == before


def test_a_negative_lag_is_refused(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        with pytest.raises(ValidationError) as excinfo:
            services.dependency_add(
                actor=team["coordinator"],
                predecessor=project.tasks.get(key="kickoff"),
                successor=project.tasks.get(key="tracking"),
                lag_days=-2,
            )
        assert "negative" in excinfo.value.message_dict["lag_days"][0]


def test_a_new_dependency_that_the_dates_break_moves_the_successor_with_history(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        approval = project.tasks.get(key="wireframe-approval")
        copy = project.tasks.get(key="copy")
        launch_before = project.launch_date
        services.dependency_add(actor=team["coordinator"], predecessor=copy, successor=approval, lag_days=10)
        assert _violations(project) == []
        approval.refresh_from_db()
        calendar = agency_calendar(team["agency"])
        assert approval.start_date == calendar.add_business_days(copy.due_date, 11)
        row = DeadlineChange.objects.get(task=approval)
        assert row.cause == "plan" and "Landing page copy" in row.reason
        project.refresh_from_db()
        # The plan now lands later (the forecast), but the committed launch stays as agreed.
        assert project.launch_date == launch_before
        assert (
            project.tasks.filter(recurrence_period__isnull=True).latest("due_date").due_date > launch_before
        )


def test_a_project_cannot_go_active_with_an_incomplete_brief(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        with pytest.raises(ValidationError) as excinfo:
            services.project_set_status(
                actor=team["coordinator"], project=project, status=ProjectStatus.ACTIVE
            )
        message = excinfo.value.message_dict["status"][0]
        assert "Objective" in message and "Channel or placement" in message
        services.brief_update(
            actor=team["coordinator"],
            project=project,
            objective="Book 40 consultations a month",
            deliverables="Landing page\nThank-you page",
            channels="Web, paid social",
            known_constraints="Legal review of claims",
            due_date=project.launch_date,
        )
        project = services.project_set_status(
            actor=team["coordinator"], project=project, status=ProjectStatus.ACTIVE
        )
        assert project.status == ProjectStatus.ACTIVE


def test_retainer_generates_its_periods_ahead_once(team):
    project = factories.project_create(
        actor=team["coordinator"],
        client=team["clients"][0],
        template="builtin:monthly-retainer",
        launch_in_days=30,
    )
    with scope(agency=team["agency"].pk):
        recurring = Task.objects.filter(project=project, recurrence_period__isnull=False)
        periods = set(recurring.values_list("recurrence_period", flat=True))
        assert len(periods) == 3
        count = recurring.count()
        assert services.retainer_generate(project=project) == 0
        assert recurring.count() == count
        assert _violations(project) == []


def test_a_recurrence_that_would_generate_more_than_a_year_is_refused(team):
    project = factories.project_create(
        actor=team["coordinator"],
        client=team["clients"][0],
        template="builtin:monthly-retainer",
        launch_in_days=30,
    )
    with scope(agency=team["agency"].pk):
        with pytest.raises(ValidationError) as excinfo:
            services.project_set_recurrence(
                actor=team["coordinator"],
                project=project,
                frequency="monthly",
                day_of_month=1,
                periods_ahead=14,
            )
        assert "year" in str(excinfo.value)


def test_rescheduling_one_task_in_a_200_task_project_stays_under_50_queries(
    team, django_assert_max_num_queries
):
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], launch_in_days=400
    )
    with scope(agency=team["agency"].pk):
        # Grow the plan to 200 tasks: a chain hanging off kick-off.
        kickoff = project.tasks.get(key="kickoff")
        extra = Task.objects.bulk_create(
            Task(
                agency=team["agency"],
                project=project,
                key=f"extra-{n}",
                title=f"Extra {n}",
                start_date=kickoff.start_date,
                due_date=kickoff.due_date,
                duration_days=1,
            )
            for n in range(186)
        )
        TaskDependency.objects.bulk_create(
            TaskDependency(agency=team["agency"], predecessor=kickoff, successor=t) for t in extra
        )
        assert project.tasks.count() == 200
        calendar = agency_calendar(team["agency"])
        with django_assert_max_num_queries(49):
            impact = services.task_reschedule(
                actor=team["coordinator"],
                task=kickoff,
                new_due=calendar.add_business_days(kickoff.due_date, 1),
                reason="Kick-off moved",
            )
        assert len(impact.shifted) > 186


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_of_the_same_task_keep_every_history_row(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        task_id = project.tasks.get(key="qa").pk
    errors = []

    def move(actor, days):
        try:
            with scope(agency=team["agency"].pk):
                task = Task.objects.get(pk=task_id)
                calendar = agency_calendar(team["agency"])
                services.task_reschedule(
                    actor=actor,
                    task=task,
                    new_due=calendar.add_business_days(task.due_date, days),
                    reason=f"+{days}",
                )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(team["owner"], 1)),
        threading.Thread(target=move, args=(team["coordinator"], 2)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with scope(agency=team["agency"].pk):
        rows = list(DeadlineChange.objects.filter(task_id=task_id).order_by("changed_at", "pk"))
        assert len(rows) == 2
        # The second move starts from where the first left the task: no lost update.
        assert rows[1].old_due == rows[0].new_due
        assert Task.objects.get(pk=task_id).due_date == rows[1].new_due


def test_a_retainer_saved_as_a_template_keeps_its_rhythm_inputs_and_monthly_deliverables(team):
    project = factories.project_create(
        actor=team["coordinator"],
        client=team["clients"][0],
        template="builtin:monthly-retainer",
        launch_in_days=30,
    )
    with scope(agency=team["agency"].pk):
        template = services.template_save_from_project(
            actor=team["coordinator"], project=project, name="Our retainer"
        )
    copy = factories.project_create(
        actor=team["coordinator"], client=team["clients"][1], template=str(template.pk), launch_in_days=30
    )
    with scope(agency=team["agency"].pk):
        assert copy.is_recurring
        periods = set(
            copy.tasks.filter(recurrence_period__isnull=False).values_list("recurrence_period", flat=True)
        )
        assert len(periods) == 3
        assert copy.required_inputs.filter(description="Account access for all channels").exists()
        assert copy.tasks.filter(title__startswith="Monthly content plan (").count() == 3
        assert _violations(copy) == []
