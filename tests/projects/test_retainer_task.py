"""The beat job that generates retainer deliverables, called as beat calls it."""

from __future__ import annotations

import pytest
from django_scopes import scope

from projects.models import Task
from projects.tasks import generate_retainer_work
from tests import factories


@pytest.mark.django_db
def test_the_beat_job_tops_up_retainer_periods_and_a_second_run_adds_nothing(team):
    project = factories.project_create(
        actor=team["coordinator"],
        client=team["clients"][0],
        template="builtin:monthly-retainer",
        launch_in_days=30,
    )
    with scope(agency=team["agency"].pk):
        project.recurrence_periods_ahead = 5
        project.save(update_fields=["recurrence_periods_ahead"])
        before = set(
            Task.objects.filter(project=project).values_list("recurrence_period", flat=True).distinct()
        )
    assert generate_retainer_work() == 2
    assert generate_retainer_work() == 0
    with scope(agency=team["agency"].pk):
        after = set(
            Task.objects.filter(project=project, recurrence_period__isnull=False).values_list(
                "recurrence_period", flat=True
            )
        )
    assert len(after) == 5 and before - {None} <= after
