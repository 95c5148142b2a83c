"""A drafting job end to end on a real Celery worker and Redis: queued on commit, the provider's
Retry-After waited out by a real countdown, the draft in the piece."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django_scopes import scope

from agencyops.celery import app
from brandkit.drafting.models import DraftingJob, DraftingOutput, JobState
from tests.brandkit.drafting.conftest import start


@pytest.fixture
def worker():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as running:
        yield running


def wait_for(world, job, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with scope(agency=world["agency"].pk):
            job = DraftingJob.objects.get(pk=job.pk)
        if not job.is_open:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.state} after {timeout}s: {job.events}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_queued_job_and_honours_retry_after(with_provider, worker):
    world, server = with_provider, with_provider["provider"]
    server.fail_next(429, headers={"Retry-After": "1"})
    began = time.monotonic()
    job = start(world, "first_draft", project=world["project"], inputs={"channel": "landing_page"})
    job = wait_for(world, job)
    assert job.state == JobState.SUCCEEDED and job.attempts == 2, job.events
    assert time.monotonic() - began >= 1.0
    assert len(server.requests) == 2
    with scope(agency=world["agency"].pk):
        assert DraftingOutput.objects.filter(job=job).count() == 1
