"""The project page's version (projects/page_versions.py), kept by PostgreSQL's triggers.

The project page and the project's task list are kept under it, so everything they read must move it, and
writes elsewhere must not (or every project page of a busy agency would render afresh all day). What each
page shows after each kind of change is checked in tests/projects/test_project_page_cache.py; here, the
version itself.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from projects import selectors, services
from projects.calendars import agency_calendar, agency_today
from projects.models import (
    AgencyClosure,
    ChecklistItem,
    DeadlineChange,
    ProjectChange,
    ProjectChangeTally,
    RequiredInput,
    Task,
    TaskDependency,
)
from projects.page_versions import project_changes_fold, project_page_version
from tests import factories
from tests.connections import separate_connection
from tests.reads import tables_read, tables_watched

pytestmark = pytest.mark.django_db

# The version's own tables: read by the page, written only by the triggers.
VERSION_TABLES = {"projects_projectchange", "projects_projectchangetally"}


def _version(project) -> str:
    return project_page_version(agency_id=project.agency_id, project_id=project.pk).version


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def projects(team):
    """Two projects of one client and one of the other client, in one agency."""
    coordinator, clients = team["coordinator"], team["clients"]
    first = factories.project_create(actor=coordinator, client=clients[0], name="Spring launch")
    sibling = factories.project_create(actor=coordinator, client=clients[0], name="Summer launch")
    elsewhere = factories.project_create(actor=coordinator, client=clients[1], name="Clinic site")
    return first, sibling, elsewhere


def test_every_table_the_project_page_and_its_task_list_read_moves_the_version(team, projects):
    """Whatever the page's reads (both views, the list's people picker) and the task list's read name has
    the triggers: a table read and not watched would leave the kept page stale after a change to it."""
    project = projects[0]
    agency = team["agency"]
    with scope(agency=agency.pk):
        first, second = Task.objects.filter(project=project).order_by("pk")[:2]
        TaskDependency.objects.get_or_create(agency=agency, predecessor=first, successor=second)
        ChecklistItem.objects.create(agency=agency, task=first, text="Proof the copy")
        factories.escalation_create(project=project)
        item = RequiredInput.objects.create(
            agency=agency, project=project, description="Logo files", expected_by=agency_today(agency)
        )
        item.tasks.add(first)
    today = agency_today(agency)
    with scope(agency=agency.pk), CaptureQueriesContext(connection) as captured:
        page = selectors.project_page(agency, project.pk, today)
        list(selectors.active_members(agency))
        selectors.project_tasks_page(agency, project.pk, today, offset=0, limit=None)
    assert page is not None and page.escalations and page.inputs
    read = tables_read(captured.captured_queries)
    # Not a vacuous pass: the plan, its links, checklists, moves, inputs, risks and people were all read.
    assert {
        "projects_task",
        "projects_taskdependency",
        "projects_checklistitem",
        "projects_deadlinechange",
        "projects_requiredinput_tasks",
        "projects_escalation",
        "projects_agencyclosure",
        "agencyops_user",
        "agencyops_client",
    } <= read, read
    assert read - VERSION_TABLES - tables_watched("_project_change_on_") == set()


def test_each_kind_of_write_moves_the_projects_it_shows_on_and_no_other(team, other_team, projects):
    project, sibling, elsewhere = projects
    agency = team["agency"]
    theirs = factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0])
    every = (project, sibling, elsewhere, theirs)

    def moved(write) -> tuple[bool, ...]:
        before = [_version(p) for p in every]
        write()
        return tuple(_version(p) != was for p, was in zip(every, before, strict=True))

    with scope(agency=agency.pk):
        task, other_task = Task.objects.filter(project=project).order_by("pk")[:2]
    # A row of the project, changed by hand outside the app: its page only.
    assert moved(lambda: _sql("UPDATE projects_task SET title = title WHERE id = %s", [task.pk])) == (
        True, False, False, False,
    )  # fmt: skip
    assert moved(lambda: _sql("UPDATE projects_project SET name = 'Spring' WHERE id = %s", [project.pk])) == (
        True, False, False, False,
    )  # fmt: skip
    with scope(agency=agency.pk):
        # A task's checklist and moves, and the links between tasks.
        assert moved(lambda: ChecklistItem.objects.create(agency=agency, task=task, text="Proof")) == (
            True, False, False, False,
        )  # fmt: skip
        assert TaskDependency.objects.filter(successor=other_task).exists()
        assert moved(
            lambda: TaskDependency.objects.filter(successor=other_task).update(lag_days=F("lag_days") + 1)
        ) == (True, False, False, False)  # fmt: skip
        new_due = agency_calendar(agency).add_business_days(task.due_date, 2)
        services.task_reschedule(actor=team["coordinator"], task=task, new_due=new_due, reason="Client late")
        # A move recorded by hand (the history is append-only): the page counts how often each task moved.
        copied = [f.column for f in DeadlineChange._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(f'"{column}"' for column in copied)
        assert moved(
            lambda: _sql(
                f"INSERT INTO projects_deadlinechange ({columns}) SELECT {columns} FROM projects_deadlinechange "
                "WHERE task_id = %s LIMIT 1",
                [task.pk],
            )
        ) == (True, False, False, False)  # fmt: skip
        item = RequiredInput.objects.create(
            agency=agency, project=project, description="Logo files", expected_by=agency_today(agency)
        )
        assert moved(lambda: item.tasks.add(task)) == (True, False, False, False)
        # The agency's closures show on each of its projects (the critical path counts working days).
        assert moved(
            lambda: AgencyClosure.objects.create(agency=agency, date=agency_today(agency), name="Office move")
        ) == (True, True, True, False)  # fmt: skip
    # A client's name shows on that client's projects.
    assert moved(lambda: _sql("UPDATE agencyops_client SET name = 'Acme' WHERE id = %s", [project.client_id])) == (
        True, True, False, False,
    )  # fmt: skip
    # The agency's own row (its working week) and its people, on every project of the agency.
    assert moved(lambda: _sql("UPDATE agencyops_agency SET name = 'North' WHERE id = %s", [agency.pk])) == (
        True, True, True, False,
    )  # fmt: skip
    member = team["members"][0]
    assert moved(
        lambda: _sql("UPDATE agencyops_membership SET is_active = false WHERE id = %s", [member.pk])
    ) == (True, True, True, False)  # fmt: skip
    # A person's name, in every agency they work in; a sign-in (which writes their row) moves nothing.
    assert moved(lambda: _sql("UPDATE agencyops_user SET full_name = 'Ola' WHERE id = %s", [member.user_id])) == (
        True, True, True, False,
    )  # fmt: skip
    assert moved(
        lambda: _sql("UPDATE agencyops_user SET last_login = %s WHERE id = %s", [timezone.now(), member.user_id])
    ) == (False, False, False, False)  # fmt: skip
    # A statement that changes no row moves nothing.
    assert moved(lambda: _sql("UPDATE projects_task SET title = 'x' WHERE id = %s", [-1])) == (
        False, False, False, False,
    )  # fmt: skip


def test_folding_keeps_every_version_and_the_next_write_still_moves_it(team, projects):
    project = projects[0]
    before = {p.pk: _version(p) for p in projects}
    assert ProjectChange.objects.filter(project_id=project.pk).exists()

    assert project_changes_fold() >= 1

    assert not ProjectChange.objects.filter(project_id__in=before).exists()
    assert ProjectChangeTally.objects.filter(project_id__in=before).count() == 3
    assert {p.pk: _version(p) for p in projects} == before
    _sql("UPDATE projects_task SET title = title WHERE project_id = %s", [project.pk])
    assert _version(project) != before[project.pk]
    moved_to = _version(project)
    project_changes_fold()
    project_changes_fold()
    assert _version(project) == moved_to


def test_another_agencys_project_has_no_version(team, other_team, projects):
    assert project_page_version(agency_id=other_team["agency"].pk, project_id=projects[0].pk) is None


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_commits_after_a_later_one_still_moves_the_version():
    """The first to write is the last to commit: a version taken from the latest transaction alone would
    already have moved past it, and the kept page would never show its change."""
    owner = factories.agency_create(name="Late Commits")
    client = factories.client_create(actor=owner, name="Acme")
    project = factories.project_create(actor=owner, client=client)
    with scope(agency=owner.agency_id):
        first_task, second_task = Task.objects.filter(project=project).order_by("pk")[:2]
    with separate_connection() as first, separate_connection() as second:
        first.execute("UPDATE projects_task SET title = 'First' WHERE id = %s", [first_task.pk])
        second.execute("UPDATE projects_task SET title = 'Second' WHERE id = %s", [second_task.pk])
        second.commit()
        after_second = _version(project)
        first.commit()
        assert _version(project) != after_second


def test_a_watch_through_a_parent_row_names_its_parent_and_only_plain_names_reach_the_trigger():
    """BY_PARENT needs the parent table and the column naming its row (and nothing else takes them); the
    names are written into the trigger, so anything but a plain lower-case name is refused."""
    from projects.page_versions import BY_PARENT, BY_PROJECT_ID, watch_project_changes

    made = watch_project_changes(
        "approvals_assetversion", BY_PARENT, parent=("approvals_approvalrequest", "request_id")
    )
    assert "projects_note_project_change('parent', 'approvals_approvalrequest', 'request_id')" in made.sql[0]
    with pytest.raises(ValueError):
        watch_project_changes("approvals_assetversion", BY_PARENT)
    with pytest.raises(ValueError):
        watch_project_changes("projects_task", BY_PROJECT_ID, parent=("projects_project", "project_id"))
    with pytest.raises(ValueError):
        watch_project_changes("approvals_assetversion", BY_PARENT, parent=("x'); DROP TABLE y; --", "id"))
