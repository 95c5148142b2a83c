"""`make bench`: 100 first-draft jobs through a real Celery worker against a local OpenAI-compatible server
that answers at once, next to 100 direct openai SDK calls to the same server with the same messages.

What the app adds: creating the job (brand layer, prompt assembly, budget), queueing through Redis, the
worker's claim, the governance checks on the answer and saving the piece, its version and the result.
Target: the whole within 3x the direct calls, comparing the medians of three rounds of each.

The worker is a separate `celery worker` process started with the options of docker-compose.yml's worker
service, as production runs it (four children; in a thread of the test process it would share one
interpreter lock with the code creating the jobs). The jobs need
committed rows, so this test does not run in the bench's rolled-back transaction: it builds its own small
agency in the bench database and deletes it afterwards.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import openai
import pytest
import yaml
from django.conf import settings as django_settings
from django.db.models import Max
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agencyops.celery import app
from agencyops.models import Agency, Role, User
from brandkit.drafting import services as drafting
from brandkit.drafting.models import OPEN_STATES, DraftingJob, JobState
from tests import factories
from tests.brandkit.brand_data import acme_layer, layer_save
from tests.brandkit.drafting.fake_provider import FakeProvider, model_answer

JOBS = 100
ROUNDS = 3
TARGET_RATIO = 3.0
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _production_worker_options() -> list[str]:
    """The options docker-compose.yml gives the worker service (concurrency, memory limit), minus its log level."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["worker"]["command"]
    assert command[:4] == ["celery", "-A", "agencyops", "worker"], command
    options = command[4:]
    if "-l" in options:
        del options[options.index("-l") : options.index("-l") + 2]
    return options


