"""Isolation, provable: every job kind for one client against a local OpenAI-compatible server that
records every request; no request holds any other client's marker, name, claim or example. A source
piece that (wrongly) holds another client's term gives a bleed finding on what is drafted from it."""

from __future__ import annotations

import pytest
from django_scopes import scope

from brandkit import services as brand_services
from brandkit.drafting.models import DraftingOutput, JobState
from brandkit.layer import distinctive_terms, layer_validate
from brandkit.models import ContentVersion
from tests.brandkit.drafting.brands import BRANDS, MARKERS, with_marker
from tests.brandkit.drafting.conftest import run, start
from tests.brandkit.drafting.fake_provider import model_answer

pytestmark = pytest.mark.django_db


def _foreign_data(name: str) -> list[str]:
    """Everything of a client that must not reach another client's prompt."""
    layer = layer_validate(with_marker(BRANDS[name](), name))
    return sorted(
        {
            MARKERS[name],
            name,
            *distinctive_terms(layer, client_name=name),
            *(c["text"] for c in layer["claims"]),
            *(e["text"] for e in layer["examples"]),
        }
    )


def _piece(world, body):
    with scope(agency=world["agency"].pk):
        return brand_services.content_piece_create(
            actor=world["coordinator"],
            client=world["client"],
            title="Spring landing page",
            channel="landing_page",
            goal="lead_generation",
            body=body,
            project=world["project"],
        )


def test_no_request_for_one_client_holds_any_other_clients_data(with_provider):
    world, server = with_provider, with_provider["provider"]
    source = _piece(world, "Calm care for your next visit. Book your first visit.")
    jobs = [
        start(world, "brief_expansion", project=world["project"]),
        start(
            world,
            "first_draft",
            project=world["project"],
            inputs={"channel": "landing_page", "examples": [0, 1]},
        ),
        start(
            world,
            "first_draft",
            client=world["client"],
            inputs={"channel": "email", "title": "Hi", "count": 3},
        ),
        start(world, "repurpose", piece=source, inputs={"channel": "linkedin", "count": 3}),
        start(world, "variants", piece=source, inputs={"channel": "google_ads_headline", "count": 6}),
        start(world, "pre_edit", piece=source),
    ]
    for job in jobs:
        assert run(world, job).state == JobState.SUCCEEDED, job.error
    assert len(server.requests) == len(jobs)
    sent = server.all_text()
    # The client's own marker is there (so the check below could fail) ...
    assert MARKERS["Acme Dental"] in sent and "Acme Dental" in sent
    # ... and nothing of Birch Bakery's or Cobalt Fitness's is.
    leaks = [
        (other, term)
        for other in ("Birch Bakery", "Cobalt Fitness")
        for term in _foreign_data(other)
        if term in sent
    ]
    assert leaks == []
    # The stored prompt of each job is what was sent.
    assert [r["messages"] for r in server.requests] == [job.messages for job in jobs]


def test_repurposing_a_piece_that_holds_another_clients_term_gets_a_bleed_finding(studio):
    source = _piece(studio, "Sunrise Sourdough is a treat after your visit. Calm care, no rush.")
    with scope(agency=studio["agency"].pk):
        flagged = ContentVersion.objects.get(piece=source)
    assert any(f["check"] == "bleed" and "Birch Bakery" in f["message"] for f in flagged.findings)
    job = run(studio, start(studio, "repurpose", piece=source, inputs={"channel": "linkedin", "count": 1}))
    with scope(agency=studio["agency"].pk):
        piece = DraftingOutput.objects.get(job=job).piece
        version = ContentVersion.objects.get(piece=piece)
    assert "Sunrise Sourdough" in version.body
    assert any(f["check"] == "bleed" and "Birch Bakery" in f["message"] for f in version.findings)


def test_a_models_answer_with_another_clients_term_is_flagged_as_bleed(with_provider):
    world, server = with_provider, with_provider["provider"]
    server.content = model_answer(body="Stronger together at Cobalt, with calm care for every visit.")
    job = run(
        world,
        start(world, "first_draft", client=world["client"], inputs={"channel": "linkedin", "title": "Hi"}),
    )
    with scope(agency=world["agency"].pk):
        version = ContentVersion.objects.get(piece=DraftingOutput.objects.get(job=job).piece)
    assert any(f["check"] == "bleed" and "Cobalt Fitness" in f["message"] for f in version.findings)
