"""Weekly reports through a real Celery worker on the real Redis: beat runs twice, one PDF, one mail."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django_scopes import scopes_disabled

from agencyops.celery import app
from reporting.models import IssueState, ReportIssue
from reporting.services import reports
from tests.reporting import story
from tests.reporting.test_weekly_reports import MONDAY_10_05, define, top_up_linkedin


@pytest.fixture
def running_worker():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as worker:
        yield worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_running_twice_through_a_real_worker_sends_the_report_once(
    team, settings, tmp_path, running_worker
):
    settings.MEDIA_ROOT = tmp_path
    data = story.build(team)
    define(team, data)
    top_up_linkedin(team, data, dt.date(2026, 11, 22))
    mail.outbox.clear()
    first = reports.report_issues_schedule(now=MONDAY_10_05)
    second = reports.report_issues_schedule(now=MONDAY_10_05 + dt.timedelta(seconds=1))
    assert len(first) == 1 and second in (
        [],
        first,
    )  # the second run finds the issue pending or already built
    deadline = time.monotonic() + 90
    with scopes_disabled():
        while time.monotonic() < deadline:
            issue = ReportIssue.objects.get()
            if issue.state in (IssueState.SENT, IssueState.FAILED):
                break
            time.sleep(0.5)
        time.sleep(2)  # let a duplicate job, if any, finish too
        issue = ReportIssue.objects.get()
        assert ReportIssue.objects.count() == 1
    assert issue.state == IssueState.SENT, issue.failure_reason
    assert len([m for m in mail.outbox if m.attachments]) == 1