@pytest.fixture
def worker_process():
    """`celery -A agencyops worker` as docker-compose.yml starts it, on the bench database and the tests'
    Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        # The same key as this process: the agency's API key is encrypted with one derived from it.
        "SECRET_KEY": django_settings.SECRET_KEY,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "agencyops", "worker", "-l", "warning", *_production_worker_options(),
         "-Q", django_settings.CELERY_TASK_DEFAULT_QUEUE, "-n", f"drafting-bench-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            assert process.poll() is None and time.monotonic() < deadline, "the worker did not start"
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def drafting_agency(django_db_setup, django_db_blocker, settings):
    settings.AI_MONTHLY_TOKEN_BUDGET = 0
    run = uuid.uuid4().hex[:8]
    with django_db_blocker.unblock():
        owner = factories.agency_create(
            name=f"Drafting bench {run}", slug=f"drafting-bench-{run}", owner_email=f"owner-{run}@bench.test"
        )
        coordinator = factories.membership_create(
            agency=owner.agency, role=Role.COORDINATOR, email=f"coordinator-{run}@bench.test"
        )
        client = factories.client_create(actor=owner, name=f"Acme Dental {run}")
        layer_save(actor=coordinator, client=client, content=acme_layer())
        try:
            yield {"agency": owner.agency, "owner": owner, "coordinator": coordinator, "clients": [client]}
        finally:
            with scopes_disabled():
                Agency.objects.filter(pk=owner.agency_id).delete()
                User.objects.filter(email__endswith=f"-{run}@bench.test").delete()


def _wait_all(agency_id: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    with scope(agency=agency_id):
        while DraftingJob.objects.filter(state__in=OPEN_STATES).exists():
            assert time.monotonic() < deadline, "the worker did not finish the jobs in time"
            time.sleep(0.05)


def _jobs_round(team: dict, round_: int) -> tuple[float, float]:
    """Start JOBS first-draft jobs and wait until the worker has finished them all: (total ms, ms of it
    spent starting them in the request's code). The total ends when the last job was finished, as the
    worker stamped it, not when the polling below saw it (it looks every 50 ms)."""
    started_at = timezone.now()
    started = time.perf_counter()
    with scope(agency=team["agency"].pk):
        jobs = [
            drafting.drafting_job_create(
                actor=team["coordinator"], kind="first_draft", client=team["clients"][0],
                inputs={"channel": "landing_page", "goal": "lead_generation", "title": f"Page {round_}.{n}"},
            ).pk
            for n in range(JOBS)
        ]  # fmt: skip
    created_ms = (time.perf_counter() - started) * 1000
    _wait_all(team["agency"].pk)
    with scope(agency=team["agency"].pk):
        last = DraftingJob.objects.filter(pk__in=jobs).aggregate(last=Max("finished_at"))["last"]
    return (last - started_at).total_seconds() * 1000, created_ms


def _direct_round(client: openai.OpenAI, messages: list[dict[str, str]]) -> float:
    started = time.perf_counter()
    for _ in range(JOBS):
        client.chat.completions.create(model="bench-model", messages=messages, max_tokens=1500)
    return (time.perf_counter() - started) * 1000


def test_first_draft_jobs_through_a_worker_against_direct_sdk_calls(
    drafting_agency, worker_process, django_db_blocker, report
):
    """ROUNDS rounds, each the app's JOBS jobs then JOBS direct calls; the medians are compared, so one
    round disturbed by the machine (on either side) does not decide the line."""
    team = drafting_agency
    with FakeProvider() as server, django_db_blocker.unblock():
        server.content = model_answer(count=1, body="Calm care for your next visit. Book your first visit.")
        with scope(agency=team["agency"].pk):
            drafting.drafting_settings_update(
                actor=team["owner"], base_url=server.url, model="bench-model", api_key="sk-bench"
            )
        # A few jobs first, so both sides start warm (connections open, statements prepared, rules compiled).
        with scope(agency=team["agency"].pk):
            for _ in range(4):
                warm = drafting.drafting_job_create(
                    actor=team["coordinator"], kind="first_draft", client=team["clients"][0],
                    inputs={"channel": "landing_page", "goal": "lead_generation", "title": "Warm-up"},
                )  # fmt: skip
        _wait_all(team["agency"].pk)
        with scope(agency=team["agency"].pk):
            messages = DraftingJob.objects.get(pk=warm.pk).messages
        client = openai.OpenAI(base_url=server.url, api_key="sk-bench", max_retries=0)
        _direct_round(client, messages[:])
        app_rounds, created_rounds, direct_rounds = [], [], []
        for round_ in range(ROUNDS):
            app_ms, created_ms = _jobs_round(team, round_)
            app_rounds.append(app_ms)
            created_rounds.append(created_ms)
            direct_rounds.append(_direct_round(client, messages))
        with scope(agency=team["agency"].pk):
            states = set(DraftingJob.objects.values_list("state", flat=True))
        assert states == {JobState.SUCCEEDED}
        assert len(server.requests) == 4 + JOBS * (2 * ROUNDS + 1)
    app_ms, direct_ms = statistics.median(app_rounds), statistics.median(direct_rounds)
    ratio = app_ms / direct_ms
    result = "ok" if ratio <= TARGET_RATIO else "MISS"
    report.add(
        f"{JOBS} first-draft jobs (worker) vs {JOBS} direct SDK calls, median of {ROUNDS}",
        f"{app_ms:.0f} total",
        "—",
        f"{direct_ms:.0f}",
        f"{ratio:.1f}×",
        f"≤ {TARGET_RATIO:g}×",
        result,
    )
    print(
        f"\n{JOBS} jobs: {app_ms:.0f} ms median ({app_ms / JOBS:.1f} ms each; rounds "
        f"{', '.join(f'{ms:.0f}' for ms in app_rounds)}; of it starting them in the request's code "
        f"{', '.join(f'{ms:.0f}' for ms in created_rounds)}); direct: {direct_ms:.0f} ms median (rounds "
        f"{', '.join(f'{ms:.0f}' for ms in direct_rounds)}); ratio {ratio:.1f}×"
    )
    assert ratio <= TARGET_RATIO, (
        f"drafting jobs took {ratio:.1f}× the direct calls (target {TARGET_RATIO:g}×)"
    )
