"""A change request's work counts as started when its task is in progress, in review or done."""

from __future__ import annotations

import zoneinfo

import pytest
from django_scopes import scope

from approvals import services as approval_services
from approvals.risk_inputs import approvals_risk_inputs
from projects import services
from projects.models import TaskStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "started"),
    [(TaskStatus.NOT_STARTED, False), (TaskStatus.IN_PROGRESS, True), (TaskStatus.IN_REVIEW, True)],
)
def test_work_on_a_change_request_has_started_once_its_task_is_in_progress_or_in_review(
    team, status, started
):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    agency = team["agency"]
    with scope(agency=agency.pk):
        change = approval_services.change_request_create(
            project=project, description="Add a page for Spain", requester=team["coordinator"], rework_days=2
        )
        assert change.affected_task is not None
        if status != TaskStatus.NOT_STARTED:
            services.task_update_status(actor=team["coordinator"], task=change.affected_task, status=status)
        inputs = approvals_risk_inputs([project.pk], zoneinfo.ZoneInfo(agency.time_zone))
    [snap] = inputs.change_requests[project.pk]
    assert snap.work_started is started
