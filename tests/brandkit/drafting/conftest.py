"""An agency with three clients whose brand layers carry marker phrases, a project with a filled brief,
and the local fake provider wired in as the agency's model."""

from __future__ import annotations

import pytest
from django_scopes import scope

from brandkit.drafting import services as drafting
from brandkit.drafting.tasks import run_drafting_job
from projects import services as project_services
from tests import factories
from tests.brandkit.brand_data import layer_save
from tests.brandkit.drafting.brands import BRANDS, with_marker
from tests.brandkit.drafting.fake_provider import FakeProvider

API_KEY = "sk-test-7f3c9a-never-shown"


@pytest.fixture
def studio(team):
    """Acme Dental (drafted for), Birch Bakery and Cobalt Fitness, each with a marked brand layer."""
    coordinator = team["coordinator"]
    cobalt = factories.client_create(actor=team["owner"], name="Cobalt Fitness")
    clients = {c.name: c for c in [*team["clients"], cobalt]}
    for name, client in clients.items():
        layer_save(actor=coordinator, client=client, content=with_marker(BRANDS[name](), name))
    project = factories.project_create(
        actor=team["owner"], client=clients["Acme Dental"], name="Spring launch"
    )
    with scope(agency=team["agency"].pk):
        project_services.brief_update(
            actor=team["owner"],
            project=project,
            campaign_name="Spring welcome",
            objective="Bring nervous patients back before summer.",
            deliverables="Landing page\nThree emails",
            channels="Landing page, Email, LinkedIn",
            known_constraints="No discount language.",
        )
    return {**team, "by_name": clients, "client": clients["Acme Dental"], "project": project}


@pytest.fixture
def fake_provider():
    with FakeProvider() as server:
        yield server


@pytest.fixture
def with_provider(studio, fake_provider, settings):
    """The agency points at the fake provider; retries wait no longer than the test needs."""
    settings.AI_MAX_ATTEMPTS = 3
    with scope(agency=studio["agency"].pk):
        drafting.drafting_settings_update(
            actor=studio["owner"],
            base_url=fake_provider.url,
            model="fake-model-1",
            api_key=API_KEY,
            price_input_per_million=2,
            price_output_per_million=8,
        )
    return {**studio, "provider": fake_provider}


def start(world, kind, *, actor=None, **kwargs):
    with scope(agency=world["agency"].pk):
        return drafting.drafting_job_create(actor=actor or world["coordinator"], kind=kind, **kwargs)


def run(world, job):
    """Run the job's Celery task in this process (retries included) and reload the job."""
    run_drafting_job.apply(args=[job.pk])
    with scope(agency=world["agency"].pk):
        job.refresh_from_db()
    return job
