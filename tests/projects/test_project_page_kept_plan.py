"""The project page's digest, read on every first view after a write, keeps one plan per connection for a
small agency's project beside a large agency's: PostgreSQL plans it once, not again on every view
(agencyops.planned_sql.unseen_by_planner)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django_scopes import scope

from agencyops.models import Client
from projects.calendars import agency_today
from projects.models import Project, Task
from projects.selectors import project_page_digest
from tests import factories

pytestmark = pytest.mark.django_db

RUNS = 12


@pytest.fixture
def large_agency(db):
    """An agency with 200 projects of 100 tasks each, its statistics up to date."""
    owner = factories.agency_create(name="Large agency")
    with scope(agency=owner.agency_id):
        client = Client.objects.create(agency=owner.agency, name="Big client", slug="big-client")
        projects = Project.objects.bulk_create(
            [
                Project(agency=owner.agency, client=client, name=f"Project {n}", launch_date=date(2027, 6, 1))
                for n in range(200)
            ]
        )
        Task.objects.bulk_create(
            [
                Task(
                    agency=owner.agency,
                    project=project,
                    key=f"task-{n}",
                    title=f"Task {n}",
                    start_date=date(2027, 1, 4),
                    due_date=date(2027, 1, 8),
                )
                for project in projects
                for n in range(100)
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_project, projects_task, agencyops_client")
    return owner


def test_a_small_agencys_project_page_keeps_the_digests_plan(team, large_agency):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Small")
    agency = team["agency"]
    today = agency_today(agency)
    with scope(agency=agency.pk):
        digests = {project_page_digest(agency, project.pk, today) for _ in range(RUNS)}
    assert len(digests) == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%md5(concat_ws(%"],
        )
        [(kept, planned_afresh)] = cursor.fetchall()
    # PostgreSQL plans a prepared statement afresh for its first five runs, then keeps a plan it trusts.
    assert planned_afresh <= 5 and kept >= RUNS - 5, (kept, planned_afresh)
