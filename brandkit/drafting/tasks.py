"""The Celery task that runs a drafting job: the job's id in, acks late (a worker killed mid-job leaves the
message to be delivered again), retried with backoff (or the provider's Retry-After) up to AI_MAX_ATTEMPTS.

The body is ``services.drafting_job_execute``, which is safe to run twice; retries go through
``self.retry`` so no worker sleeps through a Retry-After.
"""

from __future__ import annotations

from celery import shared_task

from brandkit.drafting import services


@shared_task(
    bind=True,
    name="brandkit.drafting.run_drafting_job",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,  # the job row is the result; nothing waits on the backend
    max_retries=None,  # the limit is AI_MAX_ATTEMPTS, counted on the job itself
)
def run_drafting_job(self, job_id: int, agency_id: int | None = None) -> str:
    """Run one attempt of a drafting job; come back after the wait when the provider asks for one.
    The agency comes with the message (the job is read in its scope); older messages carry only the id."""
    outcome = services.drafting_job_execute(job_id=job_id, agency_id=agency_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state
