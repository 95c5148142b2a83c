"""The tenant task helper: ids in, the row's agency scope, quiet on a missing row, transient errors
retried with backoff and jitter, beat jobs fanned out one task per agency on a real worker."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import OperationalError
from django_scopes import get_scope, scope

from agencyops.celery import app
from agencyops.models import Agency
from agencyops.tenant_tasks import tenant_task
from approvals.tasks import remind_approver, send_approval_reminders
from projects.tasks import scan_agency
from tests import factories

MISSING_ID = 2_147_483_647
attempts: list[int] = []


@tenant_task("tests.agencyops.flaky_agency_task", model=Agency)
def flaky_agency_task(agency: Agency, fail_times: int, error: str) -> dict:
    attempts.append(agency.pk)
    if len(attempts) <= fail_times:
        raise OperationalError("the database went away") if error == "transient" else ValueError("a bug")
    return {"agency": agency.slug, "scope": get_scope().get("agency")}


@pytest.mark.django_db
def test_a_tenant_task_runs_in_its_rows_agency_scope_and_retries_a_transient_error(team):
    attempts.clear()
    agency = team["agency"]

    result = flaky_agency_task.apply(args=[agency.pk, 2, "transient"])

    assert result.get() == {"agency": agency.slug, "scope": agency.pk}
    assert attempts == [agency.pk] * 3
    assert flaky_agency_task.retry_jitter is True and flaky_agency_task.retry_backoff
    assert flaky_agency_task.max_retries == 5


@pytest.mark.django_db
def test_a_tenant_task_does_not_retry_a_bug(team):
    attempts.clear()

    result = flaky_agency_task.apply(args=[team["agency"].pk, 1, "bug"])

    assert result.failed() and isinstance(result.result, ValueError)
    assert len(attempts) == 1


@pytest.mark.django_db
def test_a_tenant_task_returns_quietly_when_its_row_is_gone():
    attempts.clear()
    assert flaky_agency_task(MISSING_ID, 0, "transient") is None
    assert remind_approver(MISSING_ID) is None
    assert scan_agency(MISSING_ID) is None
    assert attempts == []


@pytest.mark.django_db
def test_the_daily_risk_digest_for_an_agency_goes_to_its_owners_once_a_day(
    team, other_team, django_capture_on_commit_callbacks
):
    from projects.models import Escalation
    from projects.tasks import send_escalation_digest_for_agency

    for world in (team, other_team):
        with scope(agency=world["agency"].pk):
            Escalation.objects.create(
                agency=world["agency"],
                rule="owner_unclear",
                fingerprint=f"owner_unclear:{world['agency'].pk}",
                severity="medium",
                section="needs_decision",
                message=f"Nobody owns the kickoff at {world['agency'].name}.",
            )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_escalation_digest_for_agency(team["agency"].pk) == 1
        # The day's key: a rerun sends nothing.
        assert send_escalation_digest_for_agency(team["agency"].pk) == 0

    (digest,) = mail.outbox
    assert digest.to == [team["owner"].user.email] and digest.subject.startswith("Daily risks digest, ")
    assert "Nobody owns the kickoff at Northwind Creative." in digest.body
    assert "Southpaw" not in digest.body


def _wait_for_mails(addresses: set[str], timeout: float = 30) -> set[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {to for m in mail.outbox for to in m.to if m.subject.startswith("Reminder:")} & addresses
        if found == addresses:
            return found
        time.sleep(0.2)
    return {to for m in mail.outbox for to in m.to} & addresses


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_reminder_beat_job_fans_out_one_task_per_agency_on_a_real_worker():
    approvers = set()
    for name, requests in (("Northwind Creative", 2), ("Southpaw Studio", 1)):
        team = factories.team_create(agency_name=name)
        project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
        for _ in range(requests):
            factories.approval_create(actor=team["coordinator"], project=project, due_in_hours=3)
        approvers.add(team["contacts"][0].email)
    mail.outbox.clear()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        queued = send_approval_reminders.delay().get(timeout=30)
        delivered = _wait_for_mails(approvers)

    assert queued == 2  # one task per agency (three requests are due), not one loop over every request
    assert delivered == approvers
    assert sum(m.subject.startswith("Reminder:") for m in mail.outbox) == 3
